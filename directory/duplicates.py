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


# --- Likely pairs among the records already there ("Doublons probables") ------
#
# Each rule is a self-join on a normalised key (indexed by migration 0011:
# lower-cased e-mails and cities, E.164 phones as stored, folded names); the
# pairs of every rule are gathered in one query, scored by how many rules
# they match, pairs marked "not a duplicate" left out, sorted and paged in
# the database. The SQL is plain enough for SQLite and PostgreSQL alike.

SAME_NAME_AND_ORGANISATION = "name_organisation"
SAME_SIREN = "siren"
SAME_NAME_AND_POSTCODE = "name_postcode"

PAIR_REASON_LABELS = {
    SAME_EMAIL: _("same e-mail"),
    SAME_PHONE: _("same phone"),
    SAME_NAME_AND_ORGANISATION: _("same name in the same organisation"),
    SAME_NAME_AND_CITY: _("same name and city"),
    SAME_SIREN: _("same SIREN and name"),
    SAME_NAME_AND_POSTCODE: _("same name and postcode"),
}
PERSON_RULES = (SAME_EMAIL, SAME_PHONE, SAME_NAME_AND_ORGANISATION, SAME_NAME_AND_CITY)
ORGANISATION_RULES = (SAME_SIREN, SAME_NAME_AND_POSTCODE, SAME_EMAIL, SAME_PHONE)
PAIRS_PER_PAGE = 25

_PERSON_PAIRS = """
emails (pid, k) AS (
    SELECT id, LOWER(email) FROM directory_person WHERE trashed_at IS NULL AND email <> ''
    UNION
    SELECT person_id, LOWER(email) FROM directory_position WHERE in_trash = %(no)s AND email <> ''
),
phones (pid, k) AS (
    SELECT id, phone FROM directory_person WHERE trashed_at IS NULL AND phone <> ''
    UNION
    SELECT id, mobile FROM directory_person WHERE trashed_at IS NULL AND mobile <> ''
    UNION
    SELECT person_id, phone FROM directory_position WHERE in_trash = %(no)s AND phone <> ''
    UNION
    SELECT person_id, mobile FROM directory_position WHERE in_trash = %(no)s AND mobile <> ''
),
holders (pid, org, name_key) AS (
    SELECT DISTINCT p.person_id, p.organisation_id, a.name_key
    FROM directory_position p JOIN directory_person a ON a.id = p.person_id
    WHERE p.in_trash = %(no)s
),
pairs (a, b, rule) AS (
    SELECT x.pid, y.pid, 'email' FROM emails x JOIN emails y ON y.k = x.k AND x.pid < y.pid
    UNION
    SELECT x.pid, y.pid, 'phone' FROM phones x JOIN phones y ON y.k = x.k AND x.pid < y.pid
    UNION
    SELECT x.pid, y.pid, 'name_organisation' FROM holders x
    JOIN holders y ON y.org = x.org AND y.name_key = x.name_key AND x.pid < y.pid
    UNION
    SELECT x.id, y.id, 'name_city' FROM directory_person x
    JOIN directory_person y
        ON y.name_key = x.name_key AND LOWER(y.city) = LOWER(x.city) AND x.id < y.id
    WHERE x.trashed_at IS NULL AND y.trashed_at IS NULL AND x.city <> '' AND y.city <> ''
)
"""

_ORGANISATION_PAIRS = """
live (id, name_key, siret, postcode, email, phone) AS (
    SELECT id, name_key, siret, postcode, email, phone
    FROM directory_organisation WHERE trashed_at IS NULL
),
pairs (a, b, rule) AS (
    SELECT x.id, y.id, 'siren' FROM live x
    JOIN live y ON SUBSTR(y.siret, 1, 9) = SUBSTR(x.siret, 1, 9)
        AND y.name_key = x.name_key AND x.id < y.id
    WHERE x.siret IS NOT NULL AND y.siret IS NOT NULL
    UNION
    SELECT x.id, y.id, 'name_postcode' FROM live x
    JOIN live y ON y.name_key = x.name_key AND y.postcode = x.postcode AND x.id < y.id
    WHERE x.postcode <> '' AND y.postcode <> ''
    UNION
    SELECT x.id, y.id, 'email' FROM live x
    JOIN live y ON LOWER(y.email) = LOWER(x.email) AND x.id < y.id
    WHERE x.email <> '' AND y.email <> ''
    UNION
    SELECT x.id, y.id, 'phone' FROM live x
    JOIN live y ON y.phone = x.phone AND x.id < y.id
    WHERE x.phone <> '' AND y.phone <> ''
)
"""


