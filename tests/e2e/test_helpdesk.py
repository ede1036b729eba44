"""In headless Chromium, against a real daphne: a client and a member of
staff, each in their own browser context, talk in a ticket and see each
other's messages arrive live; the client's connection is dropped, the staff
member writes meanwhile and the client writes too, and once the connection
is back each message is shown once on both sides and stored once.

pytest-django's live server speaks WSGI, without websockets, so the test
starts daphne itself (`crmsite.asgi:application` with the static files
handler, as channels' `ChannelsLiveServerTestCase` does), in a process of
its own on a free port. That process cannot share the test's in-memory
database, so it gets an SQLite file, migrated and filled by a small
script run with the same settings; the test reads that file to count the
messages stored.
"""

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import SCREENSHOTS, sign_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]

SEED = """
import json
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from crmsite.roles import sync_roles
from helpdesk import actions
from tests import factories
sync_roles()
theatre = factories.OrganisationFactory(name="Théâtre de Metz")
position = factories.PositionFactory(
    person__first_name="Théo", person__last_name="Martin", organisation=theatre
)
theo = factories.client(
    username="theo", first_name="Théo", last_name="Martin", person=position.person
)
factories.staff(username="marie", first_name="Marie", last_name="Dupont")
ticket = actions.open_ticket(
    theo, subject="Contrat de cession", text="Bonjour, où en est notre contrat ?"
)
print(json.dumps({"ticket": ticket.pk}))
"""

SERVE = """
import sys
import django
django.setup()
from daphne.server import Server
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
from crmsite.asgi import application
port = int(sys.argv[1])
Server(
    ASGIStaticFilesHandler(application),
    endpoints=[f"tcp:port={port}:interface=127.0.0.1"],
    signal_handlers=True,
).run()
"""

# The page's controller, to wait until its socket has caught up, and to drop it.
CONTROLLER = (
    "document.querySelector('[data-controller=\"helpdesk-ticket\"]') && "
    "window.wagtail.app.getControllerForElementAndIdentifier("
    "document.querySelector('[data-controller=\"helpdesk-ticket\"]'), 'helpdesk-ticket')"
)
SYNCED = f"() => {{ const c = {CONTROLLER}; return Boolean(c && c.synced); }}"
# The page closes its socket itself when the browser says it is offline; this
# closes it too, should the browser not say so.
DROP = f"() => {{ const c = {CONTROLLER}; if (c.socket) {{ c.socket.close(); }} }}"
NUMBERS = "els => els.map(e => Number(e.dataset.number))"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def daphne(tmp_path_factory):
    """(base URL, database file, ticket id) of a daphne serving a seeded file database."""
    database = tmp_path_factory.mktemp("helpdesk") / "helpdesk-e2e.sqlite3"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "CELERY_BROKER_URL", "DATABASE_URL"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="crmsite.settings.test",
        DATABASE_URL=f"sqlite:///{database}",
        PYTHONPATH=str(ROOT),
    )
    seeded = subprocess.run(
        [sys.executable, "-c", SEED],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    ticket = json.loads(seeded.stdout.strip().splitlines()[-1])["ticket"]
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", SERVE, str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/admin/login/", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(server.stderr.read().decode()) from None
                time.sleep(0.3)
        yield base, database, ticket
    finally:
        server.terminate()
        server.wait(timeout=10)


def open_ticket_page(browser, base, username, ticket):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = base
    sign_in(page, username, PASSWORD)
    page.goto(f"{base}/admin/helpdesk/tickets/{ticket}/")
    page.wait_for_function(SYNCED)
    return context, page


def stored(database, ticket) -> list[str]:
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT text FROM helpdesk_message WHERE ticket_id = ? ORDER BY number", (ticket,)
        )
        return [text for (text,) in rows]


def numbers_shown(page) -> list[int]:
    return page.eval_on_selector_all(".hd-message-list li[data-number]", NUMBERS)


def send(page, text):
    page.get_by_label("Votre réponse").fill(text)
    page.get_by_role("button", name="Envoyer").click()


