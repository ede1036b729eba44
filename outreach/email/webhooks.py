"""Tracking events: stored once, and delivery statuses that only move forward.

Providers post the same event more than once, and in any order. Two rules
make that harmless:

**One key per event.** `event_key(provider, message_id, event_type,
timestamp, event_id=None)` is the provider's own event id when it gives one
(SendGrid, MailerSend, Postmark, ...), else a SHA-256 digest of the message
id, the event type and the timestamp (Brevo and Mailjet give no event id).
A unique column on the key stores an event once. Keys are at most
`KEY_MAX_LENGTH` characters: `"<provider>:id:<event id>"`, or
`"<provider>:h:<64 hex digits>"` for the digest (and for an event id too long
to fit). Timestamps are compared in UTC, to the microsecond; a naive
datetime is taken as UTC, a number as a Unix time.

**Statuses move forward.** `STATUS_ORDER` ranks them, and `advance(current,
new)` keeps whichever ranks higher:

    pending < sending < unknown < sent < failed < delivered < opened < clicked
            < bounced < unsubscribed < complained

- `unknown` is an ambiguous send (the provider timed out): any news from the
  provider replaces it; a retry never does (a retry starts from `pending`).
- `failed` (the provider refused or gave up: anymail's `rejected`, `failed`)
  is terminal for sending: no sending-side status (`pending`, `sending`,
  `unknown`, `sent`) replaces it, so a late "queued" webhook (Brevo sends
  `request` even before `blocked`) cannot revive it; only proof that the
  message reached the recipient (`delivered` and after) does.
- `bounced`, `unsubscribed` and `complained` are terminal: nothing but a
  graver one of them replaces them. A bounce may arrive after "delivered"
  (the receiving server accepted, then bounced), so it outranks delivery and
  engagement; an unsubscribe or a complaint proves the message was read and
  is the fact the report must show, a complaint being the graver.

`status_for_event(event_type)` maps anymail's normalised
`AnymailTrackingEvent.event_type` to a status, or None when the event does not
change a delivery (`deferred`: the provider will try again; `subscribed`,
`inbound`, `inbound_failed`, `unknown`). `is_hard_bounce(event)` tells a
permanent bounce (which makes the coordinate invalid) from a soft one, for
the providers whose payload says so.
"""

import hashlib
from datetime import UTC, datetime

__all__ = [
    "EVENT_STATUS",
    "KEY_MAX_LENGTH",
    "STATUS_ORDER",
    "TERMINAL_STATUSES",
    "advance",
    "event_key",
    "is_hard_bounce",
    "status_for_event",
]

PENDING = "pending"
SENDING = "sending"
UNKNOWN = "unknown"
SENT = "sent"
FAILED = "failed"
DELIVERED = "delivered"
OPENED = "opened"
CLICKED = "clicked"
BOUNCED = "bounced"
UNSUBSCRIBED = "unsubscribed"
COMPLAINED = "complained"

STATUS_ORDER: tuple[str, ...] = (
    PENDING,
    SENDING,
    UNKNOWN,
    SENT,
    FAILED,
    DELIVERED,
    OPENED,
    CLICKED,
    BOUNCED,
    UNSUBSCRIBED,
    COMPLAINED,
)
_RANK = {status: rank for rank, status in enumerate(STATUS_ORDER)}

#: statuses after which the delivery is settled (see the module docstring for `failed`)
TERMINAL_STATUSES = frozenset({FAILED, BOUNCED, UNSUBSCRIBED, COMPLAINED})


def advance(current: str, new: str | None) -> str:
    """The status to keep when `new` is reported for a delivery at `current`."""
    if new is None:
        return current
    if new not in _RANK:
        raise ValueError(f"unknown delivery status: {new!r}")
    if current not in _RANK:
        raise ValueError(f"unknown delivery status: {current!r}")
    return new if _RANK[new] > _RANK[current] else current


#: anymail's EventType values -> our status (None: the event changes no status)
EVENT_STATUS: dict[str, str | None] = {
    "queued": SENT,  # the provider accepted the message
    "sent": SENT,
    "rejected": FAILED,  # refused by the provider (suppression list, policy, invalid)
    "failed": FAILED,  # the provider could not send it
    "bounced": BOUNCED,
    "deferred": None,  # delayed; a later event settles it
    "delivered": DELIVERED,
    "autoresponded": DELIVERED,  # a robot answered: it was delivered
    "opened": OPENED,
    "clicked": CLICKED,
    "complained": COMPLAINED,
    "unsubscribed": UNSUBSCRIBED,
    "subscribed": None,
    "inbound": None,
    "inbound_failed": None,
    "unknown": None,
}


def status_for_event(event_type: str) -> str | None:
    """Our status for an anymail event type; None for the ones that change nothing."""
    return EVENT_STATUS.get(event_type)


KEY_MAX_LENGTH = 100


def _timestamp_text(timestamp) -> str:
    if timestamp is None:
        return ""
    if isinstance(timestamp, datetime):
        if timestamp.tzinfo is None:
            timestamp = timestamp.replace(tzinfo=UTC)
        return timestamp.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(timestamp, int | float) and not isinstance(timestamp, bool):
        return datetime.fromtimestamp(timestamp, tz=UTC).isoformat(timespec="microseconds")
    return str(timestamp).strip()


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def event_key(provider: str, message_id, event_type: str, timestamp, event_id=None) -> str:
    """The key that identifies one provider event, the same each time it is posted."""
    provider = str(provider).strip().lower()
    if event_id not in (None, ""):
        key = f"{provider}:id:{event_id}"
        if len(key) <= KEY_MAX_LENGTH:
            return key
        return f"{provider}:h:{_digest('id', str(event_id))}"
    when = _timestamp_text(timestamp)
    return f"{provider}:h:{_digest('event', str(message_id or ''), str(event_type), when)}"


#: raw provider event names (anymail keeps them in esp_event) that are temporary bounces
_SOFT_BOUNCE_EVENTS = frozenset({"soft_bounce", "soft_bounced", "SoftBounce"})


def is_hard_bounce(event) -> bool:
    """Whether an anymail tracking event is a permanent bounce (the address is invalid).

    Anymail reports soft and hard bounces alike as `bounced`; the raw payload
    tells them apart for Brevo and Mandrill (`event: soft_bounce`), MailerSend
    (`data.type: soft_bounced`), Postmark (`Type: SoftBounce`), Mailjet
    (`hard_bounce: false`) and Amazon SES (a "Transient" bounce type). A
    bounce whose payload says nothing is taken as permanent (SparkPost's
    bounce classes, for one, are not read).
    """
    if getattr(event, "event_type", None) != "bounced":
        return False
    if str(getattr(event, "description", "") or "").startswith("Transient"):
        return False
    raw = getattr(event, "esp_event", None)
    if not isinstance(raw, dict):
        return True
    data = raw.get("data")
    names = {
        raw.get("event"),
        raw.get("Type"),
        data.get("type") if isinstance(data, dict) else None,
    }
    if names & _SOFT_BOUNCE_EVENTS:
        return False
    return raw.get("hard_bounce", True) is not False
