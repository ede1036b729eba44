"""The benchmark's in-memory e-mail backend, readable from another process.

Django's locmem backend keeps messages in the worker's memory, out of the
benchmark's reach. This one does what locmem does (renders each message
and keeps nothing but a trace) and appends each recipient to a file of its
process in `BENCH_OUTREACH_DIR`, flushed at once, so that the benchmark
counts, from its own process, the messages handed to the backend and the
ones handed twice, even of a worker killed mid-campaign.
"""

import os
import tempfile
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend


def trace_dir() -> Path:
    default = Path(tempfile.gettempdir()) / "crm-bench-outreach"
    return Path(os.environ.get("BENCH_OUTREACH_DIR") or default)


class TracingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        messages = list(email_messages)
        if not messages:
            return 0
        for message in messages:
            message.message()  # rendered as a real backend would
        directory = trace_dir()
        directory.mkdir(parents=True, exist_ok=True)
        with open(directory / f"{os.getpid()}.txt", "a", encoding="utf-8") as trace:
            trace.write("".join(f"{message.to[0]}\n" for message in messages))
        return len(messages)


def handed() -> list[str]:
    """Every recipient handed to the backend, by every process, since `reset`."""
    found = []
    for path in sorted(trace_dir().glob("*.txt")):
        found += path.read_text(encoding="utf-8").splitlines()
    return found


def reset() -> None:
    directory = trace_dir()
    directory.mkdir(parents=True, exist_ok=True)
    for path in directory.glob("*.txt"):
        path.unlink()
