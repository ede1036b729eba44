"""The per-user budget of websocket frames (`helpdesk.throttle`)."""

import pytest
from django.core.cache import cache

from helpdesk import throttle


@pytest.fixture
def now(theo, lea):
    """The start of a window far from the present one, counted from zero."""
    window = int(1_000_000_000 // throttle.WINDOW_SECONDS)
    keys = [f"helpdesk:frames:{user.pk}:{n}" for user in (theo, lea) for n in (window, window + 1)]
    cache.delete_many(keys)
    return window * throttle.WINDOW_SECONDS


def test_a_user_has_so_many_frames_per_window(theo, now):
    allowed = [throttle.allow_frame(theo.pk, now + 0.1 * n) for n in range(throttle.FRAMES + 2)]
    assert allowed == [True] * throttle.FRAMES + [False, False]


def test_the_next_window_starts_again(theo, now):
    for _frame in range(throttle.FRAMES + 1):
        throttle.allow_frame(theo.pk, now)
    assert throttle.allow_frame(theo.pk, now + throttle.WINDOW_SECONDS)


def test_each_user_has_their_own_budget(theo, lea, now):
    for _frame in range(throttle.FRAMES + 1):
        throttle.allow_frame(theo.pk, now)
    assert throttle.allow_frame(lea.pk, now)
