"""Write a plan (`plan.py`) to the directory, in bulk, inside the caller's
transaction.

The bulk path, for 100,000-row sheets: new records with `bulk_create` (ids
returned by PostgreSQL and SQLite), changed ones with `bulk_update` on the
changed fields only, unchanged ones not at all. Derived columns are kept
current as every other write path keeps them: a new person's search text is
computed in memory with the positions the import gives them; people whose
records or positions changed are refreshed with `search.refresh_people`.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import chain
from operator import attrgetter

from django.db import connection
from django.db.models.base import ModelState
from django.utils import timezone

from ..bulk import bulk_update
from ..models import Organisation, Person, Position
from ..search import DERIVED_FIELDS, people_of_organisations, refresh_people
from .collector import without_collector
from .plan import CHUNK, Plan
from .search_index import search_indexes_deferred
from .signals import people_written

BATCH = 2000


def _is_new(ref) -> bool:
    return isinstance(ref, tuple)


def _chunks(ids):
    ids = sorted(ids)
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _fetch(model, ids, only=None) -> dict[int, object]:
    found = {}
    for chunk in _chunks(ids):
        queryset = model.all_objects.filter(pk__in=chunk)
        if only:
            queryset = queryset.only(*only)
        found.update((obj.pk, obj) for obj in queryset)
    return found


def insert(model, records: list, prepare: Callable | None = None) -> None:
    """Insert new records, their ids set on them; `prepare(record, index)`,
    if given, derives a record's columns just before it is written. On
    PostgreSQL: ids taken from the table's sequence, rows sent with COPY (the
    bulk path: no SQL to build, no per-value adaptation by the ORM; values
    are already clean, as `prepare_for_write` and the cleaners left them),
    each record prepared as the rows before it are sent, so that PostgreSQL
    files those rows in its indexes while Python prepares the next ones.
    Elsewhere: `bulk_create`."""
    if not records:
        return
    if connection.vendor != "postgresql":
        if prepare is not None:
            for index, record in enumerate(records):
                prepare(record, index)
        model.all_objects.bulk_create(records, batch_size=BATCH, **_bulk_options(model))
        return
    table = model._meta.db_table
    fields = list(model._meta.concrete_fields)
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, len(records)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        for record, pk in zip(records, ids, strict=True):
            record.pk = pk
            record._state.adding = False
        stamps = [
            field_obj.attname
            for field_obj in fields
            if getattr(field_obj, "auto_now", False) or getattr(field_obj, "auto_now_add", False)
        ]
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        values_of = attrgetter(*(f.attname for f in fields))
        with cursor.cursor.copy(
            f"COPY {connection.ops.quote_name(table)} ({columns}) FROM STDIN"
        ) as copy:
            write_row = copy.write_row
            for index, record in enumerate(records):
                if prepare is not None:
                    prepare(record, index)
                for name in stamps:
                    record.__dict__[name] = now
                write_row(values_of(record))


def _bulk_options(model) -> dict:
    if model in (Person, Organisation):
        return {"prepared": True}
    if model is Position:
        return {"refresh": False}
    return {}


def maker(model):
    """A function `values -> unsaved record`, without the cost of the model's
    `__init__` (signals, cluster set-up), which dominated 100,000-row
    imports: the fields' defaults, then the values."""
    defaults = {}
    relations = {}
    for field_obj in model._meta.concrete_fields:
        defaults[field_obj.attname] = None if field_obj.primary_key else field_obj.get_default()
        if field_obj.is_relation:
            relations[field_obj.name] = field_obj.attname

    def make(values: dict):
        record = model.__new__(model)
        record.__dict__.update(defaults)
        record._state = state = ModelState()
        for name, value in values.items():
            if name in relations:
                # The related object cached, its id set: no descriptor, no router.
                state.fields_cache[name] = value
                record.__dict__[relations[name]] = value.pk if value is not None else None
            else:
                record.__dict__[name] = value
        return record

    return make


