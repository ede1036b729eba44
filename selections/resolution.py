"""Resolving searches and baskets into rows: a person in one capacity
(personal, or one of their positions), or an organisation.

A basket is resolved when it is opened or used, so it follows the
directory. Its steps combine the rows of saved searches (or other baskets)
in order, with the algebra of `selections.capacity`: a union adds the
step's rows, an intersection keeps the rows that meet one of them (the more
specific row standing for both), an exclusion removes the rows that meet
one. Rows added by hand are then added, and rows removed by hand taken out
the same way: a removal wins over any search. Because every search is
conditions on three tables, so is a basket, resolved by the database in one
query per kind of row, whatever the number of rows.
"""

from dataclasses import dataclass, field

from django.db.models import CharField, F, IntegerField, Q, Value
from django.utils.translation import gettext as _

from directory.models import Organisation, Person, Position

from .capacity import (
    ATTRIBUTES,
    ORGANISATION,
    PERSONAL,
    POSITION,
    Reason,
    Selection,
    capacity_label,
    exclude,
    intersect,
    reason_flags,
    reasons_of,
    row_key,
    term,
    union,
)
from .criteria import CriteriaError
from .disclosure import BASKET, Disclosure, frozen_reason, step_source

KINDS = {POSITION: Position, PERSONAL: Person, ORGANISATION: Organisation}
OPERATIONS = {"union": union, "intersect": intersect, "exclude": exclude}


def combine(current: Selection, other: Selection, operation: str) -> Selection:
    """The rows of `current` combined with `other` (union, intersect, exclude)."""
    return OPERATIONS[operation](current, other)


def basket_rows(basket, disclosure: Disclosure, _outer: frozenset = frozenset()) -> Selection:
    """Resolve a basket's steps and hand-made entries into a Selection.

    Its steps' sources are named (in reasons and errors) as `disclosure`
    allows its reader. Raises CriteriaError when the basket includes itself
    (through another basket) or when one of its steps no longer holds.
    """
    if basket.pk in _outer:
        raise CriteriaError(
            [
                _("The basket “%(name)s” includes itself through another basket.")
                % {"name": disclosure.name(BASKET, basket.pk, basket.name)}
            ]
        )
    outer = _outer | {basket.pk}
    result = Selection()
    steps = basket.steps.select_related("search", "included_basket")
    for number, step in enumerate(steps, start=1):
        if step.source_deleted:
            raise CriteriaError(
                [
                    _(
                        "Step %(number)s (%(operation)s) used a search or a basket that its "
                        "owner has deleted: remove or replace this step before using the basket."
                    )
                    % {"number": number, "operation": step.get_operation_display()}
                ]
            )
        source = step_source(step)
        label = disclosure.label(*source)
        if not (step.search or step.included_basket).is_visible_to(basket.owner):
            # Shared once, unshared since: its rows are no longer the owner's to use.
            raise CriteriaError(
                [
                    _(
                        "Step %(number)s (%(source)s) is no longer shared with the owner "
                        "of this basket: remove it."
                    )
                    % {"number": number, "source": label}
                ]
            )
        try:
            if step.search_id:
                rows = _search_rows(step.search)
            else:
                rows = basket_rows(step.included_basket, disclosure, outer)
        except CriteriaError:
            if disclosure.may_read(*source[:2]):
                raise
            # Neither its name nor its criteria: only that it fails, and whom to ask.
            raise CriteriaError(
                [
                    _("Step %(number)s (%(source)s) can no longer be used: ask the basket's owner.")
                    % {"number": number, "source": label}
                ]
            ) from None
        # The step's rows say which step they come from, not its own reasons.
        result = combine(result, term(rows, [Reason(label, source=source)]), step.operation)
    added, removed = _entries(basket)
    if any(added.values()):
        result = union(result, _by_hand(added, [Reason(_("added by hand"))]))
    if any(removed.values()):
        result = exclude(result, _by_hand(removed, []))
    return result


def _by_hand(ids: dict, reasons) -> Selection:
    conditions = {ATTRIBUTES[kind]: Q(pk__in=sorted(pks)) for kind, pks in ids.items() if pks}
    return Selection(**conditions, reasons=reasons)


