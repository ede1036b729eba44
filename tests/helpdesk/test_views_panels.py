"""The helpdesk outside its pages: the tickets of a directory record, and
the staff's dashboard panel of the tickets waiting for them."""

import pytest
from bs4 import BeautifulSoup
from django.test import Client

from helpdesk import actions
from helpdesk.models import TicketStatus
from tests import factories

pytestmark = pytest.mark.django_db


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def section(response, selector) -> str:
    found = BeautifulSoup(response.content.decode(), "html.parser").select_one(selector)
    return found.get_text(" ", strip=True) if found is not None else ""


def test_records_show_the_tickets_that_concern_them(marie, theo, theatre, private_ticket):
    other = factories.OrganisationFactory(name="Opéra de Nancy")
    actions.open_ticket(marie, subject="Billet de l’Opéra", text="Bonjour", organisation=other)
    client = browser(marie)
    organisation = client.get(f"/admin/directory/organisations/inspect/{theatre.pk}/")
    panel = section(organisation, ".hd-record-tickets")
    assert "Contrat de cession" in panel and "Billet de l’Opéra" not in panel
    person = client.get(f"/admin/directory/people/inspect/{theo.person_id}/")
    assert "Contrat de cession" in section(person, ".hd-record-tickets")
    nobody = factories.PersonFactory(first_name="Ysolde", last_name="Quetzal")
    empty = client.get(f"/admin/directory/people/inspect/{nobody.pk}/")
    assert "Aucun billet ne concerne encore cette fiche." in section(empty, ".hd-record-tickets")


def test_the_dashboard_shows_staff_the_open_tickets_waiting_for_them(
    marie, paul, private_ticket, open_ticket
):
    mine = actions.open_ticket(marie, subject="Relancer la mairie", text="À faire")
    actions.assign(marie, mine, marie)
    theirs = actions.open_ticket(marie, subject="Dossier de Paul", text="Pour Paul")
    actions.assign(marie, theirs, paul)
    closed = actions.open_ticket(marie, subject="Réglé hier", text="Fini")
    actions.change_status(marie, closed, TicketStatus.CLOSED)
    panel = section(browser(marie).get("/admin/"), "#open-tickets-section")
    assert "Billets qui vous attendent" in panel
    assert "Relancer la mairie" in panel and "pour vous" in panel
    assert "Contrat de cession" in panel and "non attribué" in panel
    assert "Horaires de l’agence" in panel
    assert "Dossier de Paul" not in panel and "Réglé hier" not in panel
    assert "Dossier de Paul" in section(browser(paul).get("/admin/"), "#open-tickets-section")


def test_a_client_has_no_dashboard_panel_nor_record(theo, theatre):
    client = browser(theo)
    assert client.get(f"/admin/directory/organisations/inspect/{theatre.pk}/").status_code == 403
    assert client.get("/admin/").status_code == 302
