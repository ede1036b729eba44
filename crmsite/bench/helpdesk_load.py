"""The websocket load of the helpdesk benchmark: pages that talk in tickets, as browsers do.

Each `Page` is one client's browser tab on one ticket, connected to one
daphne process (`crmsite.bench.websocket`). It behaves like the ticket page:

* it says `{"type": "hello", "after": n}` with the last message number it
  shows (0 at first), and counts what arrives before `synced` as replayed;
* it shows each message number once: a number it already shows is dropped
  (a *raw overlap*, counted); a number that is not the next one is counted
  out of order;
* the messages it sends stay pending until acknowledged and are sent again,
  with the same client id, after a reconnection;
* it pings every `PING_SECONDS` while connected, as the page does (each
  frame is a check of access on the server).

Every ticket has a speaker: every `interval` (drawn uniformly between its
bounds) the next of its pages, in turn, that is connected and synced sends
a message. A page the server closes (other than a refusal, 4401 or 4403)
comes back the same way after a moment, as the real page does. The load
measures, in this one process and clock, the time from
a message's first sending to its arrival on every other page of its ticket
that was listening live (replays after a reconnection are counted apart:
their delay is the time the page was away), and to its acknowledgement.

`drop` pages (a fraction) are each dropped once during the load (the
connection aborted without a close frame, as a lost network does), stay
away a moment, and come back on the next server (a proxy would send them
anywhere). After the load, the pages are given `catch_up` seconds at most to receive
what is still on its way.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import os
import random
import time
from dataclasses import dataclass, field

from . import websocket

REFUSED = (4401, 4403)  # close codes after which a page does not come back
PING_SECONDS = 30  # as the ticket page (helpdesk/static/helpdesk/ticket.js, PING_MS)


@dataclass
class Page:
    ticket: int
    user: int
    cookie: str
    port: int
    connection: websocket.Connection | None = None
    synced: bool = False
    ready: asyncio.Event | None = None
    shown: dict = field(default_factory=dict)  # number -> client id
    last: int = 0
    overlaps: int = 0
    replayed: int = 0
    out_of_order: int = 0
    pending: dict = field(default_factory=dict)  # client id -> text, not acknowledged yet
    resent: int = 0
    errors: list = field(default_factory=list)
    closes: list = field(default_factory=list)  # close codes the page did not ask for
    drops: int = 0


@dataclass
class Outcome:
    latencies: list
    ack_latencies: list
    sent: dict  # client id -> (ticket, perf_counter of the first sending)
    acked: dict  # client id -> number
    acked_twice: int  # a client id acknowledged under two numbers (stored twice)
    refused: set  # client ids answered with an error frame
    failed_connections: int  # upgrades refused or dropped (then tried again)
    connect_seconds: float
    load_seconds: float
    drain_seconds: float
    drained: bool
    loop_lag_p99_ms: float
    client_cpu_seconds: float
    rss_before: dict
    rss_after: dict
    cpu: dict  # pid -> CPU seconds used during the load


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    # Fields 14 and 15 (utime, stime), counted from after the command name.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Load:
    def __init__(
        self,
        pages: list[Page],
        *,
        host: str,
        origin: str,
        ports: list[int],
        pids: list[int],
        seconds: float,
        interval: tuple[float, float],
        drop: float = 0.0,
        away: tuple[float, float] = (0.2, 2.0),
        tag: str = "b",
        catch_up: float = 30.0,
        seed: int = 18,
    ):
        self.pages = pages
        self.host = host
        self.origin = origin
        self.ports = ports
        self.pids = pids
        self.seconds = seconds
        self.interval = interval
        self.drop = drop
        self.away = away
        self.tag = tag
        self.catch_up = catch_up
        self.random = random.Random(seed)
        self.sent: dict[str, tuple[int, float]] = {}
        self.acked: dict[str, int] = {}
        self.acked_twice = 0
        self.refused: set[str] = set()
        self.failed_connections = 0
        self.latencies: list[float] = []
        self.ack_latencies: list[float] = []
        self.stopping = False
        self.tasks: set[asyncio.Task] = set()
        self.by_ticket: dict[int, list[Page]] = {}
        for page in pages:
            self.by_ticket.setdefault(page.ticket, []).append(page)

    # --- One page ------------------------------------------------------------------------

    async def open(self, page: Page) -> None:
        """Connect the page and say hello with the last number it shows."""
        page.synced = False
        page.ready = asyncio.Event()
        connection = await websocket.connect(
            self.host,
            page.port,
            f"/ws/helpdesk/tickets/{page.ticket}/",
            {"Cookie": page.cookie, "Origin": self.origin},
        )
        page.connection = connection
        connection.send_text(json.dumps({"type": "hello", "after": page.last}))
        self._spawn(self.listen(page, connection))
        self._spawn(self.ping(connection))

    def _spawn(self, coroutine) -> None:
        task = asyncio.create_task(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def listen(self, page: Page, connection: websocket.Connection) -> None:
        try:
            while True:
                text = await connection.receive_text()
                self.on_frame(page, json.loads(text), time.perf_counter())
        except websocket.Closed as closed:
            if self.stopping or connection.dropped:
                return
            # The server closed it: the page comes back after a moment, as the real
            # one does, unless it was refused for good.
            page.closes.append(closed.code)
            page.synced = False
            if closed.code not in REFUSED:
                await asyncio.sleep(self.random.uniform(*self.away))
                if not self.stopping:
                    await self.reopen(page)

    async def ping(self, connection: websocket.Connection) -> None:
        while True:
            await asyncio.sleep(PING_SECONDS)
            if self.stopping or connection.closed:
                return
            with contextlib.suppress(websocket.Closed):
                connection.send_text(json.dumps({"type": "ping"}))

    async def reopen(self, page: Page) -> None:
        """Connect until it works, with a growing pause: daphne drops an upgrade that
        its consumer has not accepted within 5 seconds (a busy server)."""
        pause = self.away[0]
        while not self.stopping:
            try:
                await self.open(page)
                return
            except (websocket.HandshakeError, OSError):
                self.failed_connections += 1
                await asyncio.sleep(self.random.uniform(pause, 2 * pause))
                pause = min(pause * 2, 5.0)

    def on_frame(self, page: Page, frame: dict, now: float) -> None:
        kind = frame.get("type")
        if kind == "message":
            number = frame["number"]
            if number in page.shown:
                page.overlaps += 1  # the page drops it: it shows this number already
                return
            if number != page.last + 1:
                page.out_of_order += 1
            page.shown[number] = frame.get("client_id") or ""
            page.last = max(page.last, number)
            if not page.synced:
                page.replayed += 1
                return
            sent = self.sent.get(frame.get("client_id") or "")
            if sent is not None and (frame.get("author") or {}).get("id") != page.user:
                self.latencies.append(now - sent[1])
        elif kind == "ack":
            client_id = frame.get("client_id")
            page.pending.pop(client_id, None)
            number = frame.get("number")
            if client_id in self.acked:
                if self.acked[client_id] != number:
                    self.acked_twice += 1
            else:
                self.acked[client_id] = number
                self.ack_latencies.append(now - self.sent[client_id][1])
        elif kind == "synced":
            page.synced = True
            page.ready.set()
            for client_id, text in list(page.pending.items()):
                page.resent += 1
                self._send(page, client_id, text)
        elif kind == "error":
            page.errors.append(frame.get("message", ""))
            if page.pending.pop(frame.get("client_id"), None) is not None:
                self.refused.add(frame["client_id"])  # not stored: the page shows it failed

    def _send(self, page: Page, client_id: str, text: str) -> None:
        frame = {"type": "message", "client_id": client_id, "text": text}
        with contextlib.suppress(websocket.Closed):  # still pending: sent again on reconnection
            page.connection.send_text(json.dumps(frame))

    # --- The load ------------------------------------------------------------------------

    async def speak(self, ticket: int, pages: list[Page], until: float) -> None:
        """Every `interval`, the next connected page of the ticket sends a message."""
        turn = self.random.randrange(len(pages))
        sequence = 0
        while True:
            wait = self.random.uniform(*self.interval)
            await asyncio.sleep(min(wait, max(0.0, until - time.perf_counter())))
            if time.perf_counter() >= until:
                return
            for _attempt in range(len(pages)):
                page = pages[turn % len(pages)]
                turn += 1
                if page.synced and page.connection is not None and not page.connection.closed:
                    break
            else:
                continue
            sequence += 1
            client_id = f"{self.tag}-{ticket}-{sequence}"
            text = f"Message {sequence} du billet {ticket} : la répétition est à 18 h."
            page.pending[client_id] = text
            self.sent[client_id] = (ticket, time.perf_counter())
            self._send(page, client_id, text)

    async def drop_once(self, page: Page, after: float) -> None:
        await asyncio.sleep(after)
        if page.connection is None or page.connection.closed:
            return
        page.drops += 1
        page.synced = False
        page.connection.abort()
        await asyncio.sleep(self.random.uniform(*self.away))
        page.port = self.ports[(self.ports.index(page.port) + 1) % len(self.ports)]
        await self.reopen(page)

    async def measure_lag(self, until: float, lags: list[float]) -> None:
        """How late the client's own event loop wakes up: its share of any latency."""
        while time.perf_counter() < until:
            expected = time.perf_counter() + 0.05
            await asyncio.sleep(0.05)
            lags.append(time.perf_counter() - expected)

    def caught_up(self) -> bool:
        last: dict[int, int] = {}
        for client_id, number in self.acked.items():
            ticket = self.sent[client_id][0]
            last[ticket] = max(last.get(ticket, 0), number)
        for page in self.pages:
            if page.pending or not page.synced or page.last < last.get(page.ticket, 0):
                return False
        return len(self.acked) + len(self.refused - set(self.acked)) == len(self.sent)

    async def run(self, connect_at_once: int = 20, before_closing=None) -> Outcome:
        """Connect the pages, load, catch up; `before_closing()` is called before
        every page is dropped at once at the end."""
        # Warm each server up (imports, first queries) before its memory is read.
        for port in self.ports:
            warm = Page(ticket=self.pages[0].ticket, user=0, cookie=self.pages[0].cookie, port=port)
            await self.open(warm)
            await asyncio.wait_for(warm.ready.wait(), 60)
            warm.connection.abort()
        await asyncio.sleep(1)
        rss_before = {pid: rss_kib(pid) for pid in self.pids}

        started = time.perf_counter()
        gate = asyncio.Semaphore(connect_at_once)

        async def join(page):
            async with gate:
                await self.reopen(page)
                deadline = time.perf_counter() + 120
                while not page.synced:
                    if time.perf_counter() > deadline:
                        raise RuntimeError("a page did not catch up within 2 minutes")
                    await asyncio.sleep(0.05)

        await asyncio.gather(*(join(page) for page in self.pages))
        connect_seconds = time.perf_counter() - started
        # The pages and their connections live until the end: kept out of the
        # cycle collector's walks, whose pauses would count as delivery delays
        # (the collector is tuned as in the daphne processes, crmsite.asgi).
        thresholds = gc.get_threshold()
        gc.freeze()
        gc.set_threshold(50_000, 20, 20)
        await asyncio.sleep(1)
        rss_after = {pid: rss_kib(pid) for pid in self.pids}

        cpu_start = {pid: cpu_seconds(pid) for pid in self.pids}
        client_cpu = time.process_time()
        started = time.perf_counter()
        until = started + self.seconds
        lags: list[float] = []
        work = [self.speak(ticket, pages, until) for ticket, pages in self.by_ticket.items()]
        dropped = self.random.sample(self.pages, int(len(self.pages) * self.drop))
        for page in dropped:
            self._spawn(self.drop_once(page, self.random.uniform(0.1, 0.8) * self.seconds))
        await asyncio.gather(*work, self.measure_lag(until, lags))
        load_seconds = time.perf_counter() - started
        cpu = {pid: round(cpu_seconds(pid) - cpu_start[pid], 1) for pid in self.pids}
        client_cpu = time.process_time() - client_cpu

        drain_started = time.perf_counter()
        drained = False
        while time.perf_counter() - drain_started < self.catch_up:
            if self.caught_up():
                drained = True
                break
            await asyncio.sleep(0.1)
        drain_seconds = time.perf_counter() - drain_started

        if before_closing is not None:
            before_closing()
        self.stopping = True
        for page in self.pages:
            if page.connection is not None:
                page.connection.abort()
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        gc.set_threshold(*thresholds)
        gc.unfreeze()
        lags.sort()
        return Outcome(
            latencies=self.latencies,
            ack_latencies=self.ack_latencies,
            sent=self.sent,
            acked=self.acked,
            acked_twice=self.acked_twice,
            refused=self.refused,
            failed_connections=self.failed_connections,
            connect_seconds=connect_seconds,
            load_seconds=load_seconds,
            drain_seconds=drain_seconds,
            drained=drained,
            loop_lag_p99_ms=round(1000 * lags[int(len(lags) * 0.99)], 1) if lags else 0.0,
            client_cpu_seconds=round(client_cpu, 1),
            rss_before=rss_before,
            rss_after=rss_after,
            cpu=cpu,
        )
