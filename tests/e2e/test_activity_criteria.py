"""Activity criteria in the builder, in a real browser: a staff member finds
the directors of organisations that ordered lately, then those whose orders
this year add up to more than 1 000 €, saves the search and reads it back
in French; and the record shows its « Activité » (headless Chromium)."""

import datetime
import json

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.activity_factories import activity
from tests.factories import (
    PASSWORD,
    FunctionFactory,
    OrganisationFactory,
    PersonFactory,
    PositionFactory,
)

from .conftest import sign_in

pytestmark = pytest.mark.e2e

INCOMPLETE = "Complétez la condition pour voir combien de lignes elle trouve."


def directory():
    director = FunctionFactory(name="Directeur·rice")
    comete = OrganisationFactory(name="La Comète", city="Châlons")
    studio = OrganisationFactory(name="Studio Danse", city="Nancy")
    quiet = OrganisationFactory(name="Salle Tranquille", city="Metz")
    for first, organisation in (("Alice", comete), ("Chloé", studio), ("Denis", quiet)):
        PositionFactory(
            person=PersonFactory(first_name=first, last_name="Test"),
            organisation=organisation,
            function=director,
        )
    today = datetime.date.today()
    activity(comete, "order", today, "1234.50", external_reference="CMD-1")
    activity(studio, "order", today, "80", external_reference="CMD-2")
    activity(quiet, "rental", today, "500", external_reference="LOC-1")
    return comete


def test_activity_rules_in_the_builder_and_on_the_record(page, transactional_db):
    comete = directory()
    factories.staff(username="marie", first_name="Marie", last_name="Martin")
    sign_in(page, "marie", PASSWORD)
    page.goto(f"{page.base_url}/admin/selections/searches/new/")
    count = page.locator("#crm-count")
    expect(count).to_contain_text("ligne")

    page.get_by_role("button", name="+ Ajouter une condition").first.click()
    rule = page.locator(".crm-rule").first
    rule.get_by_label("Champ").select_option(label="Activité de l’organisation")
    expect(rule.get_by_label("Opérateur")).to_have_value("had_activity")
    # Any kind within the last 12 months, by default: the three directors.
    expect(rule.get_by_label("Nombre de mois")).to_have_value("12")
    expect(count).to_have_text("3 lignes")
    rule.get_by_label("Type d’activité").select_option(label="Commande")
    expect(count).to_have_text("2 lignes")

    # A number out of range: the rule says so once left, and nothing is counted.
    months = rule.get_by_label("Nombre de mois")
    months.fill("0")
    expect(count).to_have_text(INCOMPLETE)
    months.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(rule.locator(".crm-rule-error")).to_have_text(
        "Indiquez un nombre entier entre 1 et 600."
    )
    months.fill("6")
    expect(count).to_have_text("2 lignes")

    # The total of this year's orders above 1 000 €, typed the French way.
    rule.get_by_label("Opérateur").select_option(label="total sur une période supérieur à")
    expect(rule.get_by_label("Type d’activité")).to_have_value(str(comete.activities.get().kind_id))
    expect(rule.get_by_label("Période")).to_have_value("this_year")
    expect(count).to_have_text(INCOMPLETE)
    rule.get_by_label("Montant").fill("1 000")
    expect(count).to_have_text("1 ligne")
    criteria = json.loads(page.locator("#id_criteria").input_value())
    assert criteria["rules"][0]["value"]["amount"] == "1 000"

    page.fill("#id_name", "Gros clients de l’année")
    page.get_by_role("button", name="Enregistrer cette recherche").click()
    page.wait_for_load_state("networkidle")
    body = page.locator("main")
    expect(body).to_contain_text("Alice Test")
    expect(body).not_to_contain_text("Chloé Test")
    expect(body).to_contain_text(
        "Activité de l’organisation\u00a0: total (Commande, cette année) "
        "supérieur à 1\u00a0000,00\u00a0€"
    )

    page.goto(f"{page.base_url}/admin/directory/organisations/inspect/{comete.pk}/")
    section = page.locator("[data-record-activities]")
    expect(section).to_contain_text("CMD-1")
    expect(section).to_contain_text("1\u00a0234,50\u00a0€")
