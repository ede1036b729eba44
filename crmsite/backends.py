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
"""

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Q

from .roles import ADMINISTRATORS, ROLE_GROUPS, role_permission_filter


def role_group_names(user) -> set[str]:
    prefetched = getattr(user, "_prefetched_objects_cache", {})
    if "groups" in prefetched:
        return {group.name for group in prefetched["groups"]} & set(ROLE_GROUPS)
    return set(user.groups.filter(name__in=ROLE_GROUPS).values_list("name", flat=True))


class RoleModelBackend(ModelBackend):
    def _get_group_permissions(self, user_obj):
        stored = super()._get_group_permissions(user_obj)
        roles = role_group_names(user_obj)
        if ADMINISTRATORS in roles:
            return Permission.objects.all()
        if not roles:
            return stored
        wanted = Q(pk__in=stored.values("pk"))
        for name in sorted(roles):
            wanted |= role_permission_filter(name)
        return Permission.objects.filter(wanted)
