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
from operator import itemgetter

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _

from ..bulk import fetch_rows, values_by_id
from ..models import Function, ImportPolicy, Organisation, Person, Position
from ..text import fold
from .cleaning import Lookups
from .collector import without_collector
from .rows import MODELS, UNCHANGED, Problem, Repair, Row, clean_rows, columns_of
from .rows import empty as _empty

CHUNK = 900  # ids per IN (...) query: under SQLite's variable limit
SAMPLE_CHANGES = 200
# Matching keys: "THÉÂTRE X" is "Théâtre X", neither a change nor a contradiction.
FOLDED_FIELDS = {("organisation", "name"), ("person", "first_name"), ("person", "last_name")}

CREATE, UPDATE, REJECT = "create", "update", "reject"


@dataclass
class Change:
    line: int
    record: str
    field: str
    before: str
    after: str


@dataclass(slots=True)
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
    # person -> (first, last) as stored (or as the file gives a new one): their
    # `names` and `name_parts`, when asked.
    stored_names: dict = field(default_factory=dict)
    # entity -> (columns, {id: their stored values}): read with the keys when
    # the sheet is large beside the directory (`compare` reads them otherwise).
    stored: dict = field(default_factory=dict)

    def add_email(self, email: str, person) -> None:
        """A role's mailbox ("direction@…") held by several people names none of them."""
        key = email.lower()
        found = self.person_by_email.get(key)
        if found is None:
            self.person_by_email[key] = person
        elif found != person:
            self.person_by_email[key] = SHARED

    def name(self, entity: str, ref) -> str:
        found = self.names.get((entity, ref))
        if found is None and entity == "person" and ref in self.stored_names:
            first, last = self.stored_names[ref]
            found = f"{first} {last}".strip()
        return found or ""

    def folded_name_parts(self, ref) -> tuple[str, str]:
        parts = self.name_parts.get(ref)
        if parts is None:
            first, last = self.stored_names.get(ref, ("", ""))
            parts = self.name_parts[ref] = (_fold_name(first), _fold_name(last))
        return parts

    @classmethod
    def load(cls, stored: dict[str, list[str]] | None = None) -> KeyMaps:
        """The keys of every record; and, for each entity in `stored`, those
        columns' stored values."""
        maps = cls()
        stored = stored or {}

        def rows(model, entity, *columns):
            """The rows of these columns, in the order of the ids; those of
            `stored` kept aside, by id."""
            extra = stored.get(entity, [])
            found = fetch_rows(model.all_objects.values_list(*columns, *extra).order_by("pk"))
            if not extra:
                return found
            width = len(columns)
            maps.stored[entity] = (extra, {row[0]: row[width:] for row in found})
            return map(itemgetter(slice(0, width)), found)

        for pk, siret, name, name_key, postcode, trashed in rows(
            Organisation,
            "organisation",
            "pk",
            "siret",
            "name",
            "name_key",
            "postcode",
            "trashed_at",
        ):
            if siret:
                maps.org_by_siret[siret] = pk
            maps.org_by_name_postcode.setdefault((name_key, postcode), pk)
            maps.org_by_name[name_key].append(pk)
            maps.postcode_of[pk] = postcode
            maps.names["organisation", pk] = name
            if trashed:
                maps.trashed_orgs.add(pk)
        name_keys = {}
        stored_names = maps.stored_names
        add_email = maps.add_email
        for pk, email, first, last, name_key, trashed in rows(
            Person, "person", "pk", "email", "first_name", "last_name", "name_key", "trashed_at"
        ):
            if email:
                add_email(email, pk)
            name_keys[pk] = name_key
            stored_names[pk] = (first, last)
            if trashed:
                maps.trashed_people.add(pk)
        person_orgs = maps.person_orgs
        person_by_name_org = maps.person_by_name_org
        position_by_key = maps.position_by_key
        for pk, person, org, function, title, email in rows(
            Position,
            "position",
            "pk",
            "person_id",
            "organisation_id",
            "function_id",
            "title",
            "email",
        ):
            person_orgs[person].add(org)
            if email:
                add_email(email, person)
            person_by_name_org.setdefault((name_keys.get(person), org), person)
            key = function if function else "t:" + fold(title)
            position_by_key[person, org, key].append(pk)
        people_by_name = maps.people_by_name
        for pk, name_key in name_keys.items():
            people_by_name[name_key].append(pk)
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
    return function.id if function else "t:" + fold(values.get("title", ""))


