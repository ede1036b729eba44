"""The helpdesk's pages as staff and two clients see them: the tickets, one
ticket, the answer posted without JavaScript and the new-ticket form.

Théo's private ticket is his and staff's only: Léa gets a 404 for it by its
URL, by its id on every form, and finds it neither in her list nor by
searching. His ticket open to all clients is read and answered by both.
"""

import re

import pytest
from bs4 import BeautifulSoup
from django.test import Client

from helpdesk import actions
from helpdesk.models import Message, Participant, Ticket, TicketStatus, Visibility
from tests import factories

pytestmark = pytest.mark.django_db


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def ticket_url(ticket, suffix="") -> str:
    return f"/admin/helpdesk/tickets/{ticket.pk}/{suffix}"


def soup_of(response) -> BeautifulSoup:
    return BeautifulSoup(response.content.decode(), "html.parser")


def listed(response) -> list[str]:
    return [
        node.get_text(" ", strip=True) for node in soup_of(response).select(".hd-ticket__subject")
    ]


def shown_messages(response) -> list[str]:
    return [
        node.get_text(" ", strip=True)
        for node in soup_of(response).select(".hd-message-list li[data-number] .hd-message__text")
    ]


def page_messages(response) -> list[str]:
    """The messages Wagtail shows at the top of the page (success, error)."""
    return (
        [str(m.message).strip() for m in response.context["messages"]] if response.context else []
    )


# --- Every screen as staff -------------------------------------------------------------


def test_staff_see_every_ticket_and_each_screen(marie, private_ticket, open_ticket):
    staff = browser(marie)
    response = staff.get("/admin/helpdesk/tickets/")
    assert response.status_code == 200
    assert set(listed(response)) == {"Contrat de cession", "Horaires de l’agence"}
    assert "Tous les billets" in response.content.decode()

    response = staff.get(ticket_url(private_ticket))
    assert response.status_code == 200
    assert shown_messages(response) == ["Bonjour, où en est notre contrat ?"]
    soup = soup_of(response)
    assert soup.select_one(".hd-list") and soup.select_one(".hd-side")
    conversation = soup.select_one("[data-controller=helpdesk-ticket]")
    assert conversation["data-helpdesk-ticket-socket-value"] == (
        f"/ws/helpdesk/tickets/{private_ticket.pk}/"
    )
    assert conversation["data-helpdesk-ticket-last-value"] == "1"
    participants = soup.select_one(".hd-participants").get_text(" ", strip=True)
    assert "Théo Martin" in participants and "Théâtre de Metz" in participants
    assert "Client" in participants
    # Staff handle it: the forms of the right column.
    for action in ("assign", "status", "settings", "participants/add"):
        assert soup.select_one(f'form[action="{ticket_url(private_ticket, action + "/")}"]')

    response = staff.get("/admin/helpdesk/tickets/new/")
    assert response.status_code == 200
    assert {"subject", "text", "priority", "visibility", "organisation", "person"} <= set(
        response.context["form"].fields
    )


def test_the_ticket_page_allows_its_websocket_in_the_content_security_policy(marie, private_ticket):
    response = browser(marie).get(ticket_url(private_ticket))
    policy = response["Content-Security-Policy"]
    connect = next(part for part in policy.split(";") if "connect-src" in part)
    assert "'self'" in connect and "ws://testserver" in connect


def test_messages_are_escaped_and_only_web_addresses_become_links(marie, theo, private_ticket):
    actions.post_message(
        marie,
        private_ticket,
        '<script>alert("x")</script> Voir https://example.org/a?b=1&c=2. '
        "Pas javascript:alert(1) ni ftp://example.org/x",
    )
    response = browser(theo).get(ticket_url(private_ticket))
    html = response.content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    links = soup_of(response).select(".hd-message__text a")
    assert [link["href"] for link in links] == ["https://example.org/a?b=1&c=2"]
    assert links[0]["rel"] == ["noopener", "noreferrer", "nofollow"]
    text = soup_of(response).select(".hd-message__text")[-1].get_text()
    assert "https://example.org/a?b=1&c=2. Pas" in text  # the full stop stays out of the link


