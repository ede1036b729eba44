"""Every write a person can ask for on the directory, one function each.

Each function checks access (`access_*`, which raise one clear
`PermissionDenied`), validates (the model's rules: SIRET, postcode, dates,
mobiles, one primary position per person; a `ValidationError` changes
nothing), writes in a transaction, and records the audit log entry, with
what changed for an edit (`directory.audit`). The admin's views, choosers,
bulk actions, imports and tests call these; they never write the models or
the log themselves.

Deleting an organisation or a person moves it to the trash with its
positions and comments (`directory.models.trash`); staff restore it; only
administrators delete for good or empty the trash.
"""

from __future__ import annotations

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.log_actions import log

from .audit import log_change, values_of
from .models import (
    Activity,
    ActivityKind,
    Comment,
    Function,
    ImportJob,
    ImportPolicy,
    ImportStatus,
    InterestCentre,
    Organisation,
    OrganisationKind,
    Person,
    Position,
    RememberedMapping,
)
from .models.comments import MAX_COMMENT_LENGTH
from .search import refresh_people

ACTIVITY_ACTION = "directory.activity.record"
ACTIVITY_UPDATE_ACTION = "directory.activity.update"
TRASH_ACTION = "directory.trash"
RESTORE_ACTION = "directory.restore"
PURGE_ACTION = "wagtail.delete"
LOG_SNIPPET = 200
POSITIONS = "positions"


# --- Access -------------------------------------------------------------------


def _perm(model, action: str) -> str:
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


def access(user, action: str, model) -> None:
    """Raise PermissionDenied unless `user` may `action` ("add", "change",
    "delete", "purge") records of `model`."""
    if user is not None and user.is_authenticated and user.has_perm(_perm(model, action)):
        return
    messages = {
        "add": _("You are not allowed to add %(things)s."),
        "change": _("You are not allowed to change %(things)s."),
        "delete": _("You are not allowed to delete %(things)s."),
        "purge": _("Only administrators delete %(things)s for good."),
    }
    raise PermissionDenied(messages[action] % {"things": model._meta.verbose_name_plural})


def access_comment(user, comment: Comment, action: str) -> None:
    allowed = comment.can_edit(user) if action == "change" else comment.can_delete(user)
    if not allowed:
        raise PermissionDenied(
            _("Only its author may edit a comment.")
            if action == "change"
            else _("Only its author or an administrator may delete a comment.")
        )


# --- Validation -----------------------------------------------------------------


def _siret_taken(organisation: Organisation) -> None:
    if not organisation.siret:
        return
    other = (
        Organisation.all_objects.filter(siret=organisation.siret)
        .exclude(pk=organisation.pk)
        .first()
    )
    if other is not None:
        message = (
            _("An organisation in the trash has this SIRET: %(name)s. Restore it instead.")
            if other.is_trashed
            else _("An organisation with this SIRET already exists.")
        )
        raise ValidationError({"siret": message % {"name": other.name}}, code="unique")


def _in_memory_positions(record) -> list[Position]:
    """The record's positions as they will be saved (a form leaves them in memory)."""
    return list(record.positions.all())


def full_clean(instance, exclude=()) -> None:
    """The model's field and `clean()` rules, on the fields a person edits
    (uniqueness is checked apart, over the trash too)."""
    skipped = {f.name for f in instance._meta.concrete_fields if not f.editable}
    instance.full_clean(
        exclude=[*skipped, *exclude], validate_unique=False, validate_constraints=False
    )


def validate_positions(positions, person=None) -> None:
    """Each position's own rules, and one primary position per person."""
    errors = []
    primaries: dict = {}
    for position in positions:
        try:
            full_clean(position, exclude=["person", "organisation"])
        except ValidationError as error:
            errors.append(error)
        if position.is_primary:
            key = id(person) if person is not None else position.person_id
            primaries[key] = primaries.get(key, 0) + 1
    if any(count > 1 for count in primaries.values()):
        errors.append(
            ValidationError(
                _("A person has only one primary position: tick it on one position only."),
                code="one_primary_position",
            )
        )
    if errors:
        raise ValidationError(errors)


def validate_record(record) -> None:
    """Run the model's rules (`full_clean`, whose uniqueness checks see the
    trash too) and those of its positions."""
    full_clean(record)
    if isinstance(record, Organisation):
        _siret_taken(record)
        validate_positions(_in_memory_positions(record))
    else:
        validate_positions(_in_memory_positions(record), person=record)


