"""A snapshot opens on screen, page by page, before it is downloaded.

Marie freezes her basket "Saison" (shared with Paul, made of her private
search). The snapshot's page shows its rows as they were frozen, the reasons
named only as the reader may read them (`selections.disclosure`), with
« Télécharger en CSV » and « Télécharger en XLSX » buttons. Whoever may not
see the basket reaches neither the page nor the files."""

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from selections import actions
from selections.models import (
    EXPORT_ACTION,
    Basket,
    BasketStep,
    SavedSearch,
    SelectionLogEntry,
    Snapshot,
    SnapshotRow,
)
from tests.factories import administrator, logged_in, staff
from tests.factories import client as client_factory

pytestmark = pytest.mark.django_db

SECRET = "Directeurs Grand Est"
HIDDEN_SEARCH = "une recherche non partagée avec vous"


@pytest.fixture
def saison(town, marie, paul):
    search = SavedSearch.objects.create(
        owner=marie,
        name=SECRET,
        criteria={
            "match": "all",
            "rules": [
                {"field": "position.function", "operator": "in", "value": [town.director.pk]},
                {"field": "organisation.region", "operator": "in", "value": ["44"]},
            ],
        },
    )
    basket = Basket.objects.create(owner=marie, name="Saison")
    basket.shared_with_users.add(paul)
    BasketStep.objects.create(basket=basket, search=search, operation="union")
    return basket


@pytest.fixture
def snapshot(saison, marie):
    return actions.freeze_basket(marie, saison, "Avant l'envoi")


def url(name, snapshot, basket=None):
    basket_pk = (basket or snapshot.basket).pk
    return reverse(f"selections_baskets:{name}", args=(basket_pk, snapshot.pk))


def big_snapshot(basket, rows=120) -> Snapshot:
    snapshot = Snapshot.objects.create(basket=basket, label="Gros", row_count=rows)
    SnapshotRow.objects.bulk_create(
        SnapshotRow(snapshot=snapshot, kind="personal", name=f"Personne {number:03d}")
        for number in range(rows)
    )
    return snapshot


def names_on(response) -> list[str]:
    return [row.record.name for row in response.context["table"].page.object_list]


# What the page shows ---------------------------------------------------------------------------


def test_the_snapshot_opens_on_screen_with_its_rows_and_two_downloads(snapshot, marie, town):
    response = logged_in(marie).get(url("snapshot", snapshot))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert (
        "Instantané «\xa0Avant l'envoi\xa0»" in page or "Instantané «\xa0Avant l&#x27;envoi" in page
    )
    assert "2 lignes" in page  # Alice in Metz and Emma in Nancy, as directors
    assert "a.arnaud@theatre-metz.fr" in page and "direction@scene-nancy.fr" in page
    assert f"recherche «\xa0{SECRET}\xa0»" in page  # why each row is there, to its owner
    assert "Télécharger en CSV" in page and "Télécharger en XLSX" in page
    assert f'href="{url("snapshot_csv", snapshot)}"' in page
    assert f'href="{url("snapshot_xlsx", snapshot)}"' in page
    # Looking is not exporting: nothing is logged until a file is downloaded.
    assert not SelectionLogEntry.objects.filter(action=EXPORT_ACTION).exists()


def test_the_basket_page_links_to_the_snapshot_page(snapshot, marie):
    page = logged_in(marie).get(reverse("selections_baskets:basket", args=(snapshot.basket_id,)))
    assert f'href="{url("snapshot", snapshot)}"' in page.content.decode()


def test_the_rows_stay_as_they_were_frozen(snapshot, marie, town):
    town.positions.alice_director.email = "nouvelle@theatre-metz.fr"
    town.positions.alice_director.save()
    page = logged_in(marie).get(url("snapshot", snapshot)).content.decode()
    assert "a.arnaud@theatre-metz.fr" in page and "nouvelle@" not in page


def test_a_colleague_it_is_shared_with_does_not_read_the_private_search(snapshot, paul):
    response = logged_in(paul).get(url("snapshot", snapshot))
    assert response.status_code == 200
    page = response.content.decode()
    assert SECRET not in page
    assert HIDDEN_SEARCH in page
    csv_text = b"".join(logged_in(paul).get(url("snapshot_csv", snapshot)).streaming_content)
    assert SECRET not in csv_text.decode("utf-8-sig")


def test_the_page_is_paginated(saison, marie):
    snapshot = big_snapshot(saison, 120)
    browser = logged_in(marie)
    first = browser.get(url("snapshot", snapshot))
    assert names_on(first) == [f"Personne {number:03d}" for number in range(50)]
    assert "120 lignes" in first.content.decode()
    assert "?p=2" in first.content.decode()
    assert names_on(browser.get(url("snapshot", snapshot), {"p": "3"}))[0] == "Personne 100"
    assert len(names_on(browser.get(url("snapshot", snapshot), {"p": "3"}))) == 20


