"""A staff member and a client sign in, as people would, in headless Chromium."""

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.factories import PASSWORD

from .conftest import sign_in

pytestmark = pytest.mark.e2e


def test_a_staff_member_sees_the_french_workspace_menu(page, transactional_db):
    factories.staff(username="marie", first_name="Marie", last_name="Dupont")
    sign_in(page, "marie", PASSWORD)
    assert page.url == f"{page.base_url}/admin/"
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    directory = page.get_by_role("button", name="Annuaire")
    expect(directory).to_be_visible()
    expect(page.get_by_role("link", name="Paramètres")).to_have_count(0)
    directory.click()
    centres = page.get_by_role("link", name="Centres d’intérêt")
    expect(centres).to_be_visible()
    centres.click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/admin/directory/interest-centres/")
    expect(page.get_by_role("heading", name="Centres d’intérêt")).to_be_visible()


def test_a_client_sees_only_their_area_and_is_refused_elsewhere(page, transactional_db):
    factories.client(username="theo", first_name="Théo", last_name="Bernard")
    sign_in(page, "theo", PASSWORD)
    # A client lands on their tickets (the helpdesk), the only place they may go.
    assert page.url == f"{page.base_url}/admin/helpdesk/tickets/"
    assert page.title().startswith("Billets")
    expect(page.get_by_role("link", name="Mes billets")).to_be_visible()
    expect(page.get_by_role("button", name="Annuaire")).to_have_count(0)

    response = page.goto(f"{page.base_url}/admin/directory/interest-centres/")
    assert response.status in (403, 404)
    expect(page.get_by_role("heading", name="Accès refusé")).to_be_visible()
    response = page.goto(f"{page.base_url}/admin/users/")
    assert response.status in (403, 404)


def test_a_wrong_password_is_refused_in_french(page, transactional_db):
    factories.staff(username="marie")
    sign_in(page, "marie", "not-the-password")
    assert "/admin/login/" in page.url
    expect(page.locator(".messages")).to_contain_text("ne correspondent à aucun utilisateur")