# --- Two clients -----------------------------------------------------------------------


def test_a_private_ticket_of_theo_is_a_404_for_lea_by_url_and_by_id(lea, private_ticket):
    other = browser(lea)
    assert other.get(ticket_url(private_ticket)).status_code == 404
    posts = {
        "reply/": {"text": "Je lis votre billet", "client_id": "lea-1"},
        "status/": {"status": "closed"},
        "assign/": {"assignee": ""},
        "settings/": {"priority": "low", "visibility": "clients"},
        "participants/add/": {"user": lea.pk},
        f"participants/{lea.pk}/remove/": {},
    }
    for suffix, data in posts.items():
        response = other.post(ticket_url(private_ticket, suffix), data)
        assert response.status_code == 404, suffix
    private_ticket.refresh_from_db()
    assert private_ticket.status == TicketStatus.OPEN
    assert private_ticket.messages.count() == 1
    assert not Participant.objects.filter(ticket=private_ticket, user=lea).exists()


def test_lea_finds_theos_private_ticket_neither_in_her_list_nor_by_search(
    lea, private_ticket, open_ticket
):
    other = browser(lea)
    for query in (
        {"scope": "all"},
        {"scope": "all", "status": "any"},
        {"scope": "all", "q": "contrat"},
        {"scope": "all", "q": f"#{private_ticket.pk}"},
        {"scope": "all", "q": str(private_ticket.pk), "status": "any"},
    ):
        response = other.get("/admin/helpdesk/tickets/", query)
        assert response.status_code == 200
        assert "Contrat de cession" not in response.content.decode(), query
    assert listed(other.get("/admin/helpdesk/tickets/", {"scope": "all"})) == [
        "Horaires de l’agence"
    ]
    # « Mes billets »: she takes part in none yet.
    assert listed(other.get("/admin/helpdesk/tickets/")) == []


def test_a_ticket_open_to_all_clients_is_read_and_answered_by_both(theo, lea, open_ticket):
    other = browser(lea)
    response = other.get(ticket_url(open_ticket))
    assert response.status_code == 200
    assert shown_messages(response) == ["Quels sont vos horaires d’été ?"]
    response = other.post(
        ticket_url(open_ticket, "reply/"),
        {"text": "Je me pose la même question.", "client_id": "a1"},
    )
    assert response.status_code == 302
    assert shown_messages(browser(theo).get(ticket_url(open_ticket)))[-1] == (
        "Je me pose la même question."
    )
    # She takes part in it now: it is among her tickets.
    assert listed(other.get("/admin/helpdesk/tickets/")) == ["Horaires de l’agence"]


def test_a_client_searches_their_tickets_by_words_of_a_message(theo, private_ticket, open_ticket):
    response = browser(theo).get("/admin/helpdesk/tickets/", {"q": "contrat"})
    assert listed(response) == ["Contrat de cession"]
    response = browser(theo).get("/admin/helpdesk/tickets/", {"q": "horaires hiver"})
    assert listed(response) == []  # every word must be found
    response = browser(theo).get("/admin/helpdesk/tickets/", {"q": "horaires"})
    assert listed(response) == ["Horaires de l’agence"]


def test_the_list_filters_by_status(marie, theo, private_ticket, open_ticket):
    actions.change_status(marie, private_ticket, TicketStatus.CLOSED)
    client = browser(theo)
    assert listed(client.get("/admin/helpdesk/tickets/")) == ["Horaires de l’agence"]
    assert listed(client.get("/admin/helpdesk/tickets/", {"status": "closed"})) == [
        "Contrat de cession"
    ]
    assert len(listed(client.get("/admin/helpdesk/tickets/", {"status": "any"}))) == 2


