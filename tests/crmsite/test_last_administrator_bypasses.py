"""The last administrator and the role groups, by the paths around the model
methods: bulk_update, update() with an expression, the membership table, the
group table, raw SQL (the database triggers), and the flush and migrate that
must still work with the triggers in place."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.db.models import Case, F, Value, When

from crmsite.roles import (
    ADMINISTRATORS,
    CLIENTS,
    GUARD_TRIGGERS,
    LAST_ADMINISTRATOR_MARKER,
    ROLE_GROUP_MARKER,
    ROLE_GROUPS,
    STAFF,
    LastAdministratorError,
    active_administrator_ids,
    installed_guard_triggers,
)
from tests import factories

User = get_user_model()
Membership = User.groups.through


def assert_still_administrator(user):
    user.refresh_from_db()
    assert user.is_active
    assert user.groups.filter(name=ADMINISTRATORS).exists()


def raw(sql, *params):
    """Raw SQL in a savepoint, as a real transaction would run it."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def table(model):
    return connection.ops.quote_name(model._meta.db_table)


# --- the model layer ------------------------------------------------------


def test_bulk_update_cannot_deactivate_the_last_administrator(admin_user):
    admin_user.is_active = False
    with pytest.raises(LastAdministratorError):
        User.objects.bulk_update([admin_user], ["is_active"])
    assert_still_administrator(admin_user)


def test_bulk_update_may_deactivate_one_of_two_administrators(admin_user):
    second = factories.administrator(username="second")
    second.is_active = False
    User.objects.bulk_update([second], ["is_active", "last_name"])
    assert active_administrator_ids() == {admin_user.pk}


@pytest.mark.parametrize(
    "value",
    [Value(False), F("is_superuser"), Case(When(pk__gt=0, then=Value(False)), default=True)],
    ids=["Value(False)", "F(field)", "Case"],
)
def test_update_with_an_expression_cannot_deactivate_the_last_administrator(admin_user, value):
    with pytest.raises(LastAdministratorError):
        User.objects.filter(pk=admin_user.pk).update(is_active=value)
    assert_still_administrator(admin_user)


def test_update_with_an_expression_may_deactivate_others(admin_user, staff_user):
    assert User.objects.exclude(pk=admin_user.pk).update(is_active=Value(False)) == 1
    staff_user.refresh_from_db()
    assert not staff_user.is_active
    assert_still_administrator(admin_user)


# Django sends no signal for the rows of an auto-created membership table:
# the database's trigger refuses, with its marker.


def test_deleting_the_membership_rows_is_refused(admin_user):
    with pytest.raises(DatabaseError, match=LAST_ADMINISTRATOR_MARKER), transaction.atomic():
        Membership.objects.filter(user=admin_user).delete()
    assert_still_administrator(admin_user)


def test_deleting_the_membership_rows_of_every_administrator_at_once_is_refused(admin_user):
    factories.administrator(username="second")
    with pytest.raises(DatabaseError, match=LAST_ADMINISTRATOR_MARKER), transaction.atomic():
        Membership.objects.filter(group__name=ADMINISTRATORS).delete()
    assert_still_administrator(admin_user)


def test_deleting_one_membership_row_of_two_administrators_is_allowed(admin_user):
    second = factories.administrator(username="second")
    Membership.objects.filter(user=second).delete()
    assert active_administrator_ids() == {admin_user.pk}


def test_deleting_a_membership_row_instance_is_refused(admin_user):
    membership = Membership.objects.get(user=admin_user)
    with pytest.raises(DatabaseError, match=LAST_ADMINISTRATOR_MARKER), transaction.atomic():
        membership.delete()
    assert_still_administrator(admin_user)


@pytest.mark.parametrize("name", ROLE_GROUPS)
def test_a_role_group_cannot_be_renamed_through_update(name):
    with pytest.raises(DatabaseError, match=ROLE_GROUP_MARKER), transaction.atomic():
        Group.objects.filter(name=name).update(name="Renamed")
    assert Group.objects.filter(name=name).exists()


