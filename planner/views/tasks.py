"""The screens of one's tasks (`planner_tasks:*`): Wagtail's snippet views,
each narrowed to the user's own tasks.

Generic views look a task up in a queryset; every one here looks it up in
`own_tasks(user)`, so another user's task id answers 404 on every URL
(edit, delete, inspect, history, usage, the choosers, the bulk actions),
administrators included. Creating, editing and deleting go through
`planner.actions`; their refusals show on the form and save nothing.

The listing has four tabs (`?tab=`: overdue, today, upcoming, done), each
ordered as its tasks come (the overdue and today ones by date and time, the
done ones latest first), a filter by the contact a task concerns (among the
user's own tasks), a search in the title, place and description, and a
« Marquer comme faite » button on each row.
"""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q
from django.http import Http404
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.snippets.views import snippets

from directory.exports import escape_formula
from directory.filters import DirectoryHistoryFilterSet
from directory.ids import record_id
from directory.models import Organisation, Person
from directory.text import fold
from directory.views.errors import add_errors

from .. import actions, schedule
from ..models import Task
from ..permissions import own_task_or_404, own_tasks, require_planner

MAX_QUERY = 200


def task_when(task: Task) -> str:
    """ "29/03/2026 à 10 h 00", "29/03/2026", or "No date"."""
    if task.due_date is None:
        return _("No date")
    return schedule.moment_label(task.due_date, task.due_time)


def contacts_of(task: Task) -> list:
    """The live records a task concerns (one in the trash is not shown)."""
    return [
        record
        for record in (task.organisation, task.person)
        if record is not None and record.trashed_at is None
    ]


def record_url(record) -> str:
    kind = record._meta.model_name
    return reverse(f"wagtailsnippets_directory_{kind}:inspect", args=[record.pk])


# --- Listing --------------------------------------------------------------------------


def contact_choices(user) -> list[tuple[str, str]]:
    """The contacts the user's own tasks concern: ("organisation-12", name)."""
    tasks = own_tasks(user)
    organisations = Organisation.objects.filter(
        pk__in=tasks.filter(organisation__isnull=False).values("organisation_id")
    ).order_by("name_key", "pk")
    people = Person.objects.filter(
        pk__in=tasks.filter(person__isnull=False).values("person_id")
    ).order_by("name_key", "pk")
    return [
        *((f"organisation-{o.pk}", str(o)) for o in organisations),
        *((f"person-{p.pk}", str(p)) for p in people),
    ]


class ContactFilter(django_filters.ChoiceFilter):
    def filter(self, queryset, value):
        if not value:
            return queryset
        kind, _sep, pk = value.partition("-")
        number = record_id(pk)
        if number is None:
            return queryset.none()
        if kind == "organisation":
            return queryset.filter(organisation_id=number)
        return queryset.filter(person_id=number)


class TaskFilterSet(WagtailFilterSet):
    contact = ContactFilter(label=gettext_lazy("Concerns"), empty_label=gettext_lazy("Any contact"))

    class Meta:
        model = Task
        fields = []

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.filters["contact"].extra["choices"] = contact_choices(request.user)
        self.form.fields["contact"].choices = [
            ("", _("Any contact")),
            *contact_choices(request.user),
        ]


class WhenColumn(Column):
    def get_value(self, instance):
        return task_when(instance)


class ContactColumn(Column):
    cell_template_name = "planner/listing/contact_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["contacts"] = [
            {"name": str(record), "url": record_url(record)} for record in contacts_of(instance)
        ]
        return context

    def get_value(self, instance):
        return ", ".join(str(record) for record in contacts_of(instance))


class DoneColumn(Column):
    """« Marquer comme faite », or « À refaire » for a task done: a small form."""

    cell_template_name = "planner/listing/done_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        request = parent_context["request"]
        context["done"] = instance.done_at is not None
        context["url"] = reverse(
            "planner_tasks:reopen" if instance.done_at else "planner_tasks:done",
            args=[instance.pk],
        )
        context["next"] = parent_context.get("listing_url") or reverse("planner_tasks:list")
        context["csrf_token"] = get_token(request)
        return context

    def get_value(self, instance):
        return ""


