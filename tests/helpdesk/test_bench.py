"""`manage.py bench helpdesk`: its refusal without PostgreSQL and Redis, and the
accounting of its simulated pages (what it reports as overlaps, gaps, duplicates)."""

import asyncio
import json
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from crmsite.bench.helpdesk_load import Load, Page


@pytest.mark.django_db
def test_the_benchmark_refuses_politely_without_postgresql_and_redis():
    if connection.vendor == "postgresql" and settings.REDIS_URL:
        pytest.skip("with both, the benchmark would start daphne processes")
    out = StringIO()
    call_command("bench", "helpdesk", "--json", stdout=out)
    assert "PostgreSQL" in json.loads(out.getvalue())["error"]


def _load():
    pages = [Page(ticket=7, user=user, cookie="", port=1) for user in (1, 2)]
    load = Load(pages, host="", origin="", ports=[1], pids=[], seconds=1, interval=(1, 2))
    for page in pages:
        page.ready = asyncio.Event()
        load.on_frame(page, {"type": "synced", "last": 0}, 0.0)
    return load, pages


def _message(number, client_id, author):
    return {
        "type": "message",
        "number": number,
        "client_id": client_id,
        "author": {"id": author, "name": ""},
    }


def test_a_page_shows_a_number_once_and_counts_what_it_dropped():
    load, (mine, theirs) = _load()
    load.sent["a"] = (7, 1.0)
    load.on_frame(theirs, _message(1, "a", author=1), 1.25)
    load.on_frame(theirs, _message(1, "a", author=1), 1.5)  # replayed again
    load.on_frame(mine, _message(1, "a", author=1), 1.1)  # its own message: no latency

    assert theirs.shown == {1: "a"}
    assert theirs.overlaps == 1
    assert load.latencies == [0.25]


def test_a_gap_and_a_message_stored_twice_are_counted():
    load, (mine, theirs) = _load()
    load.sent.update({"a": (7, 0.0), "b": (7, 0.0)})
    load.on_frame(theirs, _message(2, "a", author=1), 0.1)  # 1 never came first
    load.on_frame(mine, {"type": "ack", "client_id": "a", "number": 2}, 0.1)
    load.on_frame(mine, {"type": "ack", "client_id": "a", "number": 3}, 0.2)

    assert theirs.out_of_order == 1
    assert load.acked == {"a": 2}
    assert load.acked_twice == 1
    assert not load.caught_up()  # "b" was never acknowledged