class Matcher:
    def __init__(self, maps: KeyMaps):
        self.maps = maps
        self.new: dict[str, list[NewRecord]] = {"organisation": [], "person": [], "position": []}
        # What the file says of each record: (entity, ref) -> field -> value (the
        # first one given), and the line that said it: one line for them all, or
        # field -> line. The first row's values themselves, until another row adds
        # to them (then a copy: a row's values are never changed).
        self.said: dict[tuple, dict[str, object]] = {}
        self.said_lines: dict[tuple, int | dict[str, int]] = {}
        self._copied: set[tuple] = set()
        # (entity, ref) -> the values a row last said of it: the same again says nothing new
        self._last_said: dict[tuple, dict] = {}
        self.first_line: dict[tuple, int] = {}  # in-file duplicates
        self.new_position_refs: dict[tuple, tuple] = {}
        self._folds: dict[str, str] = {}  # first and last names, folded

    def _fold(self, name: str) -> str:
        folded = self._folds.get(name)
        if folded is None:
            folded = self._folds[name] = fold(name)
        return folded

    def name_key(self, values) -> str:
        """`_name_key(values)`: the folded parts joined (the same text), each part folded once."""
        last = self._fold(values.get("last_name", ""))
        first = self._fold(values.get("first_name", ""))
        return (f"{last} {first}" if last and first else last or first)[:201]

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
    def find_person(self, values, position, org_ref, name_key=None):
        maps = self.maps
        if name_key is None:
            name_key = self.name_key(values)
        if org_ref is not None:
            # The person of that name in that organisation, whatever the
            # e-mails say: a row that names another person of the
            # organisation than its mailbox's (a mailbox handed over) is
            # that other person's.
            by_name = maps.person_by_name_org.get((name_key, org_ref))
            if by_name is not None:
                return by_name
        for email, personal in ((values.get("email"), True), (position.get("email"), False)):
            found = maps.person_by_email.get(email.lower()) if email else None
            if found is None or found is SHARED:
                continue
            # An e-mail names its person; a work mailbox ("direction@…") names
            # them only if the first or the last name is theirs too (a new
            # surname keeps the first name).
            if personal or self._same_person_name(found, values):
                return found
        if org_ref is not None:
            return None
        # No organisation on the row: the one person of that name, if one.
        candidates = maps.people_by_name.get(name_key, [])
        if len(candidates) > 1:
            return Ambiguous(candidates)
        return candidates[0] if candidates else None

    def _same_person_name(self, ref, values) -> bool:
        last = values.get("last_name", "")
        stored = self.maps.stored_names.get(ref)
        # The stored last name itself (the usual case of a re-import): the
        # same folded, if folding leaves anything of it.
        if (
            stored is not None
            and last
            and stored[1] == last
            and (last.isascii() or self._fold(last))
        ):
            return True
        first, stored_last = self.maps.folded_name_parts(ref)
        return (bool(stored_last) and stored_last == self._fold(last)) or (
            bool(first) and first == self._fold(values.get("first_name", ""))
        )

    def trashed_reason(self, entity, ref) -> str | None:
        trashed = self.maps.trashed_orgs if entity == "organisation" else self.maps.trashed_people
        if not _is_new(ref) and ref in trashed:
            name = self.maps.name(entity, ref)
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
        if not said or self._last_said.get((entity, ref)) == values:
            return []
        found = []
        for name, value in values.items():
            if _empty(value) or name not in said or name == "interest_centres":
                continue
            before = said[name]
            if before != value and not _same(entity, name, before, value):
                line = self.line_of((entity, ref), name)
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

    def line_of(self, key: tuple, name: str) -> int:
        lines = self.said_lines[key]
        return lines if isinstance(lines, int) else lines[name]

    def said_with_lines(self, key: tuple):
        """(field, value, line) of what the file says of a record."""
        lines = self.said_lines[key]
        if isinstance(lines, int):
            return ((name, value, lines) for name, value in self.said[key].items())
        return ((name, value, lines[name]) for name, value in self.said[key].items())

    def say(self, line: int, entity: str, ref, values: dict) -> None:
        key = (entity, ref)
        said = self.said.get(key)
        if said is None:
            if all(values.values()):  # nothing empty (nor False): the values as they are
                self.said[key] = values
            else:
                self.said[key] = {
                    name: value for name, value in values.items() if not _empty(value)
                }
                self._copied.add(key)
            self.said_lines[key] = line
            self._last_said[key] = values
            return
        if self._last_said.get(key) == values:
            return  # the same values again: nothing new, nothing to add up
        self._last_said[key] = values
        for name, value in values.items():
            if _empty(value):
                continue
            if name not in said:
                said = self._own(key)
                said[name] = value
                self.said_lines[key][name] = line
            elif name == "interest_centres":  # added up, never contradicted
                before = said[name]
                added = [c for c in value if c not in before]
                if added:
                    said = self._own(key)
                    said[name] = before + added

    def _own(self, key: tuple) -> dict:
        """What is said of a record, as its own dict (not a row's values), lines by field."""
        if key not in self._copied:
            self._copied.add(key)
            self.said[key] = dict(self.said[key])
        lines = self.said_lines[key]
        if isinstance(lines, int):
            self.said_lines[key] = dict.fromkeys(self.said[key], lines)
        return self.said[key]

    def match(self, row: Row) -> None:
        row_values = row.values
        person_values = row_values.get("person", {})
        org_values = row_values.get("organisation", {})
        position_values = row_values.get("position", {})
        has_person = bool(person_values.get("last_name"))
        has_org = bool(org_values.get("name") or org_values.get("siret"))
        name_key = None
        if has_person:
            name_key = row.name_key if row.name_key is not None else self.name_key(person_values)
        pending = []  # (entity, ref, values, person ref, organisation ref), kept if the row holds
        new_position_key = None

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
            if org_ref in self.maps.trashed_orgs:
                row.reject(self.trashed_reason("organisation", org_ref))
                return
        person_ref = None
        if has_person:
            person_ref = self.find_person(person_values, position_values, org_ref, name_key)
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
            if person_ref in self.maps.trashed_people:
                row.reject(self.trashed_reason("person", person_ref))
                return
        position_ref = None
        first_line = self.first_line
        if has_person and has_org:
            key = (person_ref, org_ref, _position_key(position_values))
            position_ref = None
            if not (_is_new(person_ref) or _is_new(org_ref)):
                held = self.maps.position_by_key.get(key, ())
                for pk in held:  # the first one no earlier row took
                    if ("position", pk) not in first_line:
                        position_ref = pk
                        break
                else:
                    position_ref = held[0] if held else None
            if position_ref is None:
                position_ref = self.new_position_refs.get(key)
            if position_ref is None:
                position_ref = ("new", "position", len(self.new["position"]))
                pending.append(("position", position_ref, position_values, person_ref, org_ref))
                self.new_position_refs[key] = position_ref
                new_position_key = key
            duplicate_key = ("position", position_ref)
        elif has_person:
            duplicate_key = ("person", person_ref)
        else:
            duplicate_key = ("organisation", org_ref)

        if duplicate_key in first_line:
            self._forget(new_position_key)
            row.reject(_("Duplicate of line %(line)d.") % {"line": first_line[duplicate_key]})
            return
        problems = []
        said = self.said
        # What a row says again of a record, as the row before it said it,
        # contradicts nothing and adds nothing (the organisation of ten rows
        # in a row): the rest is compared, then said.
        last_said = self._last_said
        to_say = []
        for entity, ref, values in (
            ("organisation", org_ref, org_values),
            ("person", person_ref, person_values),
            ("position", position_ref, position_values),
        ):
            if ref is None:
                continue
            if (entity, ref) in said:
                if last_said[entity, ref] == values:
                    continue
                problems += self.contradictions(row, entity, ref, values)
            to_say.append((entity, ref, values))
        if problems:
            self._forget(new_position_key)
            for problem in problems:
                row.reject(problem)
            return

        # The row holds: register what it creates and what it says.
        line = row.line
        for entity, ref, values, person, organisation in pending:
            self.new[entity].append(NewRecord(line, ref, {}, person, organisation))
            self._index_new(entity, ref, values, org_ref, name_key)
        for entity, ref, values in to_say:
            self.say(line, entity, ref, values)
        first_line[duplicate_key] = line
        row.org, row.person, row.position = org_ref, person_ref, position_ref
        # What the row tells of its person, for the rows after it.
        if person_ref is not None:
            email = position_values.get("email")
            if email:
                self.maps.add_email(email, person_ref)
            if org_ref is not None:
                self.maps.person_by_name_org.setdefault((name_key, org_ref), person_ref)

    def _forget(self, new_position_key) -> None:
        """A rejected row's new position is not there for the rows after it."""
        if new_position_key is not None:
            del self.new_position_refs[new_position_key]

    def finish(self) -> None:
        """New records take what every row said of them (the first value of
        each field): read only, as the rows' own values are."""
        said = self.said
        for records in self.new.values():
            for record in records:
                record.values = said.get((record.ref[1], record.ref)) or {}

    def _index_new(self, entity, ref, values, org_ref, name_key=None) -> None:
        maps = self.maps
        if entity == "organisation":
            if values.get("siret"):
                maps.org_by_siret[values["siret"]] = ref
            name_key = _org_key(values["name"])
            maps.org_by_name_postcode.setdefault((name_key, values.get("postcode") or ""), ref)
            maps.org_by_name[name_key].append(ref)
            maps.postcode_of[ref] = values.get("postcode") or ""
        elif entity == "person":
            if name_key is None:
                name_key = self.name_key(values)
            if values.get("email"):
                maps.add_email(values["email"], ref)
            if org_ref is not None:
                maps.person_by_name_org.setdefault((name_key, org_ref), ref)
            maps.people_by_name[name_key].append(ref)
            # Folded when asked (`folded_name_parts`).
            maps.stored_names[ref] = (values.get("first_name", ""), values.get("last_name", ""))


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


