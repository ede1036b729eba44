"""What an import would do, row by row, computed in memory before anything
is written: the preview shows it, the import writes it (`writing.py`).

Three passes over the sheet's rows:

1. **Clean** each mapped cell (`cleaning.py`) and share the row's values
   between its person, its organisation and its position (`contact.*`
   columns go to the row's capacity, see `columns.py`).
2. **Match** each row against the directory and the rows before it, with
   one key map per table loaded once (`KeyMaps`), by the directory's rules:
   organisations by SIRET, then by folded name and postcode; people by
   e-mail (personal or professional), then by folded name and
   organisation; positions by person, organisation and function. A record
   in the trash is reported, never duplicated. Two rows that say the same
   thing are a duplicate ("doublon de la ligne 12"); two rows that say
   different things of one record are a contradiction. A row is taken
   whole or not at all.
3. **Compare** the matched records' stored values with the file's, by the
   chosen policy (update, fill only the empty fields, or skip), and count
   each row: to create, to update, unchanged or rejected.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from django.utils.translation import gettext as _

from ..bulk import values_by_id
from ..models import Function, ImportPolicy, Organisation, Person, Position
from ..text import fold
from .cleaning import (
    CellError,
    Cleaned,
    Lookups,
    check_french_postcode,
    cleaner_for,
    strip_export_apostrophe,
)
from .collector import without_collector
from .columns import TARGETS

CHUNK = 900  # ids per IN (...) query: under SQLite's variable limit
SAMPLE_CHANGES = 200
MODELS = {"organisation": Organisation, "person": Person, "position": Position}
ADDRESS_FIELDS = ("address_line1", "address_line2", "postcode", "city", "country")
CONTACT_FIELDS = ("email", "phone", "mobile")
# Matching keys: "THÉÂTRE X" is "Théâtre X", neither a change nor a contradiction.
FOLDED_FIELDS = {("organisation", "name"), ("person", "first_name"), ("person", "last_name")}

CREATE, UPDATE, UNCHANGED, REJECT = "create", "update", "unchanged", "reject"


@dataclass
class Problem:
    line: int
    column: str
    reason: str


@dataclass
class Repair:
    line: int
    column: str
    text: str


@dataclass
class Change:
    line: int
    record: str
    field: str
    before: str
    after: str


@dataclass
class Row:
    line: int
    cells: list[str]
    values: dict[str, dict[str, object]] = field(default_factory=dict)  # entity -> field -> value
    problems: list[Problem] = field(default_factory=list)
    sources: dict[tuple[str, str], str] = field(default_factory=dict)  # (entity, field) -> column
    org: object = None  # an existing id, or ("new", index)
    person: object = None
    position: object = None
    status: str = UNCHANGED

    def reject(self, reason: str, column: str = "") -> None:
        self.problems.append(Problem(self.line, column, reason))


@dataclass
class NewRecord:
    line: int
    ref: tuple
    values: dict[str, object]
    person: object = None  # a new position's person and organisation refs
    organisation: object = None


@dataclass
class Plan:
    headers: list[str]
    mapping: list[str]
    policy: str
    rows: list[Row]
    repairs: list[Repair]
    changes: list[Change]
    new: dict[str, list[NewRecord]]  # entity -> records to create
    updates: dict[str, dict[int, dict[str, object]]]  # entity -> id -> field -> value
    new_centres: dict[int, list]  # existing organisation id -> interest centres to add
    counts: dict[str, int]

    @property
    def rejected(self) -> list[Row]:
        return [row for row in self.rows if row.status == REJECT]

    @property
    def problems(self) -> list[Problem]:
        return [problem for row in self.rejected for problem in row.problems]

    @property
    def has_writes(self) -> bool:
        return bool(self.counts[CREATE] or self.counts[UPDATE])


# --- Pass 1: clean --------------------------------------------------------------


def _max_length(key: str) -> int:
    target = TARGETS[key]
    model = MODELS.get(target.entity, Person)
    try:
        return model._meta.get_field(target.field).max_length or 10_000
    except Exception:
        return 200


def _columns(headers, mapping, lookups):
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

    return cached


def _empty(value) -> bool:
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
    if not _empty(values[name]) and not _empty(value):
        if values[name] != value:
            row.reject(
                _("Two columns give different values for the same field: %(column)s.")
                % {"column": f"«\u00a0{column}\u00a0»"},
                column,
            )
        return
    if not _empty(value):
        values[name] = value
        row.sources[entity, name] = column


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
        if name in ADDRESS_FIELDS:
            entity = "organisation" if has_org else "person"
        else:
            entity = (
                "position" if has_person and has_org else "person" if has_person else "organisation"
            )
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


# --- Pass 2: match ----------------------------------------------------------------


SHARED = object()  # an e-mail address several people use


@dataclass
class KeyMaps:
    """The directory's keys, loaded once (the trash too): matching is done in
    memory, never a query per row."""

    org_by_siret: dict = field(default_factory=dict)
    org_by_name_postcode: dict = field(default_factory=dict)
    org_by_name: dict = field(default_factory=lambda: defaultdict(list))
    person_by_email: dict = field(default_factory=dict)
    person_by_name_org: dict = field(default_factory=dict)
    people_by_name: dict = field(default_factory=lambda: defaultdict(list))
    name_parts: dict = field(default_factory=dict)  # person -> (first, last), folded
    # Several positions may share a key (the same function held twice, one
    # ended): each row takes the first one no earlier row took.
    position_by_key: dict = field(default_factory=lambda: defaultdict(list))
    postcode_of: dict = field(default_factory=dict)
    person_orgs: dict = field(default_factory=lambda: defaultdict(set))
    trashed_orgs: set = field(default_factory=set)
    trashed_people: set = field(default_factory=set)
    names: dict = field(default_factory=dict)  # ("organisation"|"person", id) -> name

    def add_email(self, email: str, person) -> None:
        """A role's mailbox ("direction@…") held by several people names none of them."""
        key = email.lower()
        found = self.person_by_email.get(key)
        if found is None:
            self.person_by_email[key] = person
        elif found != person:
            self.person_by_email[key] = SHARED

    @classmethod
    def load(cls) -> KeyMaps:
        maps = cls()
        for pk, siret, name, name_key, postcode, trashed in Organisation.all_objects.values_list(
            "pk", "siret", "name", "name_key", "postcode", "trashed_at"
        ).order_by("pk"):
            if siret:
                maps.org_by_siret[siret] = pk
            maps.org_by_name_postcode.setdefault((name_key, postcode), pk)
            maps.org_by_name[name_key].append(pk)
            maps.postcode_of[pk] = postcode
            maps.names["organisation", pk] = name
            if trashed:
                maps.trashed_orgs.add(pk)
        name_keys = {}
        for pk, email, first, last, name_key, trashed in Person.all_objects.values_list(
            "pk", "email", "first_name", "last_name", "name_key", "trashed_at"
        ).order_by("pk"):
            if email:
                maps.add_email(email, pk)
            name_keys[pk] = name_key
            maps.names["person", pk] = f"{first} {last}".strip()
            maps.name_parts[pk] = (_fold_name(first), _fold_name(last))
            if trashed:
                maps.trashed_people.add(pk)
        for pk, person, org, function, title, email in Position.all_objects.values_list(
            "pk", "person_id", "organisation_id", "function_id", "title", "email"
        ).order_by("pk"):
            maps.person_orgs[person].add(org)
            if email:
                maps.add_email(email, person)
            maps.person_by_name_org.setdefault((name_keys.get(person), org), person)
            key = function if function else "t:" + fold(title)
            maps.position_by_key[person, org, key].append(pk)
        for pk, name_key in name_keys.items():
            maps.people_by_name[name_key].append(pk)
        return maps


