"""Who reaches which task: its owner, and nobody else.

Staff and administrators hold the planner's model permissions (clients hold
none: the planner does not exist for them). With them, a user reaches their
own tasks only: administrators get no look at anyone else's either. Every
path asks here: the admin views through the permission policy registered
for `Task` and through `own_tasks(user)`, the actions through
`access_task`, the calendar feed through its owner.

A task that is not the reader's answers 404 wherever it is named (the same
answer as a task that does not exist), never 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from wagtail.permission_policies import ModelPermissionPolicy

from directory.ids import record_id

from .models import Task

USE = "planner.view_task"
ADD = "planner.add_task"
CHANGE = "planner.change_task"
DELETE = "planner.delete_task"


def may_use_planner(user) -> bool:
    return bool(
        user is not None and user.is_authenticated and user.is_active and user.has_perm(USE)
    )


def own_tasks(user):
    """The tasks `user` may reach: their own, if they may use the planner."""
    if not may_use_planner(user):
        return Task.objects.none()
    return Task.objects.owned_by(user)


def access_planner(user) -> None:
    if not may_use_planner(user):
        raise PermissionDenied(_("You are not allowed to use the planner."))


def access_task(user, task: Task, permission: str = CHANGE) -> None:
    """Raise PermissionDenied unless `task` is `user`'s and they may do `permission`."""
    access_planner(user)
    if task.owner_id != user.pk:
        raise PermissionDenied(_("This task is not yours."))
    if not user.has_perm(permission):
        raise PermissionDenied(_("You are not allowed to do this."))


def require_planner(request) -> None:
    """For views: 403 for someone who may not use the planner."""
    if not may_use_planner(request.user):
        raise PermissionDenied


def own_task_or_404(request, pk) -> Task:
    """The task `pk` if it is the user's; 404 otherwise, whether it exists or not."""
    require_planner(request)
    number = record_id(pk if isinstance(pk, int) else str(pk))
    if number is None:
        raise Http404
    task = (
        own_tasks(request.user).select_related("organisation", "person").filter(pk=number).first()
    )
    if task is None:
        raise Http404
    return task


class OwnTaskPolicy(ModelPermissionPolicy):
    """The model permissions, and for one task, being its owner."""

    def user_has_permission(self, user, action):
        return may_use_planner(user) and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return may_use_planner(user) and super().user_has_any_permission(user, actions)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action) and instance.owner_id == user.pk

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return any(self.user_has_permission_for_instance(user, a, instance) for a in actions)

    def instances_user_has_permission_for(self, user, action):
        if not self.user_has_permission(user, action):
            return Task.objects.none()
        return Task.objects.owned_by(user)

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return Task.objects.none()
        return Task.objects.owned_by(user)

    def users_with_any_permission_for_instance(self, actions, instance):
        from django.contrib.auth import get_user_model

        return get_user_model().objects.filter(pk=instance.owner_id)

    def users_with_permission_for_instance(self, action, instance):
        return self.users_with_any_permission_for_instance([action], instance)
