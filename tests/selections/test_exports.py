"""The CSV and XLSX export writers of selections/exports.py."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from openpyxl import load_workbook
from openpyxl.utils.escape import unescape

from selections import exports
from selections.exports import cell_value, csv_chunks, write_xlsx

FRENCH = {"yes": "oui", "no": "non"}
FORMULAS = ["=1+1", "+33 6 12", "-2", "@SUM(A1)", "\tx", "\rx"]


@pytest.fixture
def french_yes_no(monkeypatch):
    """A catalogue that knows only the two msgids the writers must use."""
    monkeypatch.setattr(exports, "gettext", lambda msgid: FRENCH.get(msgid, msgid))


def csv_text(headings, rows):
    return b"".join(csv_chunks(headings, rows)).decode("utf-8-sig")


def csv_rows(headings, rows):
    return list(csv.reader(io.StringIO(csv_text(headings, rows), newline=""), delimiter=";"))


def xlsx_sheet(headings, rows):
    target = io.BytesIO()
    count = write_xlsx(headings, rows, target)
    target.seek(0)
    workbook = load_workbook(target)
    return count, workbook, workbook.active


# --- cell_value ----------------------------------------------------------------


def test_cell_value_conversions():
    assert cell_value(None) == ""
    assert cell_value("Chloé") == "Chloé"
    assert cell_value(datetime.date(2024, 3, 1)) == "2024-03-01"
    assert cell_value(42) == 42
    assert cell_value(2.5) == 2.5
    assert cell_value(Decimal("3.10")) == Decimal("3.10")
    assert cell_value(-5) == -5  # a number is not a formula
    assert cell_value(translation.gettext_lazy("=lazy")) == "'=lazy"


def test_cell_value_datetime_in_local_time():
    moment = datetime.datetime(2024, 7, 14, 10, 30, tzinfo=datetime.UTC)
    with timezone.override("Europe/Paris"):
        assert cell_value(moment) == "2024-07-14 12:30:00"
    assert cell_value(datetime.datetime(2024, 1, 2, 3, 4, 5)) == "2024-01-02 03:04:05"


@pytest.mark.parametrize("text", FORMULAS)
def test_cell_value_escapes_formulas(text):
    assert cell_value(text) == "'" + text


def test_booleans_use_the_yes_and_no_msgids(french_yes_no):
    assert cell_value(True) == "oui"
    assert cell_value(False) == "non"


def test_booleans_in_the_french_catalogue():
    with translation.override("fr"):
        assert cell_value(True) == "oui"
        assert cell_value(False) == "non"


# --- CSV -----------------------------------------------------------------------


def test_csv_bom_separator_line_ends_and_accents():
    data = b"".join(csv_chunks(["Prénom", "Ville"], [("Chloé", "Besançon"), ("Noël", "Nîmes")]))
    assert data.startswith(b"\xef\xbb\xbf")
    assert data[3:].decode("utf-8") == "Prénom;Ville\r\nChloé;Besançon\r\nNoël;Nîmes\r\n"


def test_csv_escapes_formulas():
    rows = csv_rows(["a"] * 7, [[*FORMULAS, "ok"]])
    assert rows[1] == ["'" + text for text in FORMULAS] + ["ok"]


def test_csv_quotes_separators_newlines_and_quotes():
    cells = ["a;b", "ligne 1\nligne 2", 'il a dit "bonjour"']
    text = csv_text(["x", "y", "z"], [cells])
    assert '"a;b";"ligne 1\nligne 2";"il a dit ""bonjour"""\r\n' in text
    assert csv_rows(["x", "y", "z"], [cells])[1] == cells


def test_csv_converts_none_dates_numbers_and_booleans(french_yes_no):
    rows = csv_rows(
        ["vide", "date", "nombre", "vrai", "faux"],
        [(None, datetime.date(2024, 3, 1), 42, True, False)],
    )
    assert rows[1] == ["", "2024-03-01", "42", "oui", "non"]


def test_csv_chunks_every_thousand_rows():
    chunks = list(csv_chunks(["n"], ([i] for i in range(2500))))
    assert len(chunks) == 3
    assert all(isinstance(chunk, bytes) for chunk in chunks)
    assert chunks[0].startswith(b"\xef\xbb\xbfn\r\n0\r\n")
    assert not any(chunk.startswith(b"\xef\xbb\xbf") for chunk in chunks[1:])
    lines = b"".join(chunks).decode("utf-8-sig").split("\r\n")
    assert lines[:2] == ["n", "0"]
    assert lines[-2:] == ["2499", ""]
    assert len(lines) == 2502  # heading + 2,500 rows + the final empty piece


