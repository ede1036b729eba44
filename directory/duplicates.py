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
# lower-cased e-mails and cities, E.164 phones as stored, folded names). So
# that a million people stay quick, each rule first keeps the keys held
# more than once (one aggregate), then joins only those rows.
#
# Pairs are sorted by score (how many rules they match), then newest first.
# Among people, the pairs found by name and city alone come last: homonyms
# of one town can be very many (a common name in a large city), so they are
# never gathered all at once; they are read in the order of their index,
# one page at a time, and counted by group (n people: n(n-1)/2 pairs).
# Pairs marked "not a duplicate" are left out. Plain SQL, for SQLite and
# PostgreSQL alike.

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

_NOT_MARKED = """NOT EXISTS (
    SELECT 1 FROM directory_notduplicate n
    WHERE n.kind = %(kind)s AND n.first_id = {a} AND n.second_id = {b}
)"""


def _repeated(name: str, columns: str, source: str) -> str:
    """The rows of `source` whose key (`columns`) is held more than once."""
    return f"""{name} AS (
    SELECT DISTINCT pid, {columns} FROM {source}
    WHERE ({columns}) IN (SELECT {columns} FROM {source} GROUP BY {columns} HAVING COUNT(*) > 1)
)"""  # noqa: S608


# People: the pairs found by e-mail, phone or name in one organisation, each
# with every flag (the name-and-city one read on the pair itself).
_PERSON_STRONG_CTES = f"""
WITH
emails (pid, k) AS (
    SELECT id, LOWER(email) FROM directory_person WHERE trashed_at IS NULL AND email <> ''
    UNION ALL
    SELECT person_id, LOWER(email) FROM directory_position WHERE in_trash = %(no)s AND email <> ''
),
phones (pid, k) AS (
    SELECT id, phone FROM directory_person WHERE trashed_at IS NULL AND phone <> ''
    UNION ALL
    SELECT id, mobile FROM directory_person WHERE trashed_at IS NULL AND mobile <> ''
    UNION ALL
    SELECT person_id, phone FROM directory_position WHERE in_trash = %(no)s AND phone <> ''
    UNION ALL
    SELECT person_id, mobile FROM directory_position WHERE in_trash = %(no)s AND mobile <> ''
),
holders (pid, org, name_key) AS (
    SELECT p.person_id, p.organisation_id, a.name_key
    FROM directory_position p JOIN directory_person a ON a.id = p.person_id
    WHERE p.in_trash = %(no)s
),
{_repeated("e", "k", "emails")},
{_repeated("ph", "k", "phones")},
{_repeated("h", "org, name_key", "holders")},
pairs (a, b, rule) AS (
    SELECT x.pid, y.pid, 1 FROM e x JOIN e y ON y.k = x.k AND x.pid < y.pid
    UNION
    SELECT x.pid, y.pid, 2 FROM ph x JOIN ph y ON y.k = x.k AND x.pid < y.pid
    UNION
    SELECT x.pid, y.pid, 3 FROM h x
    JOIN h y ON y.org = x.org AND y.name_key = x.name_key AND x.pid < y.pid
),
strong AS (
    SELECT a, b,
        MAX(CASE WHEN rule = 1 THEN 1 ELSE 0 END) AS f1,
        MAX(CASE WHEN rule = 2 THEN 1 ELSE 0 END) AS f2,
        MAX(CASE WHEN rule = 3 THEN 1 ELSE 0 END) AS f3
    FROM pairs GROUP BY a, b
)"""  # noqa: S608

_PERSON_STRONG_SELECT = f"""
SELECT s.a, s.b, s.f1, s.f2, s.f3,
    CASE WHEN pa.name_key = pb.name_key AND pa.city <> '' AND LOWER(pa.city) = LOWER(pb.city)
        THEN 1 ELSE 0 END AS f4
FROM strong s
JOIN directory_person pa ON pa.id = s.a
JOIN directory_person pb ON pb.id = s.b
WHERE pa.trashed_at IS NULL AND pb.trashed_at IS NULL
    AND {_NOT_MARKED.format(a="s.a", b="s.b")}
"""  # noqa: S608
_PERSON_STRONG = _PERSON_STRONG_CTES + _PERSON_STRONG_SELECT

