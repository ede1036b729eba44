"""The likely-duplicates notice in a browser: on the person's creation page
and in the person chooser's creation tab, a warning with links and a
"Créer quand même" button that creates, without a red error."""

import pytest
from playwright.sync_api import expect

from directory.models import Person
from tests import factories
from tests.factories import (
    PASSWORD,
    FunctionFactory,
    OrganisationFactory,
    PersonFactory,
    PositionFactory,
)

from .conftest import SCREENSHOTS, sign_in

pytestmark = pytest.mark.e2e


def test_create_anyway_on_the_person_page(page, transactional_db):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    factories.staff(username="marie")
    existing = PersonFactory(first_name="Élodie", last_name="MARTIN", email="em@courriel.fr")
    sign_in(page, "marie", PASSWORD)

    page.goto(f"{page.base_url}/admin/directory/people/add/")
    page.fill("#id_first_name", "elodie")
    page.fill("#id_last_name", "martin")
    page.get_by_role("button", name="Enregistrer").first.click()
    page.wait_for_load_state("networkidle")

    notice = page.locator("[data-likely-duplicates]")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("Cette personne existe peut-être déjà")
    expect(notice).to_contain_text("même nom")
    link = notice.get_by_role("link", name="Élodie MARTIN")
    expect(link).to_have_attribute("href", f"/admin/directory/people/inspect/{existing.pk}/")
    expect(link).to_have_attribute("target", "_blank")
    expect(page.locator(".messages .error")).to_have_count(0)
    expect(page.locator(".w-field--error")).to_have_count(0)
    page.screenshot(path=str(SCREENSHOTS / "likely_duplicates_person_page.png"))

    notice.get_by_role("button", name="Créer quand même").click()
    page.wait_for_load_state("networkidle")
    assert Person.objects.filter(name_key="martin elodie").count() == 2


def test_create_anyway_in_the_person_chooser(page, transactional_db):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    factories.staff(username="marie")
    director = FunctionFactory(name="Directrice")
    opera = OrganisationFactory(name="Opéra de Lyon", city="Lyon")
    existing = PersonFactory(first_name="Élodie", last_name="Martin", mobile="0612345678")
    PositionFactory(person=existing, organisation=opera, function=director, email="em@opera.fr")
    sign_in(page, "marie", PASSWORD)

    page.goto(f"{page.base_url}/admin/directory/organisations/add/")
    page.fill("#id_name", "Théâtre du Soleil")
    page.click("#id_positions-ADD")
    page.locator("#id_positions-0-person-chooser [data-chooser-action-choose]:visible").click()
    modal = page.locator(".modal-content")
    expect(modal).to_be_visible()
    # The list tells homonyms apart.
    expect(modal.locator("table")).to_contain_text("Opéra de Lyon")
    expect(modal.locator("thead")).to_contain_text("Nom")
    expect(modal.locator("thead")).not_to_contain_text("Titre")
    page.wait_for_timeout(500)  # the modal fades in
    page.screenshot(path=str(SCREENSHOTS / "person_chooser_list.png"))

    modal.get_by_role("tab", name="Nouvelle personne").click()
    modal.locator("input[name=first_name]").fill("Elodie")
    modal.locator("input[name=last_name]").fill("MARTIN")
    modal.locator("input[name=mobile]").fill("+33 6 12 34 56 78")
    modal.get_by_role("button", name="Créer une personne").click()

    notice = modal.locator("[data-likely-duplicates]")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("même téléphone")
    expect(notice).to_contain_text("Directrice, Opéra de Lyon")
    expect(notice.get_by_role("button", name="Choisir Élodie Martin")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "likely_duplicates_chooser.png"))

    notice.get_by_role("button", name="Créer quand même").click()
    expect(modal).to_be_hidden()
    created = Person.objects.exclude(pk=existing.pk).get()
    assert created.last_name == "MARTIN" and created.mobile == "+33612345678"
    expect(page.locator("#id_positions-0-person-chooser")).to_contain_text("Elodie MARTIN")
