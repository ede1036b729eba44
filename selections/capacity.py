"""Capacity: the rows a search or a basket yields, and the one algebra on them.

A row is a person in one capacity (a `position`, or `personal`) or an
organisation at its generic coordinates. This module decides, for every
part of the product: how a row is named (`row_key`, `parse_row_keys`), how
its capacity reads (`capacity_label`), and how sets of rows combine.

A `Selection` holds rows as conditions on three tables, so the database
resolves it in one query per kind. Rows *meet* when they concern the same
thing: the same position; a personal row and any row of that person; an
organisation row and the positions held in it. `intersect` keeps the rows
that meet a row of each side, the more specific one standing for both (a
position over a personal or an organisation row); `exclude` removes the
rows that meet a row of the other side; `union` adds. The criteria tree
(`selections.criteria`) and the basket steps (`selections.resolution`) are
both written with these three operations and nothing else.

A selection remembers how it was made, so that each row can say why it is
there (`reasons_of`): the reasons of the terms it came from, through the
branches that yielded it, and no other.
"""

from dataclasses import dataclass, field

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q
from django.utils.translation import gettext as _

from directory.ids import record_id

POSITION, PERSONAL, ORGANISATION = "position", "personal", "organisation"
KINDS = (POSITION, PERSONAL, ORGANISATION)
ATTRIBUTES = {POSITION: "positions", PERSONAL: "people", ORGANISATION: "organisations"}

# Row keys --------------------------------------------------------------------------


def row_key(kind: str, pk: int) -> str:
    """ "position-12", "personal-3", "organisation-7": how screens name a row."""
    return f"{kind}-{pk}"


def parse_row_key(value) -> tuple[str, int] | None:
    """(kind, id) from a row key, or None when it cannot name a row."""
    kind, _sep, pk = str(value).partition("-")
    number = record_id(pk)
    if kind not in KINDS or number is None:
        return None
    return kind, number


def parse_row_keys(values) -> dict[str, set[int]]:
    """{"position": {12}, "personal": {3}} from row keys; others are dropped."""
    wanted: dict[str, set[int]] = {}
    for value in values:
        parsed = parse_row_key(value)
        if parsed:
            wanted.setdefault(parsed[0], set()).add(parsed[1])
    return wanted


# Labels ----------------------------------------------------------------------------


def position_label(function: str = "", title: str = "") -> str:
    """ "Directeur·rice (Directeur général)", or whichever is set; as
    `directory.models.Position.label` says it."""
    if function and title and title != function:
        return f"{function} ({title})"
    return title or function or _("position")


def capacity_label(kind: str, function: str = "", title: str = "", organisation: str = "") -> str:
    """How every screen, export, snapshot and recipient list names a capacity:
    "Directeur·rice (Directeur général) – La Comète", "personal", or
    "organisation (general contact details)"."""
    if kind == POSITION:
        return f"{position_label(function, title)} – {organisation}"
    if kind == PERSONAL:
        return _("personal")
    return _("organisation (general contact details)")


# Selections ------------------------------------------------------------------------


@dataclass
class Reason:
    """Why a row may be there ("Function is one of Director", "search “X”");
    `source` is the (kind, id, name) of a basket's step (`selections.disclosure`)."""

    label: str
    source: tuple | None = None


TERM, UNION, INTERSECT, EXCLUDE = "term", "union", "intersect", "exclude"


@dataclass(eq=False)
class Selection:
    """Rows as conditions: `positions` on Position, `people` on Person (personal
    rows), `organisations` on Organisation; None means no row of that kind.

    `people_on_positions`, when known, is `people` seen from a position (its
    person's columns): a join, cheaper than a subquery. `operation` and
    `parts` say how the selection was made; a term carries `reasons`.
    """

    positions: Q | None = None
    people: Q | None = None
    organisations: Q | None = None
    reasons: list[Reason] = field(default_factory=list)
    people_on_positions: Q | None = None
    operation: str = TERM
    parts: tuple = ()

    @property
    def is_empty(self) -> bool:
        return self.positions is None and self.people is None and self.organisations is None


def term(selection: Selection, reasons) -> Selection:
    """The rows of `selection` as one term: its rows say `reasons`, not its own."""
    return Selection(
        selection.positions,
        selection.people,
        selection.organisations,
        list(reasons),
        selection.people_on_positions,
    )


def _and(*conditions):
    result = None
    for condition in conditions:
        if condition is None:
            return None
        result = condition if result is None else result & condition
    return result


