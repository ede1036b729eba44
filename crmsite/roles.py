"""Roles: the three groups, their permissions, and the last-administrator rule.

The groups are created by a data migration and kept in line with this module
after every `migrate` (see `sync_roles`), so a later app only has to add its
permissions to `ROLE_PERMISSIONS` for each role to get them.

* Administrateurs: every permission of the workspace.
* Équipe (staff): the directory, searches, baskets, campaigns, their tasks,
  the helpdesk. Each app adds its entries below.
* Clients: the helpdesk only (and their own account).
"""

from collections.abc import Iterable
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import DatabaseError, connections, transaction
from django.utils.translation import gettext_lazy as _

ADMINISTRATORS = "Administrateurs"
STAFF = "Équipe"
CLIENTS = "Clients"
ROLE_GROUPS = (ADMINISTRATORS, STAFF, CLIENTS)

ROLE_ADMINISTRATOR = "administrator"
ROLE_STAFF = "staff"
ROLE_CLIENT = "client"
ROLE_CHOICES = [
    (ROLE_ADMINISTRATOR, _("Administrator")),
    (ROLE_STAFF, _("Staff")),
    (ROLE_CLIENT, _("Client")),
]
GROUP_FOR_ROLE = {ROLE_ADMINISTRATOR: ADMINISTRATORS, ROLE_STAFF: STAFF, ROLE_CLIENT: CLIENTS}
WAGTAIL_DEFAULT_GROUPS = ("Editors", "Moderators")
ROLE_FOR_GROUP = {group: role for role, group in GROUP_FOR_ROLE.items()}

# "app_label.codename" of the permissions each non-administrator role holds.
# Administrators hold every permission there is.
ROLE_PERMISSIONS: dict[str, set[str]] = {
    STAFF: {
        "wagtailadmin.access_admin",
        "directory.view_interestcentre",
        "directory.view_organisationkind",
        "directory.view_function",
        *(
            f"directory.{action}_{model}"
            for action in ("view", "add", "change", "delete")
            for model in ("organisation", "person", "position", "comment")
        ),
        # Searches and baskets: each is its owner's; sharing is read-only
        # (`selections.models.Shared`), whatever these model permissions say.
        *(
            f"selections.{action}_{model}"
            for action in ("view", "add", "change", "delete")
            for model in ("savedsearch", "basket", "basketstep", "basketentry", "snapshot")
        ),
        # Campaigns: staff create and send them; templates are the administrators'.
        *(f"outreach.{action}_campaign" for action in ("view", "add", "change", "delete")),
        "outreach.send_campaign",
        "outreach.view_delivery",
        "outreach.view_emailtemplate",
        "outreach.view_smstemplate",
        "outreach.view_labeltemplate",
        # Helpdesk: every ticket (`helpdesk.permissions`).
        *(f"helpdesk.{action}_ticket" for action in ("view", "add", "change", "manage")),
        "helpdesk.view_message",
        "helpdesk.add_message",
        *(f"helpdesk.{action}_participant" for action in ("view", "add", "delete")),
        # Planner: each one's own tasks only (`planner.permissions`).
        *(f"planner.{action}_task" for action in ("view", "add", "change", "delete")),
    },
    CLIENTS: {
        "wagtailadmin.access_admin",
        # Helpdesk: their own tickets and those open to all clients.
        "helpdesk.view_ticket",
        "helpdesk.add_ticket",
        "helpdesk.view_message",
        "helpdesk.add_message",
    },
}


class LastAdministratorError(ValidationError):
    """Raised by every path that would leave the workspace without an administrator."""

    def __init__(self, message=None):
        super().__init__(
            message
            or _(
                "This would leave the workspace without an active administrator. "
                "Make another user an administrator first."
            ),
            code="last_administrator",
        )


class RoleGroupProtectedError(ValidationError):
    """Raised when a role group would be deleted or renamed, or lose a permission its role needs."""


# The database triggers (see `guard_sql`) start their error messages with
# these markers, so that `translated_guard_errors` recognises them.
LAST_ADMINISTRATOR_MARKER = "crm_last_administrator"
ROLE_GROUP_MARKER = "crm_role_group"


@contextmanager
def translated_guard_errors():
    """Turn a refusal of the database triggers into our own errors.

    The Python guards refuse first, with the same rule; the triggers only
    speak for paths that Python does not see (or a race that the lock of
    `lock_administrators` already prevents). Put it outside the
    `transaction.atomic` block, so that the block is rolled back first.
    """
    try:
        yield
    except DatabaseError as error:
        text = str(error)
        if LAST_ADMINISTRATOR_MARKER in text:
            raise LastAdministratorError() from error
        if ROLE_GROUP_MARKER in text:
            raise RoleGroupProtectedError(
                _("This group is a role of the workspace: it can be neither renamed nor deleted.")
            ) from error
        raise


