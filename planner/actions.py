"""Every write on tasks and calendar feeds, one function each, called alike
by the admin views, the bulk actions, the demo seed and the tests.

Each checks access (`planner.permissions`: a user writes their own tasks
only, one `PermissionDenied`), validates (a `ValidationError` by field,
every problem at once, and nothing is written), writes in a transaction and
records the audit log entry (`TaskLogEntry`, read by the owner only).

The rules that hold on every path:

* a task has a title (1 to 200 characters, spaces folded), an optional place
  (200) and description (10,000), no NUL character;
* a time needs a date; dates are between 2000 and 2100; a time that does
  not exist that day in Paris (the night the clocks go forward) is refused
  (`planner.schedule.check_moment`);
* a reminder needs a date, is one of `schedule.Reminder`, and cannot be in
  the past when it is set or moved; moving it (a new date, time or choice)
  makes it due again, unchanged it keeps its sent mark;
* the organisation and the person it concerns, if any, are records the
  user may see and that are not in the trash;
* done and not done again are their own actions (`mark_done`,
  `mark_not_done`), logged as such.

`now` may be given (an aware datetime) so that tests say which instant they mean.
"""

from __future__ import annotations

import datetime
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from directory.audit import log_change, values_of
from directory.models import Organisation, Person

from . import schedule
from .models import MAX_DESCRIPTION, MAX_PLACE, MAX_TITLE, CalendarFeed, Task, hash_token
from .permissions import ADD, CHANGE, DELETE, access_planner, access_task

CREATE_ACTION = "wagtail.create"
EDIT_ACTION = "wagtail.edit"
DELETE_ACTION = "wagtail.delete"
DONE_ACTION = "planner.done"
REOPEN_ACTION = "planner.reopen"
FEED_ON_ACTION = "planner.feed_on"
FEED_RENEWED_ACTION = "planner.feed_renewed"
FEED_OFF_ACTION = "planner.feed_off"

FIELDS = (
    "title",
    "place",
    "due_date",
    "due_time",
    "reminder",
    "description",
    "organisation",
    "person",
)
SCHEDULE_FIELDS = ("due_date", "due_time", "reminder")


# --- Validation -----------------------------------------------------------------------