def _name_key(values) -> str:
    return _person_key(values.get("last_name", ""), values.get("first_name", ""))


@lru_cache(maxsize=65536)
def _person_key(last: str, first: str) -> str:
    return fold(f"{last} {first}")[:201]


@lru_cache(maxsize=65536)
def _fold_name(name: str) -> str:
    return fold(name)


@lru_cache(maxsize=65536)
def _org_key(name: str) -> str:
    return fold(" ".join(name.split()))[:200]


@dataclass
class Ambiguous:
    candidates: list


def _is_new(ref) -> bool:
    return isinstance(ref, tuple)


def _position_key(values: dict):
    function = values.get("function")
    return function.pk if function else "t:" + fold(values.get("title", ""))


class Matcher:
    def __init__(self, maps: KeyMaps):
        self.maps = maps
        self.new: dict[str, list[NewRecord]] = {"organisation": [], "person": [], "position": []}
        # (entity, ref) -> field -> (value, line): what the file says of each record
        self.said: dict[tuple, dict[str, tuple]] = {}
        self.first_line: dict[tuple, int] = {}  # in-file duplicates
        self.new_position_refs: dict[tuple, tuple] = {}

    # Organisations
    def find_org(self, values):
        maps = self.maps
        siret = values.get("siret")
        if siret and siret in maps.org_by_siret:
            return maps.org_by_siret[siret]
        name = values.get("name")
        if not name:
            return None
        name_key = _org_key(name)
        postcode = values.get("postcode") or ""
        ref = maps.org_by_name_postcode.get((name_key, postcode))
        if ref is None:
            # Same name, and a postcode on one side only: the same
            # organisation when only one has that name.
            candidates = maps.org_by_name.get(name_key, [])
            if len(candidates) == 1:
                other = candidates[0]
                known = maps.postcode_of.get(other, "")
                if not postcode or not known:
                    ref = other
            elif len(candidates) > 1 and not postcode:
                return Ambiguous(candidates)
        return ref

    # People
    def find_person(self, values, position, org_ref):
        maps = self.maps
        name_key = _name_key(values)
        by_name = maps.person_by_name_org.get((name_key, org_ref)) if org_ref is not None else None
        for email, personal in ((values.get("email"), True), (position.get("email"), False)):
            found = maps.person_by_email.get(email.lower()) if email else None
            if found is None or found is SHARED:
                continue
            # An e-mail names its person, unless the row names another person
            # of that organisation (a mailbox handed over); a work mailbox
            # ("direction@…") names them only if the first or the last name
            # is theirs too (a new surname keeps the first name).
            if by_name is not None and by_name != found:
                return by_name
            if personal or self._same_person_name(found, values):
                return found
        if org_ref is not None:
            return by_name
        # No organisation on the row: the one person of that name, if one.
        candidates = maps.people_by_name.get(name_key, [])
        if len(candidates) > 1:
            return Ambiguous(candidates)
        return candidates[0] if candidates else None

    def _same_person_name(self, ref, values) -> bool:
        first, last = self.maps.name_parts.get(ref, ("", ""))
        return (bool(last) and last == _fold_name(values.get("last_name", ""))) or (
            bool(first) and first == _fold_name(values.get("first_name", ""))
        )

    def trashed_reason(self, entity, ref) -> str | None:
        trashed = self.maps.trashed_orgs if entity == "organisation" else self.maps.trashed_people
        if not _is_new(ref) and ref in trashed:
            name = self.maps.names.get((entity, ref), "")
            if entity == "organisation":
                return _(
                    "The organisation “%(name)s” is in the trash: restore it before importing."
                ) % {"name": name}
            return _("“%(name)s” is in the trash: restore the person before importing.") % {
                "name": name
            }
        return None

    def contradictions(self, row: Row, entity: str, ref, values: dict) -> list[str]:
        said = self.said.get((entity, ref))
        if not said:
            return []
        found = []
        for name, value in values.items():
            if _empty(value) or name not in said or name == "interest_centres":
                continue
            before, line = said[name]
            if before != value and not _same(entity, name, before, value):
                found.append(
                    _("%(field)s contradicts line %(line)d (“%(before)s” there, “%(after)s” here).")
                    % {
                        "field": _field_label(entity, name),
                        "line": line,
                        "before": _display(before),
                        "after": _display(value),
                    }
                )
        return found

    def say(self, line: int, entity: str, ref, values: dict) -> None:
        said = self.said.get((entity, ref))
        if said is None:
            self.said[entity, ref] = {
                name: (value, line) for name, value in values.items() if not _empty(value)
            }
            return
        for name, value in values.items():
            if _empty(value):
                continue
            if name not in said:
                said[name] = (value, line)
            elif name == "interest_centres":  # added up, never contradicted
                before, first = said[name]
                said[name] = (before + [c for c in value if c not in before], first)

    def match(self, row: Row) -> None:
        person_values = row.values.get("person", {})
        org_values = row.values.get("organisation", {})
        position_values = row.values.get("position", {})
        has_person = bool(person_values.get("last_name"))
        has_org = bool(org_values.get("name") or org_values.get("siret"))
        pending = []  # (entity, ref, values, person ref, organisation ref), kept if the row holds

        org_ref = None
        if has_org:
            org_ref = self.find_org(org_values)
            if isinstance(org_ref, Ambiguous):
                # Homonyms: the one where this person holds a position, if one does.
                person = self.find_person(person_values, position_values, None)
                if isinstance(person, Ambiguous):
                    person = None
                held = [ref for ref in org_ref.candidates if ref in self.maps.person_orgs[person]]
                if not held and has_person:
                    name_key = _name_key(person_values)
                    held = [
                        ref
                        for ref in org_ref.candidates
                        if (name_key, ref) in self.maps.person_by_name_org
                    ]
                if len(held) != 1:
                    row.reject(
                        _(
                            "Several organisations are called “%(name)s”: add a postcode "
                            "or SIRET column to tell them apart."
                        )
                        % {"name": org_values.get("name", "")},
                        row.sources.get(("organisation", "name"), ""),
                    )
                    return
                org_ref = held[0]
            if org_ref is None:
                if not org_values.get("name"):
                    row.reject(_("No organisation has this SIRET, and the row gives no name."))
                    return
                org_ref = ("new", "organisation", len(self.new["organisation"]))
                pending.append(("organisation", org_ref, org_values, None, None))
            reason = self.trashed_reason("organisation", org_ref)
            if reason:
                row.reject(reason)
                return
        person_ref = None
        if has_person:
            person_ref = self.find_person(person_values, position_values, org_ref)
            if isinstance(person_ref, Ambiguous):
                row.reject(
                    _(
                        "Several people are called “%(name)s”: add their e-mail or their "
                        "organisation to tell them apart."
                    )
                    % {
                        "name": " ".join(
                            filter(
                                None, (person_values.get("first_name"), person_values["last_name"])
                            )
                        )
                    },
                    row.sources.get(("person", "last_name"), ""),
                )
                return
            if person_ref is None:
                person_ref = ("new", "person", len(self.new["person"]))
                pending.append(("person", person_ref, person_values, None, None))
            reason = self.trashed_reason("person", person_ref)
            if reason:
                row.reject(reason)
                return
        position_ref = None
        if has_person and has_org:
            key = (person_ref, org_ref, _position_key(position_values))
            position_ref = None
            if not (_is_new(person_ref) or _is_new(org_ref)):
                held = self.maps.position_by_key.get(key, ())
                free = [pk for pk in held if ("position", pk) not in self.first_line]
                position_ref = free[0] if free else (held[0] if held else None)
            if position_ref is None:
                position_ref = self.new_position_refs.get(key)
            if position_ref is None:
                position_ref = ("new", "position", len(self.new["position"]))
                pending.append(("position", position_ref, position_values, person_ref, org_ref))
                self.new_position_refs[key] = position_ref
            duplicate_key = ("position", position_ref)
        elif has_person:
            duplicate_key = ("person", person_ref)
        else:
            duplicate_key = ("organisation", org_ref)

        if duplicate_key in self.first_line:
            self._forget(pending)
            row.reject(_("Duplicate of line %(line)d.") % {"line": self.first_line[duplicate_key]})
            return
        problems = []
        for entity, ref, values in (
            ("organisation", org_ref, org_values),
            ("person", person_ref, person_values),
            ("position", position_ref, position_values),
        ):
            if ref is not None:
                problems += self.contradictions(row, entity, ref, values)
        if problems:
            self._forget(pending)
            for problem in problems:
                row.reject(problem)
            return

        # The row holds: register what it creates and what it says.
        for entity, ref, values, person, organisation in pending:
            self.new[entity].append(NewRecord(row.line, ref, {}, person, organisation))
            self._index_new(entity, ref, values, org_ref)
        for entity, ref, values in (
            ("organisation", org_ref, org_values),
            ("person", person_ref, person_values),
            ("position", position_ref, position_values),
        ):
            if ref is not None:
                self.say(row.line, entity, ref, values)
        self.first_line[duplicate_key] = row.line
        row.org, row.person, row.position = org_ref, person_ref, position_ref

    def _forget(self, pending) -> None:
        for entity, ref, *_rest in pending:
            if entity == "position":
                for key, value in list(self.new_position_refs.items()):
                    if value == ref:
                        del self.new_position_refs[key]

    def finish(self) -> None:
        """New records take what every row said of them (the first value of each field)."""
        for records in self.new.values():
            for record in records:
                said = self.said.get((record.ref[1], record.ref), {})
                record.values = {name: value for name, (value, _line) in said.items()}

    def _index_new(self, entity, ref, values, org_ref) -> None:
        maps = self.maps
        if entity == "organisation":
            if values.get("siret"):
                maps.org_by_siret[values["siret"]] = ref
            name_key = _org_key(values["name"])
            maps.org_by_name_postcode.setdefault((name_key, values.get("postcode") or ""), ref)
            maps.org_by_name[name_key].append(ref)
            maps.postcode_of[ref] = values.get("postcode") or ""
        elif entity == "person":
            name_key = _name_key(values)
            if values.get("email"):
                maps.add_email(values["email"], ref)
            if org_ref is not None:
                maps.person_by_name_org.setdefault((name_key, org_ref), ref)
            maps.people_by_name[name_key].append(ref)
            maps.name_parts[ref] = (
                _fold_name(values.get("first_name", "")),
                _fold_name(values.get("last_name", "")),
            )

    def index_position_email(self, row: Row) -> None:
        email = row.values.get("position", {}).get("email")
        if email and row.person is not None:
            self.maps.add_email(email, row.person)
        if row.person is not None and row.org is not None:
            key = (_name_key(row.values["person"]), row.org)
            self.maps.person_by_name_org.setdefault(key, row.person)


