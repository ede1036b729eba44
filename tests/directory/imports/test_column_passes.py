"""The whole-column passes of the plan give what the one-cell rules give.

`clean_rows` and `plan.compare` take shortcuts on large sheets (a column
checked or folded in a few passes over all its cells, stored values read
with the keys): each is checked here against the rule it stands for, on
the cells that could tell them apart."""

import re

import pytest
from django.db import transaction

from directory.imports.cleaning import all_plain, clean_phone, plain_values
from directory.imports.columns import auto_mapping
from directory.imports.plan import KeyMaps, build_plan
from directory.imports.writing import write_plan
from directory.models import Function
from directory.text import fold, fold_many, full_matches

NAMES = [
    "Martin",
    "  Le   Roux ",
    "LEFÈVRE",
    "Œuvre",
    "straße",
    "Dupont\tDurand",
    "Ève\u00a0Marie",
    "a\0b",
    "",
    " ",
    "Ĳssel",
    "José",
    "Jose\u0301",
]


def test_fold_many_folds_each_value_as_fold_does():
    assert fold_many(NAMES) == {name: fold(name) for name in NAMES}
    assert fold_many(["Martin", "Dubois"]) == {"Martin": "martin", "Dubois": "dubois"}
    assert fold_many([]) == {}


PHONE_TYPED = re.compile(r"0[1-9](?:[ .\-]?\d\d){4}")


def test_full_matches_is_fullmatch_of_each_string():
    strings = [
        "01 44 95 98 00",
        "01.44.95.98.00",
        "0144959800",
        "01 44 95 98 00 ",  # a space after
        "x01 44 95 98 00",
        "01 44 95 98 01",
        "",
        "٠١ ٤٤ ٩٥ ٩٨ ٠٠",  # other digits: `\d` takes them, as fullmatch does
        "01 44 95 98 00",
    ]
    expected = [bool(PHONE_TYPED.fullmatch(string)) for string in strings]
    assert full_matches(PHONE_TYPED, strings) == expected
    assert expected.count(True) == 5
    # Line breaks in a string: string by string.
    broken = [*strings, "01 44 95 98 00\n01 44 95 98 01", "06 12 34 56 78\n"]
    assert full_matches(PHONE_TYPED, broken) == [*expected, False, False]
    # A pattern that matches a line break itself: string by string too.
    spanning = re.compile(r"[0-9\n]+")
    assert full_matches(spanning, ["12", "34", "x"]) == [True, True, False]
    # A pattern with groups of its own, and one that matches the empty string.
    grouped = re.compile(r"(0[1-9])((?:\d\d){4})")
    assert full_matches(grouped, ["0144959800", "014495980", "01449598001"]) == [
        True,
        False,
        False,
    ]
    assert full_matches(re.compile(r"\d*"), ["", "12", "a"]) == [True, True, False]
    assert full_matches(PHONE_TYPED, []) == []


@pytest.mark.parametrize(
    "values, plain",
    [
        (["Martin", "Théâtre du Rond-Point", "12 rue de la Paix"], True),
        (["Martin", ""], False),
        (["Martin", "=SUM(A1)"], False),
        (["Martin", "-3"], False),
        (["Martin", "'Martin"], False),
        (["Martin", "@home"], False),
        (["Martin", "+33"], False),
        (["Martin", " Martin"], False),
        (["Martin", "Martin\u00a0"], False),
        (["Martin", "x" * 201], False),
    ],
)
def test_a_text_column_is_plain_only_when_plain_values_takes_every_cell(values, plain):
    distinct = set(values)
    assert all_plain("text", distinct, 200) is plain
    assert (plain_values("text", distinct, 200) == {v: v for v in distinct}) is plain


def test_an_email_column_is_plain_only_when_each_address_is():
    assert all_plain("email", {"a@b.fr", "c.d@e.org"}, 254)
    assert not all_plain("email", {"a@b.fr", "A@B.FR"}, 254)
    assert not all_plain("email", {"a@b.fr", "pas une adresse"}, 254)
    assert not all_plain("phone", {"01 44 95 98 00"}, 30)  # a phone is never its own value


def test_plain_phones_are_what_the_phone_cleaner_takes_without_repair():
    cells = [
        "01 44 95 98 00",
        "01.44.95.98.00",
        "01-44-95-98-00",
        "0144959800",
        "06 12 34 56 78",
        "00 44 95 98 00",  # not a French number
        "01 44 95 98 0",
        "+33 1 44 95 98 00",
        "01 44 95 98 00\n06 12 34 56 78",
    ]
    for kind in ("phone", "mobile"):
        found = plain_values(kind, cells, 30)
        for cell in cells:
            if cell in found:
                cleaned = clean_phone(cell, mobile=kind == "mobile")
                assert (found[cell], cleaned.repair) == (cleaned.value, "")
    assert set(plain_values("mobile", cells, 30)) == {"06 12 34 56 78"}
    assert "01 44 95 98 00\n06 12 34 56 78" not in plain_values("phone", cells, 30)


HEADERS = ["Civilité", "Prénom", "Nom", "Structure", "Fonction", "E-mail", "Portable", "Ville"]
ROWS = [
    ["Mme", "Hélène", "Martin", "Théâtre X", "Directeur·rice", "h@x.fr", "06 12 34 56 78", "Paris"],
    ["M.", "Paul", "Durand", "Théâtre X", "", "p@x.fr", "", "Paris"],
    ["", "Inès", "Lefort", "", "", "ines@gmail.com", "06 98 76 54 32", "Lyon"],
]
CHANGED = [
    ["M.", "Hélène", "Martin", "Théâtre X", "Directeur·rice", "h@x.fr", "07 81 23 45 67", "Lyon"],
    ["M.", "Paul", "Durand", "Théâtre X", "", "p@x.fr", "06 11 22 33 44", "Lyon"],
    ["Mme", "Inès", "Lefort", "", "", "ines@gmail.com", "06 98 76 54 32", "Nantes"],
]


def _plan(rows, **options):
    numbered = [(line, list(cells)) for line, cells in enumerate(rows, start=2)]
    return build_plan(HEADERS, numbered, auto_mapping(HEADERS), **options)


@pytest.mark.django_db
def test_stored_values_read_with_the_keys_give_the_same_plan_as_read_by_id():
    Function.objects.create(name="Directeur·rice")
    with transaction.atomic():
        write_plan(_plan(ROWS))
    # Three rows beside three people: read with the keys.
    with_keys = _plan(CHANGED)
    # The same plan with the keys alone: the stored values read by id.
    by_id = _plan(CHANGED, maps=KeyMaps.load())
    assert (
        with_keys.counts
        == by_id.counts
        == {
            "create": 0,
            "update": 3,
            "unchanged": 0,
            "reject": 0,
        }
    )
    assert with_keys.updates == by_id.updates
    assert [vars(change) for change in with_keys.changes] == [
        vars(change) for change in by_id.changes
    ]
    # The row's capacity takes the mobile and the city: the position's mobile,
    # the organisation's city, the independent person's own.
    updates = with_keys.updates
    assert {name for values in updates["position"].values() for name in values} == {"mobile"}
    assert [set(values) for values in updates["organisation"].values()] == [{"city"}]
    assert {name for values in updates["person"].values() for name in values} == {
        "civility",
        "city",
    }
    assert _plan(ROWS).counts["unchanged"] == 3  # a plan writes nothing
