"""An administrator links a client's account to their directory record on
Wagtail's user form; the helpdesk then names the client's organisation to
the other participants and lets the client open tickets about it."""

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.test import Client

from tests import factories

pytestmark = pytest.mark.django_db


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def client_data(**overrides):
    data = {
        "username": "lea",
        "email": "lea.roux@example.org",
        "first_name": "Léa",
        "last_name": "Roux",
        "phone": "",
        "job_title": "",
        "role": "client",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def test_an_administrator_links_a_client_to_their_directory_record(admin_user, lea, marie):
    position = factories.PositionFactory(
        person__first_name="Léa",
        person__last_name="Roux",
        organisation=factories.OrganisationFactory(name="Compagnie des Lucioles"),
    )
    admin = browser(admin_user)
    form = BeautifulSoup(
        admin.get(f"/admin/users/edit/{lea.pk}/").content.decode(), "html.parser"
    ).select_one("input[name=person]")
    assert form is not None  # the chooser's hidden input
    response = admin.post(f"/admin/users/edit/{lea.pk}/", client_data(person=position.person_id))
    assert response.status_code == 302, response.content.decode()[:2000]
    lea = get_user_model().objects.get(pk=lea.pk)
    assert lea.person_id == position.person_id
    # Léa opens a ticket: it concerns her and her company, and staff see her company.
    response = browser(lea).post(
        "/admin/helpdesk/tickets/new/",
        {"subject": "Résidence d’automne", "text": "Bonjour", "priority": "normal"},
    )
    assert response.status_code == 302
    page = browser(marie).get(response["Location"]).content.decode()
    participants = BeautifulSoup(page, "html.parser").select_one(".hd-participants")
    assert "Compagnie des Lucioles" in participants.get_text()


def test_one_directory_person_belongs_to_one_account_only(admin_user, theo, lea):
    response = browser(admin_user).post(
        f"/admin/users/edit/{lea.pk}/", client_data(person=theo.person_id)
    )
    assert response.status_code == 200
    assert "person" in response.context["form"].errors
    lea.refresh_from_db()
    assert lea.person_id is None
