"""The directory's part of the private API (mounted by `crmsite.api` under /api/v1/).

* Look up organisations and people: the directory's accent-insensitive
  search (`q`), by SIRET, by e-mail (personal or professional), by id;
  cursor pagination (`cursor` from the previous page's `next_cursor`);
  never a record in the trash. Scope `directory:read`.
* Create or update an organisation or a person, matched by the spreadsheet
  import's rules (`directory.matching`: SIRET, e-mail, name), through the
  directory's actions. Scope `directory:write`. An ambiguous match is a 409
  listing the candidates, never a guess.
* Record an activity (order, rental…) for an organisation or a person,
  idempotent per client and reference; list a record's activities. Scopes
  `activity:write`, `directory:read`.

The scopes are named here as strings (the directory does not import the
site); `crmsite.api.require` checks them.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import hashlib
from decimal import Decimal
from typing import Any
from unicodedata import category

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from . import actions
from .models import Activity, ActivityKind, Organisation, Person, Position
from .models.organisations import normalise_siret
from .search import search
from .text import fold

READ = "directory:read"
WRITE = "directory:write"
ACTIVITY = "activity:write"
MAX_PAGE = 100

router = Router()


class Conflict(Exception):
    """What the request asks contradicts what is stored (409): an ambiguous
    match, a reference already recorded for another record."""

    def __init__(self, message: str, candidates=None):
        super().__init__(message)
        self.message = message
        self.candidates = list(candidates or [])


def _require(request, scope: str) -> None:
    from django.core.exceptions import PermissionDenied

    client = getattr(request, "api_client", None)
    if client is None or not client.has_scope(scope):
        raise PermissionDenied(
            _("This API client may not do this (scope “%(scope)s” needed).") % {"scope": scope}
        )


# --- Schemas ---------------------------------------------------------------------------


class OrganisationOut(Schema):
    id: int
    name: str
    siret: str | None
    kind: str | None
    email: str
    phone: str
    website: str
    address_line1: str
    address_line2: str
    postcode: str
    city: str
    country: str
    updated_at: datetime.datetime

    @staticmethod
    def resolve_kind(obj):
        return obj.kind.name if obj.kind_id else None

    @staticmethod
    def resolve_phone(obj):
        return str(obj.phone or "")


class PositionOut(Schema):
    id: int
    organisation_id: int
    organisation: str
    function: str
    email: str
    phone: str
    current: bool

    @staticmethod
    def resolve_organisation(obj):
        return obj.organisation.name

    @staticmethod
    def resolve_function(obj):
        return obj.title or (obj.function.name if obj.function_id else "")

    @staticmethod
    def resolve_phone(obj):
        return str(obj.phone or "")

    @staticmethod
    def resolve_current(obj):
        return obj.is_current


class PersonOut(Schema):
    id: int
    civility: str
    first_name: str
    last_name: str
    email: str
    phone: str
    positions: list[PositionOut]
    updated_at: datetime.datetime

    @staticmethod
    def resolve_phone(obj):
        return str(obj.phone or "")

    @staticmethod
    def resolve_positions(obj):
        return [p for p in obj.positions.all() if not p.organisation.is_trashed]


class OrganisationPage(Schema):
    items: list[OrganisationOut]
    next_cursor: str | None


class PersonPage(Schema):
    items: list[PersonOut]
    next_cursor: str | None


class Lookup(Schema):
    q: str | None = Field(None, max_length=200, description="Recherche simple, sans accents")
    email: str | None = Field(None, max_length=254)
    cursor: str | None = Field(None, max_length=100)
    limit: int = Field(25, ge=1, le=MAX_PAGE)


class OrganisationLookup(Lookup):
    siret: str | None = Field(None, max_length=20)


class OrganisationIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    siret: str | None = Field(None, max_length=20)
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=40)
    website: str | None = Field(None, max_length=300)
    address_line1: str | None = Field(None, max_length=200)
    address_line2: str | None = Field(None, max_length=200)
    postcode: str | None = Field(None, max_length=10)
    city: str | None = Field(None, max_length=100)
    country: str | None = Field(None, max_length=2)


class PersonIn(Schema):
    first_name: str | None = Field(None, max_length=100)
    last_name: str = Field(..., min_length=1, max_length=100)
    civility: str | None = Field(None, max_length=3)
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=40)
    organisation_id: int | None = Field(None, ge=1, le=2**62)
    function: str | None = Field(None, max_length=200, description="Fonction dans l’organisation")
    professional_email: str | None = Field(None, max_length=254)


class OrganisationResult(Schema):
    result: str
    organisation: OrganisationOut


class PersonResult(Schema):
    result: str
    person: PersonOut


class ActivityIn(Schema):
    organisation_id: int | None = Field(None, ge=1, le=2**62)
    person_id: int | None = Field(None, ge=1, le=2**62)
    siret: str | None = Field(None, max_length=20)
    email: str | None = Field(None, max_length=254)
    kind: str = Field(..., min_length=1, max_length=50, description="Code du type (order…)")
    reference: str = Field(..., min_length=1, max_length=200)
    date: datetime.date
    amount: Decimal | None = Field(None, max_digits=14, decimal_places=2)
    currency: str | None = Field(None, max_length=3)
    details: dict[str, Any] | None = None


class ActivityOut(Schema):
    id: int
    kind: str
    kind_name: str
    reference: str
    date: datetime.date
    amount: Decimal | None
    currency: str
    details: dict[str, Any]
    organisation_id: int | None
    person_id: int | None
    recorded_by: str

    @staticmethod
    def resolve_kind(obj):
        return obj.kind.code

    @staticmethod
    def resolve_kind_name(obj):
        return obj.kind.name

    @staticmethod
    def resolve_reference(obj):
        return obj.external_reference

    @staticmethod
    def resolve_recorded_by(obj):
        return obj.source_name


class ActivityResult(Schema):
    result: str
    activity: ActivityOut


class ActivityPage(Schema):
    items: list[ActivityOut]
    next_cursor: str | None


class Error(Schema):
    detail: str


ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 422: Error, 429: Error}


# --- Cursors ---------------------------------------------------------------------------


def _encode(*parts) -> str:
    return base64.urlsafe_b64encode("|".join(str(p) for p in parts).encode()).decode().rstrip("=")


def _bad_cursor():
    from django.core.exceptions import ValidationError

    return ValidationError({"cursor": _("This cursor is not one the API gave.")})


def _decode(cursor: str | None, count: int) -> list[str] | None:
    if not cursor:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    parts = text.split("|")
    if len(parts) != count or not all(parts):
        raise _bad_cursor()
    return parts


def _page_by_id(queryset, cursor, limit):
    after = _decode(cursor, 1)
    if after:
        if not (after[0].isascii() and after[0].isdecimal()) or len(after[0]) > 18:
            raise _bad_cursor()
        queryset = queryset.filter(pk__gt=int(after[0]))
    rows = list(queryset.order_by("pk")[: limit + 1])
    following = _encode(rows[limit - 1].pk) if len(rows) > limit else None
    return {"items": rows[:limit], "next_cursor": following}


def _clean_siret(siret: str | None) -> str | None:
    if siret is None:
        return None
    value = normalise_siret(siret)
    if not (len(value) == 14 and value.isdigit()):
        from django.core.exceptions import ValidationError

        raise ValidationError({"siret": _("A SIRET has 14 digits.")})
    return value


# --- Look-ups --------------------------------------------------------------------------


def _organisations():
    return Organisation.objects.select_related("kind")


def _people():
    return Person.objects.prefetch_related(
        "positions__organisation", "positions__function"
    ).filter()


@router.get("/organisations", response={200: OrganisationPage, **ERRORS}, tags=["annuaire"])
def list_organisations(request, filters: Query[OrganisationLookup]):
    """Organisations, by simple search, SIRET or e-mail (generic or of a position)."""
    _require(request, READ)
    queryset = _organisations()
    if filters.q:
        queryset = search(queryset, filters.q)
    if filters.siret is not None:
        queryset = queryset.filter(siret=_clean_siret(filters.siret))
    if filters.email:
        email = filters.email.strip()
        queryset = queryset.filter(
            Q(email__iexact=email)
            | Q(pk__in=Position.objects.filter(email__iexact=email).values("organisation_id"))
        )
    return _page_by_id(queryset, filters.cursor, filters.limit)


@router.get(
    "/organisations/{organisation_id}",
    response={200: OrganisationOut, **ERRORS},
    tags=["annuaire"],
)
def get_organisation(request, organisation_id: int):
    _require(request, READ)
    return _get(_organisations(), organisation_id)


@router.get("/people", response={200: PersonPage, **ERRORS}, tags=["annuaire"])
def list_people(request, filters: Query[Lookup]):
    """People, by simple search or e-mail (personal or professional)."""
    _require(request, READ)
    queryset = _people()
    if filters.q:
        queryset = search(queryset, filters.q)
    if filters.email:
        email = filters.email.strip()
        queryset = queryset.filter(
            Q(email__iexact=email)
            | Q(pk__in=Position.objects.filter(email__iexact=email).values("person_id"))
        )
    return _page_by_id(queryset, filters.cursor, filters.limit)


@router.get("/people/{person_id}", response={200: PersonOut, **ERRORS}, tags=["annuaire"])
def get_person(request, person_id: int):
    _require(request, READ)
    return _get(_people(), person_id)


def _get(queryset, pk):
    if not (0 < pk < 2**62):
        raise Http404
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


# --- Writes ----------------------------------------------------------------------------


def _changed(record, fields: dict) -> dict:
    return {name: value for name, value in fields.items() if getattr(record, name) != value}


_INVISIBLE = {"Cc", "Cf", "Co", "Cs", "Zl", "Zp"}


def _one_line(value: str) -> str:
    """A single-line value as the workspace keeps it: control and format
    characters (zero-width spaces…) dropped, white space collapsed."""
    kept = "".join(
        " " if ch.isspace() else ch
        for ch in value
        if category(ch) not in _INVISIBLE or ch.isspace()
    )
    return " ".join(kept.split())


def _given(model, data: Schema, names) -> dict:
    """The fields the request gives, normalised as the model stores them
    (e-mails, phones, postcodes), so that the same data sent again matches and
    changes nothing."""
    fields = {}
    for name in names:
        value = getattr(data, name)
        if value is None:
            continue
        value = _one_line(value) if isinstance(value, str) else value
        field = model._meta.get_field(name)
        if name == "postcode":
            value = "".join(value.split()).upper()
        elif value:
            try:
                value = field.to_python(value)
            except DjangoValidationError as error:
                raise DjangoValidationError({name: error.messages}) from error
        fields[name] = value
    return fields


def _lock(*keys) -> None:
    """Serialise the find-then-create of one record across requests (PostgreSQL):
    a client retrying after a timeout must not create it twice."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for key in sorted(k for k in keys if k):
            digest = int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big")
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [digest - 2**63])


