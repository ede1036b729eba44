"""Pass 1 of the plan (`plan.py`): each row's cells cleaned and shared out
between the row's person, organisation and position.

`clean_row` is the rule, one row at a time: every cell cleaned
(`cleaning.py`), every repair and problem said, `contact.*` columns given to
the row's capacity (see `columns.py`), the row's own checks (a last name,
a position needs both sides, French postcodes, dates in order).

`clean_rows` gives the same rows for a whole sheet, faster: it cleans
column by column, each distinct cell once (sheets repeat their
organisations, functions, cities and postcodes thousands of times), and
builds each row's values from the cleaned columns in one step. A row that
would have anything to say (an empty, repaired or refused cell, a cell
beyond the header, a postcode or dates to refuse) is left to `clean_row`, so
that what the user reads is the rule's own words, in the rule's order.
"""

from __future__ import annotations

from itertools import repeat
from operator import add

from django.utils.translation import gettext as _

from ..models import Organisation, Person, Position
from ..text import fold_many
from .cleaning import (
    CellError,
    Cleaned,
    all_plain,
    check_french_postcode,
    cleaner_for,
    is_french_postcode,
    plain_values,
    strip_export_apostrophe,
)
from .columns import TARGETS

MODELS = {"organisation": Organisation, "person": Person, "position": Position}
ADDRESS_FIELDS = ("address_line1", "address_line2", "postcode", "city", "country")
UNCHANGED = "unchanged"


class Problem:
    __slots__ = ("line", "column", "reason")

    def __init__(self, line: int, column: str, reason: str):
        self.line, self.column, self.reason = line, column, reason

    def __repr__(self) -> str:
        return f"Problem({self.line!r}, {self.column!r}, {self.reason!r})"


class Repair:
    __slots__ = ("line", "column", "text")

    def __init__(self, line: int, column: str, text: str):
        self.line, self.column, self.text = line, column, text

    def __repr__(self) -> str:
        return f"Repair({self.line!r}, {self.column!r}, {self.text!r})"


class Row:
    """A row of the sheet: its cells, the values they give each record
    (entity -> field -> value), the column each value came from, its problems,
    and, once matched, its records (an existing id or a ("new", …) ref)."""

    __slots__ = (
        "line",
        "cells",
        "values",
        "problems",
        "sources",
        "org",
        "person",
        "position",
        "status",
        "name_key",
    )

    def __init__(self, line: int, cells: list[str], values=None, sources=None, name_key=None):
        self.line = line
        self.cells = cells
        self.values: dict[str, dict[str, object]] = {} if values is None else values
        self.problems: list[Problem] = []
        # (entity, field) -> column; shared by the rows `clean_rows` built alike: read only.
        self.sources: dict[tuple[str, str], str] = {} if sources is None else sources
        self.org = self.person = self.position = None
        self.status = UNCHANGED
        self.name_key = name_key  # the person's folded name, when `clean_rows` made it

    def reject(self, reason: str, column: str = "") -> None:
        self.problems.append(Problem(self.line, column, reason))


# --- Columns ----------------------------------------------------------------------


def _max_length(key: str) -> int:
    target = TARGETS[key]
    model = MODELS.get(target.entity, Person)
    try:
        return model._meta.get_field(target.field).max_length or 10_000
    except Exception:
        return 200


def columns_of(headers, mapping, lookups):
    """(index, header, entity, field, kind, cleaner, max length) of each mapped column."""
    columns = []
    for index, key in enumerate(mapping):
        if not key or key not in TARGETS:
            continue
        target = TARGETS[key]
        length = _max_length(key)
        cleaner = _memoised(cleaner_for(target.kind, length, lookups))
        columns.append(
            (index, headers[index], target.entity, target.field, target.kind, cleaner, length)
        )
    return columns


MEMO_SIZE = 50_000


