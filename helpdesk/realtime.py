"""Broadcasting to the pages that show a ticket: after commit, never before.

The channel layer delivers at most once and may drop an event (a full
channel, an expired message), so the database stays the truth: an event
only tells the connected pages sooner. Every event is sent through
`broadcast_on_commit`, so that nobody hears of a message or a change that
was rolled back; the consumer (`helpdesk.consumers`) fills any gap from the
database, since message numbers have none.

Events, sent to the group of the ticket (`group_name`):

* `helpdesk.message` {"number"}: a message was stored;
* `helpdesk.typing` {"user", "name"}: someone is typing (never stored);
* `helpdesk.read` {"user", "name", "number"}: someone's read mark moved;
* `helpdesk.ticket` {"changes"}: status, priority, assignee or visibility changed;
* `helpdesk.access` {}: who may see the ticket changed: each connection checks again.
"""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

MESSAGE = "helpdesk.message"
TYPING = "helpdesk.typing"
READ = "helpdesk.read"
TICKET = "helpdesk.ticket"
ACCESS = "helpdesk.access"


def group_name(ticket_id: int) -> str:
    return f"helpdesk.ticket.{int(ticket_id)}"


def send_now(ticket_id: int, event: dict) -> None:
    """Hand `event` to the channel layer (from synchronous code)."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group_name(ticket_id), event)
    except Exception:  # the socket is only a fast path: the write stands
        logger.exception("helpdesk: broadcast to ticket %s failed", ticket_id)


def broadcast_on_commit(ticket_id: int, event: dict) -> None:
    """Send `event` to the ticket's group once the current transaction commits."""
    transaction.on_commit(lambda: send_now(ticket_id, event))