def _stored(entity: str, ids: Iterable[int], columns: list[str]) -> dict[int, tuple]:
    """The stored values of these columns, by id: plain tuples."""
    return values_by_id(MODELS[entity], sorted(ids), columns)


def _stored_centres(ids: Iterable[int]) -> dict[int, set[int]]:
    ids = sorted(ids)
    centres: dict[int, set[int]] = {}
    through = Organisation.interest_centres.through
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        for org, centre in through.objects.filter(organisation_id__in=chunk).values_list(
            "organisation_id", "interestcentre_id"
        ):
            centres.setdefault(org, set()).add(centre)
    return centres


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


class _Unchanged:
    """Whether a record's stored values are all the file's, field for field
    (then there is nothing to compare, whatever the policy): one tuple
    comparison, per set of fields said."""

    def __init__(self, model, index: dict[str, int]):
        self.model = model
        self.index = index

    def check(self, names: tuple):
        """A function `(said, stored) -> bool` for records said with these fields."""
        if not names:
            return lambda said, current: True
        if "interest_centres" in names:
            return lambda said, current: False  # added up, not compared: field by field
        stored = itemgetter(*(self.index[_field_and_column(self.model, n)[1]] for n in names))
        related = [
            position
            for position, name in enumerate(names)
            if self.model._meta.get_field(name).is_relation
        ]
        if len(names) == 1:
            if related:
                return lambda said, current: said[names[0]].pk == stored(current)
            return lambda said, current: said[names[0]] == stored(current)
        if not related:
            return lambda said, current: tuple(said.values()) == stored(current)

        def check(said, current):
            values = list(said.values())
            for position in related:
                values[position] = values[position].pk
            return tuple(values) == stored(current)

        return check


