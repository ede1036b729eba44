"""Model-layer guards that signals carry: group removals, role permissions,
role syncing, and the database triggers around `migrate`."""

from django.apps import apps as global_apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connections
from django.db.backends.signals import connection_created
from django.db.migrations.recorder import MigrationRecorder
from django.db.models.signals import (
    m2m_changed,
    post_migrate,
    pre_delete,
    pre_migrate,
    pre_save,
)
from django.dispatch import receiver
from django.utils.translation import gettext as _

from .roles import (
    ADMINISTRATORS,
    GUARD_MIGRATION,
    GUARD_TRIGGERS,
    ROLE_GROUPS,
    RoleGroupProtectedError,
    active_administrator_ids,
    ensure_administrators_remain,
    install_guard,
    installed_guard_triggers,
    remove_guard,
    role_permission_filter,
    sync_roles,
)

User = get_user_model()
Membership = User.groups.through
GroupPermissions = Group.permissions.through


@receiver(m2m_changed, sender=Membership)
def guard_administrator_membership(sender, instance, action, reverse, pk_set, using, **kwargs):
    """user.groups.remove/clear/set(...) and group.user_set.remove/clear/set(...)."""
    if action not in ("pre_remove", "pre_clear"):
        return
    if not reverse:  # instance is a user, pk_set are group ids
        if (
            action == "pre_clear"
            or Group.objects.filter(pk__in=pk_set, name=ADMINISTRATORS).exists()
        ):
            ensure_administrators_remain([instance.pk], using=using)
    elif isinstance(instance, Group) and instance.name == ADMINISTRATORS:
        if action == "pre_clear":
            ensure_administrators_remain(active_administrator_ids(using), using=using)
        else:
            ensure_administrators_remain(pk_set, using=using)


def _refuse_permission_loss(group_name: str) -> None:
    raise RoleGroupProtectedError(
        _(
            "The permissions of the role “%(name)s” are set by the product: "
            "those it needs cannot be taken away."
        )
        % {"name": group_name}
    )


@receiver(m2m_changed, sender=GroupPermissions)
def guard_role_permissions(sender, instance, action, reverse, pk_set, using, **kwargs):
    """group.permissions.remove/clear/set(...) and permission.group_set.remove/clear/set(...).

    A role group never loses a permission its role needs (every permission
    for Administrateurs). The authentication backend (`crmsite.backends`)
    grants them anyway; this refusal tells whoever tried.
    """
    if action not in ("pre_remove", "pre_clear"):
        return
    if not reverse:  # instance is a group, pk_set are permission ids
        if instance.name not in ROLE_GROUPS:
            return
        losing = instance.permissions.all() if action == "pre_clear" else None
        if losing is None:
            losing = Permission.objects.using(using).filter(pk__in=pk_set)
        if losing.filter(role_permission_filter(instance.name)).exists():
            _refuse_permission_loss(instance.name)
        return
    groups = Group.objects.using(using).filter(name__in=ROLE_GROUPS)
    groups = (
        groups.filter(pk__in=pk_set)
        if action == "pre_remove"
        else groups.filter(permissions=instance)
    )
    for group in groups:
        needed = Permission.objects.using(using).filter(role_permission_filter(group.name))
        if needed.filter(pk=instance.pk).exists():
            _refuse_permission_loss(group.name)


@receiver(pre_delete, sender=Group)
def protect_role_groups(sender, instance, **kwargs):
    if instance.name in ROLE_GROUPS:
        raise RoleGroupProtectedError(
            _("The group “%(name)s” is a role of the workspace and cannot be deleted.")
            % {"name": instance.name}
        )


@receiver(pre_save, sender=Group)
def protect_role_group_names(sender, instance, **kwargs):
    if instance.pk is None:
        return
    previous = Group.objects.filter(pk=instance.pk).values_list("name", flat=True).first()
    if previous in ROLE_GROUPS and previous != instance.name:
        raise RoleGroupProtectedError(
            _("The group “%(name)s” is a role of the workspace and cannot be renamed.")
            % {"name": previous}
        )


# Databases (aliases) on which a `migrate` run is under way.
_migrating: set[str] = set()


def migrate_in_progress(using: str) -> bool:
    return using in _migrating


@receiver(pre_migrate)
def drop_guard_before_migrating(sender, using="default", **kwargs):
    """The triggers go before migrations run, and come back after (below):
    SQLite rebuilds a table to alter it, which fails while a trigger on
    another table names it."""
    if using in _migrating:
        return
    _migrating.add(using)
    connection = connections[using]
    if installed_guard_triggers(connection):
        remove_guard(connection)


@receiver(post_migrate)
def keep_roles_in_sync(sender, using="default", apps=global_apps, **kwargs):
    """After the last app has migrated (all permissions exist), sync the roles
    and install the database triggers (once their migration is applied)."""
    with_models = [a for a in global_apps.get_app_configs() if a.models_module is not None]
    if sender is not with_models[-1]:
        return
    sync_roles(using=using)
    _migrating.discard(using)
    connection = connections[using]
    if GUARD_MIGRATION in MigrationRecorder(connection).applied_migrations() and (
        installed_guard_triggers(connection) != set(GUARD_TRIGGERS)
    ):
        install_guard(connection)


@receiver(connection_created)
def sqlite_fires_triggers_on_replace(sender, connection, **kwargs):
    """SQLite's REPLACE deletes the row it replaces without firing delete
    triggers unless recursive triggers are on; the last-administrator guard
    must see that delete too."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA recursive_triggers = ON")
