"""Benchmark of the helpdesk's live conversations (`python manage.py bench helpdesk --json`),
on PostgreSQL and Redis, against real daphne processes started on this machine.

`--clients` (default 500) client accounts, each signed in (a session row,
its cookie sent with the upgrade, an Origin among ALLOWED_HOSTS), take part
ten by ten in 50 private tickets; each connects one page to its ticket
(`crmsite.bench.helpdesk_load`). Every ticket receives a message from its
pages in turn, every `--interval-ms` on average (default 10,000: drawn
between 2/3 and 4/3 of it; never so often that a client would pass the
per-user rate of `helpdesk.throttle`), for `--seconds` (default 30); each
page also pings every 30 s, as the ticket page does, and each of those
frames is a check of access on the server. At 100 to 200 ms per ticket
(`--interval-ms 150`, 3,300 deliveries a second) one daphne's backlog only
grows, and the figures measure the queue. Three runs:

1. one daphne with the Redis channel layer (and cache);
2. the same load on one daphne without `REDIS_URL`, so with the in-memory
   channel layer: the baseline. Without Redis the cache is in-process too
   (`crmsite/settings/base.py`), so that daphne also keeps the per-user
   frame counts (`helpdesk.throttle`) and the presence of connections
   (`helpdesk.presence`) in its own memory: one Redis round trip less per
   frame and per connection, which the baseline gains besides the layer.
   With one process that changes no rule; with two it would (each process
   its own budget, and pages on the other process not counted as present:
   e-mails sent to people reading the ticket), which is why several
   processes need Redis;
3. two daphne processes sharing Redis, the pages split between them, a
   third of them dropped once during the load (connection aborted), away
   0.2 to 2 s, and back on the other process with `hello` and the last
   number they show; their unacknowledged messages sent again.

For each run: the delay from a message's sending to its arrival on every
other page listening live (p50, p95, p99; goal p95 at most 100 ms), and to
its acknowledgement; receptions lost (a number of the ticket, as stored,
that a page never received; goal 0); raw overlaps (a number a page
received again, which it drops) and duplicates after that drop (one
message shown under two numbers, i.e. stored twice; goal 0); the daphne
process's memory per connection (VmRSS after the connections minus before,
over the connections); its CPU during the load.

A page the server closes comes back as the real one does (the closes are
counted by code), and the exceptions the daphne processes logged are
counted by kind, apart from those logged when every page leaves at once at
the end (as when a proxy restarts). `--only redis|in_memory|two_daphnes`
runs one of the three.

The daphne processes inherit this process's environment (the same
settings module, `SECRET_KEY` for the sessions, `DATABASE_POOL` and
`DATABASE_CONN_MAX_AGE`), and get `CELERY_BROKER_URL=memory://`: the
notification tasks each message queues stay in the process, so that no task
is left in Redis for a worker (and everybody is connected: none would send
an e-mail). The benchmark creates its accounts, sessions and tickets, and
deletes them, their messages, their audit entries, their cache keys and
their groups (the tickets' and the users') in Redis at the end.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

TAG = "Bench-helpdesk"
TICKETS = 50
INTERVAL_MS = 10_000  # mean time between two messages of a ticket (drawn from 2/3 to 4/3 of it)
# Frames a client may send per window, keeping a margin under the limit for
# hellos after a reconnection and resent messages.
FRAMES_PER_WINDOW = 15
SECTIONS = ("redis", "in_memory", "two_daphnes")  # for --only


# --- daphne processes -----------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _daphne(port: int, redis: bool) -> subprocess.Popen:
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", os.environ.get("DJANGO_SETTINGS_MODULE", ""))
    env["CELERY_BROKER_URL"] = "memory://"
    if not redis:
        env.pop("REDIS_URL", None)
    log = tempfile.TemporaryFile()  # noqa: SIM115  (closed by _stop)
    process = subprocess.Popen(  # noqa: S603  (our own executable and arguments)
        [
            str(Path(sys.executable).with_name("daphne")),
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "-v",
            "0",
            "crmsite.asgi:application",
        ],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    process.log = log
    return process


def _wait_listening(process: subprocess.Popen, port: int, timeout: float = 60) -> None:
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if process.poll() is not None:
            process.log.seek(0)
            tail = process.log.read()[-2000:].decode(errors="replace")
            raise RuntimeError(f"daphne stopped at start:\n{tail}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("daphne did not listen in time")


def _stop(process: subprocess.Popen) -> bytes:
    """Stop daphne; return what it logged."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    process.log.seek(0)
    logged = process.log.read()
    process.log.close()
    return logged