@dataclass
class Pair:
    """Two live records likely the same: `first` the older (smaller id)."""

    kind: str
    first_id: int
    second_id: int
    reasons: list[str]
    first: Model | None = None
    second: Model | None = None

    @property
    def score(self) -> int:
        return len(self.reasons)

    @property
    def key(self) -> str:
        return f"{self.first_id}-{self.second_id}"

    @property
    def reason_labels(self) -> list[str]:
        return [str(PAIR_REASON_LABELS[reason]) for reason in self.reasons]


def _pairs_sql(kind: str, *, limit: int | None, offset: int) -> tuple:
    rules = PERSON_RULES if kind == "person" else ORGANISATION_RULES
    flags = ", ".join(
        f"MAX(CASE WHEN rule = '{rule}' THEN 1 ELSE 0 END) AS has_{rule}" for rule in rules
    )
    params = {"kind": kind, "no": False}
    page = ""
    if limit is not None:
        page = "LIMIT %(limit)s OFFSET %(offset)s"
        params.update(limit=limit, offset=offset)
    # Only constants of this module are formatted in; values are parameters.
    sql = f"""
        WITH {_PERSON_PAIRS if kind == "person" else _ORGANISATION_PAIRS}
        SELECT a, b, COUNT(*) AS score, {flags}, COUNT(*) OVER () AS total
        FROM pairs
        WHERE NOT EXISTS (
            SELECT 1 FROM directory_notduplicate n
            WHERE n.kind = %(kind)s AND n.first_id = pairs.a AND n.second_id = pairs.b
        )
        GROUP BY a, b
        ORDER BY score DESC, b DESC, a DESC
        {page}
    """  # noqa: S608
    return sql, params, rules


def likely_pairs(kind: str, *, offset: int = 0, limit: int | None = PAIRS_PER_PAGE):
    """(pairs of this page, how many pairs in all), best first: most rules
    matched, then the newest records. `kind`: "person" or "organisation"."""
    from django.db import connection

    from .models import Organisation, Person

    if kind not in ("person", "organisation"):
        raise ValueError(kind)
    sql, params, rules = _pairs_sql(kind, limit=limit, offset=max(0, offset))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    total = rows[0][-1] if rows else 0
    if not rows and offset:
        total = count_pairs(kind)
    pairs = [
        Pair(
            kind,
            row[0],
            row[1],
            [rule for rule, flag in zip(rules, row[3:-1], strict=True) if flag],
        )
        for row in rows
    ]
    model = Person if kind == "person" else Organisation
    records = model.objects.in_bulk(
        {pk for pair in pairs for pk in (pair.first_id, pair.second_id)}
    )
    for pair in pairs:
        pair.first, pair.second = records.get(pair.first_id), records.get(pair.second_id)
    return [pair for pair in pairs if pair.first and pair.second], total


def count_pairs(kind: str) -> int:
    from django.db import connection

    sql, params, _rules = _pairs_sql(kind, limit=1, offset=0)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return row[-1] if row else 0


def pair_reasons(first, second) -> list[str]:
    """What makes these two live records likely the same, by the listing's
    rules, read in Python for two records (the merge screen)."""
    from .models import Organisation, Position

    reasons = []
    if isinstance(first, Organisation):
        same_name = first.name_key == second.name_key
        if same_name and first.siret and (second.siret or "")[:9] == first.siret[:9]:
            reasons.append(SAME_SIREN)
        if same_name and first.postcode and first.postcode == second.postcode:
            reasons.append(SAME_NAME_AND_POSTCODE)
        if first.email and first.email.lower() == (second.email or "").lower():
            reasons.append(SAME_EMAIL)
        if first.phone and first.phone == second.phone:
            reasons.append(SAME_PHONE)
        return reasons

    def coordinates(person):
        positions = list(Position.objects.filter(person=person))
        emails = {e.lower() for e in [person.email, *(p.email for p in positions)] if e}
        phones = {
            n
            for n in [
                person.phone,
                person.mobile,
                *(x for p in positions for x in (p.phone, p.mobile)),
            ]
            if n
        }
        return emails, phones, {p.organisation_id for p in positions}

    emails_a, phones_a, orgs_a = coordinates(first)
    emails_b, phones_b, orgs_b = coordinates(second)
    if emails_a & emails_b:
        reasons.append(SAME_EMAIL)
    if phones_a & phones_b:
        reasons.append(SAME_PHONE)
    if first.name_key == second.name_key:
        if orgs_a & orgs_b:
            reasons.append(SAME_NAME_AND_ORGANISATION)
        if first.city and first.city.lower() == (second.city or "").lower():
            reasons.append(SAME_NAME_AND_CITY)
    return reasons
