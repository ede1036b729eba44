"""Every write on tickets, one function each, called alike by the views, the
consumer, the tasks and the tests.

Each checks access (`helpdesk.permissions`, one `PermissionDenied`),
validates (a `ValidationError` changes nothing), writes in a transaction,
records the audit log entry on the ticket, and schedules its broadcast
(`helpdesk.realtime`) and notification tasks (`helpdesk.tasks`) on commit.

The rules that hold on every path:

* a message is plain text of 1 to `MAX_TEXT` characters (no NUL), stored as
  written; it gets the next number of its ticket under the lock of the
  ticket's row; a `client_id` already stored in the ticket by the same
  author returns that message (`created` is False) and stores nothing;
* nobody writes in a closed ticket; a client's message on a ticket waiting
  for them puts it back to "open";
* whoever writes becomes a participant and has read up to their message;
* clients open tickets about themselves and the organisations where they
  hold a current position, and close their own; staff (`manage_ticket`)
  assign (to staff only), change status, priority, subject, visibility and
  concerned records, and add or remove participants (never the author);
* read marks only move forward, up to the ticket's last message; they and
  "is typing" are broadcast, not logged.
"""

from __future__ import annotations

import re

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from wagtail.log_actions import get_active_log_context, log, registry

from directory.audit import log_change, values_of
from directory.models import Organisation, Person, Position

from . import realtime
from .models import (
    MAX_CLIENT_ID,
    MAX_SUBJECT,
    MAX_TEXT,
    Message,
    Participant,
    ParticipantReason,
    Ticket,
    TicketPriority,
    TicketStatus,
    Visibility,
    user_label,
)
from .permissions import (
    MANAGE,
    OPEN,
    POST,
    access_helpdesk,
    access_management,
    access_ticket,
    is_helpdesk_staff,
    may_use_helpdesk,
    visible_tickets,
)

OPEN_ACTION = "helpdesk.open"
MESSAGE_ACTION = "helpdesk.message"
ASSIGN_ACTION = "helpdesk.assign"
STATUS_ACTION = "helpdesk.status"
PARTICIPANT_ADDED_ACTION = "helpdesk.participant_added"
PARTICIPANT_REMOVED_ACTION = "helpdesk.participant_removed"
EDIT_ACTION = "wagtail.edit"
EDITABLE_FIELDS = ("subject", "priority", "visibility", "organisation", "person")
CLIENT_ID_PATTERN = re.compile(rf"^[A-Za-z0-9_-]{{1,{MAX_CLIENT_ID}}}$")


# --- Validation -----------------------------------------------------------------------


def clean_text(text) -> str:
    """The message as it will be stored: line ends made "\\n", outer blank lines off."""
    if not isinstance(text, str):
        raise ValidationError(_("A message is text."), code="invalid")
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        raise ValidationError(_("Write a message first."), code="empty")
    if len(text) > MAX_TEXT:
        raise ValidationError(
            _("A message has at most %(max)s characters.")
            % {"max": number_format(MAX_TEXT, force_grouping=True)},
            code="too_long",
        )
    if "\x00" in text:
        raise ValidationError(_("This message holds a character that cannot be stored."))
    return text


def clean_client_id(client_id) -> str:
    if client_id in (None, ""):
        return ""
    if not isinstance(client_id, str) or not CLIENT_ID_PATTERN.match(client_id):
        raise ValidationError(
            _("A message id is made of at most %(max)d letters, digits and dashes.")
            % {"max": MAX_CLIENT_ID},
            code="invalid_client_id",
        )
    return client_id


def _clean_subject(subject) -> str:
    subject = " ".join(str(subject or "").split())
    if not subject:
        raise ValidationError({"subject": _("Give the ticket a subject.")})
    if len(subject) > MAX_SUBJECT:
        raise ValidationError(
            {"subject": _("A subject has at most %(max)d characters.") % {"max": MAX_SUBJECT}}
        )
    return subject


def _clean_choice(name: str, value, choices) -> str:
    if value not in choices.values:
        raise ValidationError({name: _("Choose one of the proposed values.")})
    return value


