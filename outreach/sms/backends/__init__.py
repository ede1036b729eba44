"""SMS backends: `get_backend()` gives the one settings.SMS_BACKEND names.

SMS_BACKEND is a dotted path ("outreach.sms.backends.brevo.SmsBackend" in
production, ".locmem.SmsBackend" in tests); without it, the console backend,
which sends nothing.
"""

from django.conf import settings
from django.utils.module_loading import import_string

from .base import (
    FAILED,
    SENT,
    UNKNOWN,
    BaseSmsBackend,
    RetryableSmsError,
    SmsMessage,
    SmsResult,
)

DEFAULT_BACKEND = "outreach.sms.backends.console.SmsBackend"

__all__ = [
    "FAILED",
    "SENT",
    "UNKNOWN",
    "BaseSmsBackend",
    "RetryableSmsError",
    "SmsMessage",
    "SmsResult",
    "get_backend",
]


def get_backend(backend: str | None = None, **kwargs) -> BaseSmsBackend:
    """An instance of `backend` (a dotted path), or of settings.SMS_BACKEND."""
    path = backend or getattr(settings, "SMS_BACKEND", "") or DEFAULT_BACKEND
    return import_string(path)(**kwargs)