def role_permission_filter(name: str):
    """A Q over Permission: what the role group `name` needs (everything for
    Administrateurs, nothing for a group that is not a role)."""
    from django.db.models import Q

    if name == ADMINISTRATORS:
        return Q()
    wanted = Q(pk__in=[])
    for key in sorted(ROLE_PERMISSIONS.get(name, ())):
        app_label, codename = key.split(".", 1)
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    return wanted


def role_of(user) -> str | None:
    """The role of a user: administrator, staff, client, or None (no role)."""
    if not user.is_authenticated:
        return None
    cached = getattr(user, "_crm_role", False)
    if cached is not False:
        return cached
    prefetched = getattr(user, "_prefetched_objects_cache", {})
    if "groups" in prefetched:
        names = {group.name for group in prefetched["groups"]}
    else:
        names = set(user.groups.filter(name__in=ROLE_GROUPS).values_list("name", flat=True))
    role = next((ROLE_FOR_GROUP[name] for name in ROLE_GROUPS if name in names), None)
    user._crm_role = role
    return role


def is_client(user) -> bool:
    """A client is a user whose only role is Clients (superusers never are)."""
    return bool(user.is_authenticated and not user.is_superuser and role_of(user) == ROLE_CLIENT)


def active_administrator_ids(using: str = "default") -> set[int]:
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    return set(
        user_model._base_manager.using(using)
        .filter(is_active=True, groups__name=ADMINISTRATORS)
        .values_list("pk", flat=True)
    )


def lock_administrators(using: str = "default") -> None:
    """Serialise every change that may take an administrator away.

    Inside a transaction, lock the Administrateurs group row (`SELECT ... FOR
    UPDATE`): a second transaction that wants to demote, deactivate or delete
    an administrator waits here until the first one commits, then counts
    again with a fresh statement, so two administrators demoting each other at
    the same time cannot both succeed. The database triggers take the same
    lock. Outside a transaction (a form's validation) there is nothing to
    hold; SQLite serialises writers anyway and ignores FOR UPDATE.
    """
    from django.contrib.auth.models import Group

    if not connections[using].in_atomic_block:
        return
    list(
        Group.objects.using(using)
        .select_for_update()
        .filter(name=ADMINISTRATORS)
        .values_list("pk", flat=True)
    )


def ensure_administrators_remain(losing_ids: Iterable[int], using: str = "default") -> None:
    """Refuse a change after which no active administrator would be left.

    `losing_ids` are the users about to stop being active administrators
    (deleted, deactivated, or removed from Administrateurs). A workspace that
    has no administrator yet (a fresh install) is left alone. Called inside
    the transaction that makes the change, it holds the lock of
    `lock_administrators` until that transaction ends.
    """
    lock_administrators(using)
    administrators = active_administrator_ids(using)
    if administrators and administrators <= {int(pk) for pk in losing_ids}:
        raise LastAdministratorError()


def sync_roles(apps=None, using: str = "default") -> None:
    """Create the three groups and give each exactly the permissions of its role.

    Idempotent; called by the data migration and after every `migrate`.
    """
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    permissions = permission_model.objects.using(using).select_related("content_type")
    by_key = {f"{p.content_type.app_label}.{p.codename}": p for p in permissions}
    for name in ROLE_GROUPS:
        group, _created = group_model.objects.using(using).get_or_create(name=name)
        if name == ADMINISTRATORS:
            wanted = set(by_key.values())
        else:
            wanted = {by_key[key] for key in ROLE_PERMISSIONS[name] if key in by_key}
        current = set(group.permissions.all())
        if current != wanted:
            group.permissions.set(wanted)
    # Wagtail's page-editing groups mean nothing here; drop them while unused.
    group_model.objects.using(using).filter(
        name__in=WAGTAIL_DEFAULT_GROUPS, user__isnull=True
    ).delete()


# --- Assigning a role: the one write path ------------------------------------

ROLE_ACTION = "crmsite.assign_role"


def may_assign_roles(user) -> bool:
    """Whoever may change users: the administrators (whose role holds every
    permission; no other role holds this one), or an account given it by hand."""
    from django.contrib.auth import get_user_model

    opts = get_user_model()._meta
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.has_perm(f"{opts.app_label}.change_{opts.model_name}")
    )


