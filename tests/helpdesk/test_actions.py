"""The helpdesk's writes, as the views, the consumer and the tasks call them."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from wagtail.models import ModelLogEntry

from helpdesk import actions
from helpdesk.models import (
    Message,
    Participant,
    ParticipantReason,
    TicketPriority,
    TicketStatus,
    Visibility,
)
from helpdesk.permissions import can_see, visible_tickets
from tests import factories

from .helpers import heard, listen

pytestmark = pytest.mark.django_db


def numbers(ticket):
    return list(ticket.messages.order_by("pk").values_list("number", flat=True))


def log_actions(ticket):
    return list(
        ModelLogEntry.objects.filter(object_id=str(ticket.pk), content_type__model="ticket")
        .order_by("pk")
        .values_list("action", flat=True)
    )


# --- Opening -------------------------------------------------------------------------


def test_a_client_opens_a_ticket_about_himself_and_his_theatre(theo, theatre):
    ticket = actions.open_ticket(theo, subject="  Contrat   de cession ", text="Bonjour\r\n")
    assert ticket.subject == "Contrat de cession"
    assert ticket.author == theo and ticket.status == TicketStatus.OPEN
    assert ticket.person == theo.person and ticket.organisation == theatre
    assert ticket.visibility == Visibility.PRIVATE
    first = ticket.messages.get()
    assert (first.number, first.text, first.author) == (1, "Bonjour", theo)
    author = Participant.objects.get(ticket=ticket)
    assert (author.user, author.reason, author.last_read_number) == (
        theo,
        ParticipantReason.AUTHOR,
        1,
    )
    assert log_actions(ticket) == ["helpdesk.open"]


def test_a_client_cannot_file_a_ticket_for_someone_else(theo):
    elsewhere = factories.OrganisationFactory(name="Opéra de Nancy")
    with pytest.raises(ValidationError) as refused:
        actions.open_ticket(theo, subject="S", text="T", organisation=elsewhere)
    assert "organisation" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        actions.open_ticket(theo, subject="S", text="T", person=factories.PersonFactory())
    assert "person" in refused.value.message_dict


def test_staff_open_a_ticket_about_any_live_record(marie):
    opera = factories.OrganisationFactory(name="Opéra de Nancy")
    ticket = actions.open_ticket(marie, subject="Relance", text="À rappeler", organisation=opera)
    assert ticket.organisation == opera and ticket.person is None


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"subject": "   "}, "subject"),
        ({"subject": "x" * 201}, "subject"),
        ({"text": " \n "}, "text"),
        ({"text": "x" * 10_001}, "text"),
        ({"priority": "critical"}, "priority"),
        ({"visibility": "public"}, "visibility"),
        ({"client_id": "not an id!"}, "client_id"),
    ],
)
def test_a_bad_ticket_is_refused_whole(theo, fields, field):
    values = {"subject": "Contrat", "text": "Bonjour", **fields}
    with pytest.raises(ValidationError) as refused:
        actions.open_ticket(theo, **values)
    assert field in refused.value.message_dict
    assert not theo.helpdesk_tickets.exists()


def test_someone_without_a_helpdesk_role_opens_nothing():
    nobody = factories.UserFactory()
    with pytest.raises(PermissionDenied):
        actions.open_ticket(nobody, subject="S", text="T")


# --- Messages -------------------------------------------------------------------------


def test_numbers_increase_per_ticket(private_ticket, open_ticket, theo, marie):
    for text in ("un", "deux", "trois"):
        actions.post_message(marie, private_ticket, text)
    actions.post_message(theo, open_ticket, "autre")
    assert numbers(private_ticket) == [1, 2, 3, 4]
    assert numbers(open_ticket) == [1, 2]
    private_ticket.refresh_from_db()
    assert private_ticket.last_number == 4


def test_a_message_sent_twice_is_stored_once(private_ticket, theo):
    first, created = actions.post_message(theo, private_ticket, "Relance", client_id="c-1")
    again, created_again = actions.post_message(theo, private_ticket, "Relance", client_id="c-1")
    assert created and not created_again
    assert again.pk == first.pk and again.number == 2
    assert Message.objects.filter(ticket=private_ticket).count() == 2
    assert log_actions(private_ticket).count("helpdesk.message") == 1


def test_someone_else_cannot_reuse_a_message_id(open_ticket, theo, lea):
    actions.post_message(theo, open_ticket, "Relance", client_id="c-1")
    with pytest.raises(ValidationError):
        actions.post_message(lea, open_ticket, "Autre", client_id="c-1")
    assert numbers(open_ticket) == [1, 2]


def test_the_text_is_stored_as_written(private_ticket, marie):
    text = "Voir <a href='x'>ici</a> et https://exemple.fr/contrat?id=1&v=2"
    message, _created = actions.post_message(marie, private_ticket, text)
    message.refresh_from_db()
    assert message.text == text


@pytest.mark.parametrize("text", ["", "   ", "x" * 10_001, "a\x00b", 42])
def test_a_bad_message_changes_nothing(private_ticket, theo, text):
    with pytest.raises(ValidationError):
        actions.post_message(theo, private_ticket, text)
    assert numbers(private_ticket) == [1]


def test_a_message_of_exactly_ten_thousand_characters_is_stored(private_ticket, theo):
    message, _created = actions.post_message(theo, private_ticket, "é" * 10_000)
    assert len(message.text) == 10_000


def test_whoever_writes_takes_part_and_has_read_up_to_their_message(private_ticket, marie):
    actions.post_message(marie, private_ticket, "Je regarde")
    participant = Participant.objects.get(ticket=private_ticket, user=marie)
    assert participant.reason == ParticipantReason.WROTE
    assert participant.last_read_number == 2


def test_nobody_writes_in_a_closed_ticket(private_ticket, theo, marie):
    actions.change_status(theo, private_ticket, TicketStatus.CLOSED)
    for user in (theo, marie):
        with pytest.raises(ValidationError):
            actions.post_message(user, private_ticket, "Encore une chose")
    assert numbers(private_ticket) == [1]


def test_a_client_answer_puts_a_waiting_ticket_back_to_open(private_ticket, theo, marie):
    actions.change_status(marie, private_ticket, TicketStatus.WAITING)
    actions.post_message(marie, private_ticket, "Et de votre côté ?")
    private_ticket.refresh_from_db()
    assert private_ticket.status == TicketStatus.WAITING
    actions.post_message(theo, private_ticket, "Voici")
    private_ticket.refresh_from_db()
    assert private_ticket.status == TicketStatus.OPEN


# --- Who sees and writes what: two clients and a member of staff ------------------------


def test_each_role_sees_its_tickets(private_ticket, open_ticket, theo, lea, marie, admin_user):
    leas_own = actions.open_ticket(lea, subject="Facture", text="Bonjour")
    assert set(visible_tickets(theo)) == {private_ticket, open_ticket}
    assert set(visible_tickets(lea)) == {open_ticket, leas_own}
    assert set(visible_tickets(marie)) == {private_ticket, open_ticket, leas_own}
    assert set(visible_tickets(admin_user)) == {private_ticket, open_ticket, leas_own}
    assert not can_see(lea, private_ticket) and not can_see(theo, leas_own)


def test_a_client_can_neither_read_nor_write_in_another_clients_private_ticket(private_ticket, lea):
    with pytest.raises(PermissionDenied):
        actions.post_message(lea, private_ticket, "Je m’invite")
    with pytest.raises(PermissionDenied):
        actions.mark_read(lea, private_ticket, 1)
    with pytest.raises(PermissionDenied):
        actions.typing(lea, private_ticket)
    with pytest.raises(PermissionDenied):
        actions.change_status(lea, private_ticket, TicketStatus.CLOSED)
    assert numbers(private_ticket) == [1]


def test_other_clients_answer_in_a_ticket_open_to_all(open_ticket, lea):
    message, _created = actions.post_message(lea, open_ticket, "Pareil pour nous")
    assert message.number == 2
    assert Participant.objects.filter(ticket=open_ticket, user=lea).exists()


def test_a_closed_account_sees_nothing(private_ticket, theo):
    theo.is_active = False
    theo.save()
    assert not visible_tickets(theo).exists()
    with pytest.raises(PermissionDenied):
        actions.post_message(theo, private_ticket, "Encore là ?")


def test_only_staff_assign_and_only_to_staff(private_ticket, theo, lea, marie, paul):
    with pytest.raises(PermissionDenied):
        actions.assign(theo, private_ticket, marie)
    with pytest.raises(ValidationError):
        actions.assign(marie, private_ticket, lea)
    actions.assign(marie, private_ticket, paul)
    private_ticket.refresh_from_db()
    assert private_ticket.assignee == paul
    assert Participant.objects.get(ticket=private_ticket, user=paul).reason == "assigned"
    entry = ModelLogEntry.objects.get(action="helpdesk.assign", object_id=str(private_ticket.pk))
    assert entry.user == marie
    assert entry.data["changes"][0]["after"] == "paul"
    actions.assign(marie, private_ticket, None)
    private_ticket.refresh_from_db()
    assert private_ticket.assignee is None


def test_a_client_closes_his_own_ticket_and_no_other(private_ticket, open_ticket, theo, lea):
    with pytest.raises(PermissionDenied):
        actions.change_status(lea, open_ticket, TicketStatus.CLOSED)
    actions.change_status(theo, private_ticket, TicketStatus.CLOSED)
    private_ticket.refresh_from_db()
    assert private_ticket.status == TicketStatus.CLOSED and private_ticket.closed_at
    with pytest.raises(PermissionDenied):
        actions.change_status(theo, private_ticket, TicketStatus.OPEN)
    assert "helpdesk.status" in log_actions(private_ticket)


def test_staff_reopen(private_ticket, theo, marie):
    actions.change_status(theo, private_ticket, TicketStatus.CLOSED)
    actions.change_status(marie, private_ticket, TicketStatus.OPEN)
    private_ticket.refresh_from_db()
    assert private_ticket.status == TicketStatus.OPEN and private_ticket.closed_at is None


def test_a_status_change_keeps_the_message_counter(private_ticket, theo, marie):
    stale = type(private_ticket).objects.get(pk=private_ticket.pk)
    actions.post_message(theo, private_ticket, "deux")
    actions.change_status(marie, stale, TicketStatus.WAITING)
    actions.post_message(marie, private_ticket, "trois")
    assert numbers(private_ticket) == [1, 2, 3]


def test_staff_edit_priority_and_visibility_clients_do_not(private_ticket, theo, lea, marie):
    with pytest.raises(PermissionDenied):
        actions.update_ticket(theo, private_ticket, visibility=Visibility.CLIENTS)
    actions.update_ticket(
        marie, private_ticket, priority=TicketPriority.URGENT, visibility=Visibility.CLIENTS
    )
    private_ticket.refresh_from_db()
    assert private_ticket.priority == TicketPriority.URGENT
    assert can_see(lea, private_ticket)
    assert "wagtail.edit" in log_actions(private_ticket)


def test_staff_bring_a_client_in_and_take_them_out(private_ticket, theo, lea, marie):
    with pytest.raises(PermissionDenied):
        actions.add_participant(theo, private_ticket, lea)
    actions.add_participant(marie, private_ticket, lea)
    assert can_see(lea, private_ticket)
    actions.post_message(lea, private_ticket, "Merci de m’avoir ajoutée")
    with pytest.raises(ValidationError):
        actions.remove_participant(marie, private_ticket, theo)
    assert actions.remove_participant(marie, private_ticket, lea)
    assert not can_see(lea, private_ticket)
    with pytest.raises(PermissionDenied):
        actions.post_message(lea, private_ticket, "Et maintenant ?")
    assert log_actions(private_ticket)[-1] == "helpdesk.participant_removed"


def test_an_account_outside_the_helpdesk_cannot_be_added(private_ticket, marie):
    with pytest.raises(ValidationError):
        actions.add_participant(marie, private_ticket, factories.UserFactory())


# --- Read marks ------------------------------------------------------------------------


def test_read_marks_move_forward_only_up_to_the_last_message(private_ticket, theo, marie):
    actions.post_message(marie, private_ticket, "deux")
    actions.post_message(marie, private_ticket, "trois")
    assert actions.mark_read(theo, private_ticket, 2) == 2
    assert actions.mark_read(theo, private_ticket, 1) == 2
    assert actions.mark_read(theo, private_ticket, 99) == 3
    with pytest.raises(ValidationError):
        actions.mark_read(theo, private_ticket, "3")


def test_a_reader_who_does_not_take_part_has_no_mark(open_ticket, lea):
    assert actions.mark_read(lea, open_ticket, 1) is None
    assert not Participant.objects.filter(ticket=open_ticket, user=lea).exists()


# --- Broadcasts, after commit only ------------------------------------------------------


def test_a_message_is_broadcast_once_committed(
    private_ticket, theo, django_capture_on_commit_callbacks
):
    channel = listen(private_ticket)
    with django_capture_on_commit_callbacks(execute=True):
        actions.post_message(theo, private_ticket, "Relance", client_id="c-9")
    (event,) = [e for e in heard(channel) if e["type"] == "helpdesk.message"]
    assert event["number"] == 2
    assert event["message"]["text"] == "Relance"
    assert event["message"]["client_id"] == "c-9"
    assert event["message"]["author"] == {"id": theo.pk, "name": "Théo Martin"}


def test_nothing_is_broadcast_for_a_write_rolled_back(
    private_ticket, theo, django_capture_on_commit_callbacks
):
    channel = listen(private_ticket)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        actions.post_message(theo, private_ticket, "Annulé")
        raise RuntimeError
    assert callbacks == []
    assert heard(channel) == []
    assert numbers(private_ticket) == [1]