def test_a_client_and_staff_talk_live_and_nothing_is_lost_or_doubled_after_a_drop(browser, daphne):
    base, database, ticket = daphne
    client_context, client = open_ticket_page(browser, base, "theo", ticket)
    staff_context, staff = open_ticket_page(browser, base, "marie", ticket)
    client_messages = client.locator(".hd-message-list li[data-number] .hd-message__text")
    staff_messages = staff.locator(".hd-message-list li[data-number] .hd-message__text")
    try:
        # The client writes: the staff member sees them typing, then the message, live.
        client.get_by_label("Votre réponse").press_sequentially("Le contrat est", delay=20)
        expect(staff.locator(".hd-typing")).to_have_text("Théo Martin est en train d’écrire…")
        client.get_by_label("Votre réponse").press_sequentially(" signé ?", delay=20)
        client.get_by_role("button", name="Envoyer").click()
        expect(staff_messages.last).to_have_text("Le contrat est signé ?")
        expect(client_messages.last).to_have_text("Le contrat est signé ?")
        expect(client.locator(".hd-message--pending")).to_have_count(0)
        expect(staff.locator(".hd-typing")).to_have_text("")

        # The staff member answers, with a link: it reaches the client live.
        send(staff, "Oui, voici la copie signée https://example.org/contrat.pdf")
        expect(client_messages.last).to_contain_text("Oui, voici la copie")
        link = client_messages.last.get_by_role("link", name="https://example.org/contrat.pdf")
        expect(link).to_have_attribute("rel", "noopener noreferrer nofollow")
        # The client read it: the staff member sees the read mark.
        expect(staff.locator("#message-3 [data-read-by]")).to_have_text("Vu par Théo Martin")

        # The staff member closes the ticket, then reopens it: the client's
        # answer box follows, live (locked, then usable again).
        staff.get_by_role("button", name="Fermer", exact=True).click()
        expect(client.get_by_label("Votre réponse")).to_be_disabled()
        staff.get_by_role("button", name="Rouvrir").click()
        expect(client.get_by_label("Votre réponse")).to_be_enabled()
        expect(client.locator(".hd-banner")).to_be_hidden()

        # The client's connection drops (and the network with it).
        client_context.set_offline(True)
        client.evaluate(DROP)
        banner = client.locator(".hd-banner")
        expect(banner).to_contain_text("Connexion perdue")
        # Meanwhile the staff member writes, and so does the client.
        send(staff, "Le contrat part demain par la poste.")
        expect(staff_messages.last).to_have_text("Le contrat part demain par la poste.")
        send(client, "Merci, j’attends le courrier.")
        pending = client.locator(".hd-message--pending")
        expect(pending).to_have_count(1)
        expect(pending).to_contain_text("Pas encore envoyé")
        client.wait_for_timeout(1500)
        expect(client.get_by_text("Le contrat part demain par la poste.")).to_have_count(0)

        # The connection comes back: what was missed arrives once, what was
        # pending is sent once.
        client_context.set_offline(False)
        expect(client.get_by_text("Le contrat part demain par la poste.")).to_have_count(
            1, timeout=20_000
        )
        expect(client_messages.last).to_have_text("Merci, j’attends le courrier.")
        expect(pending).to_have_count(0)
        expect(banner).to_contain_text("Connexion rétablie")
        expect(staff_messages.last).to_have_text("Merci, j’attends le courrier.")
        staff.wait_for_timeout(1000)  # anything doubled would have arrived by now
        for page in (client, staff):
            assert numbers_shown(page) == [1, 2, 3, 4, 5]
        assert stored(database, ticket) == [
            "Bonjour, où en est notre contrat ?",
            "Le contrat est signé ?",
            "Oui, voici la copie signée https://example.org/contrat.pdf",
            "Le contrat part demain par la poste.",
            "Merci, j’attends le courrier.",
        ]
    finally:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        client.screenshot(path=str(SCREENSHOTS / "helpdesk-client.png"), full_page=True)
        staff.screenshot(path=str(SCREENSHOTS / "helpdesk-staff.png"), full_page=True)
        client_context.close()
        staff_context.close()


def test_the_ticket_page_runs_under_the_content_security_policy(browser, daphne):
    base, _database, ticket = daphne
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text
            else None
        ),
    )
    page.base_url = base
    try:
        sign_in(page, "theo", PASSWORD)
        page.goto(f"{base}/admin/helpdesk/tickets/{ticket}/")
        page.wait_for_function(SYNCED)
        assert violations == []
    finally:
        context.close()