# People: the pairs of one name in one city, in the order of their index.
_PERSON_NAME_CITY = """
SELECT x.id, y.id FROM directory_person x
JOIN directory_person y
    ON y.name_key = x.name_key AND LOWER(y.city) = LOWER(x.city) AND y.id > x.id
WHERE x.trashed_at IS NULL AND y.trashed_at IS NULL AND x.city <> '' AND y.city <> ''
    AND {not_marked}
ORDER BY x.name_key, LOWER(x.city), x.id, y.id
LIMIT %(limit)s OFFSET %(offset)s
"""

# How many such pairs: n people of one name in one city make n(n-1)/2.
_PERSON_NAME_CITY_COUNT = """
SELECT COALESCE(SUM(n * (n - 1) / 2), 0) FROM (
    SELECT COUNT(*) AS n FROM directory_person
    WHERE trashed_at IS NULL AND city <> ''
    GROUP BY name_key, LOWER(city) HAVING COUNT(*) > 1
) groups
"""

_MARKED_NAME_CITY = """
SELECT n.first_id, n.second_id FROM directory_notduplicate n
JOIN directory_person x ON x.id = n.first_id
JOIN directory_person y ON y.id = n.second_id
WHERE n.kind = 'person' AND x.trashed_at IS NULL AND y.trashed_at IS NULL
    AND x.city <> '' AND x.name_key = y.name_key AND LOWER(x.city) = LOWER(y.city)
"""

_ORGANISATION_CTES = f"""
WITH
live (pid, name_key, siren, postcode, email, phone) AS (
    SELECT id, name_key, SUBSTR(siret, 1, 9), postcode, LOWER(email), phone
    FROM directory_organisation WHERE trashed_at IS NULL
),
sirens (pid, siren, name_key) AS (
    SELECT pid, siren, name_key FROM live WHERE siren IS NOT NULL
),
places (pid, name_key, postcode) AS (
    SELECT pid, name_key, postcode FROM live WHERE postcode <> ''
),
emails (pid, k) AS (SELECT pid, email FROM live WHERE email <> ''),
phones (pid, k) AS (SELECT pid, phone FROM live WHERE phone <> ''),
{_repeated("s1", "siren, name_key", "sirens")},
{_repeated("s2", "name_key, postcode", "places")},
{_repeated("s3", "k", "emails")},
{_repeated("s4", "k", "phones")},
pairs (a, b, rule) AS (
    SELECT x.pid, y.pid, 1 FROM s1 x
    JOIN s1 y ON y.siren = x.siren AND y.name_key = x.name_key AND x.pid < y.pid
    UNION
    SELECT x.pid, y.pid, 2 FROM s2 x
    JOIN s2 y ON y.name_key = x.name_key AND y.postcode = x.postcode AND x.pid < y.pid
    UNION
    SELECT x.pid, y.pid, 3 FROM s3 x JOIN s3 y ON y.k = x.k AND x.pid < y.pid
    UNION
    SELECT x.pid, y.pid, 4 FROM s4 x JOIN s4 y ON y.k = x.k AND x.pid < y.pid
)"""  # noqa: S608

_ORGANISATION_SELECT = f"""
SELECT a, b,
    MAX(CASE WHEN rule = 1 THEN 1 ELSE 0 END),
    MAX(CASE WHEN rule = 2 THEN 1 ELSE 0 END),
    MAX(CASE WHEN rule = 3 THEN 1 ELSE 0 END),
    MAX(CASE WHEN rule = 4 THEN 1 ELSE 0 END)
FROM pairs
WHERE {_NOT_MARKED.format(a="pairs.a", b="pairs.b")}
GROUP BY a, b
"""  # noqa: S608
_ORGANISATION_PAIRS = _ORGANISATION_CTES + _ORGANISATION_SELECT


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


def _fetch(sql, params):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _sorted_pairs(kind: str) -> list[tuple]:
    """The pairs every rule but people's name-and-city finds, as (first,
    second, flags…), best first."""
    rules = PERSON_RULES if kind == "person" else ORGANISATION_RULES
    sql = _PERSON_STRONG if kind == "person" else _ORGANISATION_PAIRS
    rows = _fetch(sql, {"kind": kind, "no": False})
    rows.sort(key=lambda row: (-sum(row[2:]), -row[1], -row[0]))
    return [
        (row[0], row[1], [rule for rule, flag in zip(rules, row[2:], strict=True) if flag])
        for row in rows
    ]