def client_organisations(user):
    """The live organisations where the client's directory person holds a current position."""
    person_id = getattr(user, "person_id", None)
    if not person_id:
        return Organisation.objects.none()
    held = Position.objects.current().filter(person_id=person_id).values("organisation_id")
    return Organisation.objects.filter(pk__in=held)


def _concerned(user, organisation, person) -> tuple[Organisation | None, Person | None]:
    """Check (or choose) the records a ticket concerns: for a client, their own
    person and one of their organisations; for staff, any live record."""
    if organisation is not None and not isinstance(organisation, Organisation):
        raise ValidationError({"organisation": _("Choose an organisation.")})
    if person is not None and not isinstance(person, Person):
        raise ValidationError({"person": _("Choose a person.")})
    if is_helpdesk_staff(user):
        live = Organisation.objects.filter(pk=getattr(organisation, "pk", None))
        if organisation is not None and not live.exists():
            raise ValidationError({"organisation": _("This organisation is in the trash.")})
        if person is not None and not Person.objects.filter(pk=person.pk).exists():
            raise ValidationError({"person": _("This person is in the trash.")})
        return organisation, person
    own_person = Person.objects.filter(pk=getattr(user, "person_id", None)).first()
    if person is not None and (own_person is None or person.pk != own_person.pk):
        raise ValidationError({"person": _("A ticket you open concerns yourself.")})
    organisations = client_organisations(user)
    if organisation is not None:
        if not organisations.filter(pk=organisation.pk).exists():
            raise ValidationError(
                {"organisation": _("Choose one of the organisations where you hold a position.")}
            )
    else:
        mine = list(organisations[:2])
        organisation = mine[0] if len(mine) == 1 else None
    return organisation, own_person


# --- Opening a ticket, posting a message ------------------------------------------------


def _schedule_notification(task_name: str, pk: int) -> None:
    def run():
        from . import tasks

        getattr(tasks, task_name).delay(pk)

    transaction.on_commit(run, robust=True)


def open_ticket(
    user,
    *,
    subject: str,
    text: str,
    priority: str = TicketPriority.NORMAL,
    visibility: str = Visibility.PRIVATE,
    organisation: Organisation | None = None,
    person: Person | None = None,
    client_id: str = "",
) -> Ticket:
    """Open a ticket with its first message, as `user` (a client or staff)."""
    if not (may_use_helpdesk(user) and user.has_perm(OPEN)):
        raise PermissionDenied(_("You are not allowed to open tickets."))
    errors = {}
    fields = {}
    for name, check in (
        ("subject", lambda: _clean_subject(subject)),
        ("text", lambda: clean_text(text)),
        ("priority", lambda: _clean_choice("priority", priority, TicketPriority)),
        ("visibility", lambda: _clean_choice("visibility", visibility, Visibility)),
        ("client_id", lambda: clean_client_id(client_id)),
    ):
        try:
            fields[name] = check()
        except ValidationError as error:
            found = error.message_dict if hasattr(error, "error_dict") else {}
            errors[name] = found.get(name, error.messages)
    if errors:
        raise ValidationError(errors)
    organisation, person = _concerned(user, organisation, person)
    now = timezone.now()
    with transaction.atomic():
        ticket = Ticket.objects.create(
            subject=fields["subject"],
            priority=fields["priority"],
            visibility=fields["visibility"],
            author=user,
            organisation=organisation,
            person=person,
            last_number=1,
            last_message_at=now,
        )
        Message.objects.create(
            ticket=ticket, number=1, author=user, text=fields["text"], client_id=fields["client_id"]
        )
        Participant.objects.create(
            ticket=ticket,
            user=user,
            reason=ParticipantReason.AUTHOR,
            last_read_number=1,
            last_seen_at=now,
        )
        log(ticket, OPEN_ACTION, user=user, data={"subject": ticket.subject})
        _schedule_notification("notify_new_ticket", ticket.pk)
    return ticket


