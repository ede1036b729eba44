"""A saved search's results export as its basket's do: the same form (the
re-importable columns checked), the same headings the import recognises,
a CSV French Excel opens, a workbook, each export in the search's log; and
only those who may see the search's results reach it."""

import csv
import io
import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from directory.imports.columns import guess_target
from selections.columns import DEFAULT_EXPORT_COLUMNS
from selections.models import EXPORT_ACTION, SavedSearch, SelectionLogEntry
from tests.factories import client as client_factory
from tests.factories import logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def search(town, marie):
    """Marie's directors of venues in Grand Est: Alice in Metz, Emma in Nancy."""
    return SavedSearch.objects.create(
        owner=marie,
        name="Directeurs Grand Est",
        target="people",
        criteria={
            "match": "all",
            "rules": [
                {"field": "position.function", "operator": "in", "value": [town.director.pk]},
                {"field": "organisation.kind", "operator": "in", "value": [town.venue.pk]},
                {"field": "organisation.region", "operator": "in", "value": ["44"]},
            ],
        },
    )


def export_url(search) -> str:
    return reverse("selections_searches:export", args=(search.pk,))


def checked_columns(html: str) -> list[str]:
    """The columns the export form checks, as a click on « Télécharger » sends them."""
    inputs = re.findall(r"<input[^>]*name=\"columns\"[^>]*>", html)
    return [re.search(r'value="([^"]+)"', tag).group(1) for tag in inputs if " checked" in tag]


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def read_csv(response) -> list[dict]:
    text = body(response).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))


def download_defaults(browser, search, file_format="csv"):
    form = browser.get(export_url(search))
    assert form.status_code == 200
    columns = checked_columns(form.content.decode())
    assert columns == DEFAULT_EXPORT_COLUMNS
    return browser.get(export_url(search), {"format": file_format, "columns": columns})


def exports_logged(search) -> list[SelectionLogEntry]:
    return list(
        SelectionLogEntry.objects.filter(
            content_type__model="savedsearch", object_id=str(search.pk), action=EXPORT_ACTION
        )
    )


# The page -------------------------------------------------------------------------------


def test_the_results_page_offers_the_export(search, marie):
    page = logged_in(marie).get(reverse("selections_searches:results", args=(search.pk,)))
    html = page.content.decode()
    link = re.search(rf'<a[^>]*href="{re.escape(export_url(search))}"[^>]*>([^<]*)</a>', html)
    assert link and link.group(1) == "Exporter"


def test_the_export_form_names_the_search_and_leads_back_to_it(search, marie):
    page = logged_in(marie).get(export_url(search))
    html = page.content.decode()
    assert "Toutes les lignes que la recherche «\u00a0Directeurs Grand Est\u00a0» trouve" in html
    back = reverse("selections_searches:results", args=(search.pk,))
    assert f'href="{back}">Retour à la recherche</a>' in html
    assert exports_logged(search) == []  # showing the form exports nothing


def test_a_search_that_no_longer_holds_offers_no_export_and_says_why(search, marie):
    search.criteria = {
        "match": "all",
        "rules": [{"field": "person.shoe_size", "operator": "equals", "value": "42"}],
    }
    search.save()
    browser = logged_in(marie)
    page = browser.get(reverse("selections_searches:results", args=(search.pk,)))
    assert export_url(search) not in page.content.decode()
    response = browser.get(export_url(search), {"format": "csv", "columns": ["name"]})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert response.context["form"].non_field_errors()
    assert "Règle 1" in response.content.decode()
    assert exports_logged(search) == []


# The file -------------------------------------------------------------------------------


def test_default_headings_are_all_recognised_by_the_import(search, marie):
    rows = read_csv(download_defaults(logged_in(marie), search))
    headings = list(rows[0])
    assert [heading for heading in headings if guess_target(heading) is None] == []
    assert headings[:4] == ["Nom complet", "Civilité", "Prénom", "Nom de famille"]


def test_each_row_is_a_position_with_the_position_s_coordinates(town, search, marie):
    rows = read_csv(download_defaults(logged_in(marie), search))
    by_name = {row["Nom complet"]: row for row in rows}
    assert sorted(by_name) == ["Alice Arnaud", "Emma Escoffier"]  # not Bruno in Lyon
    alice = by_name["Alice Arnaud"]
    assert alice["Qualité"] == "Directeur·rice – Théâtre de Metz"
    assert alice["E-mail"] == "a.arnaud@theatre-metz.fr"  # not alice@perso.fr
    assert alice["Fonction"] == "Directeur·rice"
    assert alice["Organisation"] == "Théâtre de Metz"
    assert alice["Adresse"] == "1 place de la Comédie"  # the organisation's
    assert alice["Code postal"] == "57000"
    emma = by_name["Emma Escoffier"]
    assert emma["E-mail"] == "direction@scene-nancy.fr"
    assert emma["Organisation"] == "Scène de Nancy"