def test_csv_is_lazy():
    consumed = []

    def rows():
        for i in range(5000):
            consumed.append(i)
            yield [i]

    first = next(csv_chunks(["n"], rows()))
    assert first.count(b"\r\n") == 1001
    assert len(consumed) == 1000


def test_csv_with_no_rows_is_the_heading_row():
    assert list(csv_chunks(["Nom", "=Ville"], [])) == [b"\xef\xbb\xbfNom;'=Ville\r\n"]


# --- XLSX ----------------------------------------------------------------------


def test_xlsx_sheet_header_and_values(french_yes_no):
    headings = ["Prénom", "Ville", "Créé le", "Nb", "Vide", "Abonné", "Désabonné"]
    rows = [
        ("Chloé", "Besançon", datetime.date(2024, 3, 1), 42, None, True, False),
        ("Noël", "L'Haÿ-les-Roses", datetime.date(2023, 12, 31), 7, "", False, True),
    ]
    count, workbook, sheet = xlsx_sheet(headings, rows)
    assert count == 2
    assert workbook.sheetnames == ["Export"]
    assert [cell.value for cell in sheet[1]] == headings
    assert all(cell.font.b for cell in sheet[1])
    assert not any(cell.font.b for cell in sheet[2])
    assert list(sheet.iter_rows(min_row=2, values_only=True)) == [
        ("Chloé", "Besançon", "2024-03-01", 42, None, "oui", "non"),
        ("Noël", "L'Haÿ-les-Roses", "2023-12-31", 7, None, "non", "oui"),
    ]
    assert sheet["D2"].data_type == "n"


def test_xlsx_escapes_formulas_and_writes_text():
    count, _, sheet = xlsx_sheet(["=titre", "b", "c", "d", "e", "f"], [FORMULAS])
    assert count == 1
    assert sheet["A1"].value == "'=titre"
    # A CR is stored as Excel's escape _x000D_, which openpyxl leaves as is.
    assert [unescape(cell.value) for cell in sheet[2]] == ["'" + text for text in FORMULAS]
    assert {cell.data_type for row in sheet.iter_rows() for cell in row} == {"s"}


def test_xlsx_row_count_and_rows_from_a_generator():
    count, _, sheet = xlsx_sheet(["n", "carré"], ((i, i * i) for i in range(1500)))
    assert count == 1500
    assert sheet.max_row == 1501
    assert [cell.value for cell in sheet[1501]] == [1499, 1499 * 1499]


def test_xlsx_with_no_rows_is_the_heading_row():
    count, _, sheet = xlsx_sheet(["Nom", "Ville"], iter([]))
    assert count == 0
    assert list(sheet.iter_rows(values_only=True)) == [("Nom", "Ville")]
    assert all(cell.font.b for cell in sheet[1])


def test_xlsx_to_a_path(tmp_path):
    path = tmp_path / "export.xlsx"
    assert write_xlsx(["Nom"], [["Élodie"]], path) == 1
    assert list(load_workbook(path)["Export"].iter_rows(values_only=True)) == [
        ("Nom",),
        ("Élodie",),
    ]


def test_xlsx_short_rows_leave_blanks_and_long_rows_are_cut():
    _, _, sheet = xlsx_sheet(["a", "b", "c"], [["x"], ["y", "z", "w", "extra"], []])
    assert list(sheet.iter_rows(values_only=True)) == [
        ("a", "b", "c"),
        ("x", None, None),
        ("y", "z", "w"),
    ]
    assert sheet.max_row == 3


def test_xlsx_cuts_text_to_excels_cell_limit():
    _, _, sheet = xlsx_sheet(["note"], [["é" * 40000]])
    assert sheet["A2"].value == "é" * 32767


def test_xlsx_refuses_duplicate_headings():
    with pytest.raises(ValueError, match="unique"):
        write_xlsx(["Nom", "Nom"], [["a", "b"]], io.BytesIO())


def test_xlsx_passes_on_an_error_in_the_rows():
    def rows():
        yield ["a"]
        raise RuntimeError("database gone")

    with pytest.raises(RuntimeError, match="database gone"):
        write_xlsx(["n"], rows(), io.BytesIO())