def test_other_groups_may_be_renamed_and_deleted():
    Group.objects.create(name="Stagiaires")
    Group.objects.filter(name="Stagiaires").update(name="Bénévoles")
    Group.objects.filter(name="Bénévoles").delete()
    assert set(Group.objects.values_list("name", flat=True)) == set(ROLE_GROUPS)


# --- the database triggers: raw SQL -----------------------------------------


def test_the_triggers_are_installed():
    assert installed_guard_triggers(connection) == set(GUARD_TRIGGERS)


def test_raw_deactivation_is_refused(admin_user):
    with pytest.raises(DatabaseError, match=LAST_ADMINISTRATOR_MARKER):
        raw(f"UPDATE {table(User)} SET is_active = %s WHERE id = %s", False, admin_user.pk)
    assert_still_administrator(admin_user)


def test_raw_deactivation_of_everyone_is_refused(admin_user, staff_user):
    factories.administrator(username="second")
    with pytest.raises(DatabaseError, match=LAST_ADMINISTRATOR_MARKER):
        raw(f"UPDATE {table(User)} SET is_active = %s", False)
    assert_still_administrator(admin_user)
    staff_user.refresh_from_db()
    assert staff_user.is_active, "the whole statement is undone"


def test_raw_membership_delete_is_refused(admin_user):
    with pytest.raises(DatabaseError, match=LAST_ADMINISTRATOR_MARKER):
        raw(f"DELETE FROM {table(Membership)} WHERE user_id = %s", admin_user.pk)
    assert_still_administrator(admin_user)


def test_raw_membership_move_is_refused(admin_user):
    staff = Group.objects.get(name=STAFF)
    with pytest.raises(DatabaseError, match=LAST_ADMINISTRATOR_MARKER):
        raw(
            f"UPDATE {table(Membership)} SET group_id = %s WHERE user_id = %s",
            staff.pk,
            admin_user.pk,
        )
    assert_still_administrator(admin_user)


def test_raw_user_delete_is_refused(admin_user):
    with pytest.raises(DatabaseError, match=LAST_ADMINISTRATOR_MARKER):
        raw(f"DELETE FROM {table(User)} WHERE id = %s", admin_user.pk)
    assert_still_administrator(admin_user)


@pytest.mark.parametrize("name", ROLE_GROUPS)
def test_raw_rename_and_delete_of_a_role_group_are_refused(name):
    with pytest.raises(DatabaseError, match=ROLE_GROUP_MARKER):
        raw(f"UPDATE {table(Group)} SET name = %s WHERE name = %s", "Autre", name)
    with pytest.raises(DatabaseError, match=ROLE_GROUP_MARKER):
        raw(f"DELETE FROM {table(Group)} WHERE name = %s", name)
    assert Group.objects.filter(name=name).exists()


def test_raw_changes_that_leave_an_administrator_are_allowed(admin_user, staff_user):
    second = factories.administrator(username="second")
    raw(f"UPDATE {table(User)} SET is_active = %s WHERE id = %s", False, second.pk)
    raw(f"UPDATE {table(User)} SET is_active = %s WHERE id = %s", False, staff_user.pk)
    raw(f"DELETE FROM {table(Membership)} WHERE user_id = %s", second.pk)
    assert active_administrator_ids() == {admin_user.pk}


def test_a_workspace_without_administrator_is_left_alone(staff_user):
    """A fresh install: no administrator yet, nothing to keep."""
    dormant = factories.administrator(username="dormant", is_active=False)
    raw(f"DELETE FROM {table(Membership)} WHERE user_id = %s", dormant.pk)
    raw(f"UPDATE {table(User)} SET is_active = %s WHERE id = %s", False, staff_user.pk)
    staff_user.delete()
    assert active_administrator_ids() == set()


