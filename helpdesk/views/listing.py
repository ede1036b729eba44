"""The left column of the helpdesk: the tickets, as the user asks for them.

* Scope: « Mes billets » (`mine`: those the user opened, takes part in or
  is assigned) or « Tous les billets » (`all`: every ticket they may see,
  `permissions.visible_tickets`). Clients start on theirs, staff on all.
* Status: in progress (open or waiting, the default), one status, or any.
* Search: every word found in the subject or in a message (case
  ignored), or a ticket number ("#12", "12"). Only within what the user may see, so a
  search never reveals another client's private ticket.
* Unread: for a ticket the user takes part in, the messages after their
  read mark (`Participant.last_read_number`).

The choices travel in the query string (`scope`, `status`, `q`, `p`), which
the ticket links keep, so that opening a ticket leaves the list as it was.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Exists, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from directory.ids import record_id

from ..models import Message, Participant, TicketStatus
from ..permissions import is_helpdesk_staff, visible_tickets

PER_PAGE = 30
MINE = "mine"
ALL = "all"
IN_PROGRESS = "active"
ANY = "any"
SCOPES = ((MINE, _("My tickets")), (ALL, _("All tickets")))
STATUSES = (
    (IN_PROGRESS, pgettext_lazy("ticket status filter", "In progress")),
    (TicketStatus.OPEN, TicketStatus.OPEN.label),
    (TicketStatus.WAITING, TicketStatus.WAITING.label),
    (TicketStatus.CLOSED, TicketStatus.CLOSED.label),
    (ANY, pgettext_lazy("ticket status filter", "All")),
)
MAX_QUERY = 200


@dataclass
class Choices:
    scope: str
    status: str
    q: str
    page: int

    def query(self, **changes) -> str:
        """The query string of these choices, with `changes` (page 1 unless given)."""
        values = {"scope": self.scope, "status": self.status, "q": self.q, "p": 1}
        values.update(changes)
        kept = {key: value for key, value in values.items() if value not in ("", None, 1)}
        return urlencode(kept)


def read_choices(request) -> Choices:
    user = request.user
    default_scope = ALL if is_helpdesk_staff(user) else MINE
    scope = request.GET.get("scope", default_scope)
    if scope not in dict(SCOPES):
        scope = default_scope
    status = request.GET.get("status", IN_PROGRESS)
    if status not in dict(STATUSES):
        status = IN_PROGRESS
    q = " ".join(str(request.GET.get("q", "")).split())[:MAX_QUERY]
    page = record_id(request.GET.get("p", "1")) or 1
    return Choices(scope, status, q, page)


def _search(tickets, q: str):
    number = record_id(q.lstrip("#")) if q.lstrip("#").isdigit() else None
    found = Q()
    for word in q.split():
        in_messages = Message.objects.filter(ticket=OuterRef("pk"), text__icontains=word)
        found &= Q(subject__icontains=word) | Exists(in_messages)
    if number is not None:
        found |= Q(pk=number)
    return tickets.filter(found)


def tickets_for(user, choices: Choices):
    """The tickets of the left column, newest activity first, with `unread`
    (None where the user has no read mark) and `taking_part`."""
    tickets = visible_tickets(user)
    mark = Participant.objects.filter(ticket=OuterRef("pk"), user=user)
    tickets = tickets.annotate(
        taking_part=Exists(mark),
        read_upto=Subquery(mark.values("last_read_number")[:1], output_field=IntegerField()),
    )
    if choices.scope == MINE:
        tickets = tickets.filter(Q(taking_part=True) | Q(author=user) | Q(assignee=user))
    if choices.status == IN_PROGRESS:
        tickets = tickets.exclude(status=TicketStatus.CLOSED)
    elif choices.status != ANY:
        tickets = tickets.filter(status=choices.status)
    if choices.q:
        tickets = _search(tickets, choices.q)
    return (
        tickets.annotate(unread=F("last_number") - Coalesce("read_upto", Value(0)))
        .select_related("author", "assignee", "organisation")
        .order_by(F("last_message_at").desc(nulls_last=True), "-pk")
    )


def ticket_list(request, current=None) -> dict:
    """The context of the left column."""
    choices = read_choices(request)
    paginator = Paginator(tickets_for(request.user, choices), PER_PAGE)
    page = paginator.get_page(choices.page)
    rows = []
    for ticket in page.object_list:
        unread = ticket.unread if ticket.taking_part and ticket.unread > 0 else 0
        rows.append(
            {
                "ticket": ticket,
                "unread": unread,
                "current": current is not None and ticket.pk == current.pk,
            }
        )
    query = choices.query(p=page.number)
    return {
        "choices": choices,
        "scopes": [
            {"value": value, "label": label, "query": choices.query(scope=value)}
            for value, label in SCOPES
        ],
        "statuses": [
            {"value": value, "label": label, "query": choices.query(status=value)}
            for value, label in STATUSES
        ],
        "rows": rows,
        "page": page,
        "previous_query": choices.query(p=page.previous_page_number())
        if page.has_previous()
        else None,
        "next_query": choices.query(p=page.next_page_number()) if page.has_next() else None,
        "list_query": f"?{query}" if query else "",
    }
