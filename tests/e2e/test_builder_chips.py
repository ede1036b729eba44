"""The builder's list values in a real browser: a searchable multi-select
with chips, driven from the keyboard, and no count request while a rule is
incomplete (headless Chromium)."""

import json
import re

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.factories import (
    PASSWORD,
    FunctionFactory,
    InterestCentreFactory,
    OrganisationFactory,
    PersonFactory,
    PositionFactory,
)

from .conftest import sign_in

pytestmark = pytest.mark.e2e

INCOMPLETE = "Complétez la condition pour voir combien de lignes elle trouve."


def directory():
    theatre = InterestCentreFactory(name="Théâtre")
    dance = InterestCentreFactory(name="Danse")
    InterestCentreFactory(name="Arts de la rue")
    InterestCentreFactory(name="Musiques actuelles")
    director = FunctionFactory(name="Directeur·rice")
    comete = OrganisationFactory(name="La Comète", city="Châlons")
    comete.interest_centres.add(theatre)
    comete.save()  # a ParentalManyToManyField: kept on save
    studio = OrganisationFactory(name="Studio Danse", city="Nancy")
    studio.interest_centres.add(dance)
    studio.save()
    for first, organisation in (("Alice", comete), ("Bruno", comete), ("Chloé", studio)):
        PositionFactory(
            person=PersonFactory(first_name=first, last_name="Test"),
            organisation=organisation,
            function=director,
        )


def sent_criteria(body: str) -> dict:
    """The criteria of a count request (a multipart form, as fetch sends FormData)."""
    found = re.search(r'name="criteria"\r\n\r\n(.*?)\r\n--', body, re.S)
    assert found, body
    return json.loads(found.group(1))


def criteria_rules(node):
    for member in node.get("rules", []):
        if "rules" in member:
            yield from criteria_rules(member)
        else:
            yield member


def test_chips_from_the_keyboard_and_no_count_while_incomplete(page, transactional_db):
    directory()
    factories.staff(username="marie", first_name="Marie", last_name="Martin")
    sign_in(page, "marie", PASSWORD)

    counts = []

    def watch(request):
        if "/selections/searches/count/" in request.url:
            counts.append(sent_criteria(request.post_data or ""))

    page.on("request", watch)
    page.goto(f"{page.base_url}/admin/selections/searches/new/")
    count = page.locator("#crm-count")
    expect(count).to_contain_text("ligne")  # the count of no condition at all
    page.wait_for_timeout(500)
    counts.clear()

    # A rule whose values are not chosen yet: no request, a calm word, no error.
    page.get_by_role("button", name="+ Ajouter une condition").first.click()
    rule = page.locator(".crm-rule").first
    rule.get_by_label("Champ").select_option(label="Centres d’intérêt")
    expect(count).to_have_text(INCOMPLETE)
    box = rule.get_by_role("combobox", name="Valeur (Centres d’intérêt)")
    expect(box).to_have_attribute("placeholder", "Tapez pour filtrer, Entrée pour ajouter")
    expect(rule.locator(".crm-rule-error")).to_be_hidden()

    # Type a few letters (accents and case ignored): only the match is offered.
    box.click()
    box.press_sequentially("thé")
    suggestions = rule.locator(".crm-ms-options")
    options = suggestions.get_by_role("option")
    expect(options).to_have_count(1)
    expect(options.first).to_have_text("Théâtre")
    page.wait_for_timeout(800)
    assert counts == [], "no count request while the rule is incomplete"

    # Enter adds it as a chip; the count comes, for the complete rule only.
    box.press("Enter")
    chips = rule.locator(".crm-ms-chip")
    expect(chips).to_have_count(1)
    expect(chips.first).to_contain_text("Théâtre")
    expect(rule.get_by_role("button", name="Retirer Théâtre")).to_be_visible()
    expect(count).to_have_text("2 lignes")
    assert len(counts) == 1
    expect(box).to_be_focused()  # ready for the next value

    # Backspace in the empty box removes the last chip: incomplete again, no request.
    box.press("Backspace")
    expect(chips).to_have_count(0)
    expect(count).to_have_text(INCOMPLETE)
    page.wait_for_timeout(800)
    assert len(counts) == 1
    expect(rule.locator(".crm-rule-error")).to_be_hidden()  # still on the rule: no error yet

    # Moving on (out of the rule: past its × button) shows what the rule lacks.
    box.press("Escape")
    box.press("Tab")
    expect(rule.get_by_role("button", name="Retirer cette condition")).to_be_focused()
    expect(rule.locator(".crm-rule-error")).to_be_hidden()
    page.keyboard.press("Tab")
    expect(rule.locator(".crm-rule-error")).to_have_text("Choisissez au moins une valeur.")
    expect(box).to_have_attribute("aria-invalid", "true")

    # Showing the results of an incomplete rule is not sent either.
    url_before = page.url
    page.get_by_role("button", name="Afficher les résultats").click()
    page.wait_for_timeout(500)
    assert page.url == url_before
    assert len(counts) == 1

    # Two values by click; the × of a chip removes it.
    box.click()
    suggestions.get_by_role("option", name="Danse", exact=True).click()
    box.press_sequentially("thea")
    suggestions.get_by_role("option", name="Théâtre", exact=True).click()
    expect(chips).to_have_count(2)
    expect(rule.locator(".crm-rule-error")).to_be_hidden()
    expect(count).to_have_text("3 lignes")
    rule.get_by_role("button", name="Retirer Danse").click()
    expect(chips).to_have_count(1)
    expect(count).to_have_text("2 lignes")

    # The native select behind the chips holds the choice, and the saved criteria too.
    selected = rule.locator("select[multiple]").evaluate(
        "select => Array.from(select.selectedOptions).map(option => option.textContent)"
    )
    assert selected == ["Théâtre"]
    criteria = json.loads(page.locator("#id_criteria").input_value())
    assert [rule["operator"] for rule in criteria["rules"]] == ["in"]

    # Every count request that left was for complete rules only.
    for tree in counts:
        for member in criteria_rules(tree):
            assert member.get("value"), f"count asked for an incomplete rule: {tree}"


def test_without_the_multiselect_script_the_native_select_still_works(page, transactional_db):
    directory()
    factories.staff(username="marie")
    sign_in(page, "marie", PASSWORD)
    page.route("**/selections/multiselect.js", lambda route: route.abort())
    page.goto(f"{page.base_url}/admin/selections/searches/new/")
    page.get_by_role("button", name="+ Ajouter une condition").first.click()
    rule = page.locator(".crm-rule").first
    rule.get_by_label("Champ").select_option(label="Centres d’intérêt")
    rule.get_by_label("Valeur").select_option(label="Théâtre")
    expect(page.locator("#crm-count")).to_have_text("2 lignes")