def _set_centres(pairs) -> None:
    through = Organisation.interest_centres.through
    through.objects.bulk_create(
        [through(organisation_id=org, interestcentre_id=centre) for org, centre in pairs],
        batch_size=BATCH,
        ignore_conflicts=True,
    )


def _update(model, updates: dict[int, dict], now, derive) -> list:
    """Apply field updates to existing records; return the records."""
    records = _fetch(model, updates.keys())
    changed_fields: set[str] = set()
    for pk, values in updates.items():
        record = records[pk]
        for name, value in values.items():
            setattr(record, name, value)
            changed_fields.add(name)
        derive(record)
    fields = sorted(changed_fields | {"updated_at"} | derive.fields)
    for record in records.values():
        record.updated_at = now
    bulk_update(model, records.values(), fields)
    return list(records.values())


def _derive_organisation(record):
    record.prepare_for_write()


_derive_organisation.fields = set(DERIVED_FIELDS) | {"name", "siret"}


def _derive_geography(record):
    record.derive_geography()


_derive_geography.fields = {"department", "region"}


@without_collector
def write_plan(
    plan: Plan,
    *,
    progress: Callable[[str], None] | None = None,
    user=None,
    file_name: str = "",
) -> dict[str, list[int]]:
    """Write `plan`'s new and changed records (its accepted rows only); return
    the ids of the organisations and people created. The search indexes'
    new entries are merged after commit (`search_index`). The consents the
    file gave go into each person's history (source: import, `file_name`);
    `signals.people_written` names the people written."""
    with search_indexes_deferred():
        created = _write(plan, progress)
    _record_consents(plan, created["people"], user, file_name)
    touched = set(created["people"]) | set(plan.updates["person"])
    touched.update(r.person for r in plan.new["position"] if not _is_new(r.person))
    touched.update(_people_of_positions(plan.updates["position"].keys()))
    people_written.send(sender=write_plan, people=touched)
    return created


_CONSENT_FIELDS = {
    "email_consent": ("email", "email_consent_date"),
    "sms_consent": ("sms", "sms_consent_date"),
    "post_consent": ("post", "post_consent_date"),
}


def _record_consents(plan: Plan, new_ids: list[int], user, file_name: str) -> None:
    """One history row per answer the file gave: each new person's, and each
    change of an existing person's (a refusal is never undone: `plan`)."""
    from ..models.consents import MAX_DETAIL, ConsentChange, ConsentSource

    now = timezone.now()
    user_id = getattr(user, "pk", None)
    detail = (file_name or "")[:MAX_DETAIL]
    rows = []

    def add(person_id, values):
        for name, (channel, date_name) in _CONSENT_FIELDS.items():
            if values.get(name):
                rows.append(
                    ConsentChange(
                        person_id=person_id,
                        channel=channel,
                        value=values[name],
                        answered_on=values.get(date_name),
                        changed_at=now,
                        source_kind=ConsentSource.IMPORT,
                        detail=detail,
                        changed_by_id=user_id,
                    )
                )
        if "do_not_contact" in values and (values["do_not_contact"] or person_id in changed):
            rows.append(
                ConsentChange(
                    person_id=person_id,
                    channel="contact",
                    value="refused" if values["do_not_contact"] else "",
                    changed_at=now,
                    source_kind=ConsentSource.IMPORT,
                    detail=detail,
                    changed_by_id=user_id,
                )
            )

    changed = set(plan.updates["person"])
    for record, pk in zip(plan.new["person"], new_ids, strict=True):
        add(pk, record.values)
    for pk, values in plan.updates["person"].items():
        add(pk, values)
    ConsentChange.objects.bulk_create(rows, batch_size=BATCH)