def _memoised(clean):
    """A column's cleaner that remembers its answers: sheets repeat their
    cities, postcodes, organisations, functions and civilities thousands of
    times. An answer is the cleaned value or the error's message."""
    memo: dict[str, object] = {}

    def cached(raw: str):
        found = memo.get(raw)
        if found is None:
            try:
                found = clean(raw)
            except CellError as error:
                found = error
            if len(memo) < MEMO_SIZE:
                memo[raw] = found
        if isinstance(found, CellError):
            raise found
        return found

    cached.clean = clean  # each distinct cell once (`clean_rows`): nothing to remember
    return cached


# --- One row: the rule -----------------------------------------------------------------


def empty(value) -> bool:
    """None, "" or []; False is a value (and no model's __eq__ is called)."""
    return not value and value is not False


def _put(row: Row, entity: str, name: str, value, column: str) -> None:
    values = row.values.get(entity)
    if values is None:
        values = row.values[entity] = {}
    if name not in values:
        values[name] = value
        row.sources[entity, name] = column
        return
    if not empty(values[name]) and not empty(value):
        if values[name] != value:
            row.reject(
                _("Two columns give different values for the same field: %(column)s.")
                % {"column": f"«\u00a0{column}\u00a0»"},
                column,
            )
        return
    if not empty(value):
        values[name] = value
        row.sources[entity, name] = column


def _contact_entity(name: str, has_person: bool, has_org: bool) -> str:
    if name in ADDRESS_FIELDS:
        return "organisation" if has_org else "person"
    return "position" if has_person and has_org else "person" if has_person else "organisation"


def clean_row(line, cells, columns, width, repairs) -> Row:
    row = Row(line, cells)
    extra = [cell for cell in cells[width:] if cell.strip()]
    if extra:
        row.reject(
            _("This row has %(cells)d filled cells beyond the header's %(columns)d columns.")
            % {"cells": len(extra), "columns": width}
        )
    contact = {}
    length = len(cells)
    for index, header, entity, name, kind, clean, max_length in columns:
        raw = cells[index].strip() if index < length else ""
        if not raw:
            continue
        repair = ""
        if raw[0] == "'":
            raw, repair = strip_export_apostrophe(raw)
        try:
            if repair and kind == "text":
                # Our exports protect a value that starts like a formula with an
                # apostrophe: it was text, it stays text (a bare formula is refused).
                cleaned = Cleaned(raw) if len(raw) <= max_length else clean(raw)
            else:
                cleaned = clean(raw)
        except CellError as error:
            row.reject(error.message, header)
            continue
        if repair:
            repairs.append(Repair(line, header, repair))
        if cleaned.repair:
            repairs.append(Repair(line, header, cleaned.repair))
        value = cleaned.value
        if kind == "function" and value is None:
            # An unknown function is kept as the position's free title.
            row.values.setdefault("position", {}).setdefault("title", raw)
            repairs.append(
                Repair(
                    line,
                    header,
                    _("unknown function, kept as the position title: %(value)s")
                    % {"value": f"«\u00a0{raw}\u00a0»"},
                )
            )
            continue
        if entity == "contact":
            contact[name] = (value, header)
        else:
            _put(row, entity, name, value, header)
    person = row.values.get("person", {})
    org = row.values.get("organisation", {})
    has_person = bool(person.get("last_name") or person.get("first_name"))
    has_org = bool(org.get("name") or org.get("siret"))
    if has_person and not person.get("last_name"):
        row.reject(_("The last name is missing."))
    for name, (value, header) in contact.items():
        entity = _contact_entity(name, has_person, has_org)
        if entity == "organisation" and name == "mobile":
            name = "phone"
        _put(row, entity, name, value, header)
    if row.values.get("position") and not (has_person and has_org):
        row.reject(_("A position needs both a person (last name) and an organisation."))
    if not has_person and not has_org and not row.problems:
        row.reject(_("Nothing to import: the row names neither a person nor an organisation."))
    for entity in ("person", "organisation"):
        values = row.values.get(entity, {})
        if values.get("postcode") and (values.get("country") or "FR") == "FR":
            try:
                check_french_postcode(values["postcode"])
            except CellError as error:
                row.reject(error.message, row.sources.get((entity, "postcode"), ""))
    position = row.values.get("position", {})
    start, end = position.get("start_date"), position.get("end_date")
    if start and end and end < start:
        row.reject(_("The end date is before the start date."))
    return row