ORGANISATION_FIELDS = (
    "name",
    "email",
    "phone",
    "website",
    "address_line1",
    "address_line2",
    "postcode",
    "city",
    "country",
)


@router.post(
    "/organisations",
    response={200: OrganisationResult, 201: OrganisationResult, 409: Error, **ERRORS},
    tags=["annuaire"],
)
def upsert_organisation(request, data: OrganisationIn):
    """Create an organisation, or update the one it matches (SIRET, then name
    and postcode), as a spreadsheet import would. Only the fields given change."""
    from .imports.plan import _org_key
    from .matching import find_organisation

    _require(request, WRITE)
    fields = _given(Organisation, data, ORGANISATION_FIELDS)
    if not fields.get("name"):
        raise DjangoValidationError({"name": _("Give the organisation’s name.")})
    siret = _clean_siret(data.siret)
    if siret:
        fields["siret"] = siret
        if Organisation.all_objects.filter(siret=siret, trashed_at__isnull=False).exists():
            raise Conflict(_("The organisation with this SIRET is in the directory’s trash."))
    with transaction.atomic():
        _lock(
            f"organisation-siret:{siret}" if siret else "",
            f"organisation:{_org_key(fields['name'])}",
        )
        found = find_organisation(siret=siret, name=fields["name"], postcode=fields.get("postcode"))
        if found is not None and siret and found.siret and found.siret != siret:
            found = None  # another establishment, of its own SIRET
        if found is None:
            organisation = actions.create_organisation(request.user, **fields)
            return Status(201, {"result": "created", "organisation": organisation})
        changes = _changed(found, fields)
        if not changes:
            return Status(200, {"result": "unchanged", "organisation": found})
        organisation = actions.update_organisation(request.user, found, **changes)
        return Status(200, {"result": "updated", "organisation": organisation})


