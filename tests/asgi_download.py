"""Download through the ASGI application, as daphne serves it, and watch the rows.

`download()` sends one GET to `crmsite.asgi.application` and records, for
every body message the application sends, what a probe says at that moment:
by default how many directory objects had been made by then (`RowWatch`).
A response that Django buffers (a synchronous iterator under ASGI) sends its
first byte only after every row was made; one that streams sends it after
the first chunk.
"""

import weakref
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models.signals import post_init
from django.test import Client

from crmsite.bench import asgi
from directory.models import Organisation, Person, Position

WATCHED = (Person, Position, Organisation)


class RowWatch:
    """Counts the directory objects made, and the most alive at one time."""

    def __init__(self):
        self.made = 0
        self.most_alive = 0
        self._alive = weakref.WeakSet()

    def _made(self, sender, instance, **kwargs):
        self.made += 1
        self._alive.add(instance)
        self.most_alive = max(self.most_alive, len(self._alive))

    def __enter__(self):
        for model in WATCHED:
            post_init.connect(self._made, sender=model, weak=False)
        return self

    def __exit__(self, *exc):
        for model in WATCHED:
            post_init.disconnect(self._made, sender=model)


@dataclass
class Download:
    status: int = 0
    headers: dict = field(default_factory=dict)
    body: bytearray = field(default_factory=bytearray)
    # One (size, what the probe said) per body message, in order.
    messages: list = field(default_factory=list)


def session_cookie(user) -> bytes:
    browser = Client()
    browser.force_login(user)
    value = browser.cookies[settings.SESSION_COOKIE_NAME].value
    return f"{settings.SESSION_COOKIE_NAME}={value}".encode()


async def download(path: str, query: str, cookie: bytes, watch: RowWatch, probe=None) -> Download:
    result = Download()

    def on_start(status, headers):
        result.status = status
        result.headers = {k.decode().lower(): v.decode() for k, v in headers}

    def on_body(body):
        result.messages.append((len(body), probe() if probe else watch.made))
        result.body.extend(body)

    await asgi.get(path, query, cookie, on_start, on_body)
    return result
