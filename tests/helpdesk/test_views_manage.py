"""What staff and clients do to a ticket besides answering, through the
ticket page's forms: each refusal is a French message, and changes nothing."""

import pytest
from django.test import Client
from wagtail.models import ModelLogEntry

from helpdesk.models import Participant, TicketPriority, TicketStatus, Visibility

pytestmark = pytest.mark.django_db


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(user, ticket, suffix, data):
    """Post as `user`; return the messages shown on the page it comes back to."""
    client = browser(user)
    response = client.post(f"/admin/helpdesk/tickets/{ticket.pk}/{suffix}", data, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[0][0].startswith(f"/admin/helpdesk/tickets/{ticket.pk}/")
    return [str(m.message).strip() for m in response.context["messages"]]


def test_staff_assign_a_ticket_to_a_colleague_then_to_nobody(marie, paul, private_ticket):
    assert post(marie, private_ticket, "assign/", {"assignee": paul.pk}) == [
        "Billet attribué à Paul Bernard."
    ]
    private_ticket.refresh_from_db()
    assert private_ticket.assignee == paul
    assert Participant.objects.filter(ticket=private_ticket, user=paul).exists()
    assert post(marie, private_ticket, "assign/", {"assignee": ""}) == [
        "Le billet n’est attribué à personne."
    ]
    private_ticket.refresh_from_db()
    assert private_ticket.assignee is None


def test_a_ticket_is_never_assigned_to_a_client(marie, lea, private_ticket):
    shown = post(marie, private_ticket, "assign/", {"assignee": lea.pk})
    assert shown == ["Un billet est attribué à un membre de l’équipe."]
    private_ticket.refresh_from_db()
    assert private_ticket.assignee is None
    assert not ModelLogEntry.objects.filter(action="helpdesk.assign").exists()


def test_a_client_cannot_assign_nor_change_a_status_other_than_closing_their_own(
    theo, marie, private_ticket
):
    assert post(theo, private_ticket, "assign/", {"assignee": marie.pk}) == [
        "Seule l’équipe gère les billets."
    ]
    assert post(theo, private_ticket, "status/", {"status": "waiting"}) == [
        "Seule l’équipe change l’état d’un billet\u00a0; vous pouvez fermer les vôtres."
    ]
    assert post(
        theo, private_ticket, "settings/", {"priority": "urgent", "visibility": "clients"}
    ) == ["Seule l’équipe gère les billets."]
    private_ticket.refresh_from_db()
    assert (private_ticket.assignee, private_ticket.status, private_ticket.priority) == (
        None,
        TicketStatus.OPEN,
        TicketPriority.NORMAL,
    )
    assert private_ticket.visibility == Visibility.PRIVATE


def test_a_client_closes_their_own_ticket_but_not_anothers(theo, lea, open_ticket):
    assert post(lea, open_ticket, "status/", {"status": "closed"}) == [
        "Seule l’équipe change l’état d’un billet\u00a0; vous pouvez fermer les vôtres."
    ]
    open_ticket.refresh_from_db()
    assert open_ticket.status == TicketStatus.OPEN
    assert post(theo, open_ticket, "status/", {"status": "closed"}) == ["Billet fermé."]
    open_ticket.refresh_from_db()
    assert open_ticket.status == TicketStatus.CLOSED and open_ticket.closed_at is not None


def test_a_forged_status_value_is_refused_in_french(marie, private_ticket):
    shown = post(marie, private_ticket, "status/", {"status": "solved"})
    assert len(shown) == 1 and shown[0].startswith("Statut\u00a0: Sélectionnez un choix valide")
    private_ticket.refresh_from_db()
    assert private_ticket.status == TicketStatus.OPEN


def test_staff_close_reopen_and_change_priority_and_visibility(marie, private_ticket):
    assert post(marie, private_ticket, "status/", {"status": "closed"}) == ["Billet fermé."]
    assert post(marie, private_ticket, "status/", {"status": "open"}) == [
        "Statut du billet\u00a0: Ouvert."
    ]
    shown = post(
        marie, private_ticket, "settings/", {"priority": "urgent", "visibility": "clients"}
    )
    assert shown == ["Billet enregistré."]
    private_ticket.refresh_from_db()
    assert (private_ticket.status, private_ticket.priority, private_ticket.visibility) == (
        TicketStatus.OPEN,
        TicketPriority.URGENT,
        Visibility.CLIENTS,
    )
    assert private_ticket.closed_at is None


def test_staff_add_and_remove_a_participant_but_never_the_author(marie, theo, lea, private_ticket):
    assert post(marie, private_ticket, "participants/add/", {"user": lea.pk}) == [
        "Léa Roux participe au billet."
    ]
    # Léa reads the private ticket now…
    assert browser(lea).get(f"/admin/helpdesk/tickets/{private_ticket.pk}/").status_code == 200
    assert post(marie, private_ticket, f"participants/{lea.pk}/remove/", {}) == [
        "Léa Roux ne participe plus au billet."
    ]
    # … and no more.
    assert browser(lea).get(f"/admin/helpdesk/tickets/{private_ticket.pk}/").status_code == 404
    assert post(marie, private_ticket, f"participants/{theo.pk}/remove/", {}) == [
        "L’auteur d’un billet y participe toujours."
    ]
    assert Participant.objects.filter(ticket=private_ticket, user=theo).exists()


def test_a_client_cannot_add_participants(theo, lea, private_ticket):
    shown = post(theo, private_ticket, "participants/add/", {"user": lea.pk})
    assert shown == ["Seule l’équipe gère les billets."]
    assert not Participant.objects.filter(ticket=private_ticket, user=lea).exists()


def test_these_urls_take_only_posts(marie, private_ticket):
    client = browser(marie)
    for suffix in ("assign/", "status/", "settings/", "participants/add/"):
        response = client.get(f"/admin/helpdesk/tickets/{private_ticket.pk}/{suffix}")
        assert response.status_code == 405, suffix