def test_the_csv_is_for_french_excel(search, marie):
    response = logged_in(marie).get(
        export_url(search), {"format": "csv", "columns": ["name", "email"]}
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.streaming  # chunk by chunk, as the basket's
    today = timezone.localdate()
    assert response["Content-Disposition"] == (
        f'attachment; filename="directeurs-grand-est-{today:%Y-%m-%d}.csv"'
    )
    content = body(response)
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM: accents survive
    lines = content.decode("utf-8-sig").split("\r\n")
    assert lines[0] == "Nom complet;E-mail"
    assert "Alice Arnaud;a.arnaud@theatre-metz.fr" in lines
    assert lines[-1] == "" and len(lines) == 4  # heading, two rows, final CRLF


def test_the_workbook_opens_with_the_same_headings_and_rows(search, marie):
    browser = logged_in(marie)
    as_csv = read_csv(download_defaults(browser, search))
    response = download_defaults(browser, search, "xlsx")
    assert response["Content-Disposition"].endswith('.xlsx"')
    assert response.streaming  # from a temporary file, as the basket's
    sheet = load_workbook(io.BytesIO(body(response))).active
    headings, *rows = list(sheet.iter_rows(values_only=True))
    assert list(headings) == list(as_csv[0])
    assert len(rows) == 2
    alice = next(dict(zip(headings, row, strict=True)) for row in rows if "Alice Arnaud" in row)
    assert alice["E-mail"] == "a.arnaud@theatre-metz.fr"


def test_formulae_are_written_as_text(town, search, marie):
    town.alice.first_name = "=1+1"
    town.alice.save()
    rows = read_csv(download_defaults(logged_in(marie), search))
    assert "'=1+1" in [row["Prénom"] for row in rows]


# Bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query, fields",
    [
        ({"format": "pdf", "columns": ["name"]}, {"format"}),
        ({"format": "csv", "columns": ["name", "password"]}, {"columns"}),
        ({"format": "csv"}, {"columns"}),
        ({"format": "", "columns": ["__class__"]}, {"format", "columns"}),
    ],
)
def test_bad_choices_are_refused_on_the_form_and_nothing_is_exported(search, marie, query, fields):
    response = logged_in(marie).get(export_url(search), query)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert response.context["form"].errors.keys() == fields
    assert exports_logged(search) == []


def test_no_column_chosen_says_so(search, marie):
    response = logged_in(marie).get(export_url(search), {"format": "csv"})
    assert "Choisissez au moins une colonne." in response.content.decode()


# The log --------------------------------------------------------------------------------


def test_each_download_is_logged_on_the_search(search, marie, paul):
    search.shared_with_users.add(paul)
    logged_in(paul).get(export_url(search), {"format": "xlsx", "columns": ["name", "email"]})
    (entry,) = exports_logged(search)
    assert entry.user == paul
    assert entry.data == {"rows": 2, "columns": ["name", "email"], "format": "xlsx"}
    history = logged_in(marie).get(reverse("selections_searches:history", args=(search.pk,)))
    assert "2 lignes exportées en Excel" in history.content.decode()


# Who reaches it -------------------------------------------------------------------------


def share_with_group(search, user):
    group = Group.objects.create(name="Programmation")
    user.groups.add(group)
    search.shared_with_groups.add(group)


def share_with_all_staff(search, user):
    search.shared_with_all_staff = True
    search.save()


@pytest.mark.parametrize(
    "share",
    [
        lambda search, user: search.shared_with_users.add(user),
        share_with_group,
        share_with_all_staff,
    ],
    ids=["user", "group", "all staff"],
)
def test_a_colleague_it_is_shared_with_exports_it(search, paul, share):
    share(search, paul)
    browser = logged_in(paul)
    page = browser.get(reverse("selections_searches:results", args=(search.pk,)))
    assert export_url(search) in page.content.decode()
    rows = read_csv(download_defaults(browser, search))
    assert len(rows) == 2


def test_a_colleague_it_is_not_shared_with_gets_404(search, paul):
    browser = logged_in(paul)
    assert browser.get(export_url(search)).status_code == 404
    response = browser.get(export_url(search), {"format": "csv", "columns": ["name"]})
    assert response.status_code == 404
    missing = reverse("selections_searches:export", args=(search.pk + 1000,))
    assert browser.get(missing).status_code == 404
    assert exports_logged(search) == []


def test_a_client_is_refused_even_if_the_search_names_them(search):
    theo = client_factory(username="theo")
    search.shared_with_users.add(theo)  # the share form refuses clients; the database might not
    browser = logged_in(theo)
    for query in ({}, {"format": "csv", "columns": ["name"]}):
        assert browser.get(export_url(search), query).status_code in (403, 404)
    assert exports_logged(search) == []


def test_anonymous_is_sent_to_log_in(search):
    from django.test import Client

    response = Client().get(export_url(search), {"format": "csv", "columns": ["name"]})
    assert response.status_code == 302
    assert reverse("wagtailadmin_login") in response["Location"]
    assert exports_logged(search) == []