TAB_ORDERING = {
    schedule.OVERDUE: (F("due_date").asc(), F("due_time").asc(nulls_first=True), "pk"),
    schedule.TODAY: (F("due_time").asc(nulls_first=True), "pk"),
    schedule.UPCOMING: (
        F("due_date").asc(nulls_last=True),
        F("due_time").asc(nulls_first=True),
        "pk",
    ),
    schedule.DONE: (F("done_at").desc(), "-pk"),
}


class TaskIndexView(snippets.IndexView):
    page_title = gettext_lazy("My tasks")
    filterset_class = TaskFilterSet
    search_fields = ["title", "place", "description"]
    default_ordering = None
    list_export = [
        "title",
        "due_date",
        "due_time",
        "place",
        "reminder",
        "organisation",
        "person",
        "description",
        "done_at",
    ]
    export_headings = {
        "title": gettext_lazy("Title"),
        "due_date": gettext_lazy("Date"),
        "due_time": gettext_lazy("Time"),
        "place": gettext_lazy("Place"),
        "reminder": gettext_lazy("Reminder"),
        "organisation": gettext_lazy("Organisation"),
        "person": gettext_lazy("Person"),
        "description": gettext_lazy("Description"),
        "done_at": gettext_lazy("Done on"),
    }
    export_filename = "taches"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        require_planner(request)
        self.now = schedule.now()
        tab = request.GET.get("tab", schedule.DEFAULT_TAB)
        self.tab = tab if tab in schedule.TAB_NAMES else schedule.DEFAULT_TAB

    @cached_property
    def search_query(self):
        return " ".join(str(super().search_query or "").split())[:MAX_QUERY]

    def get_base_queryset(self):
        return (
            own_tasks(self.request.user)
            .filter(schedule.tab_filter(self.tab, self.now))
            .select_related("organisation", "person")
        )

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        found = Q()
        for word in fold(self.search_query).split():  # "reunion" finds "Réunion"
            found &= Q(search_text__contains=word)
        return queryset.filter(found)

    def get_valid_orderings(self):
        return ["title", "-title", "place", "-place", "due_date", "-due_date"]

    def order_queryset(self, queryset):
        if self.is_explicitly_ordered and self.ordering in self.get_valid_orderings():
            return queryset.order_by(self.ordering, "pk")
        return queryset.order_by(*TAB_ORDERING[self.tab])

    def tab_url(self, tab: str) -> str:
        query = self.request.GET.copy()
        for name in ("tab", "p", "export", "_w_filter_fragment"):
            query.pop(name, None)
        query["tab"] = tab
        return f"{reverse('planner_tasks:list')}?{query.urlencode()}"

    def tabs(self) -> list[dict]:
        counts = own_tasks(self.request.user).aggregate(
            **{
                name: Count("pk", filter=schedule.tab_filter(name, self.now))
                for name in schedule.TAB_NAMES
            }
        )
        return [
            {
                "name": name,
                "label": label,
                "count": counts[name],
                "url": self.tab_url(name),
                "current": name == self.tab,
            }
            for name, label in schedule.TABS
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        for name in ("p", "export", "_w_filter_fragment"):
            query.pop(name, None)
        query["tab"] = self.tab
        context.update(
            {
                "tabs": self.tabs(),
                "tab": self.tab,
                "tab_label": schedule.tab_label(self.tab),
                "listing_url": f"{reverse('planner_tasks:list')}?{query.urlencode()}",
                "calendar_url": reverse("planner_tasks:calendar"),
            }
        )
        return context

    def preprocess_field_value(self, field, value, export_format):
        if field == "reminder":
            value = dict(schedule.Reminder.CHOICES).get(value, "") if value is not None else ""
        elif field == "due_time" and value is not None:
            value = schedule.time_label(value)
        elif field in ("organisation", "person"):
            value = str(value) if value is not None and value.trashed_at is None else ""
        elif field == "done_at" and value is not None:
            value = timezone.localtime(value, schedule.zone()).replace(tzinfo=None)
        return escape_formula(super().preprocess_field_value(field, value, export_format))


# --- Creating, editing, deleting ------------------------------------------------------


class TaskFormMixin:
    """Save through the actions; their refusals show on the fields, nothing saved."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            add_errors(form, error)
            self.produced_error_code = "validation_error"
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)

    def get_success_url(self):
        default = reverse("planner_tasks:list") + f"?tab={tab_for(self.object)}"
        return next_or(self.request, default)

    def apply_done(self, task, done: bool):
        """The « Faite » box: done or to do again, each its own action."""
        if done and task.done_at is None:
            actions.mark_done(self.request.user, task)
        elif not done and task.done_at is not None:
            actions.mark_not_done(self.request.user, task)
        return task


def tab_for(task) -> str:
    return schedule.tab_of(task, schedule.now())


def next_or(request, default: str) -> str:
    """The `next` address the form or button gave, if it is in the workspace."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def prefilled_record(request, name: str, model):
    """The record `?organisation=<id>` or `?person=<id>` names, if the user may
    see it (404 otherwise: the link was typed by hand)."""
    value = request.GET.get(name)
    if value is None:
        return None
    number = record_id(value)
    if number is None or not request.user.has_perm(f"directory.view_{model._meta.model_name}"):
        raise Http404
    return get_object_or_404(model.objects, pk=number)


class TaskCreateView(TaskFormMixin, snippets.CreateView):
    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        require_planner(request)
        self.prefill = {
            "organisation": prefilled_record(request, "organisation", Organisation),
            "person": prefilled_record(request, "person", Person),
        }

    def get_initial_form_instance(self):
        instance = super().get_initial_form_instance() or Task()
        for name, record in self.prefill.items():
            if record is not None:
                setattr(instance, name, record)
        return instance

    def get_add_url(self):
        url = reverse("planner_tasks:add")
        query = {name: record.pk for name, record in self.prefill.items() if record is not None}
        if self.request.GET.get("next"):
            query["next"] = self.request.GET["next"]
        return f"{url}?{urlencode(query)}" if query else url

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["action_url"] = self.get_add_url()
        context["next_url"] = self.request.GET.get("next", "")
        return context

    def save_instance(self):
        task = actions.create_task(self.request.user, **self.form.task_values())
        return self.apply_done(task, self.form.cleaned_data.get("done"))


class OwnTaskQuerysetMixin:
    """Edit and delete (Django's SingleObjectMixin): the user's own tasks only."""

    def get_queryset(self):
        require_planner(self.request)
        return own_tasks(self.request.user).select_related("organisation", "person")

    def get_object(self, queryset=None):
        if record_id(str(self.kwargs.get(self.pk_url_kwarg, ""))) is None:
            raise Http404
        return super().get_object(queryset)


class TaskEditView(TaskFormMixin, OwnTaskQuerysetMixin, snippets.EditView):
    def get_editing_sessions(self):
        return None

    def get_edit_url(self):
        """The form posts back with the `next` it came with (a record's page)."""
        url = super().get_edit_url()
        back = self.request.GET.get("next")
        return f"{url}?{urlencode({'next': back})}" if back else url

    def save_instance(self):
        task = actions.update_task(self.request.user, self.object, **self.form.task_values())
        return self.apply_done(task, self.form.cleaned_data.get("done"))


class TaskDeleteView(OwnTaskQuerysetMixin, snippets.DeleteView):
    def get_usage_url(self):
        return None  # nothing refers to a task

    def delete_action(self):
        actions.delete_task(self.request.user, self.object)

    def get_success_url(self):
        return reverse("planner_tasks:list")


class OwnBaseObjectMixin:
    """History and usage (Wagtail's BaseObjectMixin): the user's own tasks only."""

    def get_base_object_queryset(self):
        require_planner(self.request)
        return own_tasks(self.request.user)

    def get_object(self):
        if record_id(str(self.pk)) is None:
            raise Http404
        return super().get_object()


class TaskHistoryView(OwnBaseObjectMixin, snippets.HistoryView):
    filterset_class = DirectoryHistoryFilterSet


class TaskUsageView(OwnBaseObjectMixin, snippets.UsageView):
    pass


class TaskInspectView(snippets.InspectView):
    template_name = "planner/inspect.html"

    def get_object(self, queryset=None):
        return own_task_or_404(self.request, self.pk)

    def get_fields(self):
        return []

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        task = self.object
        context.update(
            {
                "task": task,
                "when": task_when(task),
                "contacts": [
                    {
                        "name": str(record),
                        "url": record_url(record),
                        "kind": record._meta.verbose_name,
                    }
                    for record in contacts_of(task)
                ],
                "reminder": task.get_reminder_display() if task.reminder is not None else "",
                "tab_label": schedule.tab_label(tab_for(task)),
                "toggle_url": reverse(
                    "planner_tasks:reopen" if task.done_at else "planner_tasks:done",
                    args=[task.pk],
                ),
            }
        )
        return context
