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
* `helpdesk.access` {}: who may see the ticket changed (a participant
  removed, the visibility changed): each connection checks again.
  Assigning needs none: only staff are assigned, who see every ticket, and
  nobody loses the ticket by it.

`helpdesk.access` also goes to the group of a user (`user_group_name`),
which each of their connections joins, when their account changes in a way
that may take tickets away from them (`access_changed_for_users`: closed,
deleted, their groups or permissions changed; `helpdesk.signals`).
"""

from __future__ import annotations

import asyncio
import logging
import threading

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


def user_group_name(user_id: int) -> str:
    return f"helpdesk.user.{int(user_id)}"


def _in_event_loop() -> bool:
    """Whether this thread runs an event loop. Asked apart from the send:
    `async_to_sync` called while the RuntimeError is being handled keeps it,
    and its traceback's frames (the whole action, the ticket, the message)
    became cyclic garbage on every message, for the collector to walk."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _send(groups: list[str], event: dict) -> None:
    """Hand `event` to the channel layer for each group (from synchronous code)."""
    layer = get_channel_layer()
    if layer is None or not groups:
        return

    async def send_all():
        for group in groups:
            try:
                await layer.group_send(group, event)
            except Exception:  # the socket is only a fast path: the write stands
                logger.exception("helpdesk: broadcast to %s failed", group)

    if not _in_event_loop():
        async_to_sync(send_all)()
        return
    # This thread runs an event loop (a browser test's Playwright, say), where
    # async_to_sync cannot run: send from a thread of its own, and wait for it.
    worker = threading.Thread(target=async_to_sync(send_all))
    worker.start()
    worker.join()


def send_now(ticket_id: int, event: dict) -> None:
    """Hand `event` to the ticket's group now (from synchronous code)."""
    _send([group_name(ticket_id)], event)


def broadcast_on_commit(ticket_id: int, event: dict) -> None:
    """Send `event` to the ticket's group once the current transaction commits."""
    transaction.on_commit(lambda: send_now(ticket_id, event))


def access_changed_for_users(user_ids, using=None) -> None:
    """Once the current transaction commits, tell every connection of these
    users to check again whether they may still see their ticket."""
    groups = sorted({user_group_name(pk) for pk in user_ids if pk is not None})
    if groups:
        transaction.on_commit(lambda: _send(groups, {"type": ACCESS}), using=using)
