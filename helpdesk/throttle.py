"""The per-user limit on websocket frames: `FRAMES` per `WINDOW_SECONDS`.

Counted in the shared cache (Redis in production), so a user's tabs and the
daphne processes serving them share one budget. A fixed window: the key of
the current window is incremented atomically, or created at 1 by the first
frame of the window (`add`, which does nothing when another frame created
it meanwhile: that one is then counted by incrementing); the frames beyond
the limit get an error frame and change nothing.
"""

from __future__ import annotations

import time

from django.core.cache import cache

FRAMES = 20
WINDOW_SECONDS = 10


def allow_frame(user_id: int, now: float | None = None) -> bool:
    window = int((time.time() if now is None else now) // WINDOW_SECONDS)
    key = f"helpdesk:frames:{int(user_id)}:{window}"
    while True:
        try:
            return cache.incr(key) <= FRAMES
        except ValueError:  # the window's first frame
            if cache.add(key, 1, WINDOW_SECONDS * 2):
                return True
