"""The role groups keep the permissions their role needs, whatever is done to
the permission rows, and their edit page offers nothing to change."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction

from crmsite.roles import (
    ADMINISTRATORS,
    CLIENTS,
    ROLE_GROUPS,
    ROLE_PERMISSIONS,
    STAFF,
    RoleGroupProtectedError,
)
from tests import factories

User = get_user_model()
GroupPermissions = Group.permissions.through


def fresh(user):
    """The user as the next request sees them (no permission cache)."""
    return User.objects.get(pk=user.pk)


def group(name):
    return Group.objects.get(name=name)


# --- the authentication backend ----------------------------------------------


def test_administrators_keep_every_permission_without_their_rows(admin_user, as_admin):
    GroupPermissions.objects.filter(group=group(ADMINISTRATORS)).delete()
    assert not group(ADMINISTRATORS).permissions.exists()
    admin = fresh(admin_user)
    assert admin.has_perm("wagtailadmin.access_admin")
    assert admin.has_perm("crmsite.delete_user")
    assert admin.has_perm("auth.change_group")
    assert as_admin.get("/admin/").status_code == 200
    assert as_admin.get("/admin/users/").status_code == 200
    assert as_admin.get("/admin/groups/").status_code == 200


@pytest.mark.parametrize("name", [STAFF, CLIENTS])
def test_staff_and_clients_keep_what_their_role_needs(name, admin_user):
    user = factories.UserFactory(username="someone", role=name)
    GroupPermissions.objects.filter(group=group(name)).delete()
    user = fresh(user)
    for key in ROLE_PERMISSIONS[name]:
        assert user.has_perm(key), key
    assert not user.has_perm("crmsite.delete_user")


def test_staff_also_hold_what_their_group_rows_add(staff_user):
    extra = Permission.objects.get(codename="add_interestcentre")
    group(STAFF).permissions.add(extra)
    assert fresh(staff_user).has_perm("directory.add_interestcentre")


def test_a_permission_added_later_is_held_by_administrators_at_once(admin_user):
    assert fresh(admin_user).has_perm("directory.view_person")  # every name read once
    content_type = Permission.objects.get(codename="view_person").content_type
    Permission.objects.create(codename="merge_person", name="Merge", content_type=content_type)
    assert fresh(admin_user).has_perm("directory.merge_person")
    Permission.objects.filter(codename="merge_person").delete()
    assert not fresh(admin_user).has_perm("directory.merge_person")


def test_a_permission_rolled_back_is_not_held(admin_user):
    content_type = Permission.objects.get(codename="view_person").content_type
    with pytest.raises(RuntimeError), transaction.atomic():
        Permission.objects.create(codename="merge_person", name="Merge", content_type=content_type)
        assert fresh(admin_user).has_perm("directory.merge_person")
        raise RuntimeError("rolled back")
    assert not fresh(admin_user).has_perm("directory.merge_person")


def test_a_role_permission_missing_from_the_database_is_not_held(staff_user):
    Permission.objects.filter(codename="view_person").delete()
    assert not fresh(staff_user).has_perm("directory.view_person")
    assert fresh(staff_user).has_perm("directory.view_organisation")


def test_an_inactive_member_holds_nothing(admin_user):
    dormant = factories.administrator(username="dormant", is_active=False)
    assert not fresh(dormant).has_perm("wagtailadmin.access_admin")


def test_other_groups_hold_their_rows_only():
    helpers = Group.objects.create(name="Bénévoles")
    helpers.permissions.add(Permission.objects.get(codename="view_person"))
    user = factories.UserFactory(username="benevole")
    user.groups.add(helpers)
    user = fresh(user)
    assert user.has_perm("directory.view_person")
    assert not user.has_perm("wagtailadmin.access_admin")


# --- group.permissions.remove/clear on role groups ---------------------------


@pytest.mark.parametrize(
    "change",
    [
        lambda g, p: g.permissions.clear(),
        lambda g, p: g.permissions.remove(p),
        lambda g, p: g.permissions.set([]),
        lambda g, p: p.group_set.remove(g),
        lambda g, p: p.group_set.clear(),
    ],
    ids=["clear", "remove", "set([])", "permission.group_set.remove", "permission.group_set.clear"],
)
@pytest.mark.parametrize("name", ROLE_GROUPS)
def test_a_role_group_cannot_lose_a_needed_permission(name, change):
    needed = Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    before = set(group(name).permissions.values_list("pk", flat=True))
    refused = pytest.raises(RoleGroupProtectedError, match="fixées par le produit")
    with refused, transaction.atomic():
        change(group(name), needed)
    assert set(group(name).permissions.values_list("pk", flat=True)) == before


def test_a_role_group_may_lose_a_permission_it_does_not_need():
    extra = Permission.objects.get(codename="add_interestcentre")
    group(STAFF).permissions.add(extra)
    group(STAFF).permissions.remove(extra)
    assert not group(STAFF).permissions.filter(pk=extra.pk).exists()


def test_other_groups_may_lose_any_permission():
    helpers = Group.objects.create(name="Bénévoles")
    helpers.permissions.add(Permission.objects.get(codename="access_admin"))
    helpers.permissions.clear()
    assert not helpers.permissions.exists()


# --- the group edit page -----------------------------------------------------


def edit_url(name):
    return f"/admin/groups/edit/{group(name).pk}/"


@pytest.mark.parametrize("name", ROLE_GROUPS)
def test_the_edit_page_of_a_role_group_offers_nothing_to_change(as_admin, name):
    response = as_admin.get(edit_url(name))
    assert response.status_code == 200
    page = response.content.decode()
    assert "data-role-group-notice" in page
    assert "fixées par le produit" in page
    assert 'name="permissions"' not in page
    assert 'name="name"' not in page
    assert 'type="submit"' not in page or "Enregistrer" not in page


def test_the_edit_page_of_administrators_says_they_hold_everything(as_admin):
    page = as_admin.get(edit_url(ADMINISTRATORS)).content.decode()
    assert "Toutes les permissions" in page


def test_the_edit_page_of_staff_lists_their_permissions(as_admin):
    page = as_admin.get(edit_url(STAFF)).content.decode()
    assert "Personnes" in page or "personnes" in page


@pytest.mark.parametrize("name", ROLE_GROUPS)
def test_posting_the_edit_form_of_a_role_group_changes_nothing(as_admin, admin_user, name):
    before = set(group(name).permissions.values_list("pk", flat=True))
    response = as_admin.post(edit_url(name), {"name": "Renamed"})  # every box unticked
    assert response.status_code == 302
    assert set(group(name).permissions.values_list("pk", flat=True)) == before
    assert Group.objects.filter(name=name).exists()
    follow = as_admin.get(response["Location"])
    assert "fixées par le produit" in follow.content.decode()
    assert "été modifié" in follow.content.decode()
    assert as_admin.get("/admin/users/").status_code == 200


def test_other_groups_keep_wagtails_form(as_admin):
    helpers = Group.objects.create(name="Bénévoles")
    page = as_admin.get(f"/admin/groups/edit/{helpers.pk}/").content.decode()
    assert 'name="permissions"' in page
    view_person = Permission.objects.get(codename="view_person")
    response = as_admin.post(
        f"/admin/groups/edit/{helpers.pk}/",
        {"name": "Bénévoles", "permissions": [view_person.pk], **page_formsets()},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert list(helpers.permissions.all()) == [view_person]


def page_formsets():
    """The management forms of Wagtail's permission panels, empty."""
    return {
        "page_permissions-TOTAL_FORMS": "0",
        "page_permissions-INITIAL_FORMS": "0",
        "page_permissions-MIN_NUM_FORMS": "0",
        "page_permissions-MAX_NUM_FORMS": "1000",
        "collection_permissions-TOTAL_FORMS": "0",
        "collection_permissions-INITIAL_FORMS": "0",
        "collection_permissions-MIN_NUM_FORMS": "0",
        "collection_permissions-MAX_NUM_FORMS": "1000",
        "document_permissions-TOTAL_FORMS": "0",
        "document_permissions-INITIAL_FORMS": "0",
        "document_permissions-MIN_NUM_FORMS": "0",
        "document_permissions-MAX_NUM_FORMS": "1000",
        "image_permissions-TOTAL_FORMS": "0",
        "image_permissions-INITIAL_FORMS": "0",
        "image_permissions-MIN_NUM_FORMS": "0",
        "image_permissions-MAX_NUM_FORMS": "1000",
    }


def test_the_group_form_cannot_make_everyone_lose_the_admin(as_admin, admin_user):
    """The issue: unticking every permission of Administrateurs used to lock
    every administrator out until the next `migrate`."""
    as_admin.post(edit_url(ADMINISTRATORS), {"name": ADMINISTRATORS, **page_formsets()})
    assert fresh(admin_user).has_perm("wagtailadmin.access_admin")
    assert as_admin.get("/admin/").status_code == 200


def test_validation_error_class():
    assert issubclass(RoleGroupProtectedError, ValidationError)