@router.post(
    "/people",
    response={200: PersonResult, 201: PersonResult, 409: Error, **ERRORS},
    tags=["annuaire"],
)
def upsert_person(request, data: PersonIn):
    """Create a person, or update the one it matches (e-mail, then name within
    the organisation), as a spreadsheet import would; with `organisation_id`
    and `function`, the position is added when they do not hold it yet."""
    _require(request, WRITE)
    fields = _given(Person, data, ("first_name", "last_name", "civility", "email", "phone"))
    if not fields.get("last_name"):
        raise DjangoValidationError({"last_name": _("Give the person’s last name.")})
    organisation = None
    if data.organisation_id is not None:
        organisation = _get(Organisation.objects.all(), data.organisation_id)
    with transaction.atomic():
        _lock(
            f"person-email:{fields.get('email', '').lower()}" if fields.get("email") else "",
            f"person:{fold(fields['last_name'])}",
        )
        return _upsert_person(request, data, fields, organisation)


def _upsert_person(request, data, fields, organisation):
    from .matching import find_person

    found = find_person(
        email=fields.get("email"),
        professional_email=data.professional_email,
        first_name=fields.get("first_name", ""),
        last_name=fields["last_name"],
        organisation=organisation,
    )
    result = "unchanged"
    if found is None:
        person = actions.create_person(request.user, **fields)
        result = "created"
    else:
        person = found
        changes = _changed(person, fields)
        if changes:
            person = actions.update_person(request.user, person, **changes)
            result = "updated"
    if organisation is not None and (data.function or data.professional_email):
        result = _hold(request.user, person, organisation, data, result)
    person = _get(_people(), person.pk)
    return Status(201 if result == "created" else 200, {"result": result, "person": person})