def _name_city_pairs(offset: int, limit: int, strong: set) -> list[tuple]:
    """People's pairs found by name and city, from `offset` in their index
    order; those the other rules found too are listed with them and passed
    over here (a page of this part may then hold a few pairs less)."""
    sql = _PERSON_NAME_CITY.format(not_marked=_NOT_MARKED.format(a="x.id", b="y.id"))
    rows = _fetch(sql, {"kind": "person", "limit": limit, "offset": offset})
    return [(a, b, [SAME_NAME_AND_CITY]) for a, b in rows if (a, b) not in strong]


def _name_city_count(strong_with_name_city: int, strong: set) -> int:
    total = _fetch(_PERSON_NAME_CITY_COUNT, {})[0][0] or 0
    marked = [pair for pair in _fetch(_MARKED_NAME_CITY, {}) if tuple(pair) not in strong]
    return max(0, int(total) - strong_with_name_city - len(marked))


def likely_pairs(kind: str, *, offset: int = 0, limit: int | None = PAIRS_PER_PAGE):
    """(pairs of this page, how many pairs in all), best first: most rules
    matched, then the newest records. `kind`: "person" or "organisation"."""
    from .models import Organisation, Person

    if kind not in ("person", "organisation"):
        raise ValueError(kind)
    offset = max(0, offset)
    sorted_pairs = _sorted_pairs(kind)
    if limit is None:
        limit = 10**9
    page = sorted_pairs[offset : offset + limit]
    total = len(sorted_pairs)
    if kind == "person":
        strong = {(a, b) for a, b, _reasons in sorted_pairs}
        with_name_city = sum(1 for pair in sorted_pairs if SAME_NAME_AND_CITY in pair[2])
        total += _name_city_count(with_name_city, strong)
        if len(page) < limit and offset + len(page) < total:
            page += _name_city_pairs(max(0, offset - len(sorted_pairs)), limit - len(page), strong)
    pairs = [Pair(kind, a, b, reasons) for a, b, reasons in page]
    model = Person if kind == "person" else Organisation
    records = model.objects.in_bulk(
        {pk for pair in pairs for pk in (pair.first_id, pair.second_id)}
    )
    for pair in pairs:
        pair.first, pair.second = records.get(pair.first_id), records.get(pair.second_id)
    return [pair for pair in pairs if pair.first and pair.second], total


def count_pairs(kind: str) -> int:
    return likely_pairs(kind, limit=0)[1]


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


# --- The stored pairs (`DuplicatePair`) -----------------------------------------
#
# The self-joins above take tens of seconds on a million people: the list
# reads the pairs they found, stored by `refresh_pairs` (nightly, after an
# import, on demand: the Celery task `directory.refresh_duplicate_pairs`).
# One statement per kind, INSERT … SELECT, in one transaction with the
# deletion of the previous pairs: the list shows the old pairs until the
# new ones are committed. A page is read in the order of an index, keeping
# only the pairs whose two records are still live and not marked "pas un
# doublon" since; a merge and a "pas un doublon" also delete their rows.

SMALL_DIRECTORY = 20_000  # records: below, a list never computed is computed at once

EXACT_COUNT_UP_TO = 50_000  # stored pairs: above, the total is the computed count
_REFRESH_LOCK = 84_120_013  # PostgreSQL advisory lock: one refresh at a time


def _rules_sql(rules) -> str:
    """The matched rules as a comma-separated string, from flags f1, f2, …"""
    parts = " || ".join(
        f"CASE WHEN f{n} = 1 THEN '{rule},' ELSE '' END" for n, rule in enumerate(rules, 1)
    )
    return f"RTRIM({parts}, ',')"


_INSERT = """
INSERT INTO directory_duplicatepair (kind, low_id, high_id, score, rules, computed_at)
SELECT %(kind)s, a, b, f1 + f2 + f3 + f4, {rules}, %(now)s FROM found
"""

_REFRESH_PERSON = (
    _PERSON_STRONG_CTES  # noqa: S608
    + f""",
strong_pairs (a, b, f1, f2, f3, f4) AS ({_PERSON_STRONG_SELECT}),
name_city (a, b) AS (
    SELECT x.id, y.id FROM directory_person x
    JOIN directory_person y
        ON y.name_key = x.name_key AND LOWER(y.city) = LOWER(x.city) AND y.id > x.id
    WHERE x.trashed_at IS NULL AND y.trashed_at IS NULL AND x.city <> '' AND y.city <> ''
        AND {_NOT_MARKED.format(a="x.id", b="y.id")}
),
found (a, b, f1, f2, f3, f4) AS (
    SELECT a, b, f1, f2, f3, f4 FROM strong_pairs
    UNION ALL
    SELECT n.a, n.b, 0, 0, 0, 1 FROM name_city n
    WHERE NOT EXISTS (SELECT 1 FROM strong_pairs s WHERE s.a = n.a AND s.b = n.b)
)"""  # noqa: S608
    + _INSERT.format(rules=_rules_sql(PERSON_RULES))
)