def _search_rows(search) -> Selection:
    try:
        return search.rows()
    except CriteriaError as error:
        raise CriteriaError(
            [
                _("Search “%(name)s”: %(error)s") % {"name": search, "error": message}
                for message in error.messages
            ]
        ) from None


def _entries(basket):
    added = {POSITION: [], PERSONAL: [], ORGANISATION: []}
    removed = {POSITION: [], PERSONAL: [], ORGANISATION: []}
    for action, person, position, organisation in basket.entries.values_list(
        "action", "person_id", "position_id", "organisation_id"
    ):
        target = added if action == "add" else removed
        if position:
            target[POSITION].append(position)
        elif person:
            target[PERSONAL].append(person)
        else:
            target[ORGANISATION].append(organisation)
    return added, removed


# Listing rows -------------------------------------------------------------------


ORDERS = ("name", "-name", "organisation", "-organisation")
"""How rows can be listed: by name (person, or organisation for organisation
rows), or by organisation (personal rows first, then by person)."""

COLUMNS = ("row_kind", "row_person", "row_position", "row_organisation", "row_sort", "row_name")


def keys(rows: Selection, order: str = "name"):
    """Every row as (kind, person, position, organisation, sort key, name key):
    one union query, which counts, sorts and pages in the database."""
    if order not in ORDERS:
        order = "name"
    by_organisation = order.lstrip("-") == "organisation"
    parts = []
    null = Value(None, output_field=IntegerField())
    empty = Value("", output_field=CharField())
    if rows.positions is not None:
        parts.append(
            Position.objects.filter(rows.positions).annotate(
                row_kind=Value(POSITION, output_field=CharField()),
                row_person=F("person_id"),
                row_position=F("pk"),
                row_organisation=F("organisation_id"),
                row_sort=F("organisation__name_key") if by_organisation else F("person__name_key"),
                row_name=F("person__name_key"),
            )
        )
    if rows.people is not None:
        parts.append(
            Person.objects.filter(rows.people).annotate(
                row_kind=Value(PERSONAL, output_field=CharField()),
                row_person=F("pk"),
                row_position=null,
                row_organisation=null,
                row_sort=empty if by_organisation else F("name_key"),
                row_name=F("name_key"),
            )
        )
    if rows.organisations is not None:
        parts.append(
            Organisation.objects.filter(rows.organisations).annotate(
                row_kind=Value(ORGANISATION, output_field=CharField()),
                row_person=null,
                row_position=null,
                row_organisation=F("pk"),
                row_sort=F("name_key"),
                row_name=F("name_key"),
            )
        )
    if not parts:
        return Position.objects.none().values_list("pk")
    parts = [part.order_by().values_list(*COLUMNS) for part in parts]
    sign = "-" if order.startswith("-") else ""
    ordering = [f"{sign}{column}" for column in ("row_sort", "row_name")]
    ordering += ["row_person", "row_position", "row_organisation"]
    if len(parts) == 1:
        return parts[0].order_by(*ordering)
    return parts[0].union(*parts[1:], all=True).order_by(*ordering)


def count(rows: Selection) -> int:
    return keys(rows).order_by().count()


@dataclass
class Row:
    """A row as the screens and exports show it."""

    kind: str
    person: Person | None = None
    position: Position | None = None
    organisation: Organisation | None = None
    why: list[Reason] = field(default_factory=list)

    @property
    def reasons(self) -> list[str]:
        """Why the row is there, in words (sources named as the reader may read them)."""
        return [reason.label for reason in self.why]

    @property
    def key(self) -> str:
        obj = {POSITION: self.position, PERSONAL: self.person}.get(self.kind, self.organisation)
        return row_key(self.kind, obj.pk)

    @property
    def name(self) -> str:
        return str(self.organisation) if self.kind == ORGANISATION else self.person.full_name

    @property
    def capacity(self) -> str:
        if self.kind != POSITION:
            return capacity_label(self.kind)
        position = self.position
        function = position.function.name if position.function_id else ""
        return capacity_label(POSITION, function, position.title, str(position.organisation))

    @property
    def coordinates_source(self):
        return {POSITION: self.position, PERSONAL: self.person}.get(self.kind, self.organisation)

    @property
    def email(self) -> str:
        return self.coordinates_source.email

    @property
    def phone(self) -> str:
        return self.coordinates_source.phone_display

    @property
    def mobile(self) -> str:
        return getattr(self.coordinates_source, "mobile_display", "")

    @property
    def address_lines(self) -> list[str]:
        if self.kind == POSITION:
            return self.position.effective_address_lines()
        return self.coordinates_source.address_lines()