# --- Records: organisations and people -----------------------------------------


def positions_value(record) -> str:
    """The record's positions as one line, for the audit of an edit."""
    labels = []
    for position in _in_memory_positions(record):
        other = position.person if isinstance(record, Organisation) else position.organisation
        dates = f" ({position.end_date:%d/%m/%Y})" if position.end_date else ""
        labels.append(f"{position.label} – {other}{dates}")
    return "; ".join(sorted(labels))


def _audit_values(record) -> dict[str, str]:
    return values_of(record, extra={POSITIONS: positions_value(record)})


def _labels() -> dict[str, str]:
    return {POSITIONS: _("Positions")}


def _stored(record):
    stored = type(record).all_objects.get(pk=record.pk)
    return _audit_values(stored)


def _apply(record, fields: dict) -> None:
    for name, value in fields.items():
        field = record._meta.get_field(name)
        if field.many_to_many:
            getattr(record, name).set(value)
        else:
            setattr(record, name, value)


def _create(user, record, fields):
    access(user, "add", type(record))
    _apply(record, fields)
    validate_record(record)
    with transaction.atomic():
        record.save()
        log(record, "wagtail.create", user=user)
    return record


def _update(user, record, fields):
    access(user, "change", type(record))
    if record.is_trashed:
        raise ValidationError(_("This record is in the trash: restore it first."))
    before = _stored(record)
    _apply(record, fields)
    validate_record(record)
    with transaction.atomic():
        record.save()
        log_change(
            record, before, user=user, extra={POSITIONS: positions_value(record)}, labels=_labels()
        )
    return record


def create_organisation(user, organisation: Organisation | None = None, **fields) -> Organisation:
    """Create an organisation (with the positions and interest centres it
    holds in memory, as a form leaves them)."""
    return _create(user, organisation or Organisation(), fields)


def update_organisation(user, organisation: Organisation, **fields) -> Organisation:
    """Save an organisation's new values (set on it, or given as `fields`)."""
    return _update(user, organisation, fields)


def create_person(user, person: Person | None = None, **fields) -> Person:
    return _create(user, person or Person(), fields)


def update_person(user, person: Person, **fields) -> Person:
    return _update(user, person, fields)


# --- The trash ------------------------------------------------------------------


def _positions_of(record):
    field = "organisation" if isinstance(record, Organisation) else "person"
    return Position.all_objects.filter(**{field: record})


def baskets_holding(record) -> int:
    """How many baskets hold this record, or one of its positions, by hand.
    Read through the app registry: the directory does not import selections."""
    try:
        entries = apps.get_model("selections", "BasketEntry")
    except LookupError:
        return 0
    field = "organisation" if isinstance(record, Organisation) else "person"
    held = Q(**{field: record}) | Q(position__in=_positions_of(record))
    return (
        entries.objects.filter(held, action="add").values("basket_id").distinct().order_by().count()
    )


def trash_summary(record) -> dict[str, int]:
    """What goes to the trash with a record."""
    return {
        "positions": _positions_of(record).filter(in_trash=False).count(),
        "comments": Comment.objects.filter(
            **{"organisation" if isinstance(record, Organisation) else "person": record}
        ).count(),
        "baskets": baskets_holding(record),
    }


def describe_trash_summary(summary: dict[str, int]) -> str:
    """ "5 postes, 3 commentaires, présent dans 2 paniers" (or "")."""
    parts = []
    if summary.get("positions"):
        count = summary["positions"]
        parts.append(
            ngettext("%(count)d position", "%(count)d positions", count) % {"count": count}
        )
    if summary.get("comments"):
        count = summary["comments"]
        parts.append(ngettext("%(count)d comment", "%(count)d comments", count) % {"count": count})
    if summary.get("baskets"):
        count = summary["baskets"]
        parts.append(
            ngettext("in %(count)d basket", "in %(count)d baskets", count) % {"count": count}
        )
    return ", ".join(parts)


def _set_positions_trash(record, in_trash: bool) -> None:
    positions = _positions_of(record)
    if not in_trash:
        # A position stays in the trash while its other side is there.
        other = "person" if isinstance(record, Organisation) else "organisation"
        positions = positions.filter(**{f"{other}__trashed_at__isnull": True})
    # PositionQuerySet.update refreshes the people's search texts: they are no
    # longer found by the names of organisations in the trash.
    positions.update(in_trash=in_trash)


