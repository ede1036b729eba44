"""The last active administrator cannot be deleted, deactivated or demoted, by any path."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction

from crmsite.roles import ADMINISTRATORS, STAFF, LastAdministratorError, active_administrator_ids
from tests import factories

User = get_user_model()


@pytest.fixture
def admins():
    return Group.objects.get(name=ADMINISTRATORS)


def assert_still_administrator(user):
    user.refresh_from_db()
    assert user.is_active
    assert user.groups.filter(name=ADMINISTRATORS).exists()


# --- code paths -------------------------------------------------------------


def test_it_refuses_user_delete(admin_user):
    with pytest.raises(LastAdministratorError):
        admin_user.delete()
    assert_still_administrator(admin_user)


def test_it_refuses_queryset_delete(admin_user, staff_user):
    with pytest.raises(LastAdministratorError):
        User.objects.all().delete()
    assert User.objects.count() == 2
    assert_still_administrator(admin_user)


def test_it_refuses_deactivation_through_save(admin_user):
    admin_user.is_active = False
    with pytest.raises(LastAdministratorError):
        admin_user.save()
    assert_still_administrator(admin_user)


def test_it_refuses_deactivation_through_queryset_update(admin_user):
    with pytest.raises(LastAdministratorError):
        User.objects.filter(pk=admin_user.pk).update(is_active=False)
    assert_still_administrator(admin_user)


@pytest.mark.parametrize(
    "remove",
    [
        lambda user, group: user.groups.remove(group),
        lambda user, group: user.groups.clear(),
        lambda user, group: user.groups.set([]),
        lambda user, group: group.user_set.remove(user),
        lambda user, group: group.user_set.clear(),
        lambda user, group: group.user_set.set([]),
        lambda user, group: group.delete(),
    ],
    ids=[
        "user.groups.remove",
        "user.groups.clear",
        "user.groups.set",
        "group.user_set.remove",
        "group.user_set.clear",
        "group.user_set.set",
        "group delete",
    ],
)
def test_it_refuses_removal_from_administrators(admin_user, admins, remove):
    # A savepoint stands for the transaction a real request would have.
    with pytest.raises(ValidationError), transaction.atomic():
        remove(admin_user, admins)
    assert_still_administrator(admin_user)


def test_it_allows_all_of_this_while_another_administrator_remains(admin_user, admins):
    second = factories.administrator(username="second")
    admin_user.groups.remove(admins)
    assert active_administrator_ids() == {second.pk}
    admin_user.groups.add(admins)
    admin_user.is_active = False
    admin_user.save()
    admin_user.delete()
    assert active_administrator_ids() == {second.pk}


def test_an_inactive_administrator_does_not_count(admin_user):
    factories.administrator(username="dormant", is_active=False)
    with pytest.raises(LastAdministratorError):
        admin_user.delete()


def test_deleting_everyone_but_one_administrator_is_allowed(admin_user, staff_user):
    second = factories.administrator(username="second")
    User.objects.exclude(pk=second.pk).delete()
    assert list(User.objects.all()) == [second]


@pytest.fixture
def operator(as_admin, admin_user):
    """An account holding every permission without being an administrator."""
    operator = factories.staff(username="operator")
    operator.user_permissions.add(*Group.objects.get(name=ADMINISTRATORS).permissions.all())
    as_admin.force_login(operator)
    return operator


# --- admin forms ------------------------------------------------------------


def edit_data(user, **overrides):
    data = {
        "username": user.username,
        "email": f"{user.username}@example.org",
        "first_name": "Prénom",
        "last_name": "Nom",
        "role": "administrator",
        "is_active": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_the_edit_form_refuses_to_demote_the_last_administrator(as_admin, admin_user, operator):
    response = as_admin.post(
        f"/admin/users/edit/{admin_user.pk}/", edit_data(admin_user, role="staff")
    )
    assert response.status_code == 200
    assert "sans administrateur actif" in " ".join(response.context["form"].errors["role"])
    assert_still_administrator(admin_user)


def test_the_edit_form_refuses_to_deactivate_the_last_administrator(as_admin, admin_user, operator):
    response = as_admin.post(
        f"/admin/users/edit/{admin_user.pk}/", edit_data(admin_user, is_active=None)
    )
    assert response.status_code == 200
    assert "sans administrateur actif" in " ".join(response.context["form"].errors["is_active"])
    assert_still_administrator(admin_user)


def test_the_edit_form_demotes_an_administrator_while_another_remains(as_admin, admin_user):
    second = factories.administrator(username="second")
    response = as_admin.post(f"/admin/users/edit/{second.pk}/", edit_data(second, role="staff"))
    assert response.status_code == 302
    assert [g.name for g in second.groups.all()] == [STAFF]


def test_the_delete_view_refuses_the_last_administrator(as_admin, admin_user):
    # Wagtail forbids deleting oneself; the last administrator is someone else here.
    deleter = factories.administrator(username="deleter")
    as_admin.force_login(deleter)
    deleter.groups.set([Group.objects.get(name=STAFF)])
    deleter.user_permissions.add(*Group.objects.get(name=ADMINISTRATORS).permissions.all())
    response = as_admin.post(
        f"/admin/users/delete/{admin_user.pk}/",
        HTTP_REFERER=f"http://testserver/admin/users/delete/{admin_user.pk}/",
    )
    assert response.status_code == 302
    assert_still_administrator(admin_user)
    follow = as_admin.get(response["Location"])
    assert "sans administrateur actif" in follow.content.decode()


# --- bulk actions -------------------------------------------------------------


def bulk_url(action, *users):
    ids = "&".join(f"id={u.pk}" for u in users)
    return f"/admin/bulk/crmsite/user/{action}/?next=/admin/users/&{ids}"


def test_bulk_delete_refuses_the_last_administrator(as_admin, admin_user, operator):
    bystander = factories.staff(username="bystander")
    response = as_admin.post(bulk_url("delete", admin_user, bystander))
    assert response.status_code == 302
    assert_still_administrator(admin_user)
    assert User.objects.filter(pk=bystander.pk).exists(), "nothing is half-done"


def test_bulk_deactivation_refuses_the_last_administrator(as_admin, admin_user, operator):
    response = as_admin.post(bulk_url("set_active_state", admin_user), {"mark_as_active": "False"})
    assert response.status_code == 302
    assert_still_administrator(admin_user)


def test_bulk_assign_role_refuses_to_demote_the_last_administrator(as_admin, admin_user, operator):
    bystander = factories.client(username="bystander")
    response = as_admin.post(bulk_url("assign_role", admin_user, bystander), {"role": "staff"})
    assert response.status_code == 302
    assert_still_administrator(admin_user)
    assert bystander.groups.get().name == "Clients", "nothing is half-done"


def test_bulk_assign_role_replaces_the_previous_role(as_admin, admin_user, operator):
    someone = factories.client(username="someone")
    response = as_admin.post(bulk_url("assign_role", someone), {"role": "staff"})
    assert response.status_code == 302
    assert [g.name for g in someone.groups.all()] == [STAFF]