@pytest.mark.parametrize(
    ("query", "first_name"),
    [
        ({"p": "999999999999999999999999"}, "Personne 100"),  # past the last: the last
        ({"p": "abc"}, "Personne 000"),
        ({"p": "-1"}, "Personne 000"),
        ({"p": "0"}, "Personne 000"),
        ({"p": "2\x00"}, None),  # refused for the whole site (crmsite.middleware)
    ],
)
def test_odd_page_numbers_never_fail(saison, marie, query, first_name):
    snapshot = big_snapshot(saison, 120)
    response = logged_in(marie).get(url("snapshot", snapshot), query)
    if first_name is None:
        assert response.status_code == 400
        return
    assert response.status_code == 200
    assert names_on(response)[0] == first_name


def test_a_huge_page_size_is_capped(saison, marie):
    snapshot = big_snapshot(saison, 260)
    response = logged_in(marie).get(url("snapshot", snapshot), {"per_page": "100000"})
    assert len(names_on(response)) == 200


def test_an_empty_snapshot_says_so(saison, marie):
    snapshot = Snapshot.objects.create(basket=saison, label="Vide", row_count=0)
    page = logged_in(marie).get(url("snapshot", snapshot)).content.decode()
    assert "Cet instantané ne contient aucune ligne." in page


def test_hostile_cells_are_shown_as_text_and_exported_as_text(saison, marie):
    snapshot = Snapshot.objects.create(basket=saison, label="<b>Piège</b>", row_count=1)
    SnapshotRow.objects.create(
        snapshot=snapshot,
        kind="personal",
        name="<script>alert(1)</script>",
        email='=HYPERLINK("http://evil")',
        reasons=[{"kind": "search", "id": "x", "name": "<i>x</i>"}, "not a dict", {"label": 3}],
    )
    browser = logged_in(marie)
    page = browser.get(url("snapshot", snapshot)).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "<b>Piège</b>" not in page
    assert "<i>x</i>" not in page
    text = b"".join(browser.get(url("snapshot_csv", snapshot)).streaming_content)
    assert "'=HYPERLINK" in text.decode("utf-8-sig")


# The downloads -----------------------------------------------------------------------------


def test_csv_download(snapshot, marie):
    response = logged_in(marie).get(url("snapshot_csv", snapshot))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="avant-lenvoi.csv"'
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert rows[0][:3] == ["Nom complet", "Qualité", "E-mail"]
    assert len(rows) == 3
    entry = SelectionLogEntry.objects.get(action=EXPORT_ACTION)
    assert entry.data["format"] == "csv" and entry.data["snapshot"] == snapshot.pk


def test_xlsx_download(snapshot, marie):
    response = logged_in(marie).get(url("snapshot_xlsx", snapshot))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('filename="avant-lenvoi.xlsx"')
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][:3] == ("Nom complet", "Qualité", "E-mail")
    assert {row[0] for row in rows[1:]} == {"Alice Arnaud", "Emma Escoffier"}
    entry = SelectionLogEntry.objects.get(action=EXPORT_ACTION)
    assert entry.data["format"] == "xlsx" and entry.data["snapshot"] == snapshot.pk


# Who reaches it ------------------------------------------------------------------------------


ALL_URLS = ("snapshot", "snapshot_csv", "snapshot_xlsx")


@pytest.mark.parametrize("name", ALL_URLS)
def test_a_staff_member_who_may_not_see_the_basket_gets_404(snapshot, name):
    other = staff(username="olivier")
    assert logged_in(other).get(url(name, snapshot)).status_code == 404


@pytest.mark.parametrize("name", ALL_URLS)
def test_an_administrator_who_may_not_see_the_basket_gets_404(snapshot, name):
    assert logged_in(administrator(username="ada")).get(url(name, snapshot)).status_code == 404


@pytest.mark.parametrize("name", ALL_URLS)
def test_a_client_is_refused(snapshot, name):
    response = logged_in(client_factory(username="cliente")).get(url(name, snapshot))
    assert response.status_code in (403, 404)
    assert b"Alice" not in response.content


@pytest.mark.parametrize("name", ALL_URLS)
def test_anonymous_visitors_are_sent_to_the_login_page(snapshot, name):
    response = Client().get(url(name, snapshot))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.parametrize("name", ALL_URLS)
def test_a_snapshot_is_reached_only_through_its_own_basket(snapshot, marie, name):
    """Marie's other basket in the URL does not open this basket's snapshot."""
    other = Basket.objects.create(owner=marie, name="Autre")
    assert logged_in(marie).get(url(name, snapshot, basket=other)).status_code == 404


def test_unsharing_closes_the_snapshot_to_the_colleague(snapshot, paul, marie):
    assert logged_in(paul).get(url("snapshot", snapshot)).status_code == 200
    actions.set_sharing(marie, snapshot.basket, users=[], groups=[], all_staff=False)
    assert logged_in(paul).get(url("snapshot", snapshot)).status_code == 404