def compare(matcher: Matcher, policy: str) -> tuple[dict, dict, list[Change], set[int]]:
    """Field changes of the existing records, by policy; which lines made them."""
    updates: dict[str, dict[int, dict]] = {"organisation": {}, "person": {}, "position": {}}
    new_centres: dict = {}
    changed_lines: set[int] = set()
    changes: list[Change] = []
    by_entity: dict[str, dict[int, dict]] = defaultdict(dict)
    for (entity, ref), said in matcher.said.items():
        if not isinstance(ref, tuple):  # not new
            by_entity[entity][ref] = said
    for entity, records in by_entity.items():
        model = MODELS[entity]
        names = set().union(*records.values())
        if not names or policy == ImportPolicy.SKIP:
            continue
        fields = {name: _field_and_column(model, name) for name in names}
        columns = sorted(
            column for name, (_f, column) in fields.items() if name != "interest_centres"
        )
        loaded = matcher.maps.stored.get(entity)
        if loaded is not None and set(columns) <= set(loaded[0]):
            columns, stored = loaded
        else:
            stored = _stored(entity, records.keys(), columns)
        index = {column: position for position, column in enumerate(columns)}
        centres = _stored_centres(records.keys()) if "interest_centres" in names else {}
        unchanged = _Unchanged(model, index)
        checks: dict[tuple, Callable] = {}
        for ref, said in records.items():
            current = stored.get(ref)
            if current is None:
                continue
            names = tuple(said)
            check = checks.get(names)
            if check is None:
                check = checks[names] = unchanged.check(names)
            if check(said, current):
                continue
            for name, value, line in matcher.said_with_lines((entity, ref)):
                field_obj, column = fields[name]
                after = _comparable(model, name, value)
                if name == "interest_centres":
                    before = centres.get(ref) or set()
                    missing = [c for c in value if c.pk not in before]
                    if not missing:
                        continue
                    new_centres[ref] = missing
                    changed_lines.add(line)
                    if len(changes) < SAMPLE_CHANGES:
                        centre_names = _centre_names(before)
                        _sample(
                            changes,
                            line,
                            matcher,
                            entity,
                            ref,
                            name,
                            ", ".join(centre_names),
                            ", ".join(
                                sorted([*centre_names, *(c.name for c in missing)], key=fold)
                            ),
                        )
                    continue
                before = current[index[column]]
                if before == after or _same(entity, name, before, after):
                    continue
                if _lifts_objection(name, before, after):
                    continue  # a refusal is never undone by a file
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