def post_message(user, ticket: Ticket, text: str, *, client_id: str = "") -> tuple[Message, bool]:
    """Store `text` as the next message of `ticket`, by `user`; return it and
    whether it was stored now (False: this `client_id` was stored before).
    Whether `user` may see the ticket is asked when it is locked."""
    access_helpdesk(user)
    if not user.has_perm(POST):
        raise PermissionDenied(_("You are not allowed to write in tickets."))
    text = clean_text(text)
    client_id = clean_client_id(client_id)
    try:
        return _store_message(user, ticket, text, client_id)
    except IntegrityError:
        # Another connection stored the same client id first (SQLite does not
        # lock rows): it is the same message, sent twice.
        existing = _already_sent(user, ticket.pk, client_id)
        if existing is None:
            raise
        return existing, False


def _already_sent(user, ticket_id: int, client_id: str) -> Message | None:
    if not client_id:
        return None
    existing = Message.objects.filter(ticket_id=ticket_id, client_id=client_id).first()
    if existing is not None and existing.author_id != user.pk:
        raise ValidationError(_("This message id is already used."), code="client_id_taken")
    return existing


def _store_message(user, ticket: Ticket, text: str, client_id: str) -> tuple[Message, bool]:
    with transaction.atomic():
        # The ticket locked only if the user may see it: access and lock in one query.
        locked = visible_tickets(user).select_for_update(of=("self",)).filter(pk=ticket.pk).first()
        if locked is None:
            raise PermissionDenied(_("This ticket is not one you may see."))
        existing = _already_sent(user, locked.pk, client_id)
        if existing is not None:
            return existing, False
        if locked.is_closed:
            raise ValidationError(_("This ticket is closed: nobody writes in it any more."))
        now = timezone.now()
        number = locked.last_number + 1
        changes = {"last_number": number, "last_message_at": now, "updated_at": now}
        data = {"number": number}
        if locked.status == TicketStatus.WAITING and not user.has_perm(MANAGE):
            changes["status"] = TicketStatus.OPEN
            data["status"] = {"before": locked.status, "after": TicketStatus.OPEN}
        Ticket.objects.filter(pk=locked.pk).update(**changes)
        message = Message.objects.create(
            ticket=locked, number=number, author=user, text=text, client_id=client_id
        )
        # Under the ticket's lock (SQLite: its one writer), nobody adds them meanwhile.
        if not Participant.objects.filter(ticket=locked, user=user).update(
            last_read_number=number, last_seen_at=now
        ):
            Participant.objects.create(
                ticket=locked,
                user=user,
                reason=ParticipantReason.WROTE,
                last_read_number=number,
                last_seen_at=now,
            )
        _log_message(locked, user, data)
        realtime.broadcast_on_commit(
            locked.pk,
            {"type": realtime.MESSAGE, "number": number, "message": message_frame(message)},
        )
        if "status" in changes:
            realtime.broadcast_on_commit(
                locked.pk, {"type": realtime.TICKET, "changes": ticket_state(locked, changes)}
            )
        _schedule_notification("notify_message", message.pk)
    for name, value in changes.items():
        setattr(ticket, name, value)
    return message, True


def _log_message(ticket: Ticket, user, data: dict) -> None:
    """Wagtail's `log(ticket, MESSAGE_ACTION, …)`, the entry written as it
    would be, but without `full_clean`'s two queries checking that the
    content type and the user exist (both were just read): a message is the
    helpdesk's hot path, where each query adds to every page's wait."""
    registry.scan_for_actions()
    model = registry.get_log_model_for_instance(ticket)
    context = get_active_log_context()
    entry = model(
        content_type=ContentType.objects.get_for_model(ticket, for_concrete_model=False),
        label=model.objects.get_instance_title(ticket),
        action=MESSAGE_ACTION,
        timestamp=timezone.now(),
        data=data,
        user=user or context.user,
        uuid=context.uuid,
        object_id=str(ticket.pk),
    )
    entry.clean()  # the action is registered
    model.objects.bulk_create([entry])