def _same(entity: str, name: str, before, after) -> bool:
    if (entity, name) in FOLDED_FIELDS and isinstance(before, str) and isinstance(after, str):
        return fold(before) == fold(after)
    return before == after


def _field_label(entity: str, name: str) -> str:
    try:
        return str(MODELS[entity]._meta.get_field(name).verbose_name).capitalize()
    except Exception:
        return name


def _display(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, list):
        return ", ".join(sorted(str(item) for item in value))
    return str(value)


# --- Pass 3: compare ------------------------------------------------------------------


def _stored(entity: str, ids: Iterable[int], names: set[str]) -> dict[int, dict]:
    model = MODELS[entity]
    ids = sorted(ids)
    columns = sorted(
        (f"{name}_id" if model._meta.get_field(name).is_relation else name)
        for name in names
        if name != "interest_centres"
    )
    stored = {
        pk: dict(zip(columns, values, strict=True))
        for pk, values in values_by_id(model, ids, columns).items()
    }
    if "interest_centres" in names:
        through = Organisation.interest_centres.through
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            for org, centre in through.objects.filter(organisation_id__in=chunk).values_list(
                "organisation_id", "interestcentre_id"
            ):
                stored[org].setdefault("interest_centres", set()).add(centre)
    return stored


def _field_and_column(model, name: str):
    field_obj = model._meta.get_field(name)
    if field_obj.is_relation and not field_obj.many_to_many:
        return field_obj, f"{name}_id"
    return field_obj, name


