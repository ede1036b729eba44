"""An SMS backend that writes the messages to the console (development)."""

import sys
import threading
import uuid

from .base import SENT, BaseSmsBackend, SmsResult


class SmsBackend(BaseSmsBackend):
    def __init__(self, *args, stream=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.stream = stream or sys.stdout
        self._lock = threading.RLock()

    def send_messages(self, messages):
        results = []
        with self._lock:
            for message in messages:
                provider_id = f"console-{uuid.uuid4().hex}"
                self.stream.write(
                    f"SMS {provider_id}\n"
                    f"From: {self.sender_of(message)}\n"
                    f"To: {message.to}\n"
                    f"Reference: {message.reference}\n\n"
                    f"{message.body}\n"
                    f"{'-' * 79}\n"
                )
                results.append(SmsResult(SENT, provider_id=provider_id))
            self.stream.flush()
        return results
