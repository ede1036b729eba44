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

from django.core.exceptions import ValidationError
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
    },
    CLIENTS: {
        "wagtailadmin.access_admin",
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
    """Raised when a role group would be deleted or renamed."""


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


def ensure_administrators_remain(losing_ids: Iterable[int], using: str = "default") -> None:
    """Refuse a change after which no active administrator would be left.

    `losing_ids` are the users about to stop being active administrators
    (deleted, deactivated, or removed from Administrateurs). A workspace that
    has no administrator yet (a fresh install) is left alone.
    """
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
