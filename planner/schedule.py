"""When a task is due, when its reminder goes, and in which tab it stands.

Every date and time of a task is a wall-clock date and time in the
workspace's time zone (`settings.TIME_ZONE`, Europe/Paris), whatever time
zone a user chose for their own screens: a task "on 29/03 at 10:00" is at
10:00 in Paris, before and after the change to summer time alike.

* `due_moment(date, time)`: the instant a task is due (None without a
  time). A time that does not exist that day (02:30 on the night the
  clocks go forward) is refused with a clear error; a time that happens
  twice (02:30 on the night they go back) is the first one, in summer time.
* `reminder_moment(date, time, reminder)`: when the reminder e-mail goes.
  "15 minutes" and "1 hour before" are elapsed time before the due instant;
  "1 day before" is the same wall-clock time the day before (not 24 hours,
  which would be an hour off across a change of time), as a calendar's
  alarm of -P1D is. A task without a time is reminded relative to
  `ALL_DAY_REMINDER_TIME` (9:00) on its day.
* Tabs: overdue (not done, due before today), today (not done, due today),
  upcoming (not done, due later, or without a date), done. "Today" is the
  date in Paris at `now`, so each tab changes at midnight in Paris.

Every function takes `now` (an aware datetime), so that tests and the
reminder sweep say which instant they mean; the screens ask `now()`.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

OVERDUE = "overdue"
TODAY = "today"
UPCOMING = "upcoming"
DONE = "done"
TABS = (
    (OVERDUE, pgettext_lazy("planner tab", "Overdue")),
    (TODAY, pgettext_lazy("planner tab", "Today")),
    (UPCOMING, pgettext_lazy("planner tab", "Upcoming")),
    (DONE, pgettext_lazy("planner tab", "Done / past")),
)
TAB_NAMES = tuple(name for name, _label in TABS)
DEFAULT_TAB = TODAY

# The time of day a task without a time is reminded about.
ALL_DAY_REMINDER_TIME = datetime.time(9, 0)
# Dates a task may bear: anything else is a typing mistake.
FIRST_YEAR = 2000
LAST_YEAR = 2100


class Reminder:
    """The reminders one may choose, in minutes before the task (None: no reminder)."""

    AT_TIME = 0
    QUARTER = 15
    HOUR = 60
    DAY = 1440
    CHOICES = (
        (AT_TIME, gettext_lazy("At the time")),
        (QUARTER, gettext_lazy("15 minutes before")),
        (HOUR, gettext_lazy("1 hour before")),
        (DAY, gettext_lazy("1 day before")),
    )
    VALUES = frozenset(value for value, _label in CHOICES)


def now() -> datetime.datetime:
    """The current instant: the one clock of the planner's screens, actions
    and sweeps (tests set it, instead of freezing time)."""
    return timezone.now()


def zone() -> ZoneInfo:
    """The workspace's time zone (Europe/Paris)."""
    return ZoneInfo(settings.TIME_ZONE)


def local_today(now: datetime.datetime) -> datetime.date:
    """The date in Paris at the instant `now`."""
    return now.astimezone(zone()).date()


def local_midnight(day: datetime.date) -> datetime.datetime:
    """The instant `day` starts in Paris."""
    return datetime.datetime.combine(day, datetime.time(0, 0), tzinfo=zone())


def exists(day: datetime.date, time: datetime.time) -> bool:
    """Whether the wall-clock `time` happens on `day` in Paris (not in a gap
    when the clocks go forward)."""
    moment = datetime.datetime.combine(day, time, tzinfo=zone())
    back = moment.astimezone(datetime.UTC).astimezone(zone())
    return back.replace(tzinfo=None) == moment.replace(tzinfo=None)


def moment_label(day: datetime.date, time: datetime.time | None = None) -> str:
    """ "29/03/2026" or « 29/03/2026 à 10 h 00 »."""
    date_text = formats.date_format(day, "SHORT_DATE_FORMAT")
    if time is None:
        return date_text
    return _("%(date)s at %(hour)s:%(minute)s") % {
        "date": date_text,
        "hour": f"{time:%H}",
        "minute": f"{time:%M}",
    }


def time_label(time: datetime.time) -> str:
    """ "10 h 00" in French, "10:00" in English."""
    return _("%(hour)s:%(minute)s") % {"hour": f"{time:%H}", "minute": f"{time:%M}"}


def check_moment(day: datetime.date | None, time: datetime.time | None) -> None:
    """Refuse a time without a date, a date out of range, a time that does not exist."""
    if time is not None and day is None:
        raise ValidationError(
            {"due_time": _("A time needs a date: choose the day first, or leave the time empty.")}
        )
    if day is None:
        return
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValidationError(
            {
                "due_date": _("Choose a date between %(first)s and %(last)s.")
                % {"first": FIRST_YEAR, "last": LAST_YEAR}
            }
        )
    if time is not None and not exists(day, time):
        raise ValidationError(
            {
                "due_time": _(
                    "This time does not exist on %(date)s: the clocks go forward "
                    "an hour that night. Choose another time."
                )
                % {"date": formats.date_format(day, "SHORT_DATE_FORMAT")}
            }
        )


def due_moment(day: datetime.date | None, time: datetime.time | None):
    """The instant a task is due, or None for a task without a time (or a date)."""
    if day is None or time is None:
        return None
    return datetime.datetime.combine(day, time, tzinfo=zone())


def reminder_moment(
    day: datetime.date | None, time: datetime.time | None, reminder: int | None
) -> datetime.datetime | None:
    """When the reminder of a task goes, or None without a reminder or a date."""
    if reminder is None or day is None:
        return None
    at = time or ALL_DAY_REMINDER_TIME
    if reminder == Reminder.DAY:
        # The same wall-clock time the day before (a calendar day, not 24 hours).
        moment = datetime.datetime.combine(day - datetime.timedelta(days=1), at, tzinfo=zone())
        # A time skipped that night (the clocks go forward) becomes the instant
        # just after the gap.
        return moment.astimezone(datetime.UTC).astimezone(zone())
    # Minutes before the due instant, as elapsed time.
    due = datetime.datetime.combine(day, at, tzinfo=zone()).astimezone(datetime.UTC)
    return (due - datetime.timedelta(minutes=reminder)).astimezone(zone())


# --- Tabs -----------------------------------------------------------------------------


def tab_filter(tab: str, now: datetime.datetime) -> Q:
    """The tasks of `tab` at `now`, as a filter."""
    today = local_today(now)
    not_done = Q(done_at__isnull=True)
    if tab == OVERDUE:
        return not_done & Q(due_date__lt=today)
    if tab == TODAY:
        return not_done & Q(due_date=today)
    if tab == UPCOMING:
        return not_done & (Q(due_date__gt=today) | Q(due_date__isnull=True))
    if tab == DONE:
        return Q(done_at__isnull=False)
    raise ValueError(tab)


def tab_of(task, now: datetime.datetime) -> str:
    """The tab a task stands in at `now`."""
    if task.done_at is not None:
        return DONE
    if task.due_date is None:
        return UPCOMING
    today = local_today(now)
    if task.due_date < today:
        return OVERDUE
    if task.due_date == today:
        return TODAY
    return UPCOMING


def tab_label(tab: str) -> str:
    return str(dict(TABS)[tab])
