"""An organisation with 14 positions edits on a short page: each position one
line, opened on demand, saved, and back on the record — in headless Chromium."""

import datetime

import pytest
from playwright.sync_api import expect

from directory.models import Position
from tests import factories
from tests.factories import FunctionFactory, OrganisationFactory, PersonFactory, PositionFactory

from .conftest import sign_in

pytestmark = pytest.mark.e2e


def content_height(page):
    """The height of the page's content (Wagtail scrolls its main area, not the body)."""
    return page.evaluate("document.getElementById('main').scrollHeight")


def test_fourteen_positions_edit_on_a_short_page(page, transactional_db):
    factories.staff(username="marie", first_name="Marie", last_name="Dupont")
    organisation = OrganisationFactory(name="Musée du Violon")
    director = FunctionFactory(name="Directrice")
    positions = []
    for n in range(14):
        positions.append(
            PositionFactory(
                organisation=organisation,
                person=PersonFactory(first_name="Personne", last_name=f"Numéro {n:02d}"),
                function=director,
                email=f"p{n}@musee-violon.fr",
                phone="01 42 74 22 77" if n == 3 else "",
                start_date=datetime.date(2020, 1, 1),
                end_date=datetime.date(2023, 6, 30) if n >= 11 else None,
            )
        )
    target = positions[3]
    sign_in(page, "marie", factories.PASSWORD)

    page.goto(f"{page.base_url}/admin/directory/organisations/edit/{organisation.pk}/")
    page.wait_for_load_state("networkidle")
    rows = page.locator("[data-inline-panel-child]:not(template *)")
    expect(rows).to_have_count(14)
    # One line each, closed: the page is far shorter than the 13,000 px of
    # every row's fields shown.
    assert content_height(page) < 4000
    expect(page.get_by_text("Postes terminés")).to_be_visible()

    # Open the row (Wagtail's toggle, aria-expanded), change its e-mail.
    row = page.locator("[data-inline-panel-child]", has_text="Numéro 03")
    toggle = row.locator("[data-panel-toggle]").first
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(row).to_contain_text("p3@musee-violon.fr")
    expect(row).to_contain_text("En poste")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    email = row.locator("input[name$='-email']")
    expect(email).to_be_visible()
    expect(email).to_have_value("p3@musee-violon.fr")
    expect(row.locator("input[name$='-phone']")).to_have_value("01 42 74 22 77")
    expect(row.locator("[data-chooser-title]").first).to_have_text("Personne Numéro 03")
    email.fill("direction@musee-violon.fr")
    expect(row.locator(".crm-position-summary__email")).to_have_text("direction@musee-violon.fr")

    # An ended one reads as such, and opens with the keyboard too.
    ended = page.locator("[data-inline-panel-child]", has_text="Numéro 12")
    expect(ended).to_contain_text("Terminé le 30/06/2023")
    ended.locator("[data-panel-toggle]").first.focus()
    page.keyboard.press("Enter")
    expect(ended.locator("input[name$='-end_date']")).to_be_visible()

    page.get_by_role("button", name="Enregistrer").first.click()
    page.wait_for_load_state("networkidle")

    # Back on the record ("fiche"), which shows the new e-mail.
    assert page.url.rstrip("/").endswith(f"/organisations/inspect/{organisation.pk}")
    expect(page.get_by_text("direction@musee-violon.fr")).to_be_visible()
    expect(page.locator("[data-record-edit]")).to_be_visible()
    target.refresh_from_db()
    assert target.email == "direction@musee-violon.fr"
    assert target.phone == "+33142742277"
    # The other rows, never opened, are as they were.
    assert Position.objects.filter(organisation=organisation).count() == 14
    assert sorted(Position.objects.values_list("email", flat=True)) == sorted(
        ["direction@musee-violon.fr"] + [f"p{n}@musee-violon.fr" for n in range(14) if n != 3]
    )
    assert Position.objects.filter(end_date=datetime.date(2023, 6, 30)).count() == 3


def test_a_new_position_opens_expanded_and_a_closed_one_can_be_deleted(page, transactional_db):
    factories.staff(username="marie")
    organisation = OrganisationFactory(name="Musée du Violon")
    PositionFactory(organisation=organisation, email="p@musee-violon.fr")
    sign_in(page, "marie", factories.PASSWORD)
    page.goto(f"{page.base_url}/admin/directory/organisations/edit/{organisation.pk}/")
    page.wait_for_load_state("networkidle")
    page.click("#id_positions-ADD")
    new_row = page.locator("#inline_child_positions-1")
    expect(new_row).to_contain_text("Nouveau poste")
    expect(new_row.locator("[data-panel-toggle]").first).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#id_positions-1-email")).to_be_visible()

    # The closed row's bin deletes it (Wagtail's own control, on its hidden DELETE).
    page.locator("#id_positions-0-DELETE-button").click()
    expect(page.locator("#inline_child_positions-0")).to_be_hidden()
    page.get_by_role("button", name="Enregistrer").first.click()
    page.wait_for_load_state("networkidle")
    assert page.url.rstrip("/").endswith(f"/organisations/inspect/{organisation.pk}")
    assert not Position.objects.filter(organisation=organisation).exists()
