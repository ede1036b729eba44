"""Marketing SMS wait for the day: not 22:00-08:00, Sundays or public holidays."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from outreach.sms.quiet_hours import is_quiet, next_allowed

PARIS = ZoneInfo("Europe/Paris")

pytestmark = pytest.mark.real_quiet_hours


def paris(*args):
    return datetime(*args, tzinfo=PARIS)


def test_a_weekday_afternoon_is_allowed_and_kept_as_it_is():
    moment = paris(2025, 6, 3, 15, 30)  # Tuesday
    assert is_quiet(moment) == ""
    assert next_allowed(moment) == moment


def test_the_day_starts_at_8_and_ends_before_22():
    assert is_quiet(paris(2025, 6, 3, 8, 0)) == ""
    assert is_quiet(paris(2025, 6, 3, 21, 59, 59)) == ""
    assert is_quiet(paris(2025, 6, 3, 22, 0)) != ""
    assert is_quiet(paris(2025, 6, 3, 7, 59)) != ""


def test_a_weekday_night_waits_until_8_the_next_morning():
    assert next_allowed(paris(2025, 6, 3, 22, 0)) == paris(2025, 6, 4, 8, 0)
    assert next_allowed(paris(2025, 6, 4, 0, 30)) == paris(2025, 6, 4, 8, 0)
    assert next_allowed(paris(2025, 6, 4, 7, 59)) == paris(2025, 6, 4, 8, 0)


def test_saturday_evening_before_22_is_allowed():
    moment = paris(2025, 6, 14, 21, 59)  # Saturday
    assert is_quiet(moment) == ""
    assert next_allowed(moment) == moment


def test_saturday_22_waits_until_monday_8():
    assert next_allowed(paris(2025, 6, 14, 22, 0)) == paris(2025, 6, 16, 8, 0)


def test_sunday_is_quiet_all_day():
    with translation.override("en"):
        assert is_quiet(paris(2025, 6, 15, 12, 0)) == "Marketing SMS are not sent on Sundays."
    assert next_allowed(paris(2025, 6, 15, 12, 0)) == paris(2025, 6, 16, 8, 0)


def test_easter_monday_makes_saturday_night_wait_until_tuesday():
    # Easter 2025: Sunday 20 April; Easter Monday 21 April.
    assert next_allowed(paris(2025, 4, 19, 22, 0)) == paris(2025, 4, 22, 8, 0)
    with translation.override("fr"):
        assert is_quiet(paris(2025, 4, 21, 10, 0)) == (
            "Les SMS marketing ne partent pas les jours fériés (Lundi de Pâques)."
        )


def test_whit_monday_makes_saturday_night_wait_until_tuesday():
    # Pentecost 2025: Sunday 8 June; Whit Monday 9 June.
    assert next_allowed(paris(2025, 6, 7, 23, 0)) == paris(2025, 6, 10, 8, 0)


@pytest.mark.parametrize(
    ("moment", "allowed"),
    [
        (paris(2025, 5, 28, 22, 0), paris(2025, 5, 30, 8, 0)),  # Ascension Thursday
        (paris(2025, 10, 31, 22, 0), paris(2025, 11, 3, 8, 0)),  # All Saints' on a Saturday
        (paris(2026, 4, 30, 22, 0), paris(2026, 5, 2, 8, 0)),  # 1 May on a Friday
        (paris(2026, 8, 14, 21, 0), paris(2026, 8, 14, 21, 0)),  # the eve of 15 August
        (paris(2026, 8, 14, 22, 0), paris(2026, 8, 17, 8, 0)),  # 15 August on a Saturday
        (paris(2025, 12, 24, 23, 0), paris(2025, 12, 26, 8, 0)),  # Christmas
        (paris(2025, 12, 31, 22, 30), paris(2026, 1, 2, 8, 0)),  # New Year's Day
    ],
)
def test_long_weekends_and_holidays(moment, allowed):
    assert next_allowed(moment) == allowed


def test_alsace_moselle_holidays_are_not_metropolitan_ones():
    assert is_quiet(paris(2025, 4, 18, 10, 0)) == ""  # Good Friday
    assert is_quiet(paris(2025, 12, 26, 10, 0)) == ""  # Saint Stephen's Day


def test_hours_are_paris_hours_whatever_the_time_zone_of_the_moment():
    # 20:30 UTC is 22:30 in Paris in summer, 21:30 in winter.
    assert is_quiet(datetime(2025, 7, 1, 20, 30, tzinfo=UTC)) != ""
    assert is_quiet(datetime(2025, 1, 7, 20, 30, tzinfo=UTC)) == ""
    assert is_quiet(datetime(2025, 7, 1, 19, 59, tzinfo=UTC)) == ""
    assert is_quiet(datetime(2025, 1, 7, 20, 59, tzinfo=UTC)) == ""
    assert is_quiet(datetime(2025, 1, 7, 21, 0, tzinfo=UTC)) != ""


def test_spring_forward_weekend():
    # Clocks go from 02:00 to 03:00 on Sunday 30 March 2025.
    allowed = next_allowed(paris(2025, 3, 29, 23, 0))  # Saturday, UTC+1
    assert allowed == paris(2025, 3, 31, 8, 0)
    assert allowed.utcoffset().total_seconds() == 2 * 3600
    assert allowed == datetime(2025, 3, 31, 6, 0, tzinfo=UTC)
    # Asked in UTC during the missing hour: still Sunday, still Monday 08:00.
    assert next_allowed(datetime(2025, 3, 30, 1, 30, tzinfo=UTC)) == datetime(
        2025, 3, 31, 6, 0, tzinfo=UTC
    )


def test_fall_back_weekend():
    # Clocks go from 03:00 back to 02:00 on Sunday 26 October 2025.
    allowed = next_allowed(datetime(2025, 10, 25, 20, 0, tzinfo=UTC))  # Saturday 22:00 in Paris
    assert allowed == paris(2025, 10, 27, 8, 0)
    assert allowed == datetime(2025, 10, 27, 7, 0, tzinfo=UTC)
    # The doubled hour, both times through.
    assert next_allowed(datetime(2025, 10, 26, 0, 30, tzinfo=UTC)) == datetime(
        2025, 10, 27, 7, 0, tzinfo=UTC
    )
    assert next_allowed(datetime(2025, 10, 26, 1, 30, tzinfo=UTC)) == datetime(
        2025, 10, 27, 7, 0, tzinfo=UTC
    )


def test_weekday_night_across_a_dst_change_is_paris_8():
    # Friday 28 March 2025 at 23:00 (UTC+1) waits until Saturday 08:00 (still UTC+1).
    assert next_allowed(paris(2025, 3, 28, 23, 0)) == datetime(2025, 3, 29, 7, 0, tzinfo=UTC)


def test_the_answer_is_always_aware():
    assert next_allowed(datetime(2025, 6, 14, 23, 0)).tzinfo is not None  # naive: Paris time
    assert next_allowed(datetime(2025, 6, 3, 15, 0)).tzinfo is not None


def test_reasons_in_french():
    with translation.override("fr"):
        assert (
            is_quiet(paris(2025, 6, 3, 23, 0))
            == "Les SMS marketing ne partent pas entre 22\u00a0h et 8\u00a0h."
        )
        assert (
            is_quiet(paris(2025, 6, 15, 12, 0)) == "Les SMS marketing ne partent pas le dimanche."
        )
