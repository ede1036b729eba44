"""Batch sending: many personal messages in one call, where the provider has it.

Brevo (`messageVersions`, up to 1,000 versions a call) and Mailjet (Send API
v3.1, up to 50 `Messages` a call) take, in one request, messages that each
carry their own recipient, subject, bodies and headers. A campaign's
messages are still rendered here, one per recipient (merge values escaped,
HTML sanitised, a personal unsubscribe link and its `List-Unsubscribe`
headers): the provider's template language is never asked to escape
anything. Only the transport changes: one HTTP call for a batch instead of
one per message.

The transport stays django-anymail's own backend (its authentication,
errors, display-name and header-encoding safeguards, its reading of the
provider's answer: one message id per recipient). The batch backends below
add the one thing anymail does not send per recipient, the content:
`BatchMessage.versions`, one per address of `to` and in its order, each
with its subject, bodies, headers and metadata (set by position, so that no
recipient can ever receive another's version).

`batch_connection()` gives a batch backend when `settings.EMAIL_BACKEND` is
a provider that has batch sending, else None (SMTP, console, locmem, any
other provider: one message per call, as before).

An address appears at most once in a batch (anymail keys per-recipient data
by address): `batches(items, size)` starts a new batch when an address
comes back or the batch would pass `MAX_BATCH_BYTES`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import NamedTuple

from anymail.backends.brevo import BrevoPayload
from anymail.backends.brevo import EmailBackend as BrevoBackend
from anymail.backends.mailjet import EmailBackend as MailjetBackend
from anymail.backends.mailjet import MailjetPayload
from anymail.message import AnymailMessage
from django.conf import settings
from django.core.mail import get_connection

__all__ = [
    "BatchMessage",
    "BatchMismatch",
    "Version",
    "batch_connection",
    "batch_size",
    "batches",
]

# Well below what the providers accept in one request, so that a batch of
# long HTML messages is not refused for its size.
MAX_BATCH_BYTES = 4_000_000


class Version(NamedTuple):
    """One recipient's own message."""

    to: str
    subject: str
    text: str
    html: str
    headers: Mapping[str, str]
    metadata: Mapping[str, str]

    @property
    def size(self) -> int:
        return len(self.subject) + len(self.text) + len(self.html) + 400


class BatchMessage(AnymailMessage):
    """Several personal messages sent in one call, one `Version` per address of `to`."""

    def __init__(self, versions: list[Version], from_email: str, tags: Iterable[str] = ()):
        first = versions[0]
        super().__init__(
            subject=first.subject,
            body=first.text,
            from_email=from_email,
            to=[version.to for version in versions],
        )
        if first.html:
            self.attach_alternative(first.html, "text/html")
        self.versions = list(versions)
        # Any per-recipient attribute makes anymail send a batch; the payloads
        # below set each version's headers and metadata again, by position.
        self.merge_headers = {version.to: dict(version.headers) for version in versions}
        self.merge_metadata = {version.to: dict(version.metadata) for version in versions}
        self.tags = list(tags)


class BatchMismatch(Exception):
    """The provider's payload does not hold one entry per version: nothing is sent."""


def _versions_for(payload, entries: list) -> list[Version]:
    versions = getattr(payload.message, "versions", None) or []
    if len(versions) != len(entries):
        raise BatchMismatch(f"{len(entries)} entries for {len(versions)} versions")
    return versions


class BrevoBatchPayload(BrevoPayload):
    def serialize_json(self, data):
        if data is self.data and "messageVersions" in data:
            entries = data["messageVersions"]
            for entry, version in zip(entries, _versions_for(self, entries), strict=True):
                entry["subject"] = version.subject
                entry["textContent"] = version.text
                if version.html:
                    entry["htmlContent"] = version.html
                headers = dict(version.headers)
                for value in headers.values():
                    self.prevent_header_encoding_bug("merge_headers", value)
                headers["X-Mailin-custom"] = super().serialize_json(dict(version.metadata))
                entry["headers"] = headers
        return super().serialize_json(data)


class BrevoBatchBackend(BrevoBackend):
    """anymail's Brevo backend, each version with its own subject and bodies."""

    outreach_batch_size = 100

    def build_message_payload(self, message, defaults):
        return BrevoBatchPayload(message, defaults, self)


class MailjetBatchPayload(MailjetPayload):
    def serialize_data(self):
        if getattr(self.message, "versions", None):
            self._burst_for_batch_send()
            entries = self.data["Messages"]
            for entry, version in zip(entries, _versions_for(self, entries), strict=True):
                entry["Subject"] = version.subject
                entry["TextPart"] = version.text
                if version.html:
                    entry["HTMLPart"] = version.html
                entry["Headers"] = dict(version.headers)
                entry["EventPayload"] = self.serialize_json(dict(version.metadata))
        return super().serialize_data()


class MailjetBatchBackend(MailjetBackend):
    """anymail's Mailjet backend, each message with its own subject and bodies."""

    outreach_batch_size = 50

    def build_message_payload(self, message, defaults):
        return MailjetBatchPayload(message, defaults, self)


BATCH_BACKENDS = {
    "anymail.backends.brevo.EmailBackend": BrevoBatchBackend,
    "anymail.backends.sendinblue.EmailBackend": BrevoBatchBackend,
    "anymail.backends.mailjet.EmailBackend": MailjetBatchBackend,
}


def batch_connection():
    """A connection sending batches through the configured provider, or None."""
    if not getattr(settings, "OUTREACH_EMAIL_BATCH", True):
        return None
    backend = BATCH_BACKENDS.get(settings.EMAIL_BACKEND)
    if backend is None:
        return None
    return get_connection(f"{backend.__module__}.{backend.__qualname__}")


def batch_size(connection) -> int:
    return getattr(connection, "outreach_batch_size", 1) if connection is not None else 1


def batches(items: Iterable, size: int, key, weight) -> Iterator[list]:
    """Groups of at most `size` items, in order, none holding two items with the
    same `key(item)` (a repeated one waits for the next group) and none weighing
    more than MAX_BATCH_BYTES (an item heavier than that alone goes alone)."""
    waiting = list(items)
    while waiting:
        current: list = []
        keys: set = set()
        total = 0
        later: list = []
        for item in waiting:
            k, w = key(item), weight(item)
            if k in keys:
                later.append(item)
                continue
            if current and (len(current) >= size or total + w > MAX_BATCH_BYTES):
                yield current
                current, keys, total = [], set(), 0
            current.append(item)
            keys.add(k)
            total += w
        if current:
            yield current
        waiting = later
