"""An administrator exports a person's data from their record, erases them
(a wrong name first: nothing happens), and reviews the dormant contacts —
in headless Chromium, with screenshots of each screen."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from directory.models import Person
from tests import factories
from tests.factories import PASSWORD

from .conftest import SCREENSHOTS, sign_in

pytestmark = pytest.mark.e2e


def _shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"privacy-{name}.png"), full_page=True)


def test_export_erase_and_dormant_review(page, transactional_db):
    factories.administrator(username="alice", first_name="Alice", last_name="Martin")
    person = factories.PersonFactory(
        first_name="Élise", last_name="Vasseur", email="elise@exemple.fr", city="Metz"
    )
    factories.PositionFactory(person=person, email="e.vasseur@lac.fr")
    old = timezone.now() - datetime.timedelta(days=4 * 365)
    for first, last in (("Gaston", "Lagaffe"), ("Jeanne", "Dormeuse")):
        sleeper = factories.PersonFactory(first_name=first, last_name=last)
        Person.all_objects.filter(pk=sleeper.pk).update(created_at=old, updated_at=old)
    sign_in(page, "alice", PASSWORD)

    # The record's "…" menu: export.
    page.goto(f"{page.base_url}/admin/directory/people/inspect/{person.pk}/")
    page.get_by_role("button", name="Actions").click()
    expect(page.get_by_role("link", name="Exporter les données personnelles")).to_be_visible()
    _shot(page, "record-menu")
    page.get_by_role("link", name="Exporter les données personnelles").click()
    expect(page.get_by_role("button", name="Télécharger l’archive (ZIP)")).to_be_visible()
    _shot(page, "export")
    with page.expect_download() as download:
        page.get_by_role("button", name="Télécharger l’archive (ZIP)").click()
    assert download.value.suggested_filename.startswith(f"donnees-personne-{person.pk}-")

    # Erase: a wrong name changes nothing, the right one erases.
    page.goto(f"{page.base_url}/admin/privacy/person/{person.pk}/erase/")
    page.get_by_label("Tapez le nom de la personne pour confirmer").fill("Élise Vasseu")
    page.get_by_role("button", name="Effacer définitivement").click()
    expect(page.get_by_text("rien n’a été effacé", exact=False).first).to_be_visible()
    _shot(page, "erase-refused")
    person.refresh_from_db()
    assert person.last_name == "Vasseur"
    page.get_by_label("Tapez le nom de la personne pour confirmer").fill("élise vasseur")
    page.get_by_role("button", name="Effacer définitivement").click()
    expect(page.get_by_text("Les données de la personne sont effacées.")).to_be_visible()
    expect(page.get_by_role("heading", name="Personne effacée")).to_be_visible()
    _shot(page, "erased-record")

    # Dormant contacts, from the Settings menu: keep one with a reason.
    page.goto(f"{page.base_url}/admin/")
    page.get_by_role("button", name="Paramètres").click()
    page.get_by_role("link", name="Contacts dormants").click()
    expect(page.get_by_text("2 contacts dormants")).to_be_visible()
    _shot(page, "dormant")
    row = page.locator("tr", has_text="Gaston Lagaffe")
    row.get_by_placeholder("Motif").fill("Auteur de la maison")
    row.get_by_role("button", name="Garder").click()
    expect(page.get_by_text("est gardé", exact=False)).to_be_visible()
    expect(page.locator("tr", has_text="Gaston Lagaffe")).to_have_count(0)
    expect(page.get_by_text("1 contact dormant")).to_be_visible()