def _or(*conditions):
    result = None
    for condition in conditions:
        if condition is not None:
            result = condition if result is None else result | condition
    return result


def _not(condition):
    return None if condition is None else ~condition


def _person_of_position(s: Selection):
    """Positions whose person has a personal row in `s`."""
    if s.people is None:
        return None
    if s.people_on_positions is not None:
        return s.people_on_positions
    from directory.models import Person

    return Q(Exists(Person.objects.filter(s.people, pk=OuterRef("person_id"))))


def _organisation_of_position(s: Selection):
    if s.organisations is None:
        return None
    from directory.models import Organisation

    return Q(Exists(Organisation.objects.filter(s.organisations, pk=OuterRef("organisation_id"))))


def _holding_a_position(s: Selection, column: str):
    """People (column "person_id") or organisations ("organisation_id") that
    hold one of the positions of `s`."""
    if s.positions is None:
        return None
    from directory.models import Position

    return Q(Exists(Position.objects.filter(s.positions, **{column: OuterRef("pk")})))


def union(*selections: Selection) -> Selection:
    parts = tuple(s for s in selections if not s.is_empty)
    if not parts:
        return Selection()
    if len(parts) == 1:
        return parts[0]
    lifts = [s.people_on_positions for s in parts if s.people is not None]
    return Selection(
        _or(*(s.positions for s in parts)),
        _or(*(s.people for s in parts)),
        _or(*(s.organisations for s in parts)),
        people_on_positions=_or(*lifts) if all(lift is not None for lift in lifts) else None,
        operation=UNION,
        parts=parts,
    )


def intersect(left: Selection, right: Selection) -> Selection:
    """The rows of each side that meet a row of the other, the more specific
    of two rows that meet standing for both."""
    positions = _or(
        _and(left.positions, right.positions),
        _and(left.positions, _person_of_position(right)),
        _and(left.positions, _organisation_of_position(right)),
        _and(right.positions, _person_of_position(left)),
        _and(right.positions, _organisation_of_position(left)),
    )
    people = _and(left.people, right.people)
    lift = None
    if people is not None:
        lift = _and(left.people_on_positions, right.people_on_positions)
    return Selection(
        positions,
        people,
        _and(left.organisations, right.organisations),
        people_on_positions=lift,
        operation=INTERSECT,
        parts=(left, right),
    )


def exclude(left: Selection, right: Selection) -> Selection:
    """The rows of `left` that meet no row of `right`."""
    if left.is_empty or right.is_empty:
        return left
    positions = left.positions
    if positions is not None:
        meeting = _or(right.positions, _person_of_position(right), _organisation_of_position(right))
        positions = positions & ~meeting if meeting is not None else positions
    people, lift = left.people, left.people_on_positions
    if people is not None:
        meeting = _or(right.people, _holding_a_position(right, "person_id"))
        if meeting is not None:
            people = people & ~meeting
            if right.positions is None and right.people_on_positions is not None:
                lift = _and(lift, _not(right.people_on_positions))
            else:
                lift = None
    organisations = left.organisations
    if organisations is not None:
        meeting = _or(right.organisations, _holding_a_position(right, "organisation_id"))
        if meeting is not None:
            organisations = organisations & ~meeting
    return Selection(
        positions,
        people,
        organisations,
        people_on_positions=lift,
        operation=EXCLUDE,
        parts=(left, right),
    )


def everything(kinds, positions: Q | None = None, reasons=()) -> Selection:
    """Every row of these kinds; positions only those meeting `positions` if given."""
    every = Q(pk__isnull=False)  # not Q(): Django drops an empty Q from "or"
    return Selection(
        (positions or every) if POSITION in kinds else None,
        every if PERSONAL in kinds else None,
        every if ORGANISATION in kinds else None,
        list(reasons),
        people_on_positions=Q(person__isnull=False) if PERSONAL in kinds else None,
    )


def intersect_all(selections) -> Selection:
    selections = list(selections)
    result = selections[0]
    for other in selections[1:]:
        result = intersect(result, other)
    return result


# Why each row is there -------------------------------------------------------------
#
# A page of rows is read with one flag per term (and per excluded operand):
# is the row, its person's personal row, its organisation's row in that term?
# The algebra is then replayed on these flags for each row, in Python, and
# walked back from the top to the terms each row came from.

# A row seen as a position, as its person's personal row, as its organisation's row.
AS_POSITION, AS_PERSON, AS_ORGANISATION = 0, 1, 2


