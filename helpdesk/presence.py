"""Who has a ticket open right now, as the consumer tells the cache.

A notification e-mail goes only to participants who were not connected
when a message arrived (`helpdesk.notifications`). Each open connection
(one per tab) writes its channel name under the key of its user and
ticket, with an expiry `PRESENCE_SECONDS` ahead, on connecting and on a
frame once `REFRESH_SECONDS` have passed since it last did (the page pings
every 30 seconds, so each ping does); it removes itself on disconnecting.
A connection that vanished without a word (a killed server) is forgotten
when its expiry passes. Two tabs updating at the same instant may lose one
entry until that tab's next refresh: at worst one e-mail more or less.
"""

from __future__ import annotations

import time

from django.core.cache import cache

PRESENCE_SECONDS = 90
REFRESH_SECONDS = 20


def _key(ticket_id: int, user_id: int) -> str:
    return f"helpdesk:online:{int(ticket_id)}:{int(user_id)}"


def _live(entries, now: float) -> dict[str, float]:
    if not isinstance(entries, dict):
        return {}
    return {channel: expiry for channel, expiry in entries.items() if expiry > now}


def arrive(ticket_id: int, user_id: int, channel: str) -> None:
    """Record (or refresh) one open connection of `user_id` to the ticket."""
    now = time.time()
    key = _key(ticket_id, user_id)
    entries = _live(cache.get(key), now)
    entries[channel] = now + PRESENCE_SECONDS
    cache.set(key, entries, PRESENCE_SECONDS)


def leave(ticket_id: int, user_id: int, channel: str) -> None:
    now = time.time()
    key = _key(ticket_id, user_id)
    entries = _live(cache.get(key), now)
    entries.pop(channel, None)
    if entries:
        cache.set(key, entries, PRESENCE_SECONDS)
    else:
        cache.delete(key)


def is_connected(ticket_id: int, user_id: int) -> bool:
    return bool(_live(cache.get(_key(ticket_id, user_id)), time.time()))