def test_the_database_refusal_becomes_our_error_in_our_code(admin_user, monkeypatch):
    """Were the Python check to miss (a race), the trigger's refusal reaches
    the admin as LastAdministratorError (the French message), not a 500."""
    monkeypatch.setattr("crmsite.models.ensure_administrators_remain", lambda *a, **k: None)
    admin_user.is_active = False
    with pytest.raises(LastAdministratorError):
        admin_user.save()
    assert_still_administrator(admin_user)


# --- flush and migrate, with the triggers in place ---------------------------


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_database_and_keeps_the_triggers():
    factories.administrator(username="admin")
    factories.staff(username="marie")
    call_command("flush", interactive=False, verbosity=0)
    assert not User.objects.exists()
    assert set(Group.objects.values_list("name", flat=True)) == set(ROLE_GROUPS)
    assert installed_guard_triggers(connection) == set(GUARD_TRIGGERS)
    admin = factories.administrator(username="again")
    with pytest.raises(DatabaseError, match=LAST_ADMINISTRATOR_MARKER):
        raw(f"DELETE FROM {table(Membership)} WHERE user_id = %s", admin.pk)


@pytest.mark.django_db(transaction=True)
def test_migrate_back_and_forth_removes_and_installs_the_triggers():
    factories.administrator(username="admin")
    theo = factories.staff(username="theo")
    call_command("migrate", "crmsite", "0002", verbosity=0)
    try:
        assert installed_guard_triggers(connection) == set()
        # What a later migration of the user table does on SQLite (a rebuilt
        # table) works while the triggers are away. (Only the id is read: the
        # columns of later migrations are gone at 0002.)
        user = type(theo).objects.only("pk").get(pk=theo.pk)
        user.groups.set([Group.objects.get(name=CLIENTS)])
    finally:
        call_command("migrate", verbosity=0)
    assert installed_guard_triggers(connection) == set(GUARD_TRIGGERS)


@pytest.mark.django_db(transaction=True)
def test_a_migration_altering_the_guarded_tables_runs_with_the_triggers_installed():
    """What a later migration altering the user table does: SQLite rebuilds
    the table (copy, drop, rename), which fails while a trigger of another
    table names it. `migrate` drops the triggers first (pre_migrate) and
    installs them again at its end (post_migrate)."""
    import copy

    from django.apps import apps
    from django.core.management.sql import emit_post_migrate_signal, emit_pre_migrate_signal
    from django.db.migrations.state import ProjectState

    admin = factories.administrator(username="admin")
    migrated = ProjectState.from_apps(apps).apps.get_model("crmsite", "User")
    old = migrated._meta.get_field("job_title")
    new = copy.copy(old)
    new.max_length = 200
    emit_pre_migrate_signal(verbosity=0, interactive=False, db="default")
    try:
        with connection.schema_editor() as editor:
            editor.alter_field(migrated, old, new)
        with connection.schema_editor() as editor:
            editor.alter_field(migrated, new, old)
    finally:
        emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert installed_guard_triggers(connection) == set(GUARD_TRIGGERS)
    assert_still_administrator(admin)
    with pytest.raises(DatabaseError, match=LAST_ADMINISTRATOR_MARKER):
        raw(f"UPDATE {table(User)} SET is_active = %s WHERE id = %s", False, admin.pk)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's REPLACE")
def test_replace_on_sqlite_cannot_move_the_last_administrator_membership(admin_user):
    membership = Membership.objects.get(user=admin_user, group__name=ADMINISTRATORS)
    staff_group = Group.objects.get(name=STAFF)
    with pytest.raises(DatabaseError, match=LAST_ADMINISTRATOR_MARKER):
        raw(
            f"REPLACE INTO {table(Membership)} (id, user_id, group_id) VALUES (%s, %s, %s)",
            membership.pk,
            admin_user.pk,
            staff_group.pk,
        )
    assert_still_administrator(admin_user)