def trash_records(user, records) -> int:
    """Move organisations or people to the trash, with their positions and
    comments; return how many moved."""
    records = [record for record in records if not record.is_trashed]
    for model in {type(record) for record in records}:
        access(user, "delete", model)
    now = timezone.now()
    with transaction.atomic():
        for record in records:
            summary = trash_summary(record)
            type(record).all_objects.filter(pk=record.pk).update(trashed_at=now, trashed_by=user)
            record.trashed_at, record.trashed_by = now, user
            _set_positions_trash(record, True)
            log(record, TRASH_ACTION, user=user, data={"moved": summary})
    return len(records)


def trash_organisation(user, organisation: Organisation) -> None:
    trash_records(user, [organisation])


def trash_person(user, person: Person) -> None:
    trash_records(user, [person])


def restore_records(user, records) -> int:
    """Bring records back from the trash, with their positions and comments."""
    records = [record for record in records if record.is_trashed]
    for model in {type(record) for record in records}:
        access(user, "delete", model)
    with transaction.atomic():
        for record in records:
            type(record).all_objects.filter(pk=record.pk).update(trashed_at=None, trashed_by=None)
            record.trashed_at, record.trashed_by = None, None
            unmerged = undo_merges(user, record)  # a merged record: what moved comes back
            _set_positions_trash(record, False)
            if isinstance(record, Person):
                refresh_people([record.pk])
            log(
                record, RESTORE_ACTION, user=user, data={"unmerged": unmerged} if unmerged else None
            )
    return len(records)


def restore_organisation(user, organisation: Organisation) -> None:
    restore_records(user, [organisation])


def restore_person(user, person: Person) -> None:
    restore_records(user, [person])


def purge_records(user, records) -> int:
    """Delete records of the trash for good (administrators only)."""
    records = list(records)
    for model in {type(record) for record in records}:
        access(user, "purge", model)
    if any(not record.is_trashed for record in records):
        raise ValidationError(_("Only a record in the trash can be deleted for good."))
    with transaction.atomic():
        for record in records:
            log(record, PURGE_ACTION, user=user)
            record.delete()
    return len(records)


def delete_organisation_for_good(user, organisation: Organisation) -> None:
    purge_records(user, [organisation])


def delete_person_for_good(user, person: Person) -> None:
    purge_records(user, [person])


def empty_trash(user) -> int:
    """Delete every record of the trash for good (administrators only)."""
    access(user, "purge", Organisation)
    access(user, "purge", Person)
    # People first: fewer cascades to follow through organisations after.
    records = [*Person.all_objects.filter(trashed_at__isnull=False)]
    records += [*Organisation.all_objects.filter(trashed_at__isnull=False)]
    return purge_records(user, records)


# --- Comments -------------------------------------------------------------------


def _comment_data(comment: Comment) -> dict:
    return {"comment": {"id": comment.pk, "text": comment.body[:LOG_SNIPPET]}}


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write something before posting.")}, code="required")
    if len(body) > MAX_COMMENT_LENGTH:
        raise ValidationError(
            {"body": _("A comment has at most %(max)d characters.") % {"max": MAX_COMMENT_LENGTH}},
            code="max_length",
        )
    return body


def add_comment(user, target, body: str) -> Comment:
    """Comment on an organisation or a person."""
    if not user.has_perm("directory.add_comment"):
        raise PermissionDenied(_("You are not allowed to comment."))
    if not isinstance(target, Organisation | Person) or target.is_trashed:
        raise ValidationError(_("This record cannot be commented on."))
    field = "organisation" if isinstance(target, Organisation) else "person"
    comment = Comment(body=_clean_body(body), author=user, **{field: target})
    with transaction.atomic():
        comment.save()
        log(target, "directory.comment.add", user=user, data=_comment_data(comment))
    return comment


def edit_comment(user, comment: Comment, body: str) -> Comment:
    access_comment(user, comment, "change")
    comment.body = _clean_body(body)
    with transaction.atomic():
        comment.save()
        log(comment.target, "directory.comment.edit", user=user, data=_comment_data(comment))
    return comment


def delete_comment(user, comment: Comment) -> None:
    access_comment(user, comment, "delete")
    with transaction.atomic():
        log(comment.target, "directory.comment.delete", user=user, data=_comment_data(comment))
        comment.delete()


# --- Positions ------------------------------------------------------------------


def _position_data(position: Position) -> dict:
    return {
        "position": {
            "id": position.pk,
            "label": str(position.label),
            "person": str(position.person),
            "organisation": str(position.organisation),
        }
    }


