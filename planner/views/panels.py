"""The planner elsewhere in the workspace.

* « Mes tâches » on an organisation's or a person's record (the directory's
  `directory_record_panels` hook): the reader's own tasks about that record
  still to do, soonest first, and a « Nouvelle tâche » button that opens the
  form with the record already chosen, coming back to the record after.
  Nobody sees another user's tasks there either.
* « Tâches du jour » on the dashboard (name `tasks_of_the_day`, which
  replaces the dashboard's announcement): the reader's tasks overdue and
  due today, each with its « Marquer comme faite » button.
"""

from __future__ import annotations

from django.db.models import F
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.http import urlencode
from wagtail.admin.ui.components import Component

from directory.models import Organisation, Person

from .. import schedule
from ..permissions import may_use_planner, own_tasks
from .tasks import task_when

SHOWN = 10
DASHBOARD_SHOWN = 15
SOONEST = (F("due_date").asc(nulls_last=True), F("due_time").asc(nulls_first=True), "pk")


def _rows(tasks, now, back: str = "") -> list[dict]:
    """The tasks as the panels list them; `back`: where their edit form returns."""
    after = "?" + urlencode({"next": back}) if back else ""
    return [
        {
            "task": task,
            "when": task_when(task),
            "overdue": schedule.tab_of(task, now) == schedule.OVERDUE,
            "edit_url": reverse("planner_tasks:edit", args=[task.pk]) + after,
            "done_url": reverse("planner_tasks:done", args=[task.pk]),
        }
        for task in tasks
    ]


class RecordTasksPanel(Component):
    template_name = "planner/panels/record_tasks.html"

    def __init__(self, request, record):
        self.request = request
        self.record = record

    @classmethod
    def for_record(cls, request, record):
        if not may_use_planner(request.user) or not isinstance(record, Organisation | Person):
            return None
        return cls(request, record)

    def get_context_data(self, parent_context=None):
        now = schedule.now()
        found = own_tasks(self.request.user).about(self.record)
        open_tasks = found.filter(done_at__isnull=True).order_by(*SOONEST)
        tasks = list(open_tasks[:SHOWN])
        total = open_tasks.count() if len(tasks) == SHOWN else len(tasks)
        kind = self.record._meta.model_name
        record_url = reverse(f"wagtailsnippets_directory_{kind}:inspect", args=[self.record.pk])
        return {
            "rows": _rows(tasks, now, back=record_url),
            "more": total - len(tasks),
            "done_count": found.filter(done_at__isnull=False).count(),
            "record_url": record_url,
            "new_url": reverse("planner_tasks:add")
            + "?"
            + urlencode({kind: self.record.pk, "next": record_url}),
            "contact_url": reverse("planner_tasks:list")
            + "?"
            + urlencode({"tab": schedule.UPCOMING, "contact": f"{kind}-{self.record.pk}"}),
            "csrf_token": get_token(self.request),
        }


class TasksOfTheDayPanel(Component):
    name = "tasks_of_the_day"
    order = 12
    template_name = "planner/panels/tasks_of_the_day.html"

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context=None):
        now = schedule.now()
        mine = own_tasks(self.request.user).select_related("organisation", "person")
        overdue = mine.filter(schedule.tab_filter(schedule.OVERDUE, now))
        today = mine.filter(schedule.tab_filter(schedule.TODAY, now))
        overdue_list = list(overdue.order_by(*SOONEST)[:DASHBOARD_SHOWN])
        today_list = list(today.order_by(*SOONEST)[:DASHBOARD_SHOWN])
        counts = {"overdue": overdue.count(), "today": today.count()}
        index = reverse("planner_tasks:list")
        return {
            "overdue": _rows(overdue_list, now, back=reverse("wagtailadmin_home")),
            "today": _rows(today_list, now, back=reverse("wagtailadmin_home")),
            "more_overdue": counts["overdue"] - len(overdue_list),
            "more_today": counts["today"] - len(today_list),
            "overdue_url": f"{index}?tab={schedule.OVERDUE}",
            "today_url": f"{index}?tab={schedule.TODAY}",
            "add_url": reverse("planner_tasks:add")
            + "?"
            + urlencode({"next": reverse("wagtailadmin_home")}),
            "home_url": reverse("wagtailadmin_home"),
            "csrf_token": get_token(self.request),
        }


def dashboard_panels(request, panels) -> None:
    if may_use_planner(request.user):
        panels.append(TasksOfTheDayPanel(request))
