"""Sharing a basket shares its rows, not the searches it is made of.

Marie shares her basket "Saison" with Paul. The basket combines her private
search "Directeurs Grand Est" (and, in some tests, her private basket
"Coulisses"). Paul reads the basket's rows, why each is there, its exports
and its snapshots, and never the name or the criteria of a search or a
basket Marie has not shared with him: he reads "une recherche non partagée
avec vous" (or "un panier non partagé avec vous") instead.
"""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from directory.models import InterestCentre
from selections.disclosure import Disclosure
from selections.models import Basket, BasketEntry, BasketStep, SavedSearch, Snapshot
from tests.factories import logged_in

pytestmark = pytest.mark.django_db

SECRET = "Directeurs Grand Est"
HIDDEN_SEARCH = "une recherche non partagée avec vous"
HIDDEN_BASKET = "un panier non partagé avec vous"


def directors_in_grand_est(town):
    return {
        "match": "all",
        "rules": [
            {"field": "position.function", "operator": "in", "value": [town.director.pk]},
            {"field": "organisation.region", "operator": "in", "value": ["44"]},
        ],
    }


@pytest.fixture
def saison(town, marie, paul):
    """Marie's basket "Saison", shared with Paul, made of her private search."""
    search = SavedSearch.objects.create(
        owner=marie, name=SECRET, criteria=directors_in_grand_est(town)
    )
    basket = Basket.objects.create(owner=marie, name="Saison")
    basket.shared_with_users.add(paul)
    BasketStep.objects.create(basket=basket, search=search, operation="union")
    BasketEntry.objects.create(basket=basket, action="add", person=town.denis)
    return basket


def search_of(basket) -> SavedSearch:
    return basket.steps.get().search


def basket_page(user, basket):
    page = logged_in(user).get(reverse("selections_baskets:basket", args=(basket.pk,)))
    assert page.status_code == 200
    return page


def reasons_on(page) -> dict[str, list[str]]:
    return {row.name: row.reasons for row in page.context["table"].paginated_rows.data}


def export(user, basket, fmt):
    return logged_in(user).get(
        reverse("selections_baskets:export", args=(basket.pk,)),
        {"format": fmt, "columns": ["name", "reasons"]},
    )