def _hold(user, person, organisation, data, result) -> str:
    from .models import Function

    title = " ".join((data.function or "").split())
    function = Function.objects.filter(name_key=Function.key_for(title)).first() if title else None
    existing = Position.objects.filter(person=person, organisation=organisation)
    if function is not None:
        existing = existing.filter(function=function)
    elif title:
        existing = existing.filter(title__iexact=title)
    position = existing.first()
    email = (data.professional_email or "").strip()
    if position is None:
        fields = {"function": function} if function else {"title": title}
        if email:
            fields["email"] = email
        actions.add_position(user, person, organisation, **fields)
        return "created" if result == "created" else "updated"
    if email and position.email.lower() != email.lower():
        actions.update_position(user, position, email=email)
        return "created" if result == "created" else "updated"
    return result


# --- Activities ------------------------------------------------------------------------


def _target(data: ActivityIn):
    given = [
        name
        for name in ("organisation_id", "person_id", "siret", "email")
        if getattr(data, name) is not None
    ]
    if len(given) != 1:
        from django.core.exceptions import ValidationError

        raise ValidationError(
            _("Name the record with exactly one of organisation_id, person_id, siret or email.")
        )
    if data.organisation_id is not None:
        return _get(Organisation.objects.all(), data.organisation_id)
    if data.person_id is not None:
        return _get(Person.objects.all(), data.person_id)
    if data.siret is not None:
        return _by_siret(data.siret)
    return _by_email(data.email)