_CONSENTS = ("email_consent", "sms_consent", "post_consent")


def _lifts_objection(name: str, before, after) -> bool:
    """Whether the change would undo what the person asked: a refused
    consent or « ne pas contacter » stays as it is, whatever the file says."""
    from ..models.people import Consent

    if name in _CONSENTS:
        return before == Consent.REFUSED
    return name == "do_not_contact" and bool(before) and not after


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
    record = _("position") if entity == "position" else matcher.maps.name(entity, ref)
    changes.append(Change(line, record, _field_label(entity, name), before, after))


# --- The whole plan --------------------------------------------------------------------


def _stored_with_keys(columns, rows: int) -> dict[str, list[str]]:
    """The columns whose stored values `compare` will read, by entity, when
    the sheet's rows are a quarter of the directory or more: then they are
    read with the keys, in the same pass over each table, rather than again
    by id. (A column of the row's capacity may go to any of the three.)"""
    if rows * 4 < Person.all_objects.count():
        return {}
    names: dict[str, set[str]] = defaultdict(set)
    for _index, _header, entity, name, *_rest in columns:
        if entity == "contact":
            names["person"].add(name)
            names["position"].add(name)
            names["organisation"].add("phone" if name == "mobile" else name)
        else:
            names[entity].add(name)
    found = {}
    for entity, fields in names.items():
        model = MODELS[entity]
        wanted = set()
        for name in fields:
            try:
                field_obj, column = _field_and_column(model, name)
            except FieldDoesNotExist:  # not a field of this model (a contact column)
                continue
            if field_obj.concrete and not field_obj.many_to_many:
                wanted.add(column)
        if wanted:
            found[entity] = sorted(wanted)
    return found


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
    columns = columns_of(headers, mapping, lookups)
    repairs: list[Repair] = []
    cleaned = clean_rows(rows, columns, len(headers), repairs)
    if progress:
        progress(len(cleaned) // 2)
    matcher = Matcher(maps or KeyMaps.load(_stored_with_keys(columns, len(cleaned))))
    repeated: dict[tuple, int] = {}  # a row's cells -> the first line that had them
    for count, row in enumerate(cleaned, start=1):
        if not row.problems:
            cells = tuple(map(str.strip, row.cells))
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
