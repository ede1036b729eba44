"""The helpdesk in the Wagtail admin: its audit-log actions (`log_actions`),
« Billets » in the menu with its screens (`views`), the tickets panel of
the directory's records and the staff's dashboard panel (`views.panels`);
the open conversations of accounts closed in bulk are told at once."""

from django.contrib.auth import get_user_model
from wagtail import hooks

from . import log_actions
from .realtime import access_changed_for_users
from .views import HelpdeskViewSet
from .views.panels import RecordTicketsPanel, dashboard_panels


@hooks.register("register_log_actions")
def register_helpdesk_log_actions(actions):
    log_actions.register(actions)


@hooks.register("register_admin_viewset")
def register_helpdesk_viewset():
    return HelpdeskViewSet()


@hooks.register("directory_record_panels")
def tickets_panel(request, record):
    return RecordTicketsPanel.for_record(request, record)


@hooks.register("construct_homepage_panels")
def open_tickets_panel(request, panels):
    dashboard_panels(request, panels)


@hooks.register("after_bulk_action")
def accounts_closed_in_bulk(request, action_type, objects, action_class_instance):
    """Wagtail's "set active state" bulk action updates the accounts' rows
    without saving them (no signal): their open tickets check again."""
    if action_type == "set_active_state" and get_user_model() in action_class_instance.models:
        access_changed_for_users([user.pk for user in objects])
