"""The SMS backend interface, in the manner of Django's email backends.

A backend takes `SmsMessage`s and answers one `SmsResult` per message, in
order. What a result means for the sending code:

- ``sent``: the provider accepted the message (`provider_id` is its id);
- ``failed``: the provider refused it for good (`error` says why, in the
  provider's words): do not retry;
- ``unknown``: the request may or may not have reached the provider (a
  timeout or a connection lost after sending). Never resend it automatically:
  that is how a person gets the same SMS twice.

A temporary refusal (the provider is down or limits the rate) is not a
result: the backend raises `RetryableSmsError` with `retry_after` when the
provider gave it, and `results` for the messages of the batch handled before
it; the message that met the error and the ones after it were not sent and can
be sent again later.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings

SENT = "sent"
FAILED = "failed"
UNKNOWN = "unknown"
STATUSES = (SENT, FAILED, UNKNOWN)


@dataclass(frozen=True)
class SmsMessage:
    to: str  # E.164, "+33612345678" (see outreach.sms.numbers)
    body: str
    sender: str = ""  # "" for settings.SMS_SENDER
    reference: str = ""  # ours (a delivery's id), handed to the provider as a tag


@dataclass(frozen=True)
class SmsResult:
    status: str  # SENT, FAILED or UNKNOWN
    provider_id: str = ""
    error: str = ""
    code: str = ""  # the provider's error code ("not_enough_credits"), or "timeout", "connection"
    details: dict = field(default_factory=dict)  # what the provider answered


class RetryableSmsError(Exception):
    """A temporary refusal: nothing was sent for the message that met it."""

    def __init__(self, message: str, retry_after: float | None = None, results=()):
        super().__init__(message)
        self.retry_after = retry_after
        self.results = list(results)  # for the messages before the one that failed


class BaseSmsBackend:
    """Subclasses implement `send_messages`."""

    def __init__(self, **kwargs):
        self.default_sender = getattr(settings, "SMS_SENDER", "") or ""

    def sender_of(self, message: SmsMessage) -> str:
        return message.sender or self.default_sender

    def open(self):
        """Open what the backend needs for several sends (a connection)."""

    def close(self):
        """Close what `open` opened."""

    def __enter__(self):
        self.open()
        return self

    def __exit__(self, *exc_info):
        self.close()

    def send_messages(self, messages: Iterable[SmsMessage]) -> list[SmsResult]:
        raise NotImplementedError("subclasses of BaseSmsBackend must provide send_messages()")