def _comparable(model, name: str, value):
    """The file's value in the form `values()` gives the stored one."""
    if name == "interest_centres":
        return {centre.pk for centre in value}
    if hasattr(value, "pk"):
        return value.pk
    return value


def _is_empty(value) -> bool:
    return value in (None, "") or value == set()


def compare(matcher: Matcher, policy: str) -> tuple[dict, dict, list[Change], set[int]]:
    """Field changes of the existing records, by policy; which lines made them."""
    updates: dict[str, dict[int, dict]] = {"organisation": {}, "person": {}, "position": {}}
    new_centres: dict = {}
    changed_lines: set[int] = set()
    changes: list[Change] = []
    by_entity: dict[str, dict[int, dict]] = defaultdict(dict)
    for (entity, ref), said in matcher.said.items():
        if not _is_new(ref):
            by_entity[entity][ref] = said
    for entity, records in by_entity.items():
        model = MODELS[entity]
        names = {name for said in records.values() for name in said}
        if not names or policy == ImportPolicy.SKIP:
            continue
        stored = _stored(entity, records.keys(), names)
        fields = {name: _field_and_column(model, name) for name in names}
        for ref, said in records.items():
            current = stored.get(ref)
            if current is None:
                continue
            for name, (value, line) in said.items():
                field_obj, column = fields[name]
                before = current.get(column)
                after = _comparable(model, name, value)
                if name == "interest_centres":
                    before = before or set()
                    missing = [c for c in value if c.pk not in before]
                    if not missing:
                        continue
                    new_centres[ref] = missing
                    changed_lines.add(line)
                    if len(changes) < SAMPLE_CHANGES:
                        names = _centre_names(before)
                        _sample(
                            changes,
                            line,
                            matcher,
                            entity,
                            ref,
                            name,
                            ", ".join(names),
                            ", ".join(sorted([*names, *(c.name for c in missing)], key=fold)),
                        )
                    continue
                if before == after or _same(entity, name, before, after):
                    continue
                if policy == ImportPolicy.FILL and not _is_empty(before):
                    continue
                if isinstance(after, bool) and policy == ImportPolicy.FILL:
                    continue
                updates[entity].setdefault(ref, {})[name] = value
                changed_lines.add(line)
                if len(changes) < SAMPLE_CHANGES:
                    _sample(
                        changes,
                        line,
                        matcher,
                        entity,
                        ref,
                        name,
                        _display_stored(field_obj, before),
                        _display(value),
                    )
    return updates, new_centres, changes, changed_lines


