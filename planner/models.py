"""Each user's tasks, their reminders, and their private calendar feed.

* A task belongs to its owner and to nobody else: no listing, URL, chooser,
  export, log entry or feed shows it to anyone else, administrators
  included (`planner.permissions`). It has a title, a place, a due date and
  an optional time (wall-clock, in Paris: `planner.schedule`), a
  description, a done mark with the instant it was done, and optionally the
  organisation and/or the person it concerns.
* Its reminder is chosen among a few (`schedule.Reminder`); `remind_at` is
  the instant it goes, computed when the task is saved, and
  `reminder_sent_at` marks it sent: the sweep claims a reminder by setting
  it with a conditional update (`planner.reminders`), so it goes once.
* `uid` names the task in calendars for good, whatever is changed.
* A calendar feed is a secret address; only the SHA-256 of its token is
  stored (`CalendarFeed.token_hash`), so the address cannot be read back
  from the database, only replaced (renewed) or removed (revoked).
* The audit log of tasks is their own (`TaskLogEntry`), read only by the
  task's owner in the site history.

Writes go through `planner.actions`.
"""

import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _
from wagtail.models import BaseLogEntry
from wagtail.models.audit_log import LogEntryQuerySet, ModelLogEntryManager

from directory.text import fold

from .schedule import Reminder

MAX_TITLE = 200
MAX_PLACE = 200
MAX_DESCRIPTION = 10_000


class TaskQuerySet(models.QuerySet):
    def owned_by(self, user):
        """The tasks of `user` (none for an anonymous visitor)."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(owner_id=user.pk)

    def about(self, record):
        """The tasks that concern `record` (an organisation or a person)."""
        from directory.models import Organisation, Person

        if isinstance(record, Organisation):
            return self.filter(organisation_id=record.pk)
        if isinstance(record, Person):
            return self.filter(person_id=record.pk)
        return self.none()


class Task(models.Model):
    # Out of Wagtail's reference index: an organisation's "usage" screen
    # would otherwise list every user's tasks about it.
    wagtail_reference_index_ignore = True

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="planner_tasks",
        editable=False,
    )
    title = models.CharField(_("title"), max_length=MAX_TITLE)
    place = models.CharField(_("place"), max_length=MAX_PLACE, blank=True)
    due_date = models.DateField(_("date"), null=True, blank=True)
    due_time = models.TimeField(_("time"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True, max_length=MAX_DESCRIPTION)
    reminder = models.PositiveIntegerField(
        _("reminder"), null=True, blank=True, choices=Reminder.CHOICES
    )
    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="planner_tasks",
    )
    person = models.ForeignKey(
        "directory.Person",
        verbose_name=_("person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="planner_tasks",
    )
    done_at = models.DateTimeField(_("done on"), null=True, blank=True, editable=False)
    remind_at = models.DateTimeField(_("reminder at"), null=True, blank=True, editable=False)
    reminder_sent_at = models.DateTimeField(
        _("reminder sent"), null=True, blank=True, editable=False
    )
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Title, place and description folded (no case, no accents): what the
    # task list's search looks in, so that "reunion" finds "Réunion".
    search_text = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["due_date", "due_time", "pk"]
        indexes = [
            models.Index(fields=["owner", "due_date"], name="task_owner_due"),
            # The reminder sweep reads the unsent reminders in time order.
            models.Index(
                fields=["remind_at"],
                name="task_reminder_due",
                condition=Q(reminder_sent_at__isnull=True, done_at__isnull=True),
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.search_text = fold(
            " ".join((self.title or "", self.place or "", self.description or ""))
        )
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    @property
    def is_all_day(self) -> bool:
        return self.due_time is None


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class CalendarFeed(models.Model):
    """A user's private calendar feed: the hash of its secret token."""

    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="planner_feed",
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"))
    # The last time something left the feed (a task deleted, the address renewed).
    changed_at = models.DateTimeField()
    last_read_at = models.DateTimeField(_("last read"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self):
        return str(_("Calendar feed"))


class TaskLogQuerySet(LogEntryQuerySet):
    def viewable_by_user(self, user):
        """The entries of the user's own tasks (those deleted since too: they wrote them)."""
        if user is None or not user.is_authenticated:
            return self.none()
        from django.contrib.contenttypes.models import ContentType

        keys = Task.objects.owned_by(user).annotate(key=Cast("pk", models.CharField()))
        tasks = ContentType.objects.get_for_model(Task)
        return self.filter(
            Q(user_id=user.pk) | Q(content_type=tasks, object_id__in=keys.values("key"))
        )


class TaskLogManager(ModelLogEntryManager):
    """Wagtail's reports ask the manager; ours answers with the owner's entries only."""

    def get_queryset(self):
        return TaskLogQuerySet(self.model, using=self._db)

    def viewable_by_user(self, user):
        return self.get_queryset().viewable_by_user(user)


class TaskLogEntry(BaseLogEntry):
    object_id = models.CharField(max_length=255, db_index=True)

    objects = TaskLogManager()

    class Meta(BaseLogEntry.Meta):
        ordering = ["-timestamp", "-id"]
        verbose_name = _("task log entry")
        verbose_name_plural = _("task log entries")