def _server_errors(logs: list[bytes]) -> dict:
    """The exceptions the daphne processes logged, by their last line: {line: count}."""
    found: dict[str, int] = {}
    for log in logs:
        text = log.decode(errors="replace")
        for trace in text.split("Traceback (most recent call last):")[1:]:
            lines = [line for line in trace.splitlines() if line and not line[0].isspace()]
            last = lines[0][:200] if lines else "?"
            found[last] = found.get(last, 0) + 1
    return found


# --- Accounts and tickets ---------------------------------------------------------------


def _accounts(count: int, stamp: str):
    """`count` client accounts, each with a session: [(user, cookie)], session keys."""
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.contrib.sessions.backends.db import SessionStore

    from crmsite.roles import CLIENTS

    User = get_user_model()
    users = User.objects.bulk_create(
        [
            User(
                username=f"{TAG.lower()}-{stamp}-{index}",
                first_name="Client",
                last_name=f"{TAG} {index}",
                email=f"{TAG.lower()}-{stamp}-{index}@example.org",
                password=make_password(None),
            )
            for index in range(count)
        ]
    )
    clients = Group.objects.get(name=CLIENTS)
    Membership = User.groups.through
    Membership.objects.bulk_create([Membership(user=user, group=clients) for user in users])
    backend = "crmsite.backends.RoleModelBackend"
    accounts, keys = [], []
    for user in users:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = backend
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        keys.append(session.session_key)
        accounts.append((user, f"{settings.SESSION_COOKIE_NAME}={session.session_key}"))
    return accounts, keys


def _tickets(accounts, tickets: int, label: str) -> dict[int, list]:
    """Private tickets, the accounts shared among them as participants: {id: accounts}."""
    from helpdesk.models import Participant, ParticipantReason, Ticket

    groups = [accounts[index::tickets] for index in range(tickets)]
    created = Ticket.objects.bulk_create(
        [
            Ticket(subject=f"{TAG} {label} {index}", author=group[0][0], last_number=0)
            for index, group in enumerate(groups)
        ]
    )
    Participant.objects.bulk_create(
        [
            Participant(
                ticket=ticket,
                user=user,
                reason=ParticipantReason.AUTHOR if position == 0 else ParticipantReason.ADDED,
            )
            for ticket, group in zip(created, groups, strict=True)
            for position, (user, _cookie) in enumerate(group)
        ]
    )
    return {ticket.pk: group for ticket, group in zip(created, groups, strict=True)}


