"""The audit-log actions of the helpdesk, with their French labels (registered in wagtail_hooks).

Assignment and status changes list what changed ("Statut : « Ouvert » →
« Fermé »"); a message entry names its number, a participant entry the
person added or removed. Read marks and "is typing" are not logged.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.log_actions import LogFormatter

from directory.audit import ChangesFormatter

from .actions import (
    ASSIGN_ACTION,
    MESSAGE_ACTION,
    OPEN_ACTION,
    PARTICIPANT_ADDED_ACTION,
    PARTICIPANT_REMOVED_ACTION,
    STATUS_ACTION,
)


class AssignFormatter(ChangesFormatter):
    label = gettext_lazy("Assign ticket")
    message = gettext_lazy("Ticket assigned")


class StatusFormatter(ChangesFormatter):
    label = gettext_lazy("Change ticket status")
    message = gettext_lazy("Ticket status changed")


class OpenFormatter(LogFormatter):
    label = gettext_lazy("Open ticket")
    message = gettext_lazy("Ticket opened")


class MessageFormatter(LogFormatter):
    label = gettext_lazy("Post message")

    def format_message(self, log_entry):
        data = log_entry.data if isinstance(log_entry.data, dict) else {}
        return _("Message %(number)s posted") % {"number": data.get("number", "?")}


class ParticipantAddedFormatter(LogFormatter):
    label = gettext_lazy("Add participant")

    def format_message(self, log_entry):
        data = log_entry.data if isinstance(log_entry.data, dict) else {}
        return _("%(name)s added to the ticket") % {"name": data.get("name", "?")}


class ParticipantRemovedFormatter(LogFormatter):
    label = gettext_lazy("Remove participant")

    def format_message(self, log_entry):
        data = log_entry.data if isinstance(log_entry.data, dict) else {}
        return _("%(name)s removed from the ticket") % {"name": data.get("name", "?")}


FORMATTERS = {
    OPEN_ACTION: OpenFormatter,
    MESSAGE_ACTION: MessageFormatter,
    ASSIGN_ACTION: AssignFormatter,
    STATUS_ACTION: StatusFormatter,
    PARTICIPANT_ADDED_ACTION: ParticipantAddedFormatter,
    PARTICIPANT_REMOVED_ACTION: ParticipantRemovedFormatter,
}


def register(actions) -> None:
    for action, formatter in FORMATTERS.items():
        actions.register_action(action)(formatter)
