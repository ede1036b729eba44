"""The helpdesk elsewhere in the workspace.

* « Billets » on a directory record (the directory's `directory_record_panels`
  hook): the tickets that concern that organisation or person. An
  organisation's record also lists those concerning people who hold a
  current position there. Shown to staff only (they see every ticket);
  clients never open records.
* « Billets qui vous attendent » on the staff's dashboard (name
  `open_tickets`, which replaces the dashboard's announcement): the tickets
  not closed that are assigned to the reader or to nobody; first those
  open (the client waits for the team), then those waiting for the client,
  each the least recently active first.
"""

from __future__ import annotations

from django.db.models import Case, IntegerField, Q, Value, When
from django.urls import reverse
from wagtail.admin.ui.components import Component

from directory.models import Organisation, Person, Position

from ..models import TicketStatus
from ..permissions import is_helpdesk_staff, visible_tickets

SHOWN = 20
DASHBOARD_SHOWN = 10


def tickets_about(user, record):
    """The tickets `user` may see that concern `record`, latest activity first."""
    tickets = visible_tickets(user)
    if isinstance(record, Person):
        tickets = tickets.filter(person=record)
    elif isinstance(record, Organisation):
        people = Position.objects.current().filter(organisation=record).values("person_id")
        tickets = tickets.filter(Q(organisation=record) | Q(person__in=people))
    else:
        return tickets.none()
    return tickets.select_related("assignee").order_by("-last_message_at", "-pk")


class RecordTicketsPanel(Component):
    template_name = "helpdesk/panels/record_tickets.html"

    def __init__(self, tickets, total, record):
        self.tickets = tickets
        self.total = total
        self.record = record

    @classmethod
    def for_record(cls, request, record):
        if not is_helpdesk_staff(request.user):
            return None
        if not isinstance(record, Person | Organisation):
            return None
        found = tickets_about(request.user, record)
        tickets = list(found[:SHOWN])
        total = found.count() if len(tickets) == SHOWN else len(tickets)
        return cls(tickets, total, record)

    def get_context_data(self, parent_context=None):
        return {
            "tickets": self.tickets,
            "more": self.total - len(self.tickets),
            "new_url": reverse("helpdesk:new"),
            "index_url": reverse("helpdesk:index"),
        }


def waiting_for(user):
    """The tickets not closed, assigned to `user` or to nobody, longest waiting first."""
    return (
        visible_tickets(user)
        .exclude(status=TicketStatus.CLOSED)
        .filter(Q(assignee=user) | Q(assignee__isnull=True))
        .select_related("author", "assignee")
        .annotate(
            waiting_rank=Case(
                When(status=TicketStatus.OPEN, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("waiting_rank", "last_message_at", "pk")
    )


class OpenTicketsPanel(Component):
    name = "open_tickets"
    order = 15
    template_name = "helpdesk/panels/open_tickets.html"

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context=None):
        found = waiting_for(self.request.user)
        tickets = list(found[:DASHBOARD_SHOWN])
        total = found.count() if len(tickets) == DASHBOARD_SHOWN else len(tickets)
        return {
            "tickets": tickets,
            "more": total - len(tickets),
            "me": self.request.user,
            "index_url": reverse("helpdesk:index"),
        }


def dashboard_panels(request, panels) -> None:
    if is_helpdesk_staff(request.user):
        panels.append(OpenTicketsPanel(request))