def _log_position(position: Position, action: str, user) -> None:
    for record in (position.person, position.organisation):
        log(record, action, user=user, data=_position_data(position))


def add_position(user, person: Person, organisation: Organisation, **fields) -> Position:
    access(user, "add", Position)
    if person.is_trashed or organisation.is_trashed:
        raise ValidationError(_("This record is in the trash: restore it first."))
    position = Position(person=person, organisation=organisation, **fields)
    full_clean(position)  # saved as primary, it takes over from the previous one
    with transaction.atomic():
        position.save()
        _log_position(position, "directory.position.add", user)
    return position


def update_position(user, position: Position, **fields) -> Position:
    access(user, "change", Position)
    before = values_of(Position.all_objects.get(pk=position.pk))
    _apply(position, fields)
    full_clean(position)
    with transaction.atomic():
        position.save()
        changed = log_change(position, before, user=user, data=_position_data(position))
        if changed is not None:
            for record in (position.person, position.organisation):
                log(
                    record,
                    "directory.position.edit",
                    user=user,
                    data={**_position_data(position), "changes": changed.data["changes"]},
                )
    return position


def end_position(user, position: Position, end_date=None) -> Position:
    """The person left: the position ends today (or on `end_date`)."""
    return update_position(user, position, end_date=end_date or timezone.localdate())


def remove_position(user, position: Position) -> None:
    """Delete a position entered by mistake (ending it keeps the history)."""
    access(user, "delete", Position)
    with transaction.atomic():
        _log_position(position, "directory.position.remove", user)
        position.delete()


# --- Administrator lists: interest centres, organisation kinds, functions ------


LIST_MODELS = (InterestCentre, OrganisationKind, Function, ActivityKind)


def create_list_item(user, model, **fields):
    """A new interest area, organisation type or function (administrators)."""
    if model not in LIST_MODELS:
        raise ValueError(model)
    return _create_item(user, model(**fields))


def _create_item(user, item):
    access(user, "add", type(item))
    item.full_clean()
    with transaction.atomic():
        item.save()
        log(item, "wagtail.create", user=user)
    return item


def update_list_item(user, item, **fields):
    access(user, "change", type(item))
    before = values_of(type(item).objects.get(pk=item.pk))
    _apply(item, fields)
    item.full_clean()  # a duplicate name too
    with transaction.atomic():
        item.save()  # a function's new name is in its holders' search texts
        log_change(item, before, user=user)
    return item


def delete_list_item(user, item) -> None:
    """Delete an entry that nothing uses (a kind or a function in use is kept)."""
    access(user, "delete", type(item))
    try:
        with transaction.atomic():
            log(item, "wagtail.delete", user=user)
            item.delete()
    except ProtectedError as error:
        raise ValidationError(
            ngettext(
                "“%(name)s” is used by %(count)d record: change it there first.",
                "“%(name)s” is used by %(count)d records: change them there first.",
                len(error.protected_objects),
            )
            % {"name": item, "count": len(error.protected_objects)},
            code="protected",
        ) from None


def create_interest_centre(user, **fields) -> InterestCentre:
    return create_list_item(user, InterestCentre, **fields)


def create_organisation_kind(user, **fields) -> OrganisationKind:
    return create_list_item(user, OrganisationKind, **fields)


def create_function(user, **fields) -> Function:
    return create_list_item(user, Function, **fields)


update_interest_centre = update_organisation_kind = update_function = update_list_item
delete_interest_centre = delete_organisation_kind = delete_function = delete_list_item


def add_interest_centres(user, organisations, centres) -> int:
    """Tag organisations with interest centres (their other centres stay):
    a bulk action of the organisations' listing. Organisations in the trash
    are left as they are. Each organisation that gains a centre is saved and
    logged with what changed; returns how many did."""
    access(user, "change", Organisation)
    centres = list(centres)
    if not centres:
        raise ValidationError(_("Choose at least one interest area."), code="no_centres")
    centre_ids = {centre.pk for centre in centres}
    if len(centre_ids) != InterestCentre.objects.filter(pk__in=centre_ids).count():
        raise ValidationError(_("This interest area no longer exists."), code="no_centres")
    ids = [organisation.pk for organisation in organisations]
    changed = 0
    with transaction.atomic():
        for organisation in (
            Organisation.objects.filter(pk__in=ids)
            .prefetch_related("interest_centres")
            .order_by("pk")
        ):
            present = {centre.pk for centre in organisation.interest_centres.all()}
            missing = [centre for centre in centres if centre.pk not in present]
            if not missing:
                continue
            before = values_of(organisation)
            organisation.interest_centres.add(*missing)
            organisation.save()
            log_change(organisation, before, user=user)
            changed += 1
    return changed


