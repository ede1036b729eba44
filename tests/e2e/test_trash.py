"""A staff member deletes an organisation with positions, finds it in the
trash ("Corbeille"), restores it, and its people find it again by name — in
headless Chromium."""

import pytest
from playwright.sync_api import expect

from directory.models import Organisation
from tests import factories
from tests.factories import PASSWORD

from .conftest import sign_in

pytestmark = pytest.mark.e2e


def test_delete_then_restore_an_organisation(page, transactional_db):
    factories.staff(username="marie", first_name="Marie", last_name="Dupont")
    comete = factories.OrganisationFactory(name="La Comète", city="Châlons-en-Champagne")
    for first, last in (("Anne", "Aubry"), ("Paul", "Petit")):
        factories.PositionFactory(
            organisation=comete, person=factories.PersonFactory(first_name=first, last_name=last)
        )
    sign_in(page, "marie", PASSWORD)

    # Delete it: the confirmation says what goes with it.
    page.goto(f"{page.base_url}/admin/directory/organisations/delete/{comete.pk}/")
    expect(page.get_by_text("2 postes")).to_be_visible()
    page.get_by_role("button", name="Oui, supprimer").click()
    expect(page.get_by_text("mise à la corbeille")).to_be_visible()

    # Its people are no longer found by its name.
    page.goto(f"{page.base_url}/admin/directory/people/?q=comete")
    expect(page.get_by_text("Anne Aubry")).to_have_count(0)

    # The trash, from the Annuaire menu.
    page.goto(f"{page.base_url}/admin/")
    page.get_by_role("button", name="Annuaire").click()
    page.get_by_role("link", name="Corbeille").click()
    row = page.locator("tr", has_text="La Comète")
    expect(row).to_be_visible()
    row.get_by_role("button", name="Restaurer").click()
    expect(page.get_by_text("est de retour dans l’annuaire")).to_be_visible()
    assert Organisation.objects.filter(pk=comete.pk).exists()

    # Its people find it again by name.
    page.goto(f"{page.base_url}/admin/directory/people/?q=comete")
    expect(page.get_by_role("link", name="Anne Aubry")).to_be_visible()
    expect(page.get_by_role("link", name="Paul Petit")).to_be_visible()
