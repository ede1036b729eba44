"""A staff member opens « Doublons probables » from the Annuaire menu,
compares two people, picks fields, merges them, and the kept record shows
both positions — in headless Chromium. Screenshots of the list and of the
merge screen are written to $MERGE_SCREENSHOTS when it is set."""

import os

import pytest
from playwright.sync_api import expect

from directory.models import Person
from tests import factories
from tests.factories import PASSWORD

from .conftest import sign_in

pytestmark = pytest.mark.e2e


def shot(page, name):
    folder = os.environ.get("MERGE_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, name), full_page=True)


def test_a_staff_member_merges_two_people(page, transactional_db):
    factories.staff(username="marie", first_name="Marie", last_name="Dupont")
    kept = factories.PersonFactory(
        first_name="Élise", last_name="Vasseur", city="Metz", email="elise@lac.fr"
    )
    other = factories.PersonFactory(
        first_name="Elise", last_name="VASSEUR", city="Metz", phone="+33387000000"
    )
    factories.PositionFactory(person=kept, organisation__name="Théâtre du Lac")
    factories.PositionFactory(person=other, organisation__name="Opéra de Metz")
    sign_in(page, "marie", PASSWORD)

    page.goto(f"{page.base_url}/admin/")
    page.get_by_role("button", name="Annuaire").click()
    page.get_by_role("link", name="Doublons probables").click()
    row = page.locator("tr", has_text="Élise Vasseur")
    expect(row).to_contain_text("Même nom et même ville")
    shot(page, "duplicates-list.png")

    row.get_by_role("link", name="Comparer et fusionner").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Fusionner")

    # Keep the accented first name, take the other record's last name.
    def field(label):
        return page.locator("tr", has=page.get_by_role("rowheader", name=label, exact=True))

    field("Prénom").get_by_label("Élise", exact=True).check()
    field("Nom").get_by_label("VASSEUR", exact=True).check()
    shot(page, "merge-screen.png")
    page.get_by_role("button", name="Fusionner", exact=True).click()

    expect(page.get_by_text("est fusionnée dans")).to_be_visible()
    expect(page.get_by_text("Théâtre du Lac").first).to_be_visible()
    expect(page.get_by_text("Opéra de Metz").first).to_be_visible()
    merged = Person.all_objects.get(pk=other.pk)
    assert merged.is_trashed
    record = Person.objects.get(pk=kept.pk)
    assert (record.first_name, record.last_name, record.phone) == (
        "Élise",
        "VASSEUR",
        "+33387000000",
    )
    assert record.positions.count() == 2