# --- What the admin's generic screens call --------------------------------------


def create_record(user, instance):
    """Create what a form built (an organisation, a person, or a list entry)."""
    if isinstance(instance, Organisation | Person):
        return _create(user, instance, {})
    return _create_item(user, instance)


def update_record(user, instance):
    """Save what an edit form changed on `instance`."""
    if isinstance(instance, Organisation | Person):
        return _update(user, instance, {})
    return update_list_item(user, instance)


def delete_record(user, instance) -> None:
    """Delete: to the trash for an organisation or a person, for good for a list entry."""
    if isinstance(instance, Organisation | Person):
        trash_records(user, [instance])
    else:
        delete_list_item(user, instance)


# --- Spreadsheet imports (administrators) ---------------------------------------


def access_import(user, job) -> None:
    """An import job is its uploader's: another administrator's is not found."""
    from django.http import Http404

    access(user, "add", ImportJob)
    if job.user_id != user.pk:
        raise Http404


def start_import(user, file_name: str, data: bytes) -> ImportJob:
    """Read an uploaded sheet (raises `ImportFileError` with a clear message)
    and keep it in a new job, its columns mapped by their headers or by the
    mapping remembered for the same headers."""
    from .imports.columns import auto_mapping, headers_signature
    from .imports.reading import read_sheet

    access(user, "add", ImportJob)
    sheet = read_sheet(data, file_name)
    remembered = RememberedMapping.objects.filter(
        signature=headers_signature(sheet.headers)
    ).first()
    return ImportJob.objects.create(
        user=user,
        file_name=file_name[:255],
        file_format=sheet.format,
        file_size=len(data),
        file_data=data,
        encoding=sheet.encoding,
        delimiter=sheet.delimiter,
        headers=sheet.headers,
        mapping=auto_mapping(sheet.headers, remembered.mapping if remembered else None),
        total_rows=len(sheet.rows),
    )


def map_import(user, job: ImportJob, mapping: list[str], encoding="", delimiter="") -> ImportJob:
    """Set a job's column mapping (and, for a CSV, its encoding and
    separator); remember the mapping for the next file with these headers."""
    from .imports.columns import headers_signature, mapping_errors
    from .imports.jobs import sheet_of

    access_import(user, job)
    if job.status != ImportStatus.MAPPING:
        raise ValidationError(_("This import has already been run."))
    if job.file_format == "csv" and (encoding, delimiter) != (job.encoding, job.delimiter):
        job.encoding, job.delimiter = encoding or job.encoding, delimiter or job.delimiter
        sheet = sheet_of(job)  # ImportFileError when the file cannot be read so
        if sheet.headers != job.headers:
            # Other columns: the submitted mapping was for the old ones. Keep
            # the file read so, mapped by its headers, for the user to check
            # (the caller sees `job.headers` change); nothing is remembered.
            job.headers, job.total_rows = sheet.headers, len(sheet.rows)
            job.mapping = auto_mapping_for(job.headers)
            job.save(update_fields=["mapping", "encoding", "delimiter", "headers", "total_rows"])
            return job
    if len(mapping) != len(job.headers):
        raise ValidationError(_("The mapping does not fit the file's columns."))
    errors = mapping_errors(mapping)
    if errors:
        raise ValidationError(errors)
    job.mapping = mapping
    job.save(update_fields=["mapping", "encoding", "delimiter", "headers", "total_rows"])
    RememberedMapping.objects.update_or_create(
        signature=headers_signature(job.headers),
        defaults={"headers": job.headers, "mapping": mapping},
    )
    return job


def auto_mapping_for(headers):
    from .imports.columns import auto_mapping

    return auto_mapping(headers)


def preview_import(user, job: ImportJob, policy: str):
    """What the import would do, written nowhere."""
    from .imports.jobs import plan_of

    access_import(user, job)
    job.policy = policy
    return plan_of(job)