def _text(value, name: str, *, maximum: int, required: bool = False, lines: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError({name: _("Enter text.")})
    if "\x00" in value:
        raise ValidationError({name: _("This text holds a character that cannot be stored.")})
    if lines:
        value = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    else:
        value = " ".join(value.split())
    if required and not value:
        raise ValidationError({name: _("Give the task a title.")})
    if len(value) > maximum:
        raise ValidationError(
            {
                name: _("At most %(max)s characters.")
                % {"max": number_format(maximum, force_grouping=True)}
            }
        )
    return value


def _date(value, name: str):
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        raise ValidationError({name: _("Enter a real date, as DD/MM/YYYY.")})
    return value


def _time(value, name: str):
    if value is None or value == "":
        return None
    if not isinstance(value, datetime.time):
        raise ValidationError({name: _("Enter a time, as HH:MM.")})
    return value.replace(second=0, microsecond=0, tzinfo=None)


def _reminder(value):
    if value in (None, ""):
        return None
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or value not in schedule.Reminder.VALUES:
        raise ValidationError({"reminder": _("Choose one of the proposed reminders.")})
    return value


def may_see_record(user, record) -> bool:
    """Whether `user` may see this directory record (and it is not in the trash)."""
    if isinstance(record, Organisation):
        model, permission = Organisation, "directory.view_organisation"
    elif isinstance(record, Person):
        model, permission = Person, "directory.view_person"
    else:
        return False
    return user.has_perm(permission) and model.objects.filter(pk=record.pk).exists()


def _contact(user, value, name: str, model):
    if value is None:
        return None
    if not isinstance(value, model) or value.pk is None:
        raise ValidationError({name: _("Choose a record of the directory.")})
    permission = f"directory.view_{model._meta.model_name}"
    if not user.has_perm(permission):
        raise ValidationError({name: _("You may not see this record of the directory.")})
    live = model.objects.filter(pk=value.pk).exists()
    if not live:
        if model.all_objects.filter(pk=value.pk).exists():
            if model is Organisation:
                message = _(
                    "This organisation is in the trash: restore it first, or choose another."
                )
            else:
                message = _("This person is in the trash: restore them first, or choose another.")
        else:
            message = _("This record of the directory no longer exists.")
        raise ValidationError({name: message})
    return value


def clean_fields(user, values: dict, *, kept: tuple = ()) -> dict:
    """`values` as they will be stored, or one ValidationError naming every problem.
    The contacts named in `kept` are those the task had already: not checked
    again (a task keeps its link to a record moved to the trash since)."""
    checks = {
        "title": lambda v: _text(v, "title", maximum=MAX_TITLE, required=True),
        "place": lambda v: _text(v, "place", maximum=MAX_PLACE),
        "description": lambda v: _text(v, "description", maximum=MAX_DESCRIPTION, lines=True),
        "due_date": lambda v: _date(v, "due_date"),
        "due_time": lambda v: _time(v, "due_time"),
        "reminder": _reminder,
        "organisation": lambda v: _contact(user, v, "organisation", Organisation),
        "person": lambda v: _contact(user, v, "person", Person),
    }
    cleaned, errors = {}, {}
    for name, value in values.items():
        if name in kept:
            cleaned[name] = value
            continue
        try:
            cleaned[name] = checks[name](value)
        except ValidationError as error:
            errors.update(error.message_dict)
    if not errors:
        try:
            schedule.check_moment(cleaned.get("due_date"), cleaned.get("due_time"))
        except ValidationError as error:
            errors.update(error.message_dict)
    if not errors and cleaned.get("reminder") is not None and cleaned.get("due_date") is None:
        errors["reminder"] = [_("A reminder needs a date: choose the day first.")]
    if errors:
        raise ValidationError(errors)
    return cleaned


def _reminder_in_the_past(moment) -> ValidationError:
    local = moment.astimezone(schedule.zone())
    return ValidationError(
        {
            "reminder": _(
                "This reminder would be in the past (%(moment)s): choose a later one, or none."
            )
            % {"moment": schedule.moment_label(local.date(), local.time())}
        }
    )


def _audit_values(task: Task) -> dict:
    extra = {"due_time": schedule.time_label(task.due_time) if task.due_time else ""}
    return values_of(task, extra)


# --- Tasks ----------------------------------------------------------------------------


def create_task(user, *, now=None, **values) -> Task:
    """A new task of `user`'s."""
    access_planner(user)
    if not user.has_perm(ADD):
        raise PermissionDenied(_("You are not allowed to add tasks."))
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise TypeError(f"unknown task fields: {sorted(unknown)}")
    values = {"title": "", **values}
    cleaned = clean_fields(user, values)
    now = now or schedule.now()
    remind_at = schedule.reminder_moment(
        cleaned.get("due_date"), cleaned.get("due_time"), cleaned.get("reminder")
    )
    if remind_at is not None and remind_at <= now:
        raise _reminder_in_the_past(remind_at)
    with transaction.atomic():
        task = Task.objects.create(owner=user, remind_at=remind_at, **cleaned)
        log(task, CREATE_ACTION, user=user)
    return task


def update_task(user, task: Task, *, now=None, **changes) -> Task:
    """Change the fields of `task` named in `changes`."""
    access_task(user, task, CHANGE)
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise TypeError(f"unknown task fields: {sorted(unknown)}")
    values = {**{name: getattr(task, name) for name in FIELDS}, **changes}
    kept = tuple(
        name
        for name in ("organisation", "person")
        if values[name] is not None
        and getattr(values[name], "pk", None) == getattr(task, f"{name}_id")
    )
    cleaned = clean_fields(user, values, kept=kept)
    now = now or schedule.now()
    remind_at = schedule.reminder_moment(
        cleaned["due_date"], cleaned["due_time"], cleaned["reminder"]
    )
    moved = remind_at != task.remind_at
    if moved and remind_at is not None and remind_at <= now:
        raise _reminder_in_the_past(remind_at)
    with transaction.atomic():
        task = Task.objects.select_for_update().get(pk=task.pk)
        before = _audit_values(task)
        for name, value in cleaned.items():
            setattr(task, name, value)
        if moved:
            task.remind_at = remind_at
            task.reminder_sent_at = None
        task.save()
        log_change(task, before, user=user, extra=_audit_values(task))
    return task


def delete_task(user, task: Task) -> None:
    access_task(user, task, DELETE)
    with transaction.atomic():
        log(task, DELETE_ACTION, user=user)
        Task.objects.filter(pk=task.pk).delete()
        _feed_changed(user)


def delete_tasks(user, tasks) -> int:
    """Delete these tasks of `user`'s (all of them, or none when one is not theirs)."""
    tasks = list(tasks)
    for task in tasks:
        access_task(user, task, DELETE)
    with transaction.atomic():
        for task in tasks:
            log(task, DELETE_ACTION, user=user)
        Task.objects.filter(pk__in=[task.pk for task in tasks], owner=user).delete()
        _feed_changed(user)
    return len(tasks)


def mark_done(user, task: Task, *, now=None) -> bool:
    """Mark `task` done now; False when it was done already (nothing changes)."""
    access_task(user, task, CHANGE)
    now = now or schedule.now()
    with transaction.atomic():
        changed = Task.objects.filter(pk=task.pk, done_at__isnull=True).update(
            done_at=now, updated_at=now
        )
        if changed:
            task.done_at = now
            log(task, DONE_ACTION, user=user)
    return bool(changed)


def mark_not_done(user, task: Task, *, now=None) -> bool:
    """Put `task` back among those to do; False when it was not done."""
    access_task(user, task, CHANGE)
    now = now or schedule.now()
    with transaction.atomic():
        changed = Task.objects.filter(pk=task.pk, done_at__isnull=False).update(
            done_at=None, updated_at=now
        )
        if changed:
            task.done_at = None
            log(task, REOPEN_ACTION, user=user)
    return bool(changed)


def mark_tasks_done(user, tasks, *, now=None) -> int:
    tasks = list(tasks)
    for task in tasks:
        access_task(user, task, CHANGE)
    with transaction.atomic():
        return sum(mark_done(user, task, now=now) for task in tasks)


# --- Calendar feed --------------------------------------------------------------------

TOKEN_BYTES = 32  # 43 URL-safe characters


def _feed_changed(user, now=None) -> None:
    """Tell the feed's readers that something left it (its Last-Modified moves)."""
    CalendarFeed.objects.filter(owner_id=user.pk).update(changed_at=now or schedule.now())


def feed_of(user) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(owner_id=user.pk).first()


def turn_feed_on(user, *, now=None) -> str:
    """Give `user` a feed with a new secret address (replacing any former one);
    return the token, which is stored only hashed: it is shown once."""
    access_planner(user)
    now = now or schedule.now()
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with transaction.atomic():
        feed = CalendarFeed.objects.select_for_update().filter(owner_id=user.pk).first()
        if feed is None:
            feed = CalendarFeed.objects.create(
                owner=user, token_hash=hash_token(token), created_at=now, changed_at=now
            )
            log(feed, FEED_ON_ACTION, user=user)
        else:
            feed.token_hash = hash_token(token)
            feed.created_at = now
            feed.changed_at = now
            feed.last_read_at = None
            feed.save()
            log(feed, FEED_RENEWED_ACTION, user=user)
    return token


def renew_feed(user, *, now=None) -> str:
    """A new secret address for `user`'s feed: the former one answers 404 from now on."""
    return turn_feed_on(user, now=now)


def revoke_feed(user) -> bool:
    """Turn `user`'s feed off: its address answers 404. False when there was none."""
    access_planner(user)
    with transaction.atomic():
        feed = CalendarFeed.objects.select_for_update().filter(owner_id=user.pk).first()
        if feed is None:
            return False
        log(feed, FEED_OFF_ACTION, user=user)
        feed.delete()
    return True