def test_unread_counts_follow_the_read_mark(marie, theo, private_ticket):
    actions.post_message(marie, private_ticket, "Nous regardons cela.")
    actions.post_message(marie, private_ticket, "Le contrat part demain.")
    client = browser(theo)
    badge = soup_of(client.get("/admin/helpdesk/tickets/")).select_one(".hd-unread")
    assert badge is not None and "2 messages non lus" in badge.get_text()
    client.get(ticket_url(private_ticket))  # reading the ticket moves the mark
    assert soup_of(client.get("/admin/helpdesk/tickets/")).select_one(".hd-unread") is None
    assert Participant.objects.get(ticket=private_ticket, user=theo).last_read_number == 3


# --- Answering without JavaScript ------------------------------------------------------


def test_an_answer_posted_without_javascript_is_stored_once(theo, private_ticket):
    client = browser(theo)
    form = soup_of(client.get(ticket_url(private_ticket))).select_one("form.hd-reply")
    client_id = form.select_one("input[name=client_id]")["value"]
    assert re.fullmatch(r"[0-9a-f]{32}", client_id)
    data = {"text": "Merci pour votre retour.", "client_id": client_id, "list_query": "?q=x"}
    first = client.post(ticket_url(private_ticket, "reply/"), data)
    again = client.post(ticket_url(private_ticket, "reply/"), data)  # a double click
    assert first.status_code == again.status_code == 302
    assert first["Location"] == ticket_url(private_ticket) + "?q=x#message-2"
    assert private_ticket.messages.filter(text="Merci pour votre retour.").count() == 1
    response = client.get(first["Location"].split("#")[0])
    assert shown_messages(response)[-1] == "Merci pour votre retour."


def test_a_refused_answer_says_why_in_french_and_stores_nothing(theo, private_ticket):
    client = browser(theo)
    for text, reason in (
        ("   \n ", "Écrivez d’abord un message."),
        ("x" * 10_001, "Un message compte au plus 10\u00a0000 caractères."),
    ):
        response = client.post(
            ticket_url(private_ticket, "reply/"), {"text": text, "client_id": "abc"}
        )
        assert response.status_code == 200
        assert f"Votre réponse n’a pas été envoyée\u00a0: {reason}" in page_messages(response)
        errors = soup_of(response).select_one("#hd-reply-errors").get_text()
        assert reason in errors
    assert private_ticket.messages.count() == 1
    # The text typed stays in the form, to be corrected.
    assert soup_of(response).select_one("form.hd-reply textarea").get_text() == "x" * 10_001


def test_an_unknown_ticket_is_a_404(marie, theo):
    for user in (marie, theo):
        client = browser(user)
        for url in (
            "/admin/helpdesk/tickets/999999/",
            "/admin/helpdesk/tickets/999999/reply/",
            "/admin/helpdesk/tickets/99999999999999999999/",
        ):
            method = client.post if url.endswith("reply/") else client.get
            assert method(url, {"text": "Bonjour"}).status_code == 404, url
    assert Message.objects.count() == 0


def test_nobody_writes_in_a_closed_ticket(marie, theo, private_ticket):
    actions.change_status(marie, private_ticket, TicketStatus.CLOSED)
    client = browser(theo)
    page = soup_of(client.get(ticket_url(private_ticket)))
    assert page.select_one("form.hd-reply") is None
    assert "Ce billet est fermé" in page.select_one(".hd-closed").get_text()
    response = client.post(
        ticket_url(private_ticket, "reply/"), {"text": "Encore une chose", "client_id": "z"}
    )
    assert (
        "Votre réponse n’a pas été envoyée\u00a0: "
        "Ce billet est fermé\u00a0: plus personne n’y écrit." in page_messages(response)
    )
    assert private_ticket.messages.count() == 1


def test_the_script_may_post_an_answer_and_read_json(theo, private_ticket):
    client = browser(theo)
    response = client.post(
        ticket_url(private_ticket, "reply/"),
        {"text": "Par le secours HTTP", "client_id": "0b7c6f1e-0f7c-4f52-9d89-3cfa3a5a8b11"},
        HTTP_ACCEPT="application/json",
    )
    assert response.json() == {
        "number": 2,
        "client_id": "0b7c6f1e-0f7c-4f52-9d89-3cfa3a5a8b11",
    }
    refused = client.post(
        ticket_url(private_ticket, "reply/"), {"text": ""}, HTTP_ACCEPT="application/json"
    )
    assert refused.status_code == 400
    assert refused.json() == {"error": "Écrivez d’abord un message."}


