"""A basket's export re-imports: its default columns are headed as the
spreadsheet import names them (`directory.imports.columns`), each row gives
the person's names, the position's function and title, its organisation and
the coordinates of the row's capacity; descriptive columns are ignored by the
import; phone numbers in international form stay readable, formulae do not
run."""

import csv
import io
import re

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from directory.imports.columns import IGNORED, guess_target
from selections.columns import DEFAULT_EXPORT_COLUMNS, export_cells
from selections.models import Basket, BasketEntry
from tests.factories import logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def basket(town, marie):
    """A position (Alice, director in Metz), a personal row (Denis) and an
    organisation (Théâtre de Lyon), added by hand."""
    position = town.positions.alice_director
    position.title = "Directrice artistique"
    position.save()
    basket = Basket.objects.create(owner=marie, name="Saison")
    BasketEntry.objects.create(basket=basket, action="add", position=position)
    BasketEntry.objects.create(basket=basket, action="add", person=town.denis)
    BasketEntry.objects.create(basket=basket, action="add", organisation=town.lyon_theatre)
    return basket


def export_url(basket) -> str:
    return reverse("selections_baskets:export", args=(basket.pk,))


def checked_columns(html: str) -> list[str]:
    """The columns the export form checks, as a click on « Télécharger » sends them."""
    inputs = re.findall(r"<input[^>]*name=\"columns\"[^>]*>", html)
    return [re.search(r'value="([^"]+)"', tag).group(1) for tag in inputs if " checked" in tag]


def read_csv(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))


def download_defaults(browser, basket, file_format="csv"):
    form = browser.get(export_url(basket))
    columns = checked_columns(form.content.decode())
    assert columns == DEFAULT_EXPORT_COLUMNS
    return browser.get(export_url(basket), {"format": file_format, "columns": columns})


def test_default_export_headings_are_all_recognised_by_the_import(basket, marie):
    rows = read_csv(download_defaults(logged_in(marie), basket))
    headings = list(rows[0])
    assert [heading for heading in headings if guess_target(heading) is None] == []
    assert headings[:4] == ["Nom complet", "Civilité", "Prénom", "Nom de famille"]
    assert guess_target("Nom complet") == IGNORED  # « Nom » would be a last name


def test_default_export_headings_in_english_are_recognised_too():
    with translation.override("en"):
        headings, _cells = export_cells([], DEFAULT_EXPORT_COLUMNS)
    assert [heading for heading in headings if guess_target(heading) is None] == []
    assert headings[0] == "Full name"


def test_each_row_reads_back_as_the_import_reads_it(basket, marie):
    rows = read_csv(download_defaults(logged_in(marie), basket))

    def as_imported(row):
        """What the import fills from the row (the ignored columns left out)."""
        return {
            guess_target(heading): value
            for heading, value in row.items()
            if value and guess_target(heading) != IGNORED
        }

    by_name = {row["Nom complet"]: as_imported(row) for row in rows}
    assert by_name["Alice Arnaud"] == {
        "person.first_name": "Alice",
        "person.last_name": "Arnaud",
        "position.function": "Directeur·rice",  # the function's name only
        "position.title": "Directrice artistique",
        "organisation.name": "Théâtre de Metz",
        "contact.email": "a.arnaud@theatre-metz.fr",
        "contact.mobile": "06 22 22 22 22",
        "contact.address_line1": "1 place de la Comédie",  # the organisation's
        "contact.postcode": "57000",
        "contact.city": "Metz",
    }
    alice = rows[[row["Nom complet"] for row in rows].index("Alice Arnaud")]
    assert alice["Qualité"] == "Directeur·rice (Directrice artistique) – Théâtre de Metz"
    denis = by_name["Denis Dupont"]
    assert "organisation.name" not in denis and "position.function" not in denis
    assert denis["contact.email"] == "denis@perso.fr"
    assert denis["contact.address_line1"] == "5 rue des Lilas"
    assert denis["contact.city"] == "Paris"
    lyon = by_name["Théâtre de Lyon"]
    assert "person.last_name" not in lyon and "person.first_name" not in lyon
    assert lyon["organisation.name"] == "Théâtre de Lyon"
    assert lyon["contact.email"] == "accueil@theatre-lyon.fr"


def test_columns_chosen_before_keep_working(basket, marie):
    """Links and log entries name columns by key: the old keys still export."""
    response = logged_in(marie).get(
        export_url(basket), {"format": "csv", "columns": ["name", "capacity", "address"]}
    )
    rows = read_csv(response)
    assert list(rows[0]) == ["Nom complet", "Qualité", "Adresse postale (complète)"]
    denis = next(row for row in rows if row["Nom complet"] == "Denis Dupont")
    assert denis["Adresse postale (complète)"].splitlines()[0] == "5 rue des Lilas"


@pytest.fixture
def tricky(town):
    town.denis.first_name = "+SUM(A1)"
    town.denis.phone = "+44 20 7946 0958"
    town.denis.city = "-2+3"
    town.denis.save()


def test_basket_csv_keeps_international_phones_and_escapes_formulae(basket, marie, tricky):
    rows = read_csv(download_defaults(logged_in(marie), basket))
    denis = next(row for row in rows if row["Nom de famille"] == "Dupont")
    assert denis["Téléphone"] == "+44 20 7946 0958"
    assert denis["Prénom"] == "'+SUM(A1)"
    assert denis["Ville"] == "'-2+3"


def test_basket_workbook_keeps_international_phones_and_escapes_formulae(basket, marie, tricky):
    response = download_defaults(logged_in(marie), basket, "xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    headings, *rows = list(sheet.iter_rows(values_only=True))
    denis = next(dict(zip(headings, row, strict=True)) for row in rows if "Dupont" in row)
    assert denis["Téléphone"] == "+44 20 7946 0958"
    assert denis["Prénom"] == "'+SUM(A1)"
    assert denis["Ville"] == "'-2+3"
