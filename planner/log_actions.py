"""The audit-log actions of the planner, with their labels (registered in wagtail_hooks).

Tasks and the calendar feed write to `TaskLogEntry`, which only their owner
reads; an edit lists what changed (`directory.audit`), « Faite » and « À
refaire » are their own entries, and so are turning the feed on, renewing
its address and turning it off (never the address itself).
"""

from django.utils.translation import gettext_lazy
from wagtail.log_actions import LogFormatter

from .actions import (
    DONE_ACTION,
    FEED_OFF_ACTION,
    FEED_ON_ACTION,
    FEED_RENEWED_ACTION,
    REOPEN_ACTION,
)
from .models import CalendarFeed, Task, TaskLogEntry


class DoneFormatter(LogFormatter):
    label = gettext_lazy("Mark as done")
    message = gettext_lazy("Marked as done")


class ReopenFormatter(LogFormatter):
    label = gettext_lazy("Mark as to do")
    message = gettext_lazy("Marked as to do again")


class FeedOnFormatter(LogFormatter):
    label = gettext_lazy("Turn the calendar feed on")
    message = gettext_lazy("Calendar feed turned on")


class FeedRenewedFormatter(LogFormatter):
    label = gettext_lazy("Renew the calendar feed's address")
    message = gettext_lazy("Calendar feed's address renewed")


class FeedOffFormatter(LogFormatter):
    label = gettext_lazy("Turn the calendar feed off")
    message = gettext_lazy("Calendar feed turned off")


FORMATTERS = {
    DONE_ACTION: DoneFormatter,
    REOPEN_ACTION: ReopenFormatter,
    FEED_ON_ACTION: FeedOnFormatter,
    FEED_RENEWED_ACTION: FeedRenewedFormatter,
    FEED_OFF_ACTION: FeedOffFormatter,
}


def register(actions) -> None:
    actions.register_model(Task, TaskLogEntry)
    actions.register_model(CalendarFeed, TaskLogEntry)
    for action, formatter in FORMATTERS.items():
        actions.register_action(action)(formatter)
