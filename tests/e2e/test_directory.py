"""A staff member creates an organisation with two people inline, finds it
with an unaccented search, and comments on it — in headless Chromium."""

import pytest
from playwright.sync_api import expect

from directory.models import Comment, Organisation
from tests import factories
from tests.factories import PASSWORD, PersonFactory

from .conftest import sign_in

pytestmark = pytest.mark.e2e


def choose_person(page, row):
    page.click("#id_positions-ADD")
    page.locator(f"#id_positions-{row}-person-chooser [data-chooser-action-choose]:visible").click()
    modal = page.locator(".modal-content")
    expect(modal).to_be_visible()
    return modal


def test_create_find_and_comment_an_organisation(page, transactional_db):
    factories.staff(username="marie", first_name="Marie", last_name="Dupont")
    PersonFactory(first_name="Ariane", last_name="Mnouchkine")
    sign_in(page, "marie", PASSWORD)

    page.goto(f"{page.base_url}/admin/directory/organisations/add/")
    page.fill("#id_name", "Théâtre du Soleil")
    page.fill("#id_postcode", "75012")
    page.fill("#id_city", "Paris")

    # First person: an existing one, found in the chooser without accents or case.
    modal = choose_person(page, 0)
    modal.locator("input[name=q]").fill("MNOUCH")
    modal.get_by_role("link", name="Ariane Mnouchkine").click()
    expect(modal).to_be_hidden()
    page.fill("#id_positions-0-email", "ariane@soleil.fr")

    # Second person: created from the chooser, without leaving the page.
    modal = choose_person(page, 1)
    modal.get_by_role("tab", name="Nouvelle personne").click()
    modal.locator("input[name=first_name]").fill("Jean")
    modal.locator("input[name=last_name]").fill("Dupré")
    modal.get_by_role("button", name="Créer une personne").click()
    expect(modal).to_be_hidden()
    page.fill("#id_positions-1-email", "jean@soleil.fr")

    page.get_by_role("button", name="Enregistrer").first.click()
    page.wait_for_load_state("networkidle")
    organisation = Organisation.objects.get(name="Théâtre du Soleil")
    assert {p.person.last_name for p in organisation.positions.select_related("person")} == {
        "Mnouchkine",
        "Dupré",
    }

    # Found from the dashboard's directory search, without accents.
    page.goto(f"{page.base_url}/admin/")
    page.fill("#directory-q", "theatre soleil")
    page.press("#directory-q", "Enter")
    page.get_by_role("link", name="Théâtre du Soleil").click()
    expect(page.get_by_role("heading", name="Théâtre du Soleil")).to_be_visible()
    expect(page.get_by_role("link", name="Jean Dupré")).to_be_visible()

    page.fill("textarea[name=body]", "Rencontrée au festival, à rappeler en janvier.")
    page.get_by_role("button", name="Ajouter le commentaire").click()
    expect(page.get_by_text("Commentaire ajouté.")).to_be_visible()
    expect(page.get_by_text("Rencontrée au festival, à rappeler en janvier.")).to_be_visible()
    assert Comment.objects.get().organisation == organisation