def run_import(user, job: ImportJob, policy: str, skip_invalid: bool) -> ImportJob:
    """Queue the import (Celery; at once with the embedded defaults): all or
    nothing unless `skip_invalid`, one audit-log entry naming the file."""
    from .tasks import run_import as task

    access_import(user, job)
    if job.status != ImportStatus.MAPPING:
        raise ValidationError(_("This import has already been run."))
    if policy not in ImportPolicy.values:
        raise ValidationError(_("Choose what to do with the records that already exist."))
    job.policy, job.skip_invalid, job.status = policy, bool(skip_invalid), ImportStatus.QUEUED
    job.save(update_fields=["policy", "skip_invalid", "status"])
    transaction.on_commit(lambda: task.delay(job.pk))
    return job


# --- Activities (orders, rentals… recorded by other applications) -------------

MAX_DETAILS_BYTES = 10_000


MAX_DETAILS_DEPTH = 10


def _depth(value) -> int:
    """How deeply lists and objects nest, counted without recursion."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, level = pending.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            if level > MAX_DETAILS_DEPTH:
                return level
            children = item.values() if isinstance(item, dict) else item
            pending.extend((child, level + 1) for child in children)
    return deepest


class ReferenceTaken(ValidationError):
    """This source's reference is already recorded for another record."""


ACTIVITY_FIELDS = ("kind", "date", "amount", "currency", "details")


def _check_activity(kind, date, amount, currency, details) -> dict:
    import datetime
    import json
    import re
    from decimal import Decimal, InvalidOperation

    errors = {}
    if not isinstance(kind, ActivityKind):
        errors["kind"] = _("Unknown activity kind.")
    if not isinstance(date, datetime.date) or not (1900 <= date.year <= 2200):
        errors["date"] = _("Give a date between 1900 and 2200.")
    if amount is not None:
        try:
            amount = Decimal(str(amount))
            if not amount.is_finite() or abs(amount) >= Decimal(10) ** 12:
                raise InvalidOperation
            if amount != amount.quantize(Decimal("0.01")):
                errors["amount"] = _("An amount has at most two decimals.")
        except InvalidOperation:
            errors["amount"] = _("Give an amount below one thousand billion.")
    currency = (currency or "").strip().upper()
    if amount is not None and not currency:
        currency = "EUR"
    if currency and not re.fullmatch(r"[A-Z]{3}", currency):
        errors["currency"] = _("Give the currency as three letters (ISO 4217), e.g. EUR.")
    if details is None:
        details = {}
    if not isinstance(details, dict):
        errors["details"] = _("The details are an object of names and values.")
    elif _depth(details) > MAX_DETAILS_DEPTH:
        errors["details"] = _("The details are nested at most 10 levels deep.")
    else:
        try:
            size = len(json.dumps(details, ensure_ascii=False, allow_nan=False).encode())
        except (TypeError, ValueError):
            errors["details"] = _(
                "The details hold only text, numbers (not NaN nor infinite), "
                "true, false, null, lists and objects."
            )
        else:
            if size > MAX_DETAILS_BYTES or "\\u0000" in json.dumps(details):
                errors["details"] = _("The details are limited to 10,000 bytes, without NUL.")
    if errors:
        raise ValidationError(errors)
    return {"kind": kind, "date": date, "amount": amount, "currency": currency, "details": details}


def _activity_data(activity: Activity) -> dict:
    return {
        "activity": activity.pk,
        "kind": str(activity.kind),
        "reference": activity.external_reference[:LOG_SNIPPET],
        "date": activity.date.isoformat(),
        "amount": None if activity.amount is None else str(activity.amount),
        "currency": activity.currency,
        "source": activity.source_name,
    }


