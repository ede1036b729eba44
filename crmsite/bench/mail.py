"""The benchmark's in-memory e-mail backend, readable from another process.

Django's locmem backend keeps messages in the worker's memory, out of the
benchmark's reach. This one does what locmem does (accepts every message
and keeps nothing but a trace) and pushes each recipient to a Redis list,
so that the benchmark counts the messages handed to the backend, and the
ones handed twice, from its own process.
"""

import redis
from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend

KEY = "bench:outreach:recipients"


class RedisCountingBackend(BaseEmailBackend):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.client = redis.Redis.from_url(settings.REDIS_URL)

    def send_messages(self, email_messages):
        messages = list(email_messages)
        if messages:
            for message in messages:
                message.message()  # rendered as a real backend would
            self.client.rpush(KEY, *(message.to[0] for message in messages))
        return len(messages)
