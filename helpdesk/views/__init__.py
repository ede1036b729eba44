"""The helpdesk's screens in the workspace (`helpdesk:*`, under /admin/helpdesk/).

* `tickets.py`: the tickets and one ticket in three columns, the answer
  posted without JavaScript, the new-ticket form;
* `manage.py`: assign, status, priority and visibility, participants;
* `listing.py`: the left column (mine / all, status, search, unread);
* `panels.py`: the tickets of a directory record, and the dashboard's
  « Billets en attente » for staff.

The ticket's page is `helpdesk:ticket` (/admin/helpdesk/tickets/<id>/),
the address the notification e-mails give.
"""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSet

from ..permissions import may_use_helpdesk


class HelpdeskMenuItem(MenuItem):
    def is_shown(self, request):
        return may_use_helpdesk(request.user)


class HelpdeskViewSet(ViewSet):
    """« Billets » in the menu: clients and staff alike."""

    name = "helpdesk"
    url_prefix = "helpdesk"
    icon = "help"
    menu_label = _("Tickets")
    menu_name = "helpdesk"
    menu_order = 150
    menu_item_class = HelpdeskMenuItem
    add_to_admin_menu = True

    def get_urlpatterns(self):
        from . import manage, tickets

        return [
            path("tickets/", tickets.IndexView.as_view(), name="index"),
            path("tickets/new/", tickets.NewTicketView.as_view(), name="new"),
            path("tickets/<int:pk>/", tickets.TicketView.as_view(), name="ticket"),
            path("tickets/<int:pk>/reply/", tickets.reply, name="reply"),
            path("tickets/<int:pk>/assign/", manage.assign, name="assign"),
            path("tickets/<int:pk>/status/", manage.status, name="status"),
            path("tickets/<int:pk>/settings/", manage.settings, name="settings"),
            path(
                "tickets/<int:pk>/participants/add/",
                manage.add_participant,
                name="add_participant",
            ),
            path(
                "tickets/<int:pk>/participants/<int:user_id>/remove/",
                manage.remove_participant,
                name="remove_participant",
            ),
        ]
