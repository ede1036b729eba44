"""Likely duplicates, shown before an organisation or a person is created.

A person probably exists already when one of these holds:

* the same e-mail address, whatever its case, anywhere: the new person's
  personal or professional addresses against the personal address of an
  existing person or the professional address of any of their positions;
* the same phone number (compared in E.164, whatever the typing) among the
  phones and mobiles of the person and of their positions;
* the same name, without accents and case ("Élodie MARTIN" is "elodie
  martin"), when the new person has no city; with a city, the same name and
  the same city, or an existing person whose city is unknown.

An organisation likewise: the same SIRET, the same generic e-mail, the same
phone, or the same name (folded) with the same city or no city on either
side.

Records in the trash are offered too, marked as such (`Candidate.trashed`):
the user should restore them rather than create them again, and a SIRET in
the trash still counts as taken. Each candidate says what matched
(`Candidate.reasons`). The user sees the candidates and may still go on.

Values that are not valid (an e-mail without "@", a phone of letters) are
left out of the check: the form reports them itself.
"""

from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import F, Model, Q
from django.utils.translation import gettext_lazy as _

from .emails import normalise_email
from .phones import normalise_phone
from .text import fold

LIMIT = 10
NAME_MATCHES_READ = 200  # homonyms read to compare their cities

SAME_SIRET = "siret"
SAME_EMAIL = "email"
SAME_PHONE = "phone"
SAME_NAME = "name"
SAME_NAME_AND_CITY = "name_city"

REASON_LABELS = {
    SAME_SIRET: _("same SIRET"),
    SAME_EMAIL: _("same e-mail"),
    SAME_PHONE: _("same phone"),
    SAME_NAME: _("same name"),
    SAME_NAME_AND_CITY: _("same name and city"),
}
_ORDER = list(REASON_LABELS)


@dataclass
class Candidate:
    record: Model
    reasons: list[str] = field(default_factory=list)

    @property
    def trashed(self) -> bool:
        return self.record.trashed_at is not None

    @property
    def reason_labels(self) -> list[str]:
        return [REASON_LABELS[reason] for reason in sorted(self.reasons, key=_ORDER.index)]


def _safe(normalise, value) -> str:
    try:
        return normalise(value or "")
    except Exception:  # invalid values are reported by the form itself
        return ""


def _emails(values) -> set[str]:
    """Valid addresses, lower-cased for comparison."""
    return {email.lower() for value in values if (email := _safe(normalise_email, value))}


def _phones(values) -> set[str]:
    return {phone for value in values if (phone := _safe(normalise_phone, value))}


def _email_query(field_name: str, emails) -> Q:
    return reduce(or_, (Q(**{f"{field_name}__iexact": email}) for email in sorted(emails)), Q())


def _same_city(city_key: str, record) -> bool:
    """No city given, or the same one, or one that the record does not know."""
    return not city_key or not record.city or fold(record.city) == city_key


def _ranked(candidates: dict[int, Candidate]) -> list[Candidate]:
    """Live records first, then by the number of things that matched."""
    ranked = sorted(
        (candidate for candidate in candidates.values() if candidate.reasons),
        key=lambda c: (c.trashed, -len(c.reasons), c.record.name_key, c.record.pk),
    )
    return ranked[:LIMIT]


def likely_organisations(
    *, name="", siret="", email="", phone="", city="", exclude_pk=None
) -> list[Candidate]:
    from .models import Organisation

    siret = "".join(c for c in (siret or "")[:40] if c.isdigit())
    emails = _emails([email])
    phones = _phones([phone])
    name_key = fold((name or "")[:1000])[:200]
    city_key = fold((city or "")[:1000])

    query = Q()
    if siret:
        query |= Q(siret=siret)
    if emails:
        query |= _email_query("email", emails)
    if phones:
        query |= Q(phone__in=phones)
    if name_key:
        query |= Q(name_key=name_key)
    if not query:
        return []
    records = Organisation.all_objects.filter(query).select_related("kind")
    if exclude_pk:
        records = records.exclude(pk=exclude_pk)

    candidates: dict[int, Candidate] = {}
    for record in records.order_by(F("trashed_at").asc(nulls_first=True), "name_key", "pk")[
        :NAME_MATCHES_READ
    ]:
        reasons = []
        if siret and record.siret == siret:
            reasons.append(SAME_SIRET)
        if record.email and record.email.lower() in emails:
            reasons.append(SAME_EMAIL)
        if record.phone and record.phone in phones:
            reasons.append(SAME_PHONE)
        if name_key and record.name_key == name_key and _same_city(city_key, record):
            reasons.append(SAME_NAME_AND_CITY if city_key and record.city else SAME_NAME)
        candidates[record.pk] = Candidate(record, reasons)
    return _ranked(candidates)


def likely_people(
    *,
    first_name="",
    last_name="",
    emails=(),
    phones=(),
    city="",
    exclude_pk=None,
) -> list[Candidate]:
    """`emails` and `phones`: every address and number of the new person,
    personal and professional."""
    from .models import Person, Position

    emails = _emails(emails)
    phones = _phones(phones)
    name_key = fold(f"{(last_name or '')[:1000]} {(first_name or '')[:1000]}")[:201]
    if not fold((last_name or "")[:1000]):
        name_key = ""
    city_key = fold((city or "")[:1000])

    # Whose positions (in the trash or not) have one of these coordinates.
    by_email: set[int] = set()
    by_phone: set[int] = set()
    position_query = Q()
    if emails:
        position_query |= _email_query("email", emails)
    if phones:
        position_query |= Q(phone__in=phones) | Q(mobile__in=phones)
    if position_query:
        rows = Position.all_objects.filter(position_query).values_list(
            "person_id", "email", "phone", "mobile"
        )
        for person_id, email, phone, mobile in rows[: LIMIT * 20]:
            if email and email.lower() in emails:
                by_email.add(person_id)
            if phones & {phone, mobile}:
                by_phone.add(person_id)

    query = Q()
    if emails:
        query |= _email_query("email", emails)
    if phones:
        query |= Q(phone__in=phones) | Q(mobile__in=phones)
    if by_email or by_phone:
        query |= Q(pk__in=by_email | by_phone)
    if name_key:
        query |= Q(name_key=name_key)
    if not query:
        return []
    records = Person.all_objects.filter(query)
    if exclude_pk:
        records = records.exclude(pk=exclude_pk)

    candidates: dict[int, Candidate] = {}
    for record in records.order_by(F("trashed_at").asc(nulls_first=True), "name_key", "pk")[
        :NAME_MATCHES_READ
    ]:
        reasons = []
        if record.pk in by_email or (record.email and record.email.lower() in emails):
            reasons.append(SAME_EMAIL)
        if record.pk in by_phone or phones & {record.phone, record.mobile}:
            reasons.append(SAME_PHONE)
        if name_key and record.name_key == name_key and _same_city(city_key, record):
            reasons.append(SAME_NAME_AND_CITY if city_key and record.city else SAME_NAME)
        candidates[record.pk] = Candidate(record, reasons)
    return _ranked(candidates)
