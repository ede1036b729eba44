"""What every helpdesk screen shares: finding a ticket the user may see,
naming people, and showing a message's text safely.

* `visible_ticket(request, pk)`: the ticket if the user may read it; a 404
  otherwise, the same answer whether it exists or not (a client learns
  nothing from an id), and 403 for someone who may not use the helpdesk.
* `message_html(text)`: a message is plain text. It is escaped, then only
  its http(s) addresses become links, which open in a new tab with
  `rel="noopener noreferrer nofollow"`; trailing punctuation stays out of
  the link. The page's script (`helpdesk/ticket.js`) follows the same rule
  for messages that arrive live, building DOM nodes (never HTML).
* `person_line(user)`: what the others see of a participant: their name,
  their role (agency team or client) and, for a client linked to the
  directory, the organisations where they hold a current position. Nothing
  else of the directory.
"""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from directory.ids import record_id
from directory.models import Organisation, Position

from ..models import Ticket, user_label
from ..permissions import is_helpdesk_staff, may_use_helpdesk, visible_tickets

URL_PATTERN = re.compile(r"https?://[^\s<>\"'«»]+", re.IGNORECASE)
TRAILING = ".,;:!?)]}’”"


def require_helpdesk(request) -> None:
    if not may_use_helpdesk(request.user):
        raise PermissionDenied


def visible_ticket(request, pk, *, for_update=False) -> Ticket:
    """The ticket `pk` if the user may read it, else 404."""
    require_helpdesk(request)
    number = record_id(pk)
    if number is None:
        raise Http404
    ticket = (
        visible_tickets(request.user)
        .select_related("author", "assignee", "organisation", "person")
        .filter(pk=number)
        .first()
    )
    if ticket is None:
        raise Http404
    return ticket


def ticket_url(ticket) -> str:
    return reverse("helpdesk:ticket", args=(ticket.pk,))


def _split_trailing(url: str) -> tuple[str, str]:
    """("https://a.fr/x", ").") from "https://a.fr/x).", keeping a closing
    bracket that the address itself opened (Wikipedia-style addresses)."""
    tail = ""
    while url and url[-1] in TRAILING:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        tail = url[-1] + tail
        url = url[:-1]
    return url, tail


def message_html(text: str) -> SafeString:
    """`text` escaped, its http(s) addresses made links."""
    parts = []
    position = 0
    for match in URL_PATTERN.finditer(text):
        url, tail = _split_trailing(match.group(0))
        if not re.match(r"https?://[^/?#]", url, re.IGNORECASE):
            continue
        parts.append(escape(text[position : match.start()]))
        address = escape(url)
        parts.append(
            f'<a href="{address}" target="_blank" rel="noopener noreferrer nofollow">{address}</a>'
        )
        parts.append(escape(tail))
        position = match.end()
    parts.append(escape(text[position:]))
    return mark_safe("".join(parts))  # noqa: S308 (every piece is escaped above)


def role_label(user) -> str:
    if user is None:
        return ""
    if is_helpdesk_staff(user):
        return _("Agency team")
    return _("Client")


def organisations_of(users) -> dict[int, list[str]]:
    """{user id: names of the organisations where their person holds a current
    position}, for the users linked to the directory (live records only)."""
    by_person = {user.person_id: user.pk for user in users if getattr(user, "person_id", None)}
    if not by_person:
        return {}
    found: dict[int, list[str]] = {}
    positions = (
        Position.objects.current()
        .filter(person_id__in=list(by_person), organisation__in=Organisation.objects.all())
        .select_related("organisation")
        .order_by("organisation__name")
    )
    for position in positions:
        names = found.setdefault(by_person[position.person_id], [])
        if position.organisation.name not in names:
            names.append(position.organisation.name)
    return found


def name_of(user) -> str:
    return user_label(user) if user is not None else _("Deleted user")
