"""Changes to accounts that may take tickets away from their open pages.

A connection forwards the events of its ticket without asking the database
each time (`helpdesk.consumers`): it relies on being told, by a
`helpdesk.access` event, when who may see the ticket changes. The helpdesk's
own actions say so for the ticket-level changes (a participant removed, the
visibility changed); this module says so for the account-level ones, made
in the user admin, the shell or anywhere else through the ORM:

* a user saved (closed or reopened, made superuser or not, linked to another
  person), unless the save touched only fields access does not depend on
  (the last sign-in, the recently viewed records);
* a user deleted;
* a user's groups or own permissions changed, from either side
  (`user.groups.add(…)`, `group.user_set.remove(…)`, `clear()`, `set()`);
* a group's permissions changed: every member is told;
* the user admin's bulk action that closes or reopens accounts, which
  updates the rows without saving them (`helpdesk.wagtail_hooks`).

Each is sent after commit to the group of each user concerned
(`realtime.access_changed_for_users`). A change that goes round all of
these (a queryset `update()` in the shell, SQL) is caught by the
connection's periodic re-check instead (`consumers.ACCESS_RECHECK_SECONDS`).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from .realtime import access_changed_for_users

User = get_user_model()
Membership = User.groups.through
UserPermissions = User.user_permissions.through
GroupPermissions = Group.permissions.through

# Saves limited to these fields change nobody's access.
HARMLESS_FIELDS = frozenset({"last_login", "recently_viewed", "password"})


@receiver(post_save, sender=User)
def user_saved(sender, instance, created, update_fields=None, using=None, **kwargs):
    if created or (update_fields and set(update_fields) <= HARMLESS_FIELDS):
        return
    access_changed_for_users([instance.pk], using=using)


@receiver(post_delete, sender=User)
def user_deleted(sender, instance, using=None, **kwargs):
    access_changed_for_users([instance.pk], using=using)


def _members(group_ids, using) -> list[int]:
    return list(
        Membership.objects.using(using)
        .filter(group_id__in=group_ids)
        .values_list("user_id", flat=True)
        .distinct()
    )


@receiver(m2m_changed, sender=Membership)
@receiver(m2m_changed, sender=UserPermissions)
def user_rights_changed(sender, instance, action, reverse, pk_set, using=None, **kwargs):
    """user.groups / user.user_permissions (instance: a user, pk_set: groups or
    permissions), or group.user_set (instance: a group, pk_set: users)."""
    if isinstance(instance, User):
        if action in ("post_add", "post_remove", "post_clear"):
            access_changed_for_users([instance.pk], using=using)
    elif sender is Membership and isinstance(instance, Group):
        if action == "pre_clear":  # who they were is gone after the clear
            access_changed_for_users(_members([instance.pk], using), using=using)
        elif action in ("post_add", "post_remove"):
            access_changed_for_users(pk_set or (), using=using)
    elif sender is UserPermissions and action in ("post_add", "post_remove"):
        access_changed_for_users(pk_set or (), using=using)  # permission.user_set
    elif sender is UserPermissions and action == "pre_clear":
        holders = UserPermissions.objects.using(using).filter(permission_id=instance.pk)
        access_changed_for_users(holders.values_list("user_id", flat=True), using=using)


@receiver(m2m_changed, sender=GroupPermissions)
def group_permissions_changed(sender, instance, action, reverse, pk_set, using=None, **kwargs):
    """group.permissions (instance: a group) or permission.group_set (pk_set: groups)."""
    if action not in ("pre_clear", "post_add", "post_remove"):
        return
    if isinstance(instance, Group):
        group_ids = [instance.pk]
    elif action == "pre_clear":
        group_ids = list(
            GroupPermissions.objects.using(using)
            .filter(permission_id=instance.pk)
            .values_list("group_id", flat=True)
        )
    else:
        group_ids = list(pk_set or ())
    access_changed_for_users(_members(group_ids, using), using=using)
