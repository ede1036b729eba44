"""An SMS backend that keeps the messages in memory (tests).

Like django.core.mail's locmem backend: every message sent is appended to
`outbox` (empty it between tests). To test what the sending code does when
the provider fails, put a number in `failures` with what the provider does for
it: an `SmsResult` (returned instead of sending) or an exception (raised, as a
`RetryableSmsError` would be, with the results of the messages before it).
"""

import itertools

from .base import SENT, BaseSmsBackend, RetryableSmsError, SmsResult

outbox = []
failures = {}
_ids = itertools.count(1)


def reset():
    """Empty the outbox and forget the failures."""
    outbox.clear()
    failures.clear()


class SmsBackend(BaseSmsBackend):
    def send_messages(self, messages):
        results = []
        for message in messages:
            failure = failures.get(message.to)
            if isinstance(failure, SmsResult):
                results.append(failure)
                continue
            if isinstance(failure, BaseException):
                if isinstance(failure, RetryableSmsError):
                    raise RetryableSmsError(str(failure), failure.retry_after, results)
                raise failure
            outbox.append(message)
            results.append(SmsResult(SENT, provider_id=f"locmem-{next(_ids)}"))
        return results
