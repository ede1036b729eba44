"""The planner's screens in the workspace (`planner_tasks:*`, under /admin/planner/tasks/).

* `tasks.py`: the listing in tabs, the form, the task's page, its history;
  every view narrowed to the user's own tasks;
* `quick.py`: « Marquer comme faite » and its undo;
* `calendar.py`: the calendar feed's page, and the feed itself;
* `choosers.py`: Wagtail's task chooser, narrowed the same way;
* `panels.py`: the tasks of a directory record, and the dashboard's
  « Tâches du jour ».
"""

from django.urls import path, reverse_lazy
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.snippets.views.snippets import SnippetViewSet

from directory.phrases import Phrases, register_phrases
from directory.views.phrased import PhrasedViewSetMixin

from ..forms import TaskForm
from ..models import Task
from ..permissions import may_use_planner
from .choosers import TaskChooserViewSet
from .tasks import (
    ContactColumn,
    DoneColumn,
    TaskCreateView,
    TaskDeleteView,
    TaskEditView,
    TaskHistoryView,
    TaskIndexView,
    TaskInspectView,
    TaskUsageView,
    WhenColumn,
)

register_phrases(
    Task,
    Phrases(
        add=_("New task"),
        new=_("New task"),
        created=_("Task “%(object)s” created."),
        updated=_("Task “%(object)s” saved."),
        deleted=_("Task “%(object)s” deleted."),
        not_created=_("The task could not be created: correct the fields shown."),
        not_saved=_("The task could not be saved: correct the fields shown."),
        confirm_delete=_("Delete this task?"),
        none_yet=_("No task here."),
        no_match=_("No task matches your search."),
        choose=_("Choose a task"),
        choose_another=_("Choose another task"),
    ),
)


class TaskViewSet(PhrasedViewSetMixin, SnippetViewSet):
    """« Mes tâches » in the menu: each user's own tasks, nobody else's."""

    model = Task
    icon = "date"
    menu_label = _("My tasks")
    menu_name = "planner"
    menu_order = 140
    add_to_admin_menu = True
    admin_url_namespace = "planner_tasks"
    base_url_path = "planner/tasks"
    chooser_admin_url_namespace = "planner_task_chooser"
    chooser_base_url_path = "planner/choose"
    chooser_viewset_class = TaskChooserViewSet
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = True
    index_view_class = TaskIndexView
    add_view_class = TaskCreateView
    edit_view_class = TaskEditView
    delete_view_class = TaskDeleteView
    history_view_class = TaskHistoryView
    usage_view_class = TaskUsageView
    inspect_view_class = TaskInspectView
    index_template_name = "planner/index.html"
    index_results_template_name = "planner/index_results.html"
    list_per_page = 30
    list_display = [
        "title",
        WhenColumn("when", label=_("When")),
        "place",
        ContactColumn("contact", label=_("Concerns")),
        DoneColumn("done", label=_("Done")),
    ]
    edit_handler = ObjectList(
        [
            FieldPanel("title"),
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("due_date"), FieldPanel("due_time")]),
                    FieldPanel("reminder"),
                ],
                heading=_("When"),
            ),
            FieldPanel("place"),
            MultiFieldPanel(
                [FieldRowPanel([FieldPanel("organisation"), FieldPanel("person")])],
                heading=_("Concerns"),
            ),
            FieldPanel("description"),
            FieldPanel("done"),
        ],
        base_form_class=TaskForm,
    )

    @property
    def breadcrumbs_items(self):
        return [{"url": reverse_lazy("wagtailadmin_home"), "label": _("Home")}]

    @property
    def menu_item_class(self):
        from wagtail.admin.menu import MenuItem

        class TasksMenuItem(MenuItem):
            def is_shown(self, request):
                return may_use_planner(request.user)

        return TasksMenuItem

    def get_queryset(self, request):
        from ..permissions import own_tasks

        return own_tasks(request.user)

    def get_urlpatterns(self):
        from . import calendar, quick

        return [
            *super().get_urlpatterns(),
            path("done/<int:pk>/", quick.done, name="done"),
            path("reopen/<int:pk>/", quick.reopen, name="reopen"),
            path("calendar/", calendar.calendar_view, name="calendar"),
        ]
