"""The planner in the Wagtail admin: « Mes tâches » in the menu with its
screens (`views`), the permission policy that keeps each task its owner's
(`permissions.OwnTaskPolicy`), its bulk actions, its audit-log actions, the
tasks panel of the directory's records and the dashboard's « Tâches du jour »
(`views.panels`)."""

from wagtail import hooks
from wagtail.permissions import register_permission_policy

from . import log_actions
from .bulk_actions import DeleteTasksBulkAction, MarkDoneBulkAction
from .models import Task
from .permissions import OwnTaskPolicy
from .views import TaskViewSet
from .views.panels import RecordTasksPanel, dashboard_panels

register_permission_policy(Task, OwnTaskPolicy(Task))


@hooks.register("register_admin_viewset")
def register_planner_viewset():
    return TaskViewSet()


@hooks.register("register_log_actions")
def register_planner_log_actions(actions):
    log_actions.register(actions)


# After Wagtail's own snippet bulk actions, so that these replace its "delete".
hooks.register("register_bulk_action", DeleteTasksBulkAction, order=20)
hooks.register("register_bulk_action", MarkDoneBulkAction, order=20)


@hooks.register("directory_record_panels")
def tasks_panel(request, record):
    return RecordTasksPanel.for_record(request, record)


@hooks.register("construct_homepage_panels")
def tasks_of_the_day_panel(request, panels):
    dashboard_panels(request, panels)
