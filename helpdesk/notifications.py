"""E-mails that tell people of what happened in the helpdesk while they were away.

* A new message: each participant of the ticket except its author, whose
  account is active, has an e-mail address, may still see the ticket, has
  not read that message yet and is not connected to the ticket right now
  (`helpdesk.presence`), receives the message and a link to the ticket; at
  most one e-mail per ticket per `QUIET` (a quarter of an hour) per person.
  The quarter is claimed in the database before sending
  (`Participant.last_notified_at`, a conditional update), so two workers
  never both send; a failed sending gives the claim back.
* A new ticket: every active member of staff (`helpdesk.manage_ticket`) with
  an e-mail address except its author receives it, with its first message.

Each e-mail is written in its recipient's language, in plain text (the
message is plain text), through Django's e-mail backend (the provider of
outreach in production).
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import presence
from .models import Message, Participant, Ticket, user_label
from .permissions import can_see, staff_users

logger = logging.getLogger(__name__)

QUIET = datetime.timedelta(minutes=15)


def ticket_url(ticket: Ticket) -> str:
    """The absolute address of the ticket's page in the workspace."""
    try:
        path = reverse("helpdesk:ticket", args=[ticket.pk])
    except NoReverseMatch:  # the screens name it so; until then, its future address
        path = f"/admin/helpdesk/tickets/{ticket.pk}/"
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def _language_of(user) -> str:
    profile = getattr(user, "wagtail_userprofile", None)
    return (profile and profile.get_preferred_language()) or settings.LANGUAGE_CODE


def _site() -> str:
    return str(getattr(settings, "WAGTAIL_SITE_NAME", "CRM"))


def _claim(participant: Participant, now) -> bool:
    """Take this quarter of an hour for an e-mail to `participant` (once, whoever asks)."""
    return bool(
        Participant.objects.filter(pk=participant.pk)
        .filter(Q(last_notified_at__isnull=True) | Q(last_notified_at__lte=now - QUIET))
        .update(last_notified_at=now)
    )


def _message_email(message: Message, user) -> EmailMessage:
    ticket = message.ticket
    with translation.override(_language_of(user)):
        subject = _("[%(site)s] New message in ticket #%(id)s: %(subject)s") % {
            "site": _site(),
            "id": ticket.pk,
            "subject": ticket.subject,
        }
        body = "\n\n".join(
            [
                _("%(name)s wrote in the ticket “%(subject)s”:")
                % {"name": user_label(message.author) or _("Someone"), "subject": ticket.subject},
                message.text,
                _("Read the conversation and answer: %(url)s") % {"url": ticket_url(ticket)},
                _(
                    "While you are away, you receive at most one e-mail per ticket "
                    "every quarter of an hour."
                ),
            ]
        )
    return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])


def notify_message(message_id: int) -> int:
    """E-mail the absent participants of a new message; return how many were told."""
    message = Message.objects.select_related("ticket", "author").filter(pk=message_id).first()
    if message is None:
        return 0
    ticket = message.ticket
    participants = (
        Participant.objects.filter(ticket=ticket, last_read_number__lt=message.number)
        .exclude(user_id=message.author_id)
        .select_related("user", "user__wagtail_userprofile")
    )
    sent = 0
    connection = None
    for participant in participants:
        user = participant.user
        if not (user.is_active and user.email):
            continue
        if presence.is_connected(ticket.pk, user.pk) or not can_see(user, ticket):
            continue
        previous = participant.last_notified_at
        now = timezone.now()
        if not _claim(participant, now):
            continue
        connection = connection or get_connection()
        try:
            connection.send_messages([_message_email(message, user)])
        except Exception:
            logger.exception("helpdesk: e-mail to user %s failed", user.pk)
            Participant.objects.filter(pk=participant.pk, last_notified_at=now).update(
                last_notified_at=previous
            )
            continue
        sent += 1
    return sent


def _ticket_email(ticket: Ticket, first: Message | None, user) -> EmailMessage:
    with translation.override(_language_of(user)):
        subject = _("[%(site)s] New ticket #%(id)s: %(subject)s") % {
            "site": _site(),
            "id": ticket.pk,
            "subject": ticket.subject,
        }
        concerned = [str(record) for record in (ticket.organisation, ticket.person) if record]
        lines = [
            _("%(name)s opened a ticket (priority: %(priority)s).")
            % {
                "name": user_label(ticket.author) or _("Someone"),
                "priority": ticket.get_priority_display(),
            }
        ]
        if concerned:
            lines.append(_("It concerns: %(records)s.") % {"records": ", ".join(concerned)})
        parts = ["\n".join(lines)]
        if first is not None:
            parts.append(first.text)
        parts.append(_("Open the ticket: %(url)s") % {"url": ticket_url(ticket)})
        body = "\n\n".join(parts)
    return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])


def notify_new_ticket(ticket_id: int) -> int:
    """E-mail every member of staff but its author of a new ticket; return how many."""
    ticket = (
        Ticket.objects.select_related("author", "organisation", "person")
        .filter(pk=ticket_id)
        .first()
    )
    if ticket is None:
        return 0
    first = ticket.messages.filter(number=1).first()
    emails = [
        _ticket_email(ticket, first, user)
        for user in staff_users()
        if user.email and user.pk != ticket.author_id
    ]
    if not emails:
        return 0
    return get_connection().send_messages(emails) or 0