def assign_roles(actor, users, role: str) -> int:
    """Give each of `users` the role `role` in place of their previous one, as
    `actor` (an administrator, `may_assign_roles`); return how many changed role.

    Refused whole (nothing changes) when the actor is not an administrator
    (PermissionDenied), when the role is unknown, or when no active
    administrator would be left (LastAdministratorError: checked after taking
    the lock of `lock_administrators`, and by the database's triggers). Each
    change is logged on the user: who gave which role, before and after
    (`directory.audit`), shown in the user's history and the site history,
    which administrators read.
    """
    from django.contrib.auth.models import Group
    from django.core.exceptions import PermissionDenied
    from wagtail.log_actions import log

    from directory.audit import changes

    if not may_assign_roles(actor):
        raise PermissionDenied(_("Only administrators assign roles."))
    if role not in GROUP_FOR_ROLE:
        raise ValidationError(_("Unknown role."), code="invalid_role")
    users = list(users)
    labels = dict(ROLE_CHOICES)
    wanted = Group.objects.get(name=GROUP_FOR_ROLE[role])
    others = list(Group.objects.filter(name__in=ROLE_GROUPS).exclude(pk=wanted.pk))
    changed = 0
    with translated_guard_errors(), transaction.atomic():
        lock_administrators()
        if role != ROLE_ADMINISTRATOR:
            administrators = active_administrator_ids()
            ensure_administrators_remain([u.pk for u in users if u.pk in administrators])
        before = {}
        for user in users:
            user._crm_role = False  # read the role in this transaction
            before[user.pk] = role_of(user)
        wanted.user_set.add(*users)  # add first: never zero administrators on the way
        for group in others:
            group.user_set.remove(*users)
        for user in users:
            user._crm_role = False
            if before[user.pk] == role:
                continue
            changed += 1
            found = changes(
                {"role": str(labels.get(before[user.pk], ""))},
                {"role": str(labels[role])},
                type(user),
                labels={"role": _("Role")},
            )
            log(
                user,
                ROLE_ACTION,
                user=actor,
                data={"role": {"before": before[user.pk], "after": role}, "changes": found},
            )
    return changed


def assign_role(actor, user, role: str) -> bool:
    """Give `user` the role `role` (see `assign_roles`); return whether it changed."""
    return assign_roles(actor, [user], role) == 1


# --- The database's own guard -------------------------------------------------
#
# Triggers refuse, whatever SQL reaches the database (bulk_update, update()
# with an expression, a queryset delete on the membership table, raw SQL):
#
# * on the user table: `is_active` going from true to false, and delete;
# * on the user-groups table: delete or update of a membership;
# * when that leaves no active member of Administrateurs where the row was one
#   (so a workspace without any administrator yet is left alone);
# * on auth_group: renaming or deleting one of the three role groups.
#
# PostgreSQL takes the lock of `lock_administrators` before counting, so the
# triggers are safe between concurrent transactions too; SQLite serialises
# writers. Other databases get no trigger (the Python guards still hold).
#
# They are dropped before every `migrate` and installed again after it
# (`crmsite.signals`): SQLite rebuilds a table to alter it (copy, drop,
# rename), and refuses the rename while a trigger on another table names the
# table. Django's flush (`manage.py flush`, and the test runner between
# transactional tests) empties every table: PostgreSQL TRUNCATEs, which fires
# no row trigger; SQLite DELETEs row by row, so its flush drops the triggers
# and creates them again inside its own transaction (`crmsite.apps`).

GUARD_MIGRATION = ("crmsite", "0003_last_administrator_guard")
GUARD_TRIGGERS = (
    "crm_guard_user_deactivation",
    "crm_guard_user_deletion",
    "crm_guard_membership_change",
    "crm_guard_membership_deletion",
    "crm_guard_role_group_rename",
    "crm_guard_role_group_deletion",
)
_LAST_ADMINISTRATOR_SQL_MESSAGE = (
    f"{LAST_ADMINISTRATOR_MARKER}: this would leave the workspace without an active administrator"
)
_ROLE_GROUP_SQL_MESSAGE = f"{ROLE_GROUP_MARKER}: a role group can be neither renamed nor deleted"