# --- A whole sheet, column by column ---------------------------------------------------------

_LEFT = object()  # a cell `clean_row` must see: empty, repaired, refused...


class _Layout:
    """Where each column's value goes in a row whose cells are all filled and
    clean: the same for every such row. None when the sheet's columns could
    not give such a row without a problem (two columns for one field, a first
    name without a last name...): then every row goes to `clean_row`."""

    def __init__(self, columns):
        direct = [(e, f) for _i, _h, e, f, _k, _c, _m in columns if e != "contact"]
        has = set(direct)
        self.has_person = ("person", "last_name") in has or ("person", "first_name") in has
        self.has_org = ("organisation", "name") in has or ("organisation", "siret") in has
        # (entity, field, position among the columns), in `clean_row`'s order:
        # the columns of the records, then those of the row's capacity.
        targets = []
        for position, (_i, _h, entity, name, _k, _c, _m) in enumerate(columns):
            if entity != "contact":
                targets.append((entity, name, position))
        for position, (_i, _h, entity, name, _k, _c, _m) in enumerate(columns):
            if entity == "contact":
                entity = _contact_entity(name, self.has_person, self.has_org)
                if entity == "organisation" and name == "mobile":
                    name = "phone"
                targets.append((entity, name, position))
        keys = [(entity, name) for entity, name, _p in targets]
        self.usable = (
            len(set(keys)) == len(keys)
            and (self.has_person or self.has_org)
            and not (self.has_person and ("person", "last_name") not in keys)
            and (
                not any(entity == "position" for entity, _n in keys)
                or (self.has_person and self.has_org)
            )
        )
        self.entities: list[tuple[str, tuple[str, ...], list[int]]] = []
        for entity in dict.fromkeys(entity for entity, _n, _p in targets):  # as `_put` adds them
            mine = [(name, position) for e, name, position in targets if e == entity]
            if mine:
                self.entities.append((entity, tuple(n for n, _p in mine), [p for _n, p in mine]))
        self.sources = {(entity, name): columns[position][1] for entity, name, position in targets}
        self.where = {(entity, name): position for entity, name, position in targets}
        # French postcodes: refused per distinct value where the record has no
        # country column (France, then), per row where it has one.
        self.postcode_checked: set[int] = set()
        self.postcode_by_country: list[tuple[int, int]] = []
        for entity in ("person", "organisation"):
            postcode = self.where.get((entity, "postcode"))
            country = self.where.get((entity, "country"))
            if postcode is not None and country is None:
                self.postcode_checked.add(postcode)
            elif postcode is not None:
                self.postcode_by_country.append((postcode, country))
        start = self.where.get(("position", "start_date"))
        end = self.where.get(("position", "end_date"))
        self.dates = (start, end) if start is not None and end is not None else None


def _column_values(column, raws, french_postcodes: bool) -> dict | None:
    """Each distinct cell of a column -> its value, or `_LEFT`; None when
    every cell is its own value."""
    _index, _header, _entity, _name, kind, cached, max_length = column
    clean = cached.clean
    distinct = set(raws)
    if not french_postcodes and all_plain(kind, distinct, max_length):
        return None
    outcome = plain_values(kind, distinct, max_length)
    if french_postcodes:
        outcome = {raw: value for raw, value in outcome.items() if is_french_postcode(value)}
    for raw in distinct.difference(outcome):
        value = raw.strip()
        if not value or value[0] == "'":
            outcome[raw] = _LEFT
            continue
        try:
            cleaned = clean(value)
        except CellError:
            outcome[raw] = _LEFT
            continue
        value = cleaned.value
        if cleaned.repair or empty(value) or (french_postcodes and not is_french_postcode(value)):
            outcome[raw] = _LEFT
        else:
            outcome[raw] = value
    return outcome


