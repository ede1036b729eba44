"""Bulk actions of the task listing: delete, and mark as done, through
`planner.actions`.

Wagtail's bulk actions read the ticked ids in the whole table and list, on
their confirmation page, those the user may not act on. Here they read them
in the user's own tasks only: another user's task is neither acted on nor
named, and a request naming none of the user's tasks answers 404. "Select
all" means every task of the listing's tab (the listing passes its tab as
the bulk actions' parent).
"""

from __future__ import annotations

from django.http import Http404
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.snippets.bulk_actions.delete import DeleteBulkAction
from wagtail.snippets.bulk_actions.snippet_bulk_action import SnippetBulkAction

from directory.ids import is_record_id

from . import actions, schedule
from .models import Task
from .permissions import own_tasks, require_planner


class OwnTasksBulkActionMixin:
    models = [Task]

    def dispatch(self, request, *args, **kwargs):
        require_planner(request)
        return super().dispatch(request, *args, **kwargs)

    def get_all_objects_in_listing_query(self, parent_id):

        if parent_id not in schedule.TAB_NAMES:
            return Task.objects.none().values_list("pk", flat=True)
        return (
            own_tasks(self.request.user)
            .filter(schedule.tab_filter(parent_id, schedule.now()))
            .values_list("pk", flat=True)
        )

    @cached_property
    def _actionable_objects(self):
        ids = self.request.GET.getlist("id")
        if "all" in ids:
            ids = list(self.get_all_objects_in_listing_query(self.request.GET.get("childOf")))
        elif not all(is_record_id(value) for value in ids):
            raise Http404
        found = list(
            own_tasks(self.request.user)
            .filter(pk__in=[int(value) for value in ids])
            .order_by("due_date", "due_time", "pk")
        )
        if not found:
            raise Http404
        return found, {"items_with_no_access": []}

    def get_actionable_objects(self):
        return self._actionable_objects


class DeleteTasksBulkAction(OwnTasksBulkActionMixin, DeleteBulkAction):
    aria_label = _("Delete the selected tasks")
    template_name = "planner/bulk_actions/confirm_bulk_delete.html"

    def get_usage_url(self, snippet):
        return None

    @classmethod
    def execute_action(cls, objects, user=None, **kwargs):
        return actions.delete_tasks(kwargs["self"].request.user, objects), 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        return ngettext(
            "%(count)d task deleted.", "%(count)d tasks deleted.", num_parent_objects
        ) % {"count": num_parent_objects}


class MarkDoneBulkAction(OwnTasksBulkActionMixin, SnippetBulkAction):
    display_name = _("Mark as done")
    action_type = "mark_done"
    aria_label = _("Mark the selected tasks as done")
    template_name = "planner/bulk_actions/confirm_bulk_done.html"
    action_priority = 20

    @classmethod
    def execute_action(cls, objects, user=None, **kwargs):
        return actions.mark_tasks_done(kwargs["self"].request.user, objects), 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        return ngettext(
            "%(count)d task marked as done.", "%(count)d tasks marked as done.", num_parent_objects
        ) % {"count": num_parent_objects}