# The statements below are built from quoted table and column names and from
# this module's constants, never from input (hence the `noqa: S608`).


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _guard_names(connection) -> dict[str, str]:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user_model = get_user_model()
    groups_field = user_model._meta.get_field("groups")
    quote = connection.ops.quote_name
    return {
        "user": quote(user_model._meta.db_table),
        "user_literal": _literal(user_model._meta.db_table),
        "membership": quote(groups_field.m2m_db_table()),
        "m_user": quote(groups_field.m2m_column_name()),
        "m_group": quote(groups_field.m2m_reverse_name()),
        "group": quote(Group._meta.db_table),
        "admins": _literal(ADMINISTRATORS),
        "roles": ", ".join(_literal(name) for name in ROLE_GROUPS),
    }


def _postgresql_guard(n: dict[str, str]) -> list[str]:
    last = _literal(_LAST_ADMINISTRATOR_SQL_MESSAGE)
    role = _literal(_ROLE_GROUP_SQL_MESSAGE)
    return [
        f"""
CREATE OR REPLACE FUNCTION crm_guard_last_administrator() RETURNS trigger
LANGUAGE plpgsql AS $guard$
DECLARE
    admin_group integer;
    losing boolean;
BEGIN
    SELECT id INTO admin_group FROM {n["group"]} WHERE name = {n["admins"]};
    IF admin_group IS NULL THEN
        RETURN NULL;
    END IF;
    IF TG_TABLE_NAME = {n["user_literal"]} THEN
        losing := OLD.is_active AND EXISTS (
            SELECT 1 FROM {n["membership"]}
            WHERE {n["m_user"]} = OLD.id AND {n["m_group"]} = admin_group
        );
    ELSE
        losing := OLD.{n["m_group"]} = admin_group AND EXISTS (
            SELECT 1 FROM {n["user"]} WHERE id = OLD.{n["m_user"]} AND is_active
        );
    END IF;
    IF NOT losing THEN
        RETURN NULL;
    END IF;
    -- The lock of crmsite.roles.lock_administrators: one such change at a
    -- time; the count below is a fresh statement, made once the lock is held.
    PERFORM 1 FROM {n["group"]} WHERE id = admin_group FOR UPDATE;
    IF NOT EXISTS (
        SELECT 1 FROM {n["user"]} u JOIN {n["membership"]} m ON m.{n["m_user"]} = u.id
        WHERE m.{n["m_group"]} = admin_group AND u.is_active
    ) THEN
        RAISE EXCEPTION USING ERRCODE = 'check_violation', MESSAGE = {last};
    END IF;
    RETURN NULL;
END
$guard$""",  # noqa: S608
        f"""
CREATE OR REPLACE FUNCTION crm_guard_role_groups() RETURNS trigger
LANGUAGE plpgsql AS $guard$
BEGIN
    IF OLD.name IN ({n["roles"]})
       AND (TG_OP = 'DELETE' OR NEW.name IS DISTINCT FROM OLD.name) THEN
        RAISE EXCEPTION USING ERRCODE = 'check_violation', MESSAGE = {role};
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$guard$""",
        f"""CREATE OR REPLACE TRIGGER crm_guard_user_deactivation
AFTER UPDATE OF is_active ON {n["user"]} FOR EACH ROW
WHEN (OLD.is_active AND NOT NEW.is_active)
EXECUTE FUNCTION crm_guard_last_administrator()""",
        f"""CREATE OR REPLACE TRIGGER crm_guard_user_deletion
AFTER DELETE ON {n["user"]} FOR EACH ROW WHEN (OLD.is_active)
EXECUTE FUNCTION crm_guard_last_administrator()""",
        f"""CREATE OR REPLACE TRIGGER crm_guard_membership_change
AFTER UPDATE ON {n["membership"]} FOR EACH ROW
WHEN (OLD.{n["m_group"]} IS DISTINCT FROM NEW.{n["m_group"]}
      OR OLD.{n["m_user"]} IS DISTINCT FROM NEW.{n["m_user"]})
EXECUTE FUNCTION crm_guard_last_administrator()""",
        f"""CREATE OR REPLACE TRIGGER crm_guard_membership_deletion
AFTER DELETE ON {n["membership"]} FOR EACH ROW
EXECUTE FUNCTION crm_guard_last_administrator()""",
        f"""CREATE OR REPLACE TRIGGER crm_guard_role_group_rename
BEFORE UPDATE OF name ON {n["group"]} FOR EACH ROW
EXECUTE FUNCTION crm_guard_role_groups()""",
        f"""CREATE OR REPLACE TRIGGER crm_guard_role_group_deletion
BEFORE DELETE ON {n["group"]} FOR EACH ROW
EXECUTE FUNCTION crm_guard_role_groups()""",
    ]