def message_frame(message: Message) -> dict:
    """A message as the pages receive it (the consumer's "message" frame)."""
    author = message.author
    return {
        "type": "message",
        "number": message.number,
        "client_id": message.client_id,
        "author": {"id": message.author_id, "name": user_label(author) if author else ""},
        "text": message.text,
        "created_at": message.created_at.isoformat(),
    }


def ticket_state(ticket: Ticket, changes: dict | None = None) -> dict:
    """What the pages show of a ticket (the consumer's "ticket" frame)."""
    changes = changes or {}
    state = {
        name: str(changes.get(name, getattr(ticket, name)))
        for name in ("status", "priority", "visibility")
    }
    state["assignee"] = ticket.assignee_id
    state["assignee_name"] = user_label(ticket.assignee) if ticket.assignee_id else ""
    return state


# --- Read marks, typing, presence ------------------------------------------------------


def mark_read(user, ticket: Ticket, number) -> int | None:
    """Move `user`'s read mark in `ticket` forward to `number` (at most the last
    message); return their mark, or None when they do not take part in it."""
    access_ticket(user, ticket)
    if isinstance(number, bool) or not isinstance(number, int) or number < 0:
        raise ValidationError(_("A message number is a whole number."), code="invalid_number")
    last = Ticket.objects.filter(pk=ticket.pk).values_list("last_number", flat=True).first() or 0
    number = min(number, last)
    now = timezone.now()
    with transaction.atomic():
        moved = Participant.objects.filter(
            ticket=ticket, user=user, last_read_number__lt=number
        ).update(last_read_number=number, last_seen_at=now)
        mark = (
            Participant.objects.filter(ticket=ticket, user=user)
            .values_list("last_read_number", flat=True)
            .first()
        )
        if moved:
            realtime.broadcast_on_commit(
                ticket.pk,
                {"type": realtime.READ, "user": user.pk, "name": user_label(user), "number": mark},
            )
    return mark


def typing(user, ticket: Ticket) -> None:
    """Tell the ticket's pages that `user` is writing (nothing is stored)."""
    access_ticket(user, ticket)
    realtime.broadcast_on_commit(
        ticket.pk, {"type": realtime.TYPING, "user": user.pk, "name": user_label(user)}
    )


def mark_seen(user, ticket: Ticket) -> None:
    """Record that a participant has the ticket open now (their "last seen")."""
    access_ticket(user, ticket)
    Participant.objects.filter(ticket=ticket, user=user).update(last_seen_at=timezone.now())


# --- Staff: assignment, status, fields, participants ----------------------------------


