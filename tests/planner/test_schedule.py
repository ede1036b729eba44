"""When a task is due, when its reminder goes, and in which tab it stands:
at midnight in Paris, and across the changes to summer and winter time
(2026: forward on 29 March at 2:00, back on 25 October at 3:00)."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from planner import actions, schedule
from planner.models import Task
from planner.schedule import DONE, OVERDUE, TODAY, UPCOMING, Reminder

from .conftest import paris

UTC = datetime.UTC


def tabs_at(user, now) -> dict[str, set[str]]:
    return {
        tab: set(
            Task.objects.owned_by(user)
            .filter(schedule.tab_filter(tab, now))
            .values_list("title", flat=True)
        )
        for tab in schedule.TAB_NAMES
    }


def task(user, title, day, time=None):
    return actions.create_task(
        user, title=title, due_date=day, due_time=time, now=paris(2026, 1, 1)
    )


# --- Tabs at midnight ------------------------------------------------------------------


def test_a_task_moves_from_upcoming_to_today_at_midnight_in_paris(marie):
    task(marie, "Rendez-vous", datetime.date(2026, 6, 10), datetime.time(0, 30))
    just_before = paris(2026, 6, 9, 23, 59, 59)
    midnight = paris(2026, 6, 10, 0, 0)
    assert tabs_at(marie, just_before)[UPCOMING] == {"Rendez-vous"}
    assert tabs_at(marie, midnight)[TODAY] == {"Rendez-vous"}


def test_a_task_of_today_is_overdue_at_the_next_midnight_not_before(marie):
    task(marie, "Dossier", datetime.date(2026, 6, 10))
    assert tabs_at(marie, paris(2026, 6, 10, 23, 59, 59))[TODAY] == {"Dossier"}
    assert tabs_at(marie, paris(2026, 6, 11, 0, 0))[OVERDUE] == {"Dossier"}


def test_midnight_is_paris_midnight_not_utc_midnight(marie):
    """At 23:30 UTC on 9 June it is already 10 June, 1:30, in Paris."""
    task(marie, "Tôt", datetime.date(2026, 6, 10))
    assert tabs_at(marie, datetime.datetime(2026, 6, 9, 23, 30, tzinfo=UTC))[TODAY] == {"Tôt"}
    assert tabs_at(marie, datetime.datetime(2026, 6, 9, 21, 59, tzinfo=UTC))[UPCOMING] == {"Tôt"}


@pytest.mark.parametrize(
    ("day", "utc_midnight"),
    [
        # The night the clocks go forward: Paris midnight is still UTC+1.
        (datetime.date(2026, 3, 29), datetime.datetime(2026, 3, 28, 23, 0, tzinfo=UTC)),
        # The day after: midnight is now UTC+2.
        (datetime.date(2026, 3, 30), datetime.datetime(2026, 3, 29, 22, 0, tzinfo=UTC)),
        # The night the clocks go back: Paris midnight is still UTC+2.
        (datetime.date(2026, 10, 25), datetime.datetime(2026, 10, 24, 22, 0, tzinfo=UTC)),
        # The day after: midnight is UTC+1 again.
        (datetime.date(2026, 10, 26), datetime.datetime(2026, 10, 25, 23, 0, tzinfo=UTC)),
    ],
)
def test_the_tabs_change_at_paris_midnight_across_daylight_saving(marie, day, utc_midnight):
    task(marie, "Bascule", day)
    second = datetime.timedelta(seconds=1)
    assert tabs_at(marie, utc_midnight - second)[UPCOMING] == {"Bascule"}
    assert tabs_at(marie, utc_midnight)[TODAY] == {"Bascule"}
    next_midnight = schedule.local_midnight(day + datetime.timedelta(days=1))
    assert tabs_at(marie, next_midnight - second)[TODAY] == {"Bascule"}
    assert tabs_at(marie, next_midnight)[OVERDUE] == {"Bascule"}


def test_the_days_around_a_change_of_time_last_23_and_25_hours():
    def length(day):
        start = schedule.local_midnight(day).astimezone(UTC)
        return schedule.local_midnight(day + datetime.timedelta(days=1)).astimezone(UTC) - start

    spring = length(datetime.date(2026, 3, 29))
    autumn = length(datetime.date(2026, 10, 25))
    assert spring == datetime.timedelta(hours=23)
    assert autumn == datetime.timedelta(hours=25)


def test_a_task_without_a_date_is_upcoming_and_a_done_one_is_done(marie):
    actions.create_task(marie, title="Un jour")
    late = task(marie, "Oubliée", datetime.date(2026, 1, 5))
    actions.mark_done(marie, late, now=paris(2026, 2, 1, 9, 0))
    tabs = tabs_at(marie, paris(2026, 2, 1, 10, 0))
    assert tabs[UPCOMING] == {"Un jour"}
    assert tabs[DONE] == {"Oubliée"}
    assert tabs[OVERDUE] == set()


def test_tab_of_agrees_with_the_filters(marie):
    now = paris(2026, 10, 25, 2, 30, fold=1)  # the second 2:30 of that night
    for title, day in (
        ("hier", datetime.date(2026, 10, 24)),
        ("aujourd’hui", datetime.date(2026, 10, 25)),
        ("demain", datetime.date(2026, 10, 26)),
    ):
        task(marie, title, day)
    tabs = tabs_at(marie, now)
    for item in Task.objects.owned_by(marie):
        assert item.title in tabs[schedule.tab_of(item, now)]


# --- Due moments and reminders ----------------------------------------------------------


def test_a_time_in_the_gap_of_the_spring_night_does_not_exist():
    assert not schedule.exists(datetime.date(2026, 3, 29), datetime.time(2, 30))
    assert schedule.exists(datetime.date(2026, 3, 29), datetime.time(3, 0))
    assert schedule.exists(datetime.date(2026, 10, 25), datetime.time(2, 30))  # twice, in fact
    with pytest.raises(ValidationError) as refused:
        schedule.check_moment(datetime.date(2026, 3, 29), datetime.time(2, 30))
    assert "due_time" in refused.value.message_dict


def test_a_time_repeated_in_the_autumn_night_is_the_first_one_in_summer_time():
    moment = schedule.due_moment(datetime.date(2026, 10, 25), datetime.time(2, 30))
    assert moment.astimezone(UTC) == datetime.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_a_due_moment_keeps_its_wall_clock_time_on_either_side_of_a_change():
    before = schedule.due_moment(datetime.date(2026, 3, 28), datetime.time(10, 0))
    after = schedule.due_moment(datetime.date(2026, 3, 30), datetime.time(10, 0))
    assert before.astimezone(UTC).hour == 9
    assert after.astimezone(UTC).hour == 8


@pytest.mark.parametrize(
    ("reminder", "expected"),
    [
        (Reminder.AT_TIME, paris(2026, 5, 14, 10, 30)),
        (Reminder.QUARTER, paris(2026, 5, 14, 10, 15)),
        (Reminder.HOUR, paris(2026, 5, 14, 9, 30)),
        (Reminder.DAY, paris(2026, 5, 13, 10, 30)),
        (None, None),
    ],
)
def test_each_reminder_goes_at_its_moment(reminder, expected):
    moment = schedule.reminder_moment(datetime.date(2026, 5, 14), datetime.time(10, 30), reminder)
    assert moment == expected


def test_one_day_before_is_the_same_wall_clock_time_the_day_before_across_a_change():
    """A task on 29 March at 10:00 (summer time since 2:00), reminded the day
    before: at 10:00 on 28 March (winter time), 23 hours earlier, not 24."""
    moment = schedule.reminder_moment(
        datetime.date(2026, 3, 29), datetime.time(10, 0), Reminder.DAY
    )
    assert moment == paris(2026, 3, 28, 10, 0)
    due = schedule.due_moment(datetime.date(2026, 3, 29), datetime.time(10, 0))
    assert due.astimezone(UTC) - moment.astimezone(UTC) == datetime.timedelta(hours=23)


def test_an_hour_before_is_an_elapsed_hour_across_the_gap():
    """3:30 on 29 March is 1:30 UTC; an hour before is 0:30 UTC, 1:30 in Paris."""
    moment = schedule.reminder_moment(
        datetime.date(2026, 3, 29), datetime.time(3, 30), Reminder.HOUR
    )
    assert moment.astimezone(UTC) == datetime.datetime(2026, 3, 29, 0, 30, tzinfo=UTC)


def test_a_task_without_a_time_is_reminded_relative_to_nine_in_the_morning():
    day = datetime.date(2026, 5, 14)
    assert schedule.reminder_moment(day, None, Reminder.AT_TIME) == paris(2026, 5, 14, 9, 0)
    assert schedule.reminder_moment(day, None, Reminder.HOUR) == paris(2026, 5, 14, 8, 0)
    assert schedule.reminder_moment(day, None, Reminder.DAY) == paris(2026, 5, 13, 9, 0)


def test_a_reminder_the_day_before_in_the_gap_goes_just_after_it():
    moment = schedule.reminder_moment(
        datetime.date(2026, 3, 30), datetime.time(2, 30), Reminder.DAY
    )
    assert moment.astimezone(UTC) == datetime.datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