def _sqlite_guard(n: dict[str, str]) -> list[str]:
    last = _literal(_LAST_ADMINISTRATOR_SQL_MESSAGE)
    role = _literal(_ROLE_GROUP_SQL_MESSAGE)
    admin_group = f"(SELECT id FROM {n['group']} WHERE name = {n['admins']})"  # noqa: S608
    none_left = f"""NOT EXISTS (
        SELECT 1 FROM {n["user"]} u JOIN {n["membership"]} m ON m.{n["m_user"]} = u.id
        WHERE m.{n["m_group"]} = {admin_group} AND u.is_active
    )"""  # noqa: S608
    user_was_admin = f"""EXISTS (
        SELECT 1 FROM {n["membership"]}
        WHERE {n["m_user"]} = OLD.id AND {n["m_group"]} = {admin_group}
    )"""  # noqa: S608
    membership_was_admin = f"""OLD.{n["m_group"]} = {admin_group} AND EXISTS (
        SELECT 1 FROM {n["user"]} WHERE id = OLD.{n["m_user"]} AND is_active
    )"""  # noqa: S608
    return [
        f"""CREATE TRIGGER IF NOT EXISTS crm_guard_user_deactivation
AFTER UPDATE OF is_active ON {n["user"]} FOR EACH ROW
WHEN OLD.is_active AND NOT NEW.is_active
BEGIN SELECT RAISE(ABORT, {last}) WHERE {user_was_admin} AND {none_left}; END""",
        f"""CREATE TRIGGER IF NOT EXISTS crm_guard_user_deletion
AFTER DELETE ON {n["user"]} FOR EACH ROW WHEN OLD.is_active
BEGIN SELECT RAISE(ABORT, {last}) WHERE {user_was_admin} AND {none_left}; END""",
        f"""CREATE TRIGGER IF NOT EXISTS crm_guard_membership_change
AFTER UPDATE ON {n["membership"]} FOR EACH ROW
WHEN OLD.{n["m_group"]} IS NOT NEW.{n["m_group"]} OR OLD.{n["m_user"]} IS NOT NEW.{n["m_user"]}
BEGIN SELECT RAISE(ABORT, {last}) WHERE {membership_was_admin} AND {none_left}; END""",
        f"""CREATE TRIGGER IF NOT EXISTS crm_guard_membership_deletion
AFTER DELETE ON {n["membership"]} FOR EACH ROW
BEGIN SELECT RAISE(ABORT, {last}) WHERE {membership_was_admin} AND {none_left}; END""",
        f"""CREATE TRIGGER IF NOT EXISTS crm_guard_role_group_rename
BEFORE UPDATE OF name ON {n["group"]} FOR EACH ROW
WHEN OLD.name IN ({n["roles"]}) AND NEW.name IS NOT OLD.name
BEGIN SELECT RAISE(ABORT, {role}); END""",
        f"""CREATE TRIGGER IF NOT EXISTS crm_guard_role_group_deletion
BEFORE DELETE ON {n["group"]} FOR EACH ROW
WHEN OLD.name IN ({n["roles"]})
BEGIN SELECT RAISE(ABORT, {role}); END""",
    ]


def guard_sql(connection, install: bool = True) -> list[str]:
    """The statements that install (or remove) the triggers on this database."""
    vendor = connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        return []
    n = _guard_names(connection)
    if install:
        return _postgresql_guard(n) if vendor == "postgresql" else _sqlite_guard(n)
    on = {
        "crm_guard_user_deactivation": n["user"],
        "crm_guard_user_deletion": n["user"],
        "crm_guard_membership_change": n["membership"],
        "crm_guard_membership_deletion": n["membership"],
        "crm_guard_role_group_rename": n["group"],
        "crm_guard_role_group_deletion": n["group"],
    }
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {name}" for name in GUARD_TRIGGERS]
    return [f"DROP TRIGGER IF EXISTS {name} ON {on[name]}" for name in GUARD_TRIGGERS] + [
        "DROP FUNCTION IF EXISTS crm_guard_last_administrator()",
        "DROP FUNCTION IF EXISTS crm_guard_role_groups()",
    ]


def installed_guard_triggers(connection) -> set[str]:
    if connection.vendor == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    elif connection.vendor == "postgresql":
        query = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
    else:
        return set()
    with connection.cursor() as cursor:
        cursor.execute(query)
        return {row[0] for row in cursor.fetchall()} & set(GUARD_TRIGGERS)


def install_guard(connection) -> None:
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for statement in guard_sql(connection, install=True):
            cursor.execute(statement)


def remove_guard(connection) -> None:
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for statement in guard_sql(connection, install=False):
            cursor.execute(statement)
