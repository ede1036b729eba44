"""An open page keeps its user counted as connected to the ticket
(`helpdesk.presence`): written on connecting, written again by a frame once
`REFRESH_SECONDS` have passed (the page pings every 30 s), gone on leaving."""

import pytest
from channels.db import database_sync_to_async
from django.core.cache import cache

from helpdesk import presence

from .sockets import joined, receive

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def expiries(ticket, user) -> list[float]:
    return list((cache.get(presence._key(ticket.pk, user.pk)) or {}).values())


async def ping(page):
    await page.send_json_to({"type": "ping"})
    assert await receive(page) == {"type": "pong"}


async def test_a_page_is_counted_while_open_and_refreshes_when_due(
    theo, private_ticket, monkeypatch
):
    page, _replayed = await joined(theo, private_ticket, after=1)
    (first,) = await expiries(private_ticket, theo)
    await ping(page)
    assert await expiries(private_ticket, theo) == [first]  # refreshed seconds ago
    monkeypatch.setattr(presence, "REFRESH_SECONDS", 0)
    await ping(page)
    (later,) = await expiries(private_ticket, theo)
    assert later > first
    await page.disconnect()
    assert await expiries(private_ticket, theo) == []