def csv_export(user, basket) -> list[list[str]]:
    response = export(user, basket, "csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def xlsx_export(user, basket) -> list[tuple]:
    response = export(user, basket, "xlsx")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return list(workbook.active.iter_rows(values_only=True))


def freeze(user, basket) -> Snapshot:
    logged_in(user).post(reverse("selections_baskets:freeze", args=(basket.pk,)))
    return basket.snapshots.latest("pk")


def snapshot_csv(user, snapshot) -> str:
    response = logged_in(user).get(
        reverse("selections_baskets:snapshot_csv", args=(snapshot.basket_id, snapshot.pk))
    )
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode("utf-8-sig")


# The rule, in one place ------------------------------------------------------------------


def test_a_reader_may_read_the_names_of_what_he_may_open_and_nothing_else(saison, marie, paul):
    search = search_of(saison)
    assert Disclosure(marie).search_label(search.pk, search.name) == f"recherche « {SECRET} »"
    assert Disclosure(paul).search_label(search.pk, search.name) == HIDDEN_SEARCH
    assert Disclosure(paul).basket_label(saison.pk, saison.name) == "panier « Saison »"
    search.shared_with_users.add(paul)
    assert Disclosure(paul).may_read_search(search.pk)


# The basket's page ---------------------------------------------------------------------


def test_paul_reads_the_composition_of_a_shared_basket_without_the_name_of_a_private_search(
    saison, paul
):
    page = basket_page(paul, saison)
    content = page.content.decode()
    assert SECRET not in content
    assert HIDDEN_SEARCH in content
    # Nor a link that gives the search's number away.
    search = search_of(saison)
    assert reverse("selections_searches:results", args=(search.pk,)) not in content


def test_paul_reads_why_rows_are_there_without_the_name_of_a_private_search(saison, paul):
    page = basket_page(paul, saison)
    reasons = reasons_on(page)
    assert reasons["Alice Arnaud"] == [HIDDEN_SEARCH]
    assert reasons["Denis Dupont"] == ["ajouté à la main"]
    assert SECRET not in page.content.decode()


def test_marie_reads_the_names_of_her_own_searches_in_her_basket(saison, marie):
    page = basket_page(marie, saison)
    assert reasons_on(page)["Alice Arnaud"] == [f"recherche « {SECRET} »"]
    assert HIDDEN_SEARCH not in page.content.decode()


def test_paul_reads_the_name_of_a_search_marie_shared_with_him_too(saison, paul):
    search_of(saison).shared_with_users.add(paul)
    page = basket_page(paul, saison)
    assert reasons_on(page)["Alice Arnaud"] == [f"recherche « {SECRET} »"]


def test_once_unshared_the_search_is_no_longer_named_to_its_former_reader(saison, paul):
    search = search_of(saison)
    search.shared_with_users.add(paul)
    assert SECRET in basket_page(paul, saison).content.decode()
    search.shared_with_users.remove(paul)
    page = basket_page(paul, saison)
    assert SECRET not in page.content.decode()
    assert reasons_on(page)["Alice Arnaud"] == [HIDDEN_SEARCH]
    assert SECRET not in "".join(cell for row in csv_export(paul, saison) for cell in row)


def test_a_private_basket_inside_a_shared_one_is_not_named_either(town, saison, marie, paul):
    coulisses = Basket.objects.create(owner=marie, name="Coulisses")
    BasketEntry.objects.create(basket=coulisses, action="add", person=town.bruno)
    BasketStep.objects.create(basket=saison, included_basket=coulisses, operation="union")
    page = basket_page(paul, saison)
    content = page.content.decode()
    assert "Coulisses" not in content and HIDDEN_BASKET in content
    assert reasons_on(page)["Bruno Blanc"] == [HIDDEN_BASKET]
    assert reasons_on(basket_page(marie, saison))["Bruno Blanc"] == ["panier « Coulisses »"]


def test_a_step_that_no_longer_resolves_tells_paul_neither_its_name_nor_its_criteria(
    saison, marie, paul
):
    centre = InterestCentre.objects.create(name="Jazz manouche", colour="#336699")
    search = search_of(saison)
    search.criteria = {
        "match": "all",
        "rules": [
            {"field": "organisation.interest_centres", "operator": "in", "value": [centre.pk]}
        ],
    }
    search.save()
    centre.delete()
    page = basket_page(paul, saison)
    content = page.content.decode()
    assert SECRET not in content and "intérêt" not in content
    assert HIDDEN_SEARCH in content
    assert "table" not in page.context
    # Marie, who can correct it, is told what is wrong.
    assert SECRET in basket_page(marie, saison).content.decode()


def test_a_step_no_longer_shared_with_the_owner_is_not_named_to_anyone_who_cannot_see_it(
    town, saison, marie, paul
):
    """Paul's own basket uses a search Marie shared with him, then unshared."""
    search = search_of(saison)
    search.shared_with_users.add(paul)
    his = Basket.objects.create(owner=paul, name="Le mien")
    BasketStep.objects.create(basket=his, search=search)
    search.shared_with_users.remove(paul)
    page = basket_page(paul, his)
    content = page.content.decode()
    assert SECRET not in content
    assert "n’est plus partagée avec le propriétaire de ce panier" in content
    assert HIDDEN_SEARCH in content


# Exports -----------------------------------------------------------------------------------


def test_paul_exports_a_shared_basket_as_csv_without_the_name_of_a_private_search(saison, paul):
    rows = csv_export(paul, saison)
    assert ["Alice Arnaud", HIDDEN_SEARCH] in rows
    assert SECRET not in "".join(cell for row in rows for cell in row)


def test_paul_exports_a_shared_basket_as_xlsx_without_the_name_of_a_private_search(saison, paul):
    rows = xlsx_export(paul, saison)
    assert ("Alice Arnaud", HIDDEN_SEARCH) in rows
    assert SECRET not in "".join(str(cell) for row in rows for cell in row)


def test_marie_exports_her_basket_with_the_names_of_her_searches(saison, marie):
    assert ["Alice Arnaud", f"recherche « {SECRET} »"] in csv_export(marie, saison)


# Snapshots ---------------------------------------------------------------------------------


def test_a_snapshot_names_a_search_only_to_readers_who_may_see_it(saison, marie, paul):
    snapshot = freeze(marie, saison)
    assert snapshot.row_count == 3

    his = snapshot_csv(paul, snapshot)
    assert SECRET not in his and HIDDEN_SEARCH in his and "ajouté à la main" in his
    assert f"recherche « {SECRET} »" in snapshot_csv(marie, snapshot)

    # Decided when read, not when frozen: sharing the search, then unsharing it.
    search = search_of(saison)
    search.shared_with_users.add(paul)
    assert f"recherche « {SECRET} »" in snapshot_csv(paul, snapshot)
    search.shared_with_users.remove(paul)
    assert SECRET not in snapshot_csv(paul, snapshot)


def test_a_snapshot_does_not_name_a_private_basket_inside_a_shared_one(town, saison, marie, paul):
    coulisses = Basket.objects.create(owner=marie, name="Coulisses")
    BasketEntry.objects.create(basket=coulisses, action="add", person=town.bruno)
    BasketStep.objects.create(basket=saison, included_basket=coulisses, operation="union")
    snapshot = freeze(marie, saison)
    his = snapshot_csv(paul, snapshot)
    assert "Coulisses" not in his and HIDDEN_BASKET in his
    assert "panier « Coulisses »" in snapshot_csv(marie, snapshot)


def test_snapshots_frozen_before_keep_the_names_only_for_readers_who_may_see_them(
    saison, marie, paul
):
    """Migration 0004 rewrites the reasons frozen as text by the earlier code."""
    import importlib

    from django.apps import apps

    from selections.disclosure import read_frozen_reason

    migration = importlib.import_module("selections.migrations.0004_snapshot_reasons_keep_sources")
    known = migration._sources(apps, saison.pk)
    frozen = migration._convert(
        f"recherche « {SECRET} » ; ajouté à la main ; search “{SECRET}” ; recherche « Supprimée »",
        known,
    )
    for_paul = [read_frozen_reason(reason, Disclosure(paul)) for reason in frozen]
    assert for_paul == [HIDDEN_SEARCH, "ajouté à la main", HIDDEN_SEARCH, HIDDEN_SEARCH]
    for_marie = [read_frozen_reason(reason, Disclosure(marie)) for reason in frozen]
    assert for_marie == [f"recherche « {SECRET} »", "ajouté à la main"] + [
        f"recherche « {SECRET} »",
        HIDDEN_SEARCH,  # a search no step names any more: nobody reads its name
    ]