def materialise(page_keys, rows: Selection) -> list[Row]:
    """Rows with their objects and reasons, for a page of `keys()`."""
    ids = {POSITION: [], PERSONAL: [], ORGANISATION: []}
    for kind, person, position, organisation, *_sort in page_keys:
        ids[kind].append(
            position if kind == POSITION else person if kind == PERSONAL else organisation
        )
    found = {}
    querysets = {
        POSITION: Position.objects.select_related("person", "organisation", "function"),
        PERSONAL: Person.objects.all(),
        ORGANISATION: Organisation.objects.all(),
    }
    for kind, queryset in querysets.items():
        if not ids[kind]:
            continue
        nodes, flags = reason_flags(rows, kind)
        for obj in queryset.filter(pk__in=ids[kind]).annotate(**flags):
            found[(kind, obj.pk)] = (obj, reasons_of(rows, kind, obj, nodes))
    result = []
    for kind, person, position, organisation, *_sort in page_keys:
        pk = position if kind == POSITION else person if kind == PERSONAL else organisation
        if (kind, pk) not in found:
            continue
        obj, reasons = found[(kind, pk)]
        if kind == POSITION:
            row = Row(kind, person=obj.person, position=obj, organisation=obj.organisation)
        elif kind == PERSONAL:
            row = Row(kind, person=obj)
        else:
            row = Row(kind, organisation=obj)
        row.why = reasons
        result.append(row)
    return result


def page(rows: Selection, start: int, stop: int, order: str = "name") -> list[Row]:
    return materialise(list(keys(rows, order)[start:stop]), rows)


def stream(rows: Selection, order: str = "name", chunk: int = 2000):
    """Every row, in order, a chunk at a time: memory stays flat for exports."""
    buffer = []
    for key in keys(rows, order).iterator(chunk_size=chunk):
        buffer.append(key)
        if len(buffer) == chunk:
            yield from materialise(buffer, rows)
            buffer = []
    if buffer:
        yield from materialise(buffer, rows)


def freeze(basket, user, label: str = ""):
    """A Snapshot of the basket as it resolves now: every row with its
    capacity, coordinates and reasons, kept as they are today. A reason that
    names a search or a basket keeps its id, so that each reader reads the
    name only if they may (`selections.disclosure`)."""
    from django.db import transaction
    from django.utils import timezone
    from django.utils.formats import date_format

    from .models import Snapshot, SnapshotRow

    rows = basket_rows(basket, Disclosure(None))
    label = label or _("%(basket)s on %(date)s") % {
        "basket": basket,
        "date": date_format(timezone.localtime(), "SHORT_DATETIME_FORMAT"),
    }
    with transaction.atomic():
        snapshot = Snapshot.objects.create(basket=basket, label=label[:200], created_by=user)
        batch, total = [], 0
        for row in stream(rows):
            batch.append(
                SnapshotRow(
                    snapshot=snapshot,
                    kind=row.kind,
                    person=row.person,
                    position=row.position,
                    organisation=row.organisation,
                    name=row.name[:250],
                    capacity=row.capacity[:400],
                    email=row.email or "",
                    phone=row.phone or "",
                    mobile=row.mobile or "",
                    address="\n".join(row.address_lines),
                    reasons=[frozen_reason(reason.label, reason.source) for reason in row.why],
                )
            )
            if len(batch) == 2000:
                SnapshotRow.objects.bulk_create(batch)
                total += len(batch)
                batch = []
        SnapshotRow.objects.bulk_create(batch)
        total += len(batch)
        snapshot.row_count = total
        snapshot.save(update_fields=["row_count"])
    return snapshot
