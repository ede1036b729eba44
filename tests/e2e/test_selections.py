"""A staff member builds a three-rule search in the builder, saves it,
shares it, puts it in a basket with another search, and exports the basket —
in headless Chromium."""

import pytest
from playwright.sync_api import expect

from selections.models import Basket, SavedSearch
from tests import factories
from tests.factories import (
    PASSWORD,
    FunctionFactory,
    OrganisationFactory,
    OrganisationKindFactory,
    PersonFactory,
    PositionFactory,
)

from .conftest import sign_in

pytestmark = pytest.mark.e2e


def directory():
    venue = OrganisationKindFactory(name="Lieu de spectacle")
    festival = OrganisationKindFactory(name="Festival")
    director = FunctionFactory(name="Directeur·rice")
    board = FunctionFactory(name="Membre du CA")
    metz = OrganisationFactory(name="Théâtre de Metz", kind=venue, postcode="57000", city="Metz")
    nancy = OrganisationFactory(name="Scène de Nancy", kind=venue, postcode="54000", city="Nancy")
    lyon = OrganisationFactory(name="Théâtre de Lyon", kind=venue, postcode="69002", city="Lyon")
    lyon_festival = OrganisationFactory(
        name="Festival de Lyon", kind=festival, postcode="69001", city="Lyon"
    )
    alice = PersonFactory(first_name="Alice", last_name="Arnaud", email="alice@perso.fr")
    PositionFactory(
        person=alice, organisation=metz, function=director, email="a.arnaud@theatre-metz.fr"
    )
    PositionFactory(person=alice, organisation=lyon_festival, function=board, email="ca@fl.fr")
    emma = PersonFactory(first_name="Emma", last_name="Escoffier")
    PositionFactory(person=emma, organisation=nancy, function=director, email="e@scene-nancy.fr")
    bruno = PersonFactory(first_name="Bruno", last_name="Blanc")
    PositionFactory(person=bruno, organisation=lyon, function=director, email="b@theatre-lyon.fr")
    return director


def add_rule(page, index, field, value):
    page.get_by_role("button", name="+ Ajouter une condition").first.click()
    rule = page.locator(".crm-rule").nth(index)
    rule.get_by_label("Champ").select_option(label=field)
    # The values' searchable multi-select: a few letters, then the suggestion.
    box = rule.get_by_role("combobox", name=f"Valeur ({field})")
    box.click()
    box.press_sequentially(value[:4])
    rule.locator(".crm-ms-options").get_by_role("option", name=value, exact=True).click()
    expect(rule.locator(".crm-ms-chip")).to_contain_text(value)


def test_build_save_share_basket_and_export(page, transactional_db):
    director = directory()
    marie = factories.staff(username="marie", first_name="Marie", last_name="Martin")
    factories.staff(username="paul", first_name="Paul", last_name="Petit")
    lyon = SavedSearch.objects.create(
        owner=marie,
        name="Directeurs à Lyon",
        criteria={
            "match": "all",
            "rules": [
                {"field": "position.function", "operator": "in", "value": [director.pk]},
                {"field": "organisation.city", "operator": "contains", "value": "Lyon"},
            ],
        },
    )
    sign_in(page, "marie", PASSWORD)

    # Build: three rules across position and organisation, with a live count.
    page.goto(f"{page.base_url}/admin/selections/searches/new/")
    add_rule(page, 0, "Fonction", "Directeur·rice")
    add_rule(page, 1, "Type d’organisation", "Lieu de spectacle")
    add_rule(page, 2, "Région de l’organisation", "Grand Est")
    expect(page.locator("#crm-count")).to_have_text("2 lignes")
    page.get_by_role("button", name="Afficher les résultats").click()
    results = page.locator("table.crm-rows")
    expect(results.get_by_role("link", name="Alice Arnaud")).to_be_visible()
    expect(results.get_by_role("link", name="Emma Escoffier")).to_be_visible()
    expect(results.get_by_text("Membre du CA")).to_have_count(0)

    # Save.
    page.fill("#id_name", "Directeurs Grand Est")
    page.get_by_role("button", name="Enregistrer cette recherche").click()
    expect(page.get_by_text("Recherche « Directeurs Grand Est » enregistrée.")).to_be_visible()
    search = SavedSearch.objects.get(name="Directeurs Grand Est")
    assert len(search.criteria["rules"]) == 3

    # Share with Paul.
    page.get_by_role("link", name="Partager").click()
    page.get_by_label("Paul Petit").check()
    page.get_by_role("button", name="Enregistrer le partage").click()
    expect(page.get_by_text("Partage de « Directeurs Grand Est » enregistré.")).to_be_visible()
    assert [user.username for user in search.shared_with_users.all()] == ["paul"]

    # A basket of the two searches.
    page.goto(f"{page.base_url}/admin/selections/baskets/new/")
    page.fill("#id_name", "Saison 2027")
    for index, name in enumerate(["Directeurs Grand Est", "Directeurs à Lyon"]):
        page.locator("#id_steps-ADD").click()
        page.locator(f"#id_steps-{index}-search").select_option(label=name)
    page.get_by_role("button", name="Créer").first.click()
    expect(page.get_by_text("Panier « Saison 2027 » créé.")).to_be_visible()
    basket = Basket.objects.get(name="Saison 2027")
    assert [step.search for step in basket.steps.all()] == [search, lyon]
    expect(page.get_by_role("heading", name="3 lignes")).to_be_visible()
    expect(page.get_by_text("recherche « Directeurs à Lyon »")).to_be_visible()

    # Export it as CSV with the columns chosen.
    page.get_by_role("link", name="Exporter").click()
    page.get_by_label("CSV, séparé par des points-virgules").check()
    page.get_by_label("Téléphone").uncheck()
    with page.expect_download() as download:
        page.get_by_role("button", name="Télécharger").click()
    with open(download.value.path(), encoding="utf-8-sig") as exported:
        content = exported.read()
    lines = content.splitlines()
    assert lines[0] == (
        "Nom complet;Civilité;Prénom;Nom de famille;Qualité;Fonction;Intitulé du poste;"
        "Organisation;E-mail;Portable;Adresse;Complément d’adresse;Code postal;Ville"
    )
    assert (
        "Alice Arnaud;;Alice;Arnaud;Directeur·rice – Théâtre de Metz;Directeur·rice;;"
        "Théâtre de Metz;a.arnaud@theatre-metz.fr;"
    ) in content
    assert "b@theatre-lyon.fr" in content and "e@scene-nancy.fr" in content
    assert len(lines) == 4
