"""The per-user limit on websocket frames: `FRAMES` per `WINDOW_SECONDS`.

Counted in the shared cache (Redis in production), so a user's tabs and the
daphne processes serving them share one budget. A fixed window: the key of
the current window is created at 0 (`add`, which does nothing when it
exists) then incremented atomically; the frames beyond the limit get an
error frame and change nothing.
"""

from __future__ import annotations

import time

from django.core.cache import cache

FRAMES = 20
WINDOW_SECONDS = 10


def allow_frame(user_id: int, now: float | None = None) -> bool:
    window = int((time.time() if now is None else now) // WINDOW_SECONDS)
    key = f"helpdesk:frames:{int(user_id)}:{window}"
    cache.add(key, 0, WINDOW_SECONDS * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, WINDOW_SECONDS * 2)
        count = 1
    return count <= FRAMES