def _terms(selection: Selection, found: list):
    """Every term and excluded operand of `selection`, each once, in order."""
    if selection.operation == TERM:
        if all(s is not selection for s in found):
            found.append(selection)
        return found
    for part in selection.parts:
        _terms(part, found)
    if selection.operation == EXCLUDE and all(s is not selection for s in found):
        found.append(selection)
    return found


def reason_flags(selection: Selection, kind: str) -> tuple[list, dict]:
    """(nodes, annotations) to read a page of rows of `kind` with."""
    nodes = _terms(selection, [])
    annotations = {}
    for index, node in enumerate(nodes):
        if node.operation == TERM:
            if kind == POSITION:
                conditions = {
                    AS_POSITION: node.positions,
                    AS_PERSON: _person_of_position(node),
                    AS_ORGANISATION: _organisation_of_position(node),
                }
            elif kind == PERSONAL:
                conditions = {AS_PERSON: node.people}
            else:
                conditions = {AS_ORGANISATION: node.organisations}
        else:  # an exclusion: do the row's person, its organisation hold a position it removes?
            right = node.parts[1]
            if right.positions is None:
                continue
            from directory.models import Position

            outer = {POSITION: ("person_id", "organisation_id"), PERSONAL: ("pk", None)}
            outer = outer.get(kind, (None, "pk"))
            conditions = {}
            for side, column, reference in (
                (AS_PERSON, "person_id", outer[0]),
                (AS_ORGANISATION, "organisation_id", outer[1]),
            ):
                if reference is not None:
                    conditions[side] = Q(
                        Exists(
                            Position.objects.filter(
                                right.positions, **{column: OuterRef(reference)}
                            )
                        )
                    )
        for side, condition in conditions.items():
            if condition is None:
                continue
            name = f"why_{index}_{side}"
            annotations[name] = ExpressionWrapper(condition, output_field=BooleanField())
    return nodes, annotations


def reasons_of(selection: Selection, kind: str, obj, nodes: list) -> list[Reason]:
    """Why the row `obj` (of `kind`, read with `reason_flags`'s annotations) is there."""
    index = {id(node): number for number, node in enumerate(nodes)}

    def flag(node, side) -> bool:
        value = getattr(obj, f"why_{index[id(node)]}_{side}", False)
        return bool(value)

    memo: dict[int, tuple] = {}

    def member(node) -> tuple:
        """Is the row (as a position, its person's row, its organisation's row) in `node`?"""
        key = id(node)
        if key in memo:
            return memo[key]
        if node.operation == TERM:
            result = (flag(node, AS_POSITION), flag(node, AS_PERSON), flag(node, AS_ORGANISATION))
        elif node.operation == UNION:
            found = [member(part) for part in node.parts]
            result = tuple(any(values) for values in zip(*found, strict=True))
        elif node.operation == INTERSECT:
            (pa, xa, oa), (pb, xb, ob) = member(node.parts[0]), member(node.parts[1])
            result = ((pa and (pb or xb or ob)) or (pb and (xa or oa)), xa and xb, oa and ob)
        else:
            (pa, xa, oa), (pb, xb, ob) = member(node.parts[0]), member(node.parts[1])
            result = (
                pa and not (pb or xb or ob),
                xa and not (xb or flag(node, AS_PERSON)),
                oa and not (ob or flag(node, AS_ORGANISATION)),
            )
        memo[key] = result
        return result

    reasons: list[Reason] = []

    def walk(node, side):
        if node.operation == TERM:
            for reason in node.reasons:
                if reason not in reasons:
                    reasons.append(reason)
        elif node.operation == UNION:
            for part in node.parts:
                if member(part)[side]:
                    walk(part, side)
        elif node.operation == INTERSECT:
            left, right = node.parts
            a, b = member(left), member(right)
            if side != AS_POSITION:
                walk(left, side)
                walk(right, side)
                return
            for this, other, part in ((a, b, left), (b, a, right)):
                if this[AS_POSITION] and (
                    other[AS_POSITION] or other[AS_PERSON] or other[AS_ORGANISATION]
                ):
                    walk(part, AS_POSITION)
                if this[AS_PERSON] and other[AS_POSITION]:
                    walk(part, AS_PERSON)
                if this[AS_ORGANISATION] and other[AS_POSITION]:
                    walk(part, AS_ORGANISATION)
        else:
            walk(node.parts[0], side)

    side = {POSITION: AS_POSITION, PERSONAL: AS_PERSON, ORGANISATION: AS_ORGANISATION}[kind]
    if member(selection)[side]:
        walk(selection, side)
    return reasons