def _name_keys(layout: _Layout, values: list[list], count: int):
    """Each row's person name key (`plan._name_key`), from the name columns
    folded once per distinct cell; None where the row has no such key here."""
    last = layout.where.get(("person", "last_name"))
    if last is None:
        return repeat(None, count)
    first = layout.where.get(("person", "first_name"))
    distinct = set(values[last])
    if first is not None:
        distinct.update(values[first])
    distinct.discard(_LEFT)
    folded = fold_many(distinct)
    plain = "" not in folded.values()
    folded[_LEFT] = None
    lasts = list(map(folded.__getitem__, values[last]))
    if first is None:
        keys = lasts
    else:
        givens = list(map(folded.__getitem__, values[first]))
        if plain and None not in lasts and None not in givens:
            keys = list(map(add, map(add, lasts, repeat(" ")), givens))  # f"{last} {first}"
        else:
            keys = [
                None
                if key is None or given is None
                else f"{key} {given}"
                if key and given
                else key or given
                for key, given in zip(lasts, givens, strict=True)
            ]
    if keys and max(len(key or "") for key in keys) > 201:
        keys = [None if key is None else key[:201] for key in keys]
    return keys


def clean_rows(rows, columns, width: int, repairs: list) -> list[Row]:
    """`clean_row` of every row, in order (see the module's docstring)."""
    rows = rows if isinstance(rows, list) else list(rows)
    layout = _Layout(columns)
    if not layout.usable or not rows:
        return [clean_row(line, cells, columns, width, repairs) for line, cells in rows]
    # Rows of another length than the header's: `clean_row` (cells beyond it).
    left = {number for number, (_line, cells) in enumerate(rows) if len(cells) != width}
    table = [cells for _line, cells in rows]
    if left:
        table = [cells if len(cells) == width else [""] * width for cells in table]
    values = []
    cells_of = list(zip(*table, strict=True))  # the sheet's columns
    for position, column in enumerate(columns):
        raws = cells_of[column[0]]
        outcome = _column_values(column, raws, position in layout.postcode_checked)
        if outcome is None:
            values.append(raws)  # every cell is its own value
            continue
        column_values = list(map(outcome.__getitem__, raws))
        if _LEFT in outcome.values():
            left.update(number for number, value in enumerate(column_values) if value is _LEFT)
        values.append(column_values)
    # Checks that depend on two cells of a row.
    for postcode, country in layout.postcode_by_country:
        for number, (code, country_code) in enumerate(
            zip(values[postcode], values[country], strict=True)
        ):
            if country_code == "FR" and code is not _LEFT and not is_french_postcode(code):
                left.add(number)
    if layout.dates:
        start, end = layout.dates
        for number, (first, last) in enumerate(zip(values[start], values[end], strict=True)):
            if first is not _LEFT and last is not _LEFT and last < first:
                left.add(number)

    # Each row's values, built column-wise: {entity: {field: value}}.
    records = [
        list(map(dict, map(zip, repeat(names), zip(*(values[p] for p in positions)))))  # noqa: B905
        for _entity, names, positions in layout.entities
    ]
    entities = tuple(entity for entity, _names, _positions in layout.entities)
    row_values = map(dict, map(zip, repeat(entities), zip(*records)))  # noqa: B905
    lines = [line for line, _cells in rows]
    name_keys = _name_keys(layout, values, len(rows))
    cleaned = list(map(Row, lines, table, row_values, repeat(layout.sources), name_keys))
    for number in sorted(left):  # in order: their repairs are said in order
        line, cells = rows[number]
        cleaned[number] = clean_row(line, cells, columns, width, repairs)
    return cleaned