def _write(plan: Plan, progress) -> dict[str, list[int]]:
    now = timezone.now()
    step = progress or (lambda _stage: None)

    # Organisations
    new_orgs = []
    centres_of_new = []
    make_organisation, make_person, make_position = (
        maker(Organisation),
        maker(Person),
        maker(Position),
    )
    for record in plan.new["organisation"]:
        values = dict(record.values)
        centres = values.pop("interest_centres", [])
        organisation = make_organisation(values)
        new_orgs.append(organisation)
        centres_of_new.append(centres)
    insert(Organisation, new_orgs, _prepare_organisation)
    _set_centres(
        (org.pk, centre.pk)
        for org, centres in zip(new_orgs, centres_of_new, strict=True)
        for centre in centres
    )
    org_updates = {
        pk: {name: value for name, value in values.items() if name != "interest_centres"}
        for pk, values in plan.updates["organisation"].items()
    }
    org_updates = {pk: values for pk, values in org_updates.items() if values}
    renamed = [pk for pk, values in org_updates.items() if "name" in values]
    _update(Organisation, org_updates, now, _derive_organisation)
    _set_centres((pk, centre.pk) for pk, centres in plan.new_centres.items() for centre in centres)
    step("organisations")

    def organisation(ref):
        return new_orgs[ref[2]] if _is_new(ref) else existing_orgs[ref]

    # Positions in memory first: a new person's search text names them.
    existing_orgs = _fetch(
        Organisation,
        {r.organisation for r in plan.new["position"] if not _is_new(r.organisation)},
        only=("pk", "name"),
    )
    new_people = []
    for record in plan.new["person"]:
        new_people.append(make_person(record.values))
    existing_holders = {r.person for r in plan.new["position"] if not _is_new(r.person)}
    with_primary = set()
    for chunk in _chunks(existing_holders):
        with_primary.update(
            Position.all_objects.filter(person_id__in=chunk, is_primary=True).values_list(
                "person_id", flat=True
            )
        )
    new_positions = []
    positions_of_new_people: dict[int, list] = {}
    for record in plan.new["position"]:
        position = make_position(record.values)
        position._state.fields_cache["organisation"] = organisation(record.organisation)
        if _is_new(record.person):
            person = new_people[record.person[2]]
            position._state.fields_cache["person"] = person
            positions_of_new_people.setdefault(record.person[2], []).append(position)
            key = ("new", record.person[2])
        else:
            position.person_id = record.person
            key = record.person
        if key not in with_primary:
            position.is_primary = True
            with_primary.add(key)
        new_positions.append(position)

    def prepare_person(person, index):
        person.prepare_for_write(positions=positions_of_new_people.get(index, ()))

    insert(Person, new_people, prepare_person)
    step("people")
    insert(Position, new_positions, _prepare_position)

    # Changes to existing people and positions
    updated_people = _update(
        Person, plan.updates["person"], now, _no_derive
    )  # derived columns: refresh_people below
    _update(Position, plan.updates["position"], now, _derive_geography)
    stale = set(chain(existing_holders, (person.pk for person in updated_people)))
    stale.update(_people_of_positions(plan.updates["position"].keys()))
    if renamed:
        stale.update(people_of_organisations(renamed))
    refresh_people(stale)
    step("positions")
    return {
        "organisations": [org.pk for org in new_orgs],
        "people": [person.pk for person in new_people],
    }


def _prepare_organisation(organisation, _index):
    organisation.prepare_for_write()


def _prepare_position(position, _index):
    """A new position's ids (its person and organisation may be new: written
    just before it) and its geography."""
    cache = position._state.fields_cache
    if position.person_id is None:
        position.person_id = cache["person"].pk
    position.organisation_id = cache["organisation"].pk
    position.derive_geography()


def _no_derive(record):
    pass


_no_derive.fields = set()


def _people_of_positions(ids) -> set[int]:
    people = set()
    for chunk in _chunks(ids):
        people.update(Position.all_objects.filter(pk__in=chunk).values_list("person_id", flat=True))
    return people