def _centre_names(ids) -> list[str]:
    from ..models import InterestCentre

    return sorted(
        InterestCentre.objects.filter(pk__in=ids).values_list("name", flat=True), key=fold
    )


def _display_stored(field_obj, value) -> str:
    if field_obj.is_relation and value is not None:
        return str(field_obj.related_model.objects.filter(pk=value).first() or "")
    if field_obj.choices and value not in (None, ""):
        return str(dict(field_obj.flatchoices).get(value, value))
    return _display(value)


def _sample(changes, line, matcher, entity, ref, name, before, after) -> None:
    if len(changes) >= SAMPLE_CHANGES:
        return
    record = _("position") if entity == "position" else matcher.maps.names.get((entity, ref), "")
    changes.append(Change(line, record, _field_label(entity, name), before, after))


# --- The whole plan --------------------------------------------------------------------


@without_collector
def build_plan(
    headers: list[str],
    rows: Iterable[tuple[int, list[str]]],
    mapping: list[str],
    *,
    policy: str = ImportPolicy.UPDATE,
    progress: Callable[[int], None] | None = None,
    maps: KeyMaps | None = None,
) -> Plan:
    lookups = Lookups.load()
    columns = _columns(headers, mapping, lookups)
    repairs: list[Repair] = []
    cleaned = []
    for count, (line, cells) in enumerate(rows, start=1):
        cleaned.append(clean_row(line, cells, columns, len(headers), repairs))
        if progress and count % 1000 == 0:
            progress(count // 2)
    matcher = Matcher(maps or KeyMaps.load())
    repeated: dict[tuple, int] = {}  # a row's cells -> the first line that had them
    for count, row in enumerate(cleaned, start=1):
        if not row.problems:
            cells = tuple(cell.strip() for cell in row.cells)
            first = repeated.get(cells)
            if first is not None:
                # The same row again (a basket may hold one capacity twice):
                # nothing more to do, and said, not rejected.
                repairs.append(
                    Repair(
                        row.line,
                        "",
                        _("the same as line %(line)d: read once") % {"line": first},
                    )
                )
                continue
            matcher.match(row)
            if not row.problems:
                matcher.index_position_email(row)
                repeated[cells] = row.line
        if progress and count % 1000 == 0:
            progress(len(cleaned) // 2 + count // 2)
    matcher.finish()
    updates, new_centres, changes, changed_lines = compare(matcher, policy)
    created_lines = {record.line for records in matcher.new.values() for record in records}
    counts = {CREATE: 0, UPDATE: 0, UNCHANGED: 0, REJECT: 0}
    for row in cleaned:
        if row.problems:
            row.status = REJECT
        elif row.line in created_lines:
            row.status = CREATE
        elif row.line in changed_lines:
            row.status = UPDATE
        else:
            row.status = UNCHANGED
        counts[row.status] += 1
    # New organisations' interest areas are set with them.
    return Plan(
        headers=headers,
        mapping=mapping,
        policy=policy,
        rows=cleaned,
        repairs=repairs,
        changes=changes,
        new=matcher.new,
        updates=updates,
        new_centres=new_centres,
        counts=counts,
    )


__all__ = ["CREATE", "REJECT", "UNCHANGED", "UPDATE", "Function", "Plan", "build_plan"]