def _locked(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_for_update().get(pk=ticket.pk)


def _saved(user, ticket: Ticket, locked: Ticket, names: list[str], action: str, before) -> bool:
    """Save `names` of `locked` (never the message counter), log what changed,
    broadcast the new state; copy it onto the caller's `ticket`."""
    locked.save(update_fields=[*names, "updated_at"])
    entry = log_change(locked, before, user=user, action=action)
    for name in [*names, "updated_at"]:
        setattr(ticket, name, getattr(locked, name))
    if entry is None:
        return False
    realtime.broadcast_on_commit(
        locked.pk, {"type": realtime.TICKET, "changes": ticket_state(locked)}
    )
    return True


def _ensure_participant(ticket: Ticket, user, reason: str, added_by=None) -> Participant:
    participant, _created = Participant.objects.get_or_create(
        ticket=ticket, user=user, defaults={"reason": reason, "added_by": added_by}
    )
    return participant


def assign(user, ticket: Ticket, assignee) -> Ticket:
    """Give `ticket` to `assignee` (a member of staff), or to nobody (None)."""
    access_ticket(user, ticket)
    access_management(user)
    if assignee is not None and not is_helpdesk_staff(assignee):
        raise ValidationError({"assignee": _("A ticket is assigned to a member of staff.")})
    with transaction.atomic():
        locked = _locked(ticket)
        before = values_of(locked)
        locked.assignee = assignee
        _saved(user, ticket, locked, ["assignee"], ASSIGN_ACTION, before)
        if assignee is not None:
            _ensure_participant(locked, assignee, ParticipantReason.ASSIGNED, added_by=user)
    return ticket


def change_status(user, ticket: Ticket, status: str) -> Ticket:
    """Set the status of `ticket`: staff choose any; a client closes their own."""
    access_ticket(user, ticket)
    status = _clean_choice("status", status, TicketStatus)
    if not is_helpdesk_staff(user) and not (
        status == TicketStatus.CLOSED and ticket.author_id == user.pk
    ):
        raise PermissionDenied(_("Only staff change the status of a ticket; you may close yours."))
    with transaction.atomic():
        locked = _locked(ticket)
        if locked.status == status:
            return ticket
        before = values_of(locked)
        locked.status = status
        locked.closed_at = timezone.now() if status == TicketStatus.CLOSED else None
        _saved(user, ticket, locked, ["status", "closed_at"], STATUS_ACTION, before)
    return ticket


def update_ticket(user, ticket: Ticket, **fields) -> Ticket:
    """Change the subject, priority, visibility or concerned records (staff)."""
    access_ticket(user, ticket)
    access_management(user)
    for name in fields:
        if name not in EDITABLE_FIELDS:
            raise ValueError(name)
    cleaned = {}
    if "subject" in fields:
        cleaned["subject"] = _clean_subject(fields["subject"])
    if "priority" in fields:
        cleaned["priority"] = _clean_choice("priority", fields["priority"], TicketPriority)
    if "visibility" in fields:
        cleaned["visibility"] = _clean_choice("visibility", fields["visibility"], Visibility)
    if "organisation" in fields or "person" in fields:
        organisation, person = _concerned(user, fields.get("organisation"), fields.get("person"))
        if "organisation" in fields:
            cleaned["organisation"] = organisation
        if "person" in fields:
            cleaned["person"] = person
    with transaction.atomic():
        locked = _locked(ticket)
        before = values_of(locked)
        for name, value in cleaned.items():
            setattr(locked, name, value)
        changed = _saved(user, ticket, locked, list(cleaned), EDIT_ACTION, before)
        if changed and before.get("visibility") != values_of(locked).get("visibility"):
            realtime.broadcast_on_commit(locked.pk, {"type": realtime.ACCESS})
    return ticket


def add_participant(user, ticket: Ticket, participant) -> Participant:
    """Bring `participant` (an active helpdesk user) into `ticket` (staff)."""
    access_ticket(user, ticket)
    access_management(user)
    if not may_use_helpdesk(participant):
        raise ValidationError({"user": _("This account cannot use the helpdesk.")})
    with transaction.atomic():
        locked = _locked(ticket)
        existing = Participant.objects.filter(ticket=locked, user=participant).first()
        if existing is not None:
            return existing
        added = Participant.objects.create(
            ticket=locked, user=participant, reason=ParticipantReason.ADDED, added_by=user
        )
        log(
            locked,
            PARTICIPANT_ADDED_ACTION,
            user=user,
            data={"participant": participant.pk, "name": user_label(participant)},
        )
        realtime.broadcast_on_commit(
            locked.pk, {"type": realtime.TICKET, "changes": ticket_state(locked)}
        )
    return added


def remove_participant(user, ticket: Ticket, participant) -> bool:
    """Take `participant` out of `ticket` (staff; never its author). A client
    who no longer takes part in a private ticket loses it at once, open
    connections included. Return whether they took part."""
    access_ticket(user, ticket)
    access_management(user)
    if participant.pk == ticket.author_id:
        raise ValidationError(_("The author of a ticket always takes part in it."))
    with transaction.atomic():
        locked = _locked(ticket)
        deleted, _detail = Participant.objects.filter(ticket=locked, user=participant).delete()
        if not deleted:
            return False
        log(
            locked,
            PARTICIPANT_REMOVED_ACTION,
            user=user,
            data={"participant": participant.pk, "name": user_label(participant)},
        )
        realtime.broadcast_on_commit(locked.pk, {"type": realtime.ACCESS})
    return True
