"""A user's tasks as an iCalendar feed, for calendar applications to subscribe to.

Tasks are events (VEVENT), not to-dos: Google Calendar and Outlook ignore
VTODO in a subscription. So that a subscribed calendar shows what the
planner shows:

* a task with a time is an event in the Europe/Paris time zone (its
  VTIMEZONE with the European rules is in the feed), lasting
  `TIMED_LENGTH`; a task without a time is an all-day event (DATE values);
  a task without a date is not in the feed;
* its UID is the task's `uid`, which never changes, so an edited task is
  updated in place, never duplicated; DTSTAMP and LAST-MODIFIED are the
  task's last change, so the feed's bytes change only when a task does;
* a reminder is an alarm (VALARM, DISPLAY) at the same moment as the
  e-mail: minutes before the start, the same time the day before for "1
  day before", and for an all-day task relative to 9:00 that day;
* a task done reads "✓ title"; tasks due more than `PAST_DAYS` ago are left out.

The text is in the owner's language. `feed_response` answers with an ETag
(the hash of the content) and Last-Modified, and 304 to a calendar that
has it already.
"""

from __future__ import annotations

import datetime
import hashlib

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import gettext as _
from icalendar import Alarm, Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard

from . import schedule
from .models import CalendarFeed, Task

TIMED_LENGTH = datetime.timedelta(minutes=30)
PAST_DAYS = 365
REFRESH = datetime.timedelta(minutes=15)
PRODID = "-//CRM Culture//Planner//FR"


def _language_of(user) -> str:
    profile = getattr(user, "wagtail_userprofile", None)
    return (profile and profile.get_preferred_language()) or settings.LANGUAGE_CODE


def paris_timezone() -> Timezone:
    """The VTIMEZONE of Europe/Paris: the European rules since 1996 (summer
    time from the last Sunday of March, 2:00, to the last Sunday of October,
    3:00), written as recurrence rules as calendar applications expect."""
    tz = Timezone()
    tz.add("tzid", "Europe/Paris")
    tz.add("x-lic-location", "Europe/Paris")
    summer = TimezoneDaylight()
    summer.add("tzname", "CEST")
    summer.add("tzoffsetfrom", datetime.timedelta(hours=1))
    summer.add("tzoffsetto", datetime.timedelta(hours=2))
    summer.add("dtstart", datetime.datetime(1970, 3, 29, 2, 0))
    summer.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "-1su"})
    winter = TimezoneStandard()
    winter.add("tzname", "CET")
    winter.add("tzoffsetfrom", datetime.timedelta(hours=2))
    winter.add("tzoffsetto", datetime.timedelta(hours=1))
    winter.add("dtstart", datetime.datetime(1970, 10, 25, 3, 0))
    winter.add("rrule", {"freq": "yearly", "bymonth": 10, "byday": "-1su"})
    tz.add_component(summer)
    tz.add_component(winter)
    return tz


def time_zone_component() -> Timezone:
    key = schedule.zone().key
    if key == "Europe/Paris":
        return paris_timezone()
    return Timezone.from_tzid(key)


def alarm_trigger(task: Task) -> datetime.timedelta | None:
    """When the alarm rings, relative to the event's start."""
    if task.reminder is None:
        return None
    if task.reminder == schedule.Reminder.DAY:
        before = datetime.timedelta(days=1)
    else:
        before = datetime.timedelta(minutes=task.reminder)
    if task.due_time is None:
        at = schedule.ALL_DAY_REMINDER_TIME
        return datetime.timedelta(hours=at.hour, minutes=at.minute) - before
    return -before


def task_url(task: Task) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse(
        "planner_tasks:edit", args=[task.pk]
    )


def _live(record):
    return record if record is not None and record.trashed_at is None else None


def task_event(task: Task) -> Event:
    event = Event()
    event.add("uid", str(task.uid))
    event.add("dtstamp", task.updated_at.astimezone(datetime.UTC))
    event.add("created", task.created_at.astimezone(datetime.UTC))
    event.add("last-modified", task.updated_at.astimezone(datetime.UTC))
    summary = task.title if task.done_at is None else _("✓ %(title)s") % {"title": task.title}
    event.add("summary", summary)
    if task.due_time is None:
        event.add("dtstart", task.due_date)
        event.add("dtend", task.due_date + datetime.timedelta(days=1))
    else:
        start = schedule.due_moment(task.due_date, task.due_time)
        end = (start.astimezone(datetime.UTC) + TIMED_LENGTH).astimezone(schedule.zone())
        event.add("dtstart", start)
        event.add("dtend", end)
    if task.place:
        event.add("location", task.place)
    lines = []
    if task.description:
        lines.append(task.description)
    concerned = [str(r) for r in (_live(task.organisation), _live(task.person)) if r]
    if concerned:
        lines.append(_("Concerns: %(records)s.") % {"records": ", ".join(concerned)})
    url = task_url(task)
    lines.append(url)
    event.add("description", "\n\n".join(lines))
    event.add("url", url)
    event.add("class", "PRIVATE")
    event.add("transp", "TRANSPARENT")
    trigger = alarm_trigger(task)
    if trigger is not None and task.done_at is None:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", task.title)
        alarm.add("trigger", trigger)
        event.add_component(alarm)
    return event


def feed_tasks(user, now):
    since = schedule.local_today(now) - datetime.timedelta(days=PAST_DAYS)
    return list(
        Task.objects.owned_by(user)
        .filter(due_date__isnull=False, due_date__gte=since)
        .select_related("organisation", "person")
        .order_by("due_date", "due_time", "pk")
    )


def calendar_for(user, tasks) -> Calendar:
    with translation.override(_language_of(user)):
        name = _("Tasks of %(name)s") % {
            "name": user.get_full_name().strip() or user.get_username()
        }
        calendar = Calendar()
        calendar.add("prodid", PRODID)
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        calendar.add("method", "PUBLISH")
        calendar.add("name", name)
        calendar.add("x-wr-calname", name)
        calendar.add("x-wr-timezone", schedule.zone().key)
        calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", REFRESH)
        calendar.add_component(time_zone_component())
        for task in tasks:
            calendar.add_component(task_event(task))
    return calendar


def last_modified(feed: CalendarFeed, tasks) -> datetime.datetime:
    moments = [feed.changed_at]
    for task in tasks:
        moments.append(task.updated_at)
        for record in (task.organisation, task.person):
            if record is not None:
                moments.append(record.updated_at)
    return max(moments)


def feed_response(request, feed: CalendarFeed, *, now=None) -> HttpResponse:
    now = now or schedule.now()
    user = feed.owner
    tasks = feed_tasks(user, now)
    body = calendar_for(user, tasks).to_ical()
    etag = '"' + hashlib.sha256(body).hexdigest()[:40] + '"'
    modified = last_modified(feed, tasks)
    unchanged = get_conditional_response(
        request, etag=etag, last_modified=int(modified.timestamp())
    )
    if unchanged is not None:
        response = unchanged
    else:
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'inline; filename="planner.ics"'
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified.timestamp())
    response["Cache-Control"] = "private, no-cache"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response
