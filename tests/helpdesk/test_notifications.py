"""E-mails to those who were away: new messages (at most one per ticket per
quarter of an hour, never for one's own), new tickets for staff."""

import datetime

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone
from wagtail.users.models import UserProfile

from helpdesk import actions
from helpdesk.models import Participant

from .sockets import joined, receive


def to(mailoutbox, user):
    return [mail for mail in mailoutbox if user.email in mail.to]


def everyone(mailoutbox):
    return sorted(address for mail in mailoutbox for address in mail.to)


@pytest.fixture
def opened(theo, marie, paul, lea, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = actions.open_ticket(
            theo, subject="Contrat de cession", text="Où en est notre contrat ?"
        )
    return ticket


@pytest.mark.django_db
def test_staff_are_told_of_a_new_ticket_and_nobody_else(opened, theo, marie, paul, lea, mailoutbox):
    assert everyone(mailoutbox) == sorted([marie.email, paul.email])
    (mail,) = to(mailoutbox, marie)
    assert f"n°\xa0{opened.pk}" in mail.subject and "Contrat de cession" in mail.subject
    assert "Nouveau billet" in mail.subject
    assert "Théo Martin" in mail.body and "Où en est notre contrat ?" in mail.body
    assert f"/admin/helpdesk/tickets/{opened.pk}/" in mail.body
    assert "Théâtre de Metz" in mail.body


@pytest.mark.django_db
def test_staff_opening_a_ticket_are_not_told_of_their_own(
    marie, paul, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        actions.open_ticket(marie, subject="Relance", text="À suivre")
    assert everyone(mailoutbox) == [paul.email]


@pytest.mark.django_db
def test_an_absent_participant_is_told_of_a_message_with_a_link(
    opened, theo, marie, paul, mailoutbox, django_capture_on_commit_callbacks
):
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.post_message(marie, opened, "Le contrat part ce soir.\nhttps://exemple.fr/c")
    assert everyone(mailoutbox) == [theo.email]
    (mail,) = mailoutbox
    assert "Nouveau message" in mail.subject and f"n°\xa0{opened.pk}" in mail.subject
    assert "Marie Dupont" in mail.body
    assert "Le contrat part ce soir.\nhttps://exemple.fr/c" in mail.body
    assert f"http://127.0.0.1:8000/admin/helpdesk/tickets/{opened.pk}/" in mail.body


@pytest.mark.django_db
def test_nobody_is_told_of_their_own_message(
    opened, theo, marie, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        actions.post_message(marie, opened, "Je regarde.")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.post_message(theo, opened, "Merci !")
    assert everyone(mailoutbox) == [marie.email]


@pytest.mark.django_db
def test_at_most_one_email_per_ticket_per_quarter_of_an_hour(
    opened, theo, marie, mailoutbox, django_capture_on_commit_callbacks
):
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        for text in ("Un", "Deux", "Trois"):
            actions.post_message(marie, opened, text)
    assert len(to(mailoutbox, theo)) == 1
    assert "Un" in mailoutbox[0].body

    # Another ticket is another count.
    with django_capture_on_commit_callbacks(execute=True):
        other = actions.open_ticket(theo, subject="Facture", text="Bonjour")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.post_message(marie, other, "Reçue")
    assert len(to(mailoutbox, theo)) == 1

    # Sixteen minutes later, the next message is told again.
    Participant.objects.filter(ticket=opened, user=theo).update(
        last_notified_at=timezone.now() - datetime.timedelta(minutes=16)
    )
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.post_message(marie, opened, "Quatre")
    (mail,) = to(mailoutbox, theo)
    assert "Quatre" in mail.body


@pytest.mark.django_db
def test_a_closed_account_or_a_removed_participant_is_not_told(
    opened, theo, lea, marie, mailoutbox, django_capture_on_commit_callbacks
):
    actions.add_participant(marie, opened, lea)
    actions.remove_participant(marie, opened, lea)
    theo.is_active = False
    theo.save()
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.post_message(marie, opened, "Quelqu’un ?")
    assert mailoutbox == []


@pytest.mark.django_db
def test_a_participant_who_read_it_already_is_not_told(
    opened, theo, marie, mailoutbox, django_capture_on_commit_callbacks
):
    from helpdesk import notifications

    message, _created = actions.post_message(marie, opened, "Lu tout de suite")
    actions.mark_read(theo, opened, message.number)
    mailoutbox.clear()
    assert notifications.notify_message(message.pk) == 0
    assert mailoutbox == []


@pytest.mark.django_db(transaction=True)
async def test_a_participant_connected_to_the_ticket_is_not_emailed(
    theo, marie, private_ticket, mailoutbox
):
    mailoutbox.clear()
    theos, _replayed = await joined(theo, private_ticket, after=1)
    await database_sync_to_async(actions.post_message)(marie, private_ticket, "En direct")
    assert (await receive(theos))["text"] == "En direct"
    assert to(mailoutbox, theo) == []
    await theos.disconnect()
    await database_sync_to_async(actions.post_message)(marie, private_ticket, "Parti ?")
    (mail,) = to(mailoutbox, theo)
    assert "Parti ?" in mail.body


@pytest.mark.django_db
def test_the_email_speaks_the_recipients_language(
    opened, theo, marie, mailoutbox, django_capture_on_commit_callbacks
):
    profile = UserProfile.get_for_user(theo)
    profile.preferred_language = "en"
    profile.save()
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.post_message(marie, opened, "Hello")
    (mail,) = mailoutbox
    assert "New message in ticket" in mail.subject