def _clean(ticket_ids: list[int], users, session_keys: list[str]) -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.models import Session
    from django.core.cache import cache
    from wagtail.models import ModelLogEntry

    from helpdesk import presence, throttle
    from helpdesk.models import Ticket

    ModelLogEntry.objects.filter(
        content_type__app_label="helpdesk",
        content_type__model="ticket",
        object_id__in=[str(pk) for pk in ticket_ids],
    ).delete()
    Ticket.objects.filter(pk__in=ticket_ids).delete()
    Session.objects.filter(session_key__in=session_keys).delete()
    user_ids = [user.pk for user in users]
    window = int(time.time() // throttle.WINDOW_SECONDS)
    keys = [
        f"helpdesk:frames:{pk}:{number}"
        for pk in user_ids
        for number in range(window - 60, window + 2)
    ]
    keys += [presence._key(ticket, user) for ticket in ticket_ids for user in user_ids]
    for start in range(0, len(keys), 5000):
        cache.delete_many(keys[start : start + 5000])
    get_user_model().objects.filter(pk__in=user_ids).delete()
    _forget_groups(ticket_ids, user_ids)


def _forget_groups(ticket_ids: list[int], user_ids: list[int]) -> None:
    """Drop the tickets' and users' groups from Redis: a consumer killed, or one that
    could not leave (every page leaving at once), stays in its groups until they expire."""
    import redis
    from channels.layers import get_channel_layer

    from helpdesk.realtime import group_name, user_group_name

    prefix = getattr(get_channel_layer(), "prefix", "asgi")
    names = [group_name(pk) for pk in ticket_ids] + [user_group_name(pk) for pk in user_ids]
    keys = [f"{prefix}:group:{name}" for name in names]
    client = redis.Redis.from_url(settings.REDIS_URL)
    for start in range(0, len(keys), 1000):
        client.delete(*keys[start : start + 1000])


# --- Figures ----------------------------------------------------------------------------


def _percentiles(seconds: list[float]) -> dict:
    if not seconds:
        return {"samples": 0}
    ordered = sorted(seconds)

    def at(share: float) -> float:
        return round(1000 * ordered[min(len(ordered) - 1, int(len(ordered) * share))], 1)

    return {
        "p50": at(0.50),
        "p95": at(0.95),
        "p99": at(0.99),
        "max": round(1000 * ordered[-1], 1),
        "samples": len(ordered),
    }


def _figures(load, outcome, ticket_ids: list[int], pids: list[int]) -> dict:
    from helpdesk.models import Message, Ticket

    last = dict(Ticket.objects.filter(pk__in=ticket_ids).values_list("pk", "last_number"))
    stored = set(
        Message.objects.filter(ticket_id__in=ticket_ids)
        .exclude(client_id="")
        .values_list("client_id", flat=True)
    )
    lost = overlaps = twice = out_of_order = replayed = resent = drops = 0
    expected = 0
    errors: dict[str, int] = {}
    closes: dict[str, int] = {}
    for page in load.pages:
        numbers = range(1, last[page.ticket] + 1)
        expected += len(numbers)
        lost += sum(1 for number in numbers if number not in page.shown)
        overlaps += page.overlaps
        client_ids = [client_id for client_id in page.shown.values() if client_id]
        twice += len(client_ids) - len(set(client_ids))
        out_of_order += page.out_of_order
        replayed += page.replayed
        resent += page.resent
        drops += page.drops
        for message in page.errors:
            errors[message] = errors.get(message, 0) + 1
        for code in page.closes:
            closes[str(code)] = closes.get(str(code), 0) + 1
    connections = len(load.pages)
    rss_growth = sum(outcome.rss_after[pid] - outcome.rss_before[pid] for pid in pids)
    sent = len(outcome.sent)
    return {
        "daphne_processes": len(pids),
        "clients": connections,
        "tickets": len(ticket_ids),
        "load_seconds": round(outcome.load_seconds, 1),
        "messages_sent": sent,
        "messages_per_second": round(sent / outcome.load_seconds, 1),
        "receptions_expected": expected,
        "latency_ms": _percentiles(outcome.latencies),
        "ack_latency_ms": _percentiles(outcome.ack_latencies),
        # A reception missing after the catch-up gave up may still be on its way.
        "lost": lost if outcome.drained else None,
        "missing_when_catch_up_gave_up": 0 if outcome.drained else lost,
        "refused_with_an_error": len(outcome.refused),
        "sent_not_stored": sum(
            1
            for client_id in outcome.sent
            if client_id not in stored and client_id not in outcome.refused
        ),
        "raw_overlaps": overlaps,
        "duplicates_after_dedupe": twice,
        "acknowledged_under_two_numbers": outcome.acked_twice,
        "out_of_order": out_of_order,
        "dropped_and_reconnected": drops,
        "replayed_after_hello": replayed,
        "resent_after_reconnection": resent,
        "error_frames": errors,
        "closed_by_server": closes,
        "caught_up_after_load": outcome.drained,
        "catch_up_seconds": round(outcome.drain_seconds, 1),
        "connect_seconds": round(outcome.connect_seconds, 1),
        "connections_failed_then_retried": outcome.failed_connections,
        "memory_per_connection_kib": round(rss_growth / connections, 1),
        "rss_mib_before_after": [
            [round(outcome.rss_before[pid] / 1024, 1), round(outcome.rss_after[pid] / 1024, 1)]
            for pid in pids
        ],
        "daphne_cpu_percent": [
            round(100 * outcome.cpu[pid] / outcome.load_seconds) for pid in pids
        ],
        "client_cpu_percent": round(100 * outcome.client_cpu_seconds / outcome.load_seconds),
        "client_loop_lag_p99_ms": outcome.loop_lag_p99_ms,
    }


# --- One run ----------------------------------------------------------------------------


def _origin() -> str:
    for host in settings.ALLOWED_HOSTS:
        if host != "*":
            return f"http://{host.lstrip('.')}"
    return "http://localhost"


def _scenario(
    accounts, label: str, created: list, *, servers: int, redis: bool, drop: float, options
) -> dict:
    from .helpdesk_load import Load, Page

    tickets = _tickets(accounts, min(TICKETS, len(accounts)), label)
    created.extend(tickets)
    per_ticket = len(accounts) / len(tickets)
    # Each client sends one message every `per_ticket` messages of its ticket.
    slowest = 10.0 / (per_ticket * FRAMES_PER_WINDOW)  # mean seconds between messages
    mean = max(options["interval_ms"] / 1000, slowest)
    interval = (mean * 2 / 3, mean * 4 / 3)
    ports = [_free_port() for _server in range(servers)]
    processes = [_daphne(port, redis) for port in ports]
    try:
        for process, port in zip(processes, ports, strict=True):
            _wait_listening(process, port)
        pages = [
            Page(ticket=ticket, user=user.pk, cookie=cookie, port=ports[0])
            for ticket, group in tickets.items()
            for user, cookie in group
        ]
        for index, page in enumerate(pages):  # each ticket's pages on both servers
            page.port = ports[index % servers]
        pids = [process.pid for process in processes]
        load = Load(
            pages,
            host="127.0.0.1",
            origin=_origin(),
            ports=ports,
            pids=pids,
            seconds=options["seconds"],
            interval=interval,
            drop=drop,
            tag=f"{label}-{int(time.time())}",
        )
        marks: list[int] = []

        def mark_logs():
            marks.extend(os.fstat(process.log.fileno()).st_size for process in processes)

        outcome = asyncio.run(load.run(before_closing=mark_logs))
    finally:
        logs = [_stop(process) for process in processes]
    figures = {
        "channel_layer": "redis" if redis else "in-memory",
        "interval_ms": [round(1000 * bound) for bound in interval],
    }
    figures.update(_figures(load, outcome, list(tickets), pids))
    figures["server_errors"] = _server_errors(
        [log[:mark] for log, mark in zip(logs, marks, strict=True)]
    )
    # Every page dropped at once at the end, as when a proxy restarts.
    figures["server_errors_when_all_pages_left_at_once"] = _server_errors(
        [log[mark:] for log, mark in zip(logs, marks, strict=True)]
    )
    return figures


def run(options) -> dict:
    if options.get("only") not in (None, *SECTIONS):
        return {"error": f"--only is one of {', '.join(SECTIONS)}."}
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        return {
            "error": "Run on PostgreSQL with REDIS_URL set (DATABASE_URL=postgres://… "
            "REDIS_URL=redis://…): the benchmark starts daphne processes that share them."
        }
    clients = options.get("clients") or 500
    seconds = options.get("seconds") or 30
    interval_ms = options.get("interval_ms") or INTERVAL_MS
    options = {**options, "clients": clients, "seconds": seconds, "interval_ms": interval_ms}
    stamp = str(int(time.time()))
    load_before = os.getloadavg()
    started = time.perf_counter()
    results: dict = {
        "database": connection.vendor,
        "debug": settings.DEBUG,
        "database_conn_max_age": connection.settings_dict.get("CONN_MAX_AGE"),
        "database_pool": connection.settings_dict.get("OPTIONS", {}).get("pool") or None,
        "clients": clients,
        "seconds": seconds,
        "goals": {"latency_p95_ms": 100, "lost": 0, "duplicates_after_dedupe": 0},
    }
    created: list[int] = []
    accounts, session_keys = _accounts(clients, stamp)
    only = options.get("only")
    try:
        one = {}
        if only in (None, "redis"):
            one["redis"] = _scenario(
                accounts, "redis", created, servers=1, redis=True, drop=0.0, options=options
            )
        if only in (None, "in_memory"):
            one["in_memory"] = _scenario(
                accounts, "memory", created, servers=1, redis=False, drop=0.0, options=options
            )
        if one:
            results["one_daphne"] = one
        if only in (None, "two_daphnes"):
            results["two_daphnes_redis_a_third_reconnecting"] = _scenario(
                accounts, "two", created, servers=2, redis=True, drop=1 / 3, options=options
            )
    finally:
        _clean(created, [user for user, _cookie in accounts], session_keys)
    results["load_average_before_after"] = [
        [round(value, 2) for value in load_before],
        [round(value, 2) for value in os.getloadavg()],
    ]
    results["total_seconds"] = round(time.perf_counter() - started, 1)
    return results
