"""Tickets, their messages and their participants.

* A ticket has a subject, a status (open, waiting for the client, closed), a
  priority, its author, the organisation and/or person it concerns, an
  assignee among staff and a visibility: private (its participants and
  staff) or open to all clients.
* Its messages are plain text, stored as written (links are made clickable
  only when displayed). Each has a number, 1, 2, 3… within its ticket,
  handed out under the lock of the ticket's row (`Ticket.last_number` holds
  the last one), so numbers increase without gaps in the order of commits;
  and, optionally, the id its sender's page gave it (`client_id`), unique
  within the ticket, so that a message sent twice is stored once.
* Its participants are its author, the people who wrote in it and those
  added by staff; each has a read mark (the number of the last message they
  read) and the time they were last seen in it.

Writes go through `helpdesk.actions`; reads through `helpdesk.permissions`.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

MAX_SUBJECT = 200
MAX_TEXT = 10_000
MAX_CLIENT_ID = 64


def user_label(user) -> str:
    """How a user is named to the others in a ticket: their full name, or their login."""
    if user is None:
        return ""
    return user.get_full_name().strip() or user.get_username()


class TicketStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("ticket status", "Open")
    WAITING = "waiting", pgettext_lazy("ticket status", "Waiting for the client")
    CLOSED = "closed", pgettext_lazy("ticket status", "Closed")


class TicketPriority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class Visibility(models.TextChoices):
    PRIVATE = "private", _("Private to its participants")
    CLIENTS = "clients", _("Open to all clients")


class Ticket(models.Model):
    subject = models.CharField(_("subject"), max_length=MAX_SUBJECT)
    status = models.CharField(
        _("status"), max_length=10, choices=TicketStatus.choices, default=TicketStatus.OPEN
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=TicketPriority.choices, default=TicketPriority.NORMAL
    )
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="helpdesk_tickets",
        editable=False,
    )
    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="helpdesk_tickets",
    )
    person = models.ForeignKey(
        "directory.Person",
        verbose_name=_("person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="helpdesk_tickets",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="helpdesk_assigned_tickets",
    )
    # The number of its last message: the next one gets last_number + 1.
    last_number = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(_("opened"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    last_message_at = models.DateTimeField(_("last message"), null=True, editable=False)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-last_message_at", "-pk"]
        permissions = [("manage_ticket", _("Can see, assign and close every ticket"))]
        indexes = [
            models.Index(fields=["status", "-last_message_at"], name="ticket_status_recent"),
            models.Index(fields=["visibility"], name="ticket_visibility"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.subject}"

    @property
    def is_closed(self) -> bool:
        return self.status == TicketStatus.CLOSED


class Message(models.Model):
    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="messages"
    )
    number = models.PositiveIntegerField(_("number"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="helpdesk_messages",
    )
    text = models.TextField(_("text"))
    # The id the sender's page gave the message ("" when it gave none).
    client_id = models.CharField(max_length=MAX_CLIENT_ID, blank=True, default="")
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["ticket", "number"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "number"], name="message_number_per_ticket"),
            models.UniqueConstraint(
                fields=["ticket", "client_id"],
                condition=~models.Q(client_id=""),
                name="message_client_id_per_ticket",
            ),
        ]

    def __str__(self):
        return f"#{self.ticket_id}.{self.number}"


class ParticipantReason(models.TextChoices):
    AUTHOR = "author", _("Author")
    WROTE = "wrote", _("Wrote in it")
    ASSIGNED = "assigned", _("Assigned")
    ADDED = "added", _("Added by staff")


class Participant(models.Model):
    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="participants"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="helpdesk_participations",
    )
    reason = models.CharField(_("why"), max_length=10, choices=ParticipantReason.choices)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)
    # The number of the last message they read (0: none).
    last_read_number = models.PositiveIntegerField(_("last message read"), default=0)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)
    # When they were last told of a message by e-mail (`helpdesk.notifications`).
    last_notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["ticket", "joined_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "user"], name="participant_once_per_ticket")
        ]

    def __str__(self):
        return f"#{self.ticket_id} {self.user_id}"
