"""Authentication backend: the role groups always hold their role's permissions.

Django's `ModelBackend` reads group permissions from the database rows alone,
so unticking them in the group form, `group.permissions.clear()` or a delete
on the table would take a role's permissions away (every administrator losing
the admin until the next `migrate`). Here, for an active user, the
permissions of their groups are:

* every permission, for a member of Administrateurs;
* for a member of Équipe or Clients, the rows of their groups *and* what the
  role needs (`crmsite.roles.ROLE_PERMISSIONS`), whatever the rows say.

Everything else (user permissions, inactive users, superusers, `authenticate`)
is `ModelBackend`'s.

The names are put together in Python, not with a query per role: the
permissions of the roles are a list of names (`ROLE_PERMISSIONS`), and the
names of every permission there is are read once per process
(`all_permission_names`) and read again after `migrate` or a change to the
permission rows. Building one Q per role's hundred permissions and
compiling it took half of each request's time for staff and clients, and
reading every permission row again that of each administrator's request.
"""

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models.signals import post_delete, post_migrate, post_save
from django.dispatch import receiver

from .roles import ADMINISTRATORS, ROLE_GROUPS, ROLE_PERMISSIONS

_all_names: frozenset[str] | None = None
# A permission row changed in a transaction not yet committed: the names are
# read from the database each time until it commits (a rollback would
# otherwise leave the names of rows that never were, or lack some that are).
_changing = False


def all_permission_names() -> frozenset[str]:
    """The "app_label.codename" of every permission in the database."""
    global _all_names
    if _all_names is not None:
        return _all_names
    names = frozenset(
        f"{app_label}.{codename}"
        for app_label, codename in Permission.objects.values_list(
            "content_type__app_label", "codename"
        )
    )
    if not _changing:
        _all_names = names
    return names


def forget_permission_names() -> None:
    global _all_names, _changing
    _all_names, _changing = None, False


@receiver(post_migrate, dispatch_uid="crmsite.backends.names_after_migrate")
def _after_migrate(**kwargs) -> None:
    forget_permission_names()


@receiver(post_save, sender=Permission, dispatch_uid="crmsite.backends.permission_saved")
@receiver(post_delete, sender=Permission, dispatch_uid="crmsite.backends.permission_deleted")
def _permission_changed(using=None, **kwargs) -> None:
    global _all_names, _changing
    _all_names, _changing = None, True
    transaction.on_commit(forget_permission_names, using=using)


def role_group_names(user) -> set[str]:
    prefetched = getattr(user, "_prefetched_objects_cache", {})
    if "groups" in prefetched:
        return {group.name for group in prefetched["groups"]} & set(ROLE_GROUPS)
    return set(user.groups.filter(name__in=ROLE_GROUPS).values_list("name", flat=True))


class RoleModelBackend(ModelBackend):
    def get_group_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_group_perm_cache"):
            user_obj._group_perm_cache = self._group_permission_names(user_obj)
        return user_obj._group_perm_cache

    def _group_permission_names(self, user_obj) -> set[str]:
        roles = role_group_names(user_obj)
        if user_obj.is_superuser or ADMINISTRATORS in roles:
            return set(all_permission_names())
        stored = {
            f"{app_label}.{codename}"
            for app_label, codename in super()
            ._get_group_permissions(user_obj)
            .values_list("content_type__app_label", "codename")
            .order_by()
        }
        wanted = set().union(*(ROLE_PERMISSIONS.get(name, ()) for name in roles))
        return stored | (wanted & all_permission_names())