# --- A new ticket ----------------------------------------------------------------------


def test_a_client_opens_a_ticket_about_themselves_once_even_posted_twice(theo, theatre):
    client = browser(theo)
    form = soup_of(client.get("/admin/helpdesk/tickets/new/")).select_one("form.hd-new")
    # One organisation: no choice to make; no visibility nor person for a client.
    names = {field["name"] for field in form.select("[name]")}
    assert {"subject", "text", "priority"} <= names
    assert not names & {"visibility", "person", "organisation"}
    data = {
        "subject": "Facture de mars",
        "text": "Bonjour, la facture 2026-03 est-elle réglée ?",
        "priority": "high",
        "client_id": form.select_one("input[name=client_id]")["value"],
        "visibility": "clients",  # forged: ignored for a client
    }
    first = client.post("/admin/helpdesk/tickets/new/", data)
    again = client.post("/admin/helpdesk/tickets/new/", data)
    ticket = Ticket.objects.get(subject="Facture de mars")
    assert first["Location"] == again["Location"] == ticket_url(ticket)
    assert ticket.author == theo and ticket.person == theo.person
    assert ticket.organisation == theatre
    assert ticket.priority == "high" and ticket.visibility == Visibility.PRIVATE
    assert f"Billet #{ticket.pk} ouvert." in page_messages(client.get(ticket_url(ticket)))


def test_a_new_ticket_without_subject_says_so_and_opens_nothing(theo):
    response = browser(theo).post(
        "/admin/helpdesk/tickets/new/", {"subject": "", "text": "", "priority": "urgent"}
    )
    assert response.status_code == 200
    assert "Le billet n’a pas été ouvert\u00a0: corrigez les champs signalés." in page_messages(
        response
    )
    assert response.context["form"].errors.keys() == {"subject", "text"}
    assert not Ticket.objects.exists()


def test_staff_open_a_ticket_open_to_all_clients_about_an_organisation(marie, theatre):
    response = browser(marie).post(
        "/admin/helpdesk/tickets/new/",
        {
            "subject": "Fermeture estivale",
            "text": "L’agence ferme du 4 au 22 août.",
            "priority": "normal",
            "visibility": "clients",
            "organisation": theatre.pk,
        },
    )
    ticket = Ticket.objects.get(subject="Fermeture estivale")
    assert response["Location"] == ticket_url(ticket)
    assert ticket.visibility == Visibility.CLIENTS and ticket.organisation == theatre


def test_a_client_with_two_organisations_chooses_only_among_theirs(theo, theatre):
    festival = factories.OrganisationFactory(name="Festival des Lucioles")
    factories.PositionFactory(person=theo.person, organisation=festival)
    elsewhere = factories.OrganisationFactory(name="Scène Quetzal")
    client = browser(theo)
    page = soup_of(client.get("/admin/helpdesk/tickets/new/"))
    options = [o.get_text() for o in page.select("select[name=organisation] option")]
    assert "Scène Quetzal" not in options
    assert {"Théâtre de Metz", "Festival des Lucioles"} <= set(options)
    response = client.post(
        "/admin/helpdesk/tickets/new/",
        {
            "subject": "Ailleurs",
            "text": "Bonjour",
            "priority": "normal",
            "organisation": elsewhere.pk,
        },
    )
    assert response.status_code == 200
    assert not Ticket.objects.filter(subject="Ailleurs").exists()


def test_a_client_lands_on_their_tickets_with_only_the_helpdesk_in_the_menu(theo, private_ticket):
    client = browser(theo)
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == "/admin/helpdesk/tickets/"
    assert listed(response) == ["Contrat de cession"]
    assert client.get("/admin/directory/organisations/").status_code == 403
