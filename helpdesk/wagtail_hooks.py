"""The helpdesk in the Wagtail admin: its audit-log actions (`log_actions`),
« Billets » in the menu with its screens (`views`), the tickets panel of
the directory's records and the staff's dashboard panel (`views.panels`)."""

from wagtail import hooks

from . import log_actions
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