def record_activity(
    user,
    target,
    *,
    source: str,
    source_name: str,
    external_reference: str,
    kind,
    date,
    amount=None,
    currency: str = "",
    details=None,
) -> tuple[Activity, str]:
    """Record what `target` (an organisation or a person) did elsewhere, once
    per `source` and `external_reference`: the same reference again updates
    the activity when something changed. Returns the activity and what
    happened: "created", "updated" or "unchanged"."""
    if not user.has_perm("directory.add_activity"):
        raise PermissionDenied(_("You are not allowed to record activities."))
    if not isinstance(target, Organisation | Person) or target.is_trashed:
        raise ValidationError(_("Activities are recorded for a record that is not in the trash."))
    reference = " ".join(str(external_reference or "").split())
    if not reference or len(reference) > 200:
        raise ValidationError({"external_reference": _("Give a reference of 1 to 200 characters.")})
    if not source or len(source) > 100:
        raise ValueError(source)
    values = _check_activity(kind, date, amount, currency, details)
    field = "organisation" if isinstance(target, Organisation) else "person"
    with transaction.atomic():
        existing = (
            Activity.objects.select_for_update()
            .filter(source=source, external_reference=reference)
            .first()
        )
        if existing is None:
            activity = Activity(
                source=source,
                source_name=source_name[:200],
                external_reference=reference,
                **{field: target},
                **values,
            )
            try:
                with transaction.atomic():
                    activity.save()
            except IntegrityError:  # recorded meanwhile by a concurrent request?
                existing = (
                    Activity.objects.select_for_update()
                    .filter(source=source, external_reference=reference)
                    .first()
                )
                if existing is None:
                    raise
            else:
                log(target, ACTIVITY_ACTION, user=user, data=_activity_data(activity))
                return activity, "created"
        if existing.target != target:
            raise ReferenceTaken(
                {"external_reference": _("This reference is already recorded for another record.")}
            )
        changed = [name for name in ACTIVITY_FIELDS if getattr(existing, name) != values[name]]
        if not changed:
            return existing, "unchanged"
        for name in changed:
            setattr(existing, name, values[name])
        existing.source_name = source_name[:200]
        existing.save()
        log(
            target,
            ACTIVITY_UPDATE_ACTION,
            user=user,
            data={**_activity_data(existing), "changed": changed},
        )
        return existing, "updated"


# --- Duplicates and merging ---------------------------------------------------------

MERGE_ACTION = "directory.merge"
UNMERGE_ACTION = "directory.merge.undo"
NOT_DUPLICATE_ACTION = "directory.not_duplicate"


def access_merge(user, model) -> None:
    """Staff and administrators merge (they change and delete records); clients never."""
    access(user, "change", model)
    access(user, "delete", model)


def mark_not_duplicate(user, first, second):
    """Say that two people (or two organisations) are not the same: the pair
    leaves the list of likely duplicates for good."""
    from .duplicates import forget_pairs
    from .models import NotDuplicate
    from .models.duplicates import DuplicateKind

    if type(first) is not type(second) or not isinstance(first, Organisation | Person):
        raise ValidationError(_("Only two people or two organisations make a pair."))
    access(user, "change", type(first))
    if first.pk == second.pk:
        raise ValidationError(_("A record is not a duplicate of itself."))
    kind = DuplicateKind.PERSON if isinstance(first, Person) else DuplicateKind.ORGANISATION
    low, high = sorted((first, second), key=lambda record: record.pk)
    with transaction.atomic():
        pair, created = NotDuplicate.objects.get_or_create(
            kind=kind, first_id=low.pk, second_id=high.pk, defaults={"marked_by": user}
        )
        forget_pairs(kind, pair=(low.pk, high.pk))
        if created:
            for record, other in ((low, high), (high, low)):
                log(
                    record,
                    NOT_DUPLICATE_ACTION,
                    user=user,
                    data={"other": {"id": other.pk, "name": str(other)[:LOG_SNIPPET]}},
                )
    return pair


def _check_merge(user, kept, merged, seen) -> type:
    from .merging import refusals, version_of

    if not isinstance(kept, Organisation | Person) or not isinstance(merged, Organisation | Person):
        raise ValidationError(_("Only people and organisations can be merged."))
    if type(kept) is not type(merged):
        raise ValidationError(
            _("A person and an organisation cannot be merged: choose two records of one kind.")
        )
    model = type(kept)
    access_merge(user, model)
    if kept.pk == merged.pk:
        raise ValidationError(_("A record cannot be merged with itself."))
    for record in (kept, merged):
        if record.is_trashed:
            raise ValidationError(
                _("“%(name)s” is in the trash: restore it before merging it.") % {"name": record}
            )
        for reason in refusals(record):
            raise ValidationError(
                _("“%(name)s” cannot be merged: %(reason)s.") % {"name": record, "reason": reason}
            )
    if seen is not None:
        for record in (kept, merged):
            if seen.get(record.pk) != version_of(record):
                raise ValidationError(
                    _(
                        "“%(name)s” has changed since the comparison was shown: "
                        "nothing was merged. Check the values again and merge."
                    )
                    % {"name": record}
                )
    return model