def _by_siret(siret):
    found = Organisation.objects.filter(siret=_clean_siret(siret)).first()
    if found is None:
        raise Http404
    return found


def _by_email(email):
    email = email.strip()
    people = list(
        Person.objects.filter(
            Q(email__iexact=email)
            | Q(pk__in=Position.objects.filter(email__iexact=email).values("person_id"))
        ).values_list("pk", flat=True)[:5]
    )
    if len(people) > 1:
        raise Conflict(_("Several people use this e-mail: give person_id."), candidates=people)
    if people:
        return Person.objects.get(pk=people[0])
    organisations = list(
        Organisation.objects.filter(email__iexact=email).values_list("pk", flat=True)[:5]
    )
    if len(organisations) > 1:
        raise Conflict(
            _("Several organisations use this e-mail: give organisation_id."),
            candidates=organisations,
        )
    if organisations:
        return Organisation.objects.get(pk=organisations[0])
    raise Http404


@router.post(
    "/activities",
    response={200: ActivityResult, 201: ActivityResult, 409: Error, **ERRORS},
    tags=["activités"],
)
def record_activity(request, data: ActivityIn):
    """Record an order, a rental… once per client and reference: the same
    reference again answers "unchanged", or "updated" when something changed."""
    from django.core.exceptions import ValidationError

    _require(request, ACTIVITY)
    target = _target(data)
    kind = ActivityKind.objects.filter(code=data.kind.strip().lower()).first()
    if kind is None:
        raise ValidationError({"kind": _("Unknown activity kind: %(kind)s.") % {"kind": data.kind}})
    client = request.api_client
    try:
        activity, result = actions.record_activity(
            request.user,
            target,
            source=f"api-client:{client.pk}",
            source_name=client.name,
            external_reference=data.reference,
            kind=kind,
            date=data.date,
            amount=data.amount,
            currency=data.currency or "",
            details=data.details,
        )
    except actions.ReferenceTaken as error:
        raise Conflict(error.messages[0]) from error
    return Status(201 if result == "created" else 200, {"result": result, "activity": activity})


def _activities(record_filter, cursor, limit):
    queryset = Activity.objects.live().filter(**record_filter).select_related("kind")
    after = _decode(cursor, 2)
    if after:
        try:
            day, pk = datetime.date.fromisoformat(after[0]), int(after[1])
        except ValueError:
            raise _bad_cursor() from None
        if not 0 < pk < 2**62:
            raise _bad_cursor()
        queryset = queryset.filter(Q(date__lt=day) | Q(date=day, pk__lt=pk))
    rows = list(queryset.order_by("-date", "-pk")[: limit + 1])
    following = None
    if len(rows) > limit:
        last = rows[limit - 1]
        following = _encode(last.date.isoformat(), last.pk)
    return {"items": rows[:limit], "next_cursor": following}


class Page(Schema):
    cursor: str | None = Field(None, max_length=100)
    limit: int = Field(25, ge=1, le=MAX_PAGE)


@router.get(
    "/organisations/{organisation_id}/activities",
    response={200: ActivityPage, **ERRORS},
    tags=["activités"],
)
def organisation_activities(request, organisation_id: int, page: Query[Page]):
    _require(request, READ)
    organisation = _get(Organisation.objects.all(), organisation_id)
    return _activities({"organisation": organisation}, page.cursor, page.limit)


@router.get(
    "/people/{person_id}/activities",
    response={200: ActivityPage, **ERRORS},
    tags=["activités"],
)
def person_activities(request, person_id: int, page: Query[Page]):
    _require(request, READ)
    person = _get(Person.objects.all(), person_id)
    return _activities({"person": person}, page.cursor, page.limit)
