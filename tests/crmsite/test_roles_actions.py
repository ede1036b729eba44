"""Assigning a role is one action (`crmsite.roles.assign_role`): only an
administrator may, the last administrator stays, and the log says who gave
which role to whom, before and after. The user form and the bulk action
call it."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from wagtail.models import ModelLogEntry

from crmsite.roles import (
    ADMINISTRATORS,
    CLIENTS,
    ROLE_ACTION,
    STAFF,
    LastAdministratorError,
    assign_role,
    assign_roles,
    role_of,
)
from tests import factories

User = get_user_model()
pytestmark = pytest.mark.django_db


def role_entries(user):
    return list(
        ModelLogEntry.objects.filter(action=ROLE_ACTION, object_id=str(user.pk)).order_by("pk")
    )


def groups_of(user):
    return sorted(group.name for group in User.objects.get(pk=user.pk).groups.all())


def test_an_administrator_gives_a_role_and_the_log_says_who_which_and_to_whom(admin_user):
    lea = factories.client(username="lea")
    assert assign_role(admin_user, lea, "staff")
    assert groups_of(lea) == [STAFF]
    assert role_of(lea) == "staff"
    (entry,) = role_entries(lea)
    assert entry.user == admin_user
    assert entry.data["role"] == {"before": "client", "after": "staff"}
    (change,) = entry.data["changes"]
    assert (change["field"], change["before"], change["after"]) == ("role", "Client", "Équipe")
    with translation.override("fr"):
        assert str(entry.message) == (
            "Rôle attribué\u00a0: Rôle\u00a0: «\u00a0Client\u00a0» → «\u00a0Équipe\u00a0»"
        )


def test_the_same_role_again_changes_nothing_and_logs_nothing(admin_user):
    lea = factories.staff(username="lea")
    assert not assign_role(admin_user, lea, "staff")
    assert role_entries(lea) == []


def test_only_an_administrator_assigns_roles(staff_user, client_user):
    lea = factories.client(username="lea")
    for actor in (staff_user, client_user, None):
        with pytest.raises(PermissionDenied):
            assign_role(actor, lea, "administrator")
    assert groups_of(lea) == [CLIENTS] and role_entries(lea) == []


def test_an_unknown_role_is_refused(admin_user):
    lea = factories.client(username="lea")
    with pytest.raises(ValidationError):
        assign_role(admin_user, lea, "superuser")
    assert groups_of(lea) == [CLIENTS]


def test_the_last_administrator_keeps_the_role_and_nothing_is_half_done(admin_user):
    bystander = factories.client(username="bystander")
    with pytest.raises(LastAdministratorError):
        assign_roles(admin_user, [bystander, admin_user], "staff")
    assert groups_of(admin_user) == [ADMINISTRATORS]
    assert groups_of(bystander) == [CLIENTS]
    assert role_entries(admin_user) == [] and role_entries(bystander) == []


def test_an_administrator_steps_down_once_another_remains(admin_user):
    second = factories.administrator(username="second")
    assert assign_role(admin_user, admin_user, "staff")
    assert groups_of(admin_user) == [STAFF] and groups_of(second) == [ADMINISTRATORS]
    assert role_entries(admin_user)[0].data["role"] == {"before": "administrator", "after": "staff"}


def test_a_user_without_a_role_gets_one(admin_user):
    nobody = User.objects.create_user(username="nobody", password="x")
    assert assign_role(admin_user, nobody, "client")
    assert role_entries(nobody)[0].data["role"] == {"before": None, "after": "client"}


# --- through the screens ---------------------------------------------------------


def test_the_user_form_assigns_the_role_through_the_action(as_admin, admin_user):
    response = as_admin.post(
        "/admin/users/new/",
        {
            "username": "lea",
            "email": "lea@example.org",
            "first_name": "Léa",
            "last_name": "Moreau",
            "role": "staff",
            "password1": "Garance-Opera-2026",
            "password2": "Garance-Opera-2026",
        },
    )
    assert response.status_code == 302
    lea = User.objects.get(username="lea")
    (entry,) = role_entries(lea)
    assert entry.user == admin_user and entry.data["role"] == {"before": None, "after": "staff"}

    response = as_admin.post(
        f"/admin/users/edit/{lea.pk}/",
        {
            "username": "lea",
            "email": "lea@example.org",
            "first_name": "Léa",
            "last_name": "Moreau",
            "role": "administrator",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert groups_of(lea) == [ADMINISTRATORS]
    assert role_entries(lea)[-1].data["role"] == {"before": "staff", "after": "administrator"}
    history = as_admin.get("/admin/reports/site-history/results/").content.decode()
    assert "Rôle attribué" in history


def test_the_bulk_action_assigns_roles_through_the_action(as_admin, admin_user):
    lea = factories.client(username="lea")
    theo = factories.staff(username="theo")
    url = f"/admin/bulk/crmsite/user/assign_role/?next=/admin/users/&id={lea.pk}&id={theo.pk}"
    response = as_admin.post(url, {"role": "staff"})
    assert response.status_code == 302
    assert groups_of(lea) == [STAFF] and groups_of(theo) == [STAFF]
    assert [entry.user for entry in role_entries(lea)] == [admin_user]
    assert role_entries(theo) == [], "already staff: nothing to log"


def test_staff_reach_neither_the_bulk_action_nor_the_role(as_staff, staff_user):
    lea = factories.client(username="lea")
    url = f"/admin/bulk/crmsite/user/assign_role/?next=/admin/users/&id={lea.pk}"
    response = as_staff.post(url, {"role": "administrator"})
    assert response.status_code in (302, 403)
    assert groups_of(lea) == [CLIENTS]
    assert Group.objects.get(name=ADMINISTRATORS).user_set.filter(pk=staff_user.pk).count() == 0