_REFRESH_ORGANISATION = (
    _ORGANISATION_CTES
    + f""",
found (a, b, f1, f2, f3, f4) AS ({_ORGANISATION_SELECT})"""
    + _INSERT.format(rules=_rules_sql(ORGANISATION_RULES))
)


def refresh_pairs(kinds=("person", "organisation")) -> dict[str, int]:
    """Compute the likely pairs again and store them (`DuplicatePair`), each
    kind in one transaction. Returns {kind: pairs stored}."""
    import time

    from django.db import connection, transaction
    from django.utils import timezone

    from .models import DuplicatePair, DuplicateScan

    counts = {}
    for kind in kinds:
        if kind not in ("person", "organisation"):
            raise ValueError(kind)
        sql = _REFRESH_PERSON if kind == "person" else _REFRESH_ORGANISATION
        started = time.monotonic()
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_REFRESH_LOCK])
            now = timezone.now()
            DuplicatePair.objects.filter(kind=kind).delete()
            cursor.execute(sql, {"kind": kind, "no": False, "now": now})
            counts[kind] = DuplicatePair.objects.filter(kind=kind).count()
            DuplicateScan.objects.update_or_create(
                kind=kind,
                defaults={
                    "computed_at": now,
                    "pairs": counts[kind],
                    "seconds": round(time.monotonic() - started, 3),
                },
            )
    return counts


def forget_pairs(kind: str, *record_ids: int, pair: tuple[int, int] | None = None) -> None:
    """Delete stored pairs at once: every pair of these records (merged into
    another), or one pair (marked "pas un doublon")."""
    from .models import DuplicatePair, DuplicateScan

    stored = DuplicatePair.objects.filter(kind=kind)
    deleted = 0
    if pair:
        low, high = sorted(pair)
        deleted += stored.filter(low_id=low, high_id=high).delete()[0]
    if record_ids:
        deleted += stored.filter(Q(low_id__in=record_ids) | Q(high_id__in=record_ids)).delete()[0]
    if deleted:
        DuplicateScan.objects.filter(kind=kind).update(pairs=F("pairs") - deleted)


_STORED = """
FROM directory_duplicatepair d
JOIN {table} x ON x.id = d.low_id
JOIN {table} y ON y.id = d.high_id
WHERE d.kind = %(kind)s AND x.trashed_at IS NULL AND y.trashed_at IS NULL
    AND {not_marked}
"""


def stored_pairs(kind: str, *, offset: int = 0, limit: int = PAIRS_PER_PAGE):
    """(pairs of this page, how many pairs in all, `DuplicateScan` or None
    when never computed), read from the stored pairs, best first."""
    from .models import DuplicateScan, Organisation, Person

    if kind not in ("person", "organisation"):
        raise ValueError(kind)
    scan = DuplicateScan.objects.filter(kind=kind).first()
    if scan is None:
        return [], 0, None
    model = Person if kind == "person" else Organisation
    where = _STORED.format(
        table=model._meta.db_table, not_marked=_NOT_MARKED.format(a="d.low_id", b="d.high_id")
    )
    params = {"kind": kind, "limit": max(0, limit), "offset": max(0, offset)}
    rows = _fetch(
        f"SELECT d.low_id, d.high_id, d.rules {where}"  # noqa: S608
        " ORDER BY d.score DESC, d.high_id DESC, d.low_id DESC LIMIT %(limit)s OFFSET %(offset)s",
        params,
    )
    if scan.pairs <= EXACT_COUNT_UP_TO:
        total = _fetch(f"SELECT COUNT(*) {where}", params)[0][0]  # noqa: S608
    else:  # counting a million joined rows takes seconds: the stored count
        total = scan.pairs
    pairs = [
        Pair(kind, low, high, [rule for rule in rules.split(",") if rule in PAIR_REASON_LABELS])
        for low, high, rules in rows
    ]
    records = model.objects.in_bulk(
        {pk for pair in pairs for pk in (pair.first_id, pair.second_id)}
    )
    for pair in pairs:
        pair.first, pair.second = records.get(pair.first_id), records.get(pair.second_id)
    return [pair for pair in pairs if pair.first and pair.second], total, scan
