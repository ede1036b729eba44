"""Model-layer guards that signals carry: group removals and role syncing."""

from django.apps import apps as global_apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed, post_migrate, pre_delete, pre_save
from django.dispatch import receiver
from django.utils.translation import gettext as _

from .roles import (
    ADMINISTRATORS,
    ROLE_GROUPS,
    RoleGroupProtectedError,
    active_administrator_ids,
    ensure_administrators_remain,
    sync_roles,
)

User = get_user_model()
Membership = User.groups.through


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


@receiver(post_migrate)
def keep_roles_in_sync(sender, using="default", apps=global_apps, **kwargs):
    """After the last app has migrated (all permissions exist), sync the roles."""
    with_models = [a for a in global_apps.get_app_configs() if a.models_module is not None]
    if sender is not with_models[-1]:
        return
    sync_roles(using=using)
