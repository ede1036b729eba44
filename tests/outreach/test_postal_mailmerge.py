"""The mail-merge CSV, as French Excel or a word processor opens it."""

import csv
import io

import pytest
from django.utils import translation

from outreach.postal.mailmerge import mailmerge_chunks, write_mailmerge

LABELS = [
    ["Mme Marie Dupont", "Théâtre Voltaire", "12 BOULEVARD VOLTAIRE", "75011 PARIS"],
    ['=HYPERLINK("http://evil")', "1000 BRUXELLES", "BELGIQUE"],
]


def read(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())  # Excel reads the accents
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def test_one_column_per_label_line_in_french():
    with translation.override("fr"):
        data = b"".join(mailmerge_chunks(LABELS))
    rows = read(data)
    assert rows[0] == [f"Ligne {number}" for number in range(1, 8)]
    assert rows[1] == [*LABELS[0], "", "", ""]
    assert b"\r\n" in data and b";" in data


def test_formula_like_values_are_written_as_text():
    rows = read(b"".join(mailmerge_chunks(LABELS)))
    assert rows[2][0] == '\'=HYPERLINK("http://evil")'
    assert rows[2][1:3] == ["1000 BRUXELLES", "BELGIQUE"]


def test_extra_columns_follow_the_lines():
    output = io.BytesIO()
    with translation.override("en"):
        write_mailmerge(
            LABELS,
            output,
            extra_headings=["Reference", "Capacity"],
            extra_values=[("C-1", "Directrice"), ("C-2", "-")],
        )
    rows = read(output.getvalue())
    assert rows[0] == [*(f"Line {number}" for number in range(1, 8)), "Reference", "Capacity"]
    assert rows[1][7:] == ["C-1", "Directrice"]
    assert rows[2][7:] == ["C-2", "'-"]


def test_extras_must_match_the_labels():
    with pytest.raises(ValueError):
        b"".join(mailmerge_chunks(LABELS, ["Reference"], [("C-1",)]))
    with pytest.raises(ValueError):
        b"".join(mailmerge_chunks([["1"] * 8]))
