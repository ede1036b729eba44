"""Reminder e-mails: each sent once, whoever runs the sweep and how often.

`sweep(now)` is run every minute, by Celery beat in production
(`planner.send_due_reminders`, `CELERY_BEAT_SCHEDULE`), or by the
management command `send_reminders` with the embedded defaults (no beat).
It reads the reminders due (`remind_at` reached, not sent, task not done),
and claims each with a conditional update: `reminder_sent_at` is set only
where it is still empty and the reminder has not moved meanwhile. Only the
sweep whose update changed the row sends the e-mail, so two sweeps running
at the same instant, on two workers, send it once. There is no countdown
in the broker (which Redis could deliver twice, or lose): the database
says what is due.

A sending that fails gives its claim back (the next sweep tries again), at
most `MAX_TRIES` times in all for one reminder, counted in the cache. A
reminder due more than `TOO_LATE` ago (the sweep did not run for a day) is
marked sent without an e-mail: it would only arrive after the fact.

The e-mail is in the owner's language, plain text, with the task's date,
place, description, contact and its address in the workspace.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMessage, get_connection
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from . import schedule
from .models import Task
from .permissions import may_use_planner

logger = logging.getLogger(__name__)

BATCH = 500
MAX_TRIES = 3
TOO_LATE = datetime.timedelta(days=1)


def due(now) -> list[tuple[int, datetime.datetime]]:
    """(task id, remind_at) of the reminders to send at `now`, oldest first."""
    return list(
        Task.objects.filter(remind_at__lte=now, reminder_sent_at__isnull=True, done_at__isnull=True)
        .order_by("remind_at", "pk")
        .values_list("pk", "remind_at")[:BATCH]
    )


def claim(task_id: int, remind_at, now) -> bool:
    """Take this reminder for this sweep: True for one caller only."""
    return bool(
        Task.objects.filter(
            pk=task_id,
            remind_at=remind_at,
            reminder_sent_at__isnull=True,
            done_at__isnull=True,
        ).update(reminder_sent_at=now)
    )


def release(task_id: int, now) -> None:
    """Give back a claim whose e-mail could not be sent."""
    Task.objects.filter(pk=task_id, reminder_sent_at=now).update(reminder_sent_at=None)


def task_url(task: Task) -> str:
    path = reverse("planner_tasks:edit", args=[task.pk])
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def _language_of(user) -> str:
    profile = getattr(user, "wagtail_userprofile", None)
    return (profile and profile.get_preferred_language()) or settings.LANGUAGE_CODE


def when_label(task: Task) -> str:
    if task.due_date is None:
        return ""
    return schedule.moment_label(task.due_date, task.due_time)


def reminder_email(task: Task) -> EmailMessage:
    user = task.owner
    with translation.override(_language_of(user)):
        site = str(getattr(settings, "WAGTAIL_SITE_NAME", "CRM"))
        subject = _("[%(site)s] Reminder: %(title)s, %(when)s") % {
            "site": site,
            "title": task.title,
            "when": when_label(task),
        }
        lines = [
            _("Your task “%(title)s” is due %(when)s.")
            % {"title": task.title, "when": when_label(task)}
        ]
        if task.place:
            lines.append(_("Place: %(place)s") % {"place": task.place})
        concerned = [
            str(record)
            for record in (task.organisation, task.person)
            if record is not None and record.trashed_at is None
        ]
        if concerned:
            lines.append(_("Concerns: %(records)s.") % {"records": ", ".join(concerned)})
        parts = ["\n".join(lines)]
        if task.description:
            parts.append(task.description)
        parts.append(_("Open the task: %(url)s") % {"url": task_url(task)})
        parts.append(
            _("You receive this e-mail because you chose a reminder for this task in the planner.")
        )
    return EmailMessage(subject, "\n\n".join(parts), settings.DEFAULT_FROM_EMAIL, [user.email])


def _tries_key(task_id: int, remind_at) -> str:
    return f"planner:reminder-tries:{task_id}:{int(remind_at.timestamp())}"


def _failed(task_id: int, remind_at, now) -> None:
    key = _tries_key(task_id, remind_at)
    cache.add(key, 0, timeout=int(TOO_LATE.total_seconds()) * 2)
    try:
        tries = cache.incr(key)
    except ValueError:
        tries = MAX_TRIES
    if tries < MAX_TRIES:
        release(task_id, now)
    else:
        logger.error("planner: reminder of task %s given up after %s tries", task_id, tries)


def sweep(now=None) -> int:
    """Send the reminders due at `now`; return how many e-mails this sweep sent."""
    now = now or schedule.now()
    sent = 0
    connection = None
    for task_id, remind_at in due(now):
        if not claim(task_id, remind_at, now):
            continue  # another sweep took it
        task = (
            Task.objects.select_related(
                "owner", "owner__wagtail_userprofile", "organisation", "person"
            )
            .filter(pk=task_id)
            .first()
        )
        if task is None:
            continue
        owner = task.owner
        if remind_at < now - TOO_LATE or not (owner.email and may_use_planner(owner)):
            continue  # kept as sent: too late, or nobody (active, with the planner) to write to
        connection = connection or get_connection()
        try:
            connection.send_messages([reminder_email(task)])
        except Exception:
            logger.exception("planner: the reminder of task %s could not be sent", task_id)
            _failed(task_id, remind_at, now)
            continue
        sent += 1
    return sent
