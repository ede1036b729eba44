"""When marketing SMS may not be sent: nights, Sundays and public holidays.

The rule (the French professional rule for marketing SMS, which carriers and
SMS providers apply): no marketing SMS from 22:00 to 08:00, on Sundays, or on a
French public holiday (metropolitan France: the `holidays` library's national
list, without Alsace-Moselle's Good Friday and 26 December). Hours are
Europe/Paris wall-clock hours, whatever the time zone of the moment asked
about, so a change to or from summer time moves them with the clocks.

`is_quiet(moment)` says why a moment is quiet ("" when sending is allowed);
`next_allowed(moment)` gives the first allowed moment at or after it: a
campaign scheduled on Saturday at 22:00 waits until Monday 08:00, or Tuesday
08:00 when Monday is Easter Monday or Whit Monday.
"""

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.utils.translation import get_language
from django.utils.translation import gettext as _

PARIS = ZoneInfo("Europe/Paris")
OPENS = time(8, 0)
CLOSES = time(22, 0)
SUNDAY = 6


@lru_cache(maxsize=4)
def _french_holidays(language: str):
    return holidays.France(language=language)


def holiday_name(day: date) -> str:
    """The French public holiday on `day` (named in the active language), or ""."""
    language = "fr" if (get_language() or "fr").startswith("fr") else "en_US"
    return _french_holidays(language).get(day) or ""


def _local(moment: datetime) -> datetime:
    """`moment` on Paris clocks; a naive moment is taken as Paris time."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=PARIS)
    return moment.astimezone(PARIS)


def _quiet_day(day: date) -> str:
    name = holiday_name(day)
    if name:
        return _("Marketing SMS are not sent on public holidays (%(holiday)s).") % {"holiday": name}
    if day.weekday() == SUNDAY:
        return _("Marketing SMS are not sent on Sundays.")
    return ""


def is_quiet(moment: datetime) -> str:
    """Why a marketing SMS may not be sent at `moment`, or "" if it may."""
    local = _local(moment)
    reason = _quiet_day(local.date())
    if reason:
        return reason
    if not OPENS <= local.time() < CLOSES:
        return _("Marketing SMS are not sent between 22:00 and 08:00.")
    return ""


def next_allowed(moment: datetime) -> datetime:
    """The first moment at or after `moment` when a marketing SMS may be
    sent: `moment` itself when allowed, else 08:00 (Paris) on the next day
    that is neither a Sunday nor a public holiday. Always timezone-aware."""
    local = _local(moment)
    if not is_quiet(local):
        return local if moment.tzinfo is None else moment
    day = local.date()
    if _quiet_day(day) or local.time() >= CLOSES:
        day += timedelta(days=1)
    while _quiet_day(day):
        day += timedelta(days=1)
    return datetime.combine(day, OPENS, tzinfo=PARIS)