def merge_records(user, kept, merged, choices=None, seen=None):
    """Merge `merged` into `kept` (two people or two organisations): the
    fields chosen (`choices`: {field or "address": "kept" or "merged"},
    filled values and the most recent record by default), the consents (a
    refusal never lost), and every row that pointed to `merged`
    (`directory.merging.RELATIONS`). `merged` goes to the trash; restoring
    it undoes the merge. `seen`: {pk: version} of the records as the user
    saw them (`merging.version_of`): a record changed since is refused.
    One audit-log entry, on the kept record. Returns the `Merge`."""
    from .audit import changes
    from .duplicates import forget_pairs
    from .merging import KEEP, TAKE, choices_for, default_choices, merge

    model = _check_merge(user, kept, merged, seen=None)
    with transaction.atomic():
        # What is in the database now, locked until the merge is written.
        locked = {
            record.pk: record
            for record in model.all_objects.select_for_update()
            .filter(pk__in=[kept.pk, merged.pk])
            .order_by("pk")
        }
        if len(locked) != 2:
            raise ValidationError(_("This record no longer exists."))
        kept, merged = locked[kept.pk], locked[merged.pk]
        _check_merge(user, kept, merged, seen)
        wanted = {**default_choices(kept, merged), **(choices or {})}
        unknown = set(wanted) - set(choices_for(model))
        if unknown or any(value not in (KEEP, TAKE) for value in wanted.values()):
            raise ValidationError(_("Choose, for each field, the value to keep."))
        before = _audit_values(kept)
        outcome = merge(user, kept, merged, wanted)
        forget_pairs("person" if model is Person else "organisation", merged.pk)
        found = changes(before, _audit_values(kept), model, _labels())
        log(
            kept,
            MERGE_ACTION,
            user=user,
            data={
                "merge": outcome.merge.pk,
                "merged": {"id": merged.pk, "name": str(merged)[:LOG_SNIPPET]},
                "moved": outcome.moved,
                "changes": found,
            },
        )
    return outcome.merge


def merge_people(user, kept: Person, merged: Person, choices=None, seen=None):
    """Merge the person `merged` into `kept` (see `merge_records`)."""
    return merge_records(user, kept, merged, choices=choices, seen=seen)


def merge_organisations(user, kept: Organisation, merged: Organisation, choices=None, seen=None):
    """Merge the organisation `merged` into `kept` (see `merge_records`)."""
    return merge_records(user, kept, merged, choices=choices, seen=seen)


def merge_pairs(user, kind: str, pairs) -> tuple[int, list[str]]:
    """The bulk "Fusionner" of the duplicates list: each pair (two ids)
    merged with the default choices, the older record kept, each in its own
    transaction. Returns how many were merged, and why the others were not
    (a record gone to the trash by an earlier pair of the same batch, …)."""
    model = Person if kind == "person" else Organisation
    access_merge(user, model)
    merged_count, refused = 0, []
    for first_id, second_id in pairs:
        low, high = sorted((int(first_id), int(second_id)))
        records = model.all_objects.in_bulk([low, high])
        if len(records) != 2:
            refused.append(_("A record of this pair no longer exists."))
            continue
        try:
            merge_records(user, records[low], records[high])
        except ValidationError as error:
            refused.append(" ".join(error.messages))
        else:
            merged_count += 1
    return merged_count, refused


def refresh_duplicate_pairs(user) -> bool:
    """« Recalculer maintenant »: queue the computation of the likely pairs
    (the Celery task `directory.refresh_duplicate_pairs`; with eager Celery
    it runs at once). Staff and administrators only. Returns True when the
    pairs were computed before this returned."""
    from .models import DuplicateScan
    from .tasks import refresh_duplicate_pairs as task

    access_merge(user, Person)
    before = set(DuplicateScan.objects.values_list("kind", "computed_at"))
    task.delay()
    after = set(DuplicateScan.objects.values_list("kind", "computed_at"))
    return len(after - before) == 2


def undo_merges(user, record) -> dict[str, int]:
    """Restoring a merged record: what its merges moved comes back to it
    (called by `restore_records`, in its transaction)."""
    from .merging import undo
    from .models import Merge

    field = "merged_person" if isinstance(record, Person) else "merged_organisation"
    counts: dict[str, int] = {}
    for merge_record in Merge.objects.filter(**{field: record}, undone_at__isnull=True).order_by(
        "-merged_at", "-pk"
    ):
        moved_back = undo(merge_record)
        for label, count in moved_back.items():
            counts[label] = counts.get(label, 0) + count
        kept = merge_record.kept
        log(
            kept,
            UNMERGE_ACTION,
            user=user,
            data={
                "merged": {"id": record.pk, "name": str(record)[:LOG_SNIPPET]},
                "moved": moved_back,
            },
        )
    return counts
