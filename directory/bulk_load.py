"""Fast loading of a generated French directory (demo data and scale tests).

`load_directory(persons=1_000_000)` writes organisations, people, positions
and interest-centre links straight into the tables: PostgreSQL's COPY
(psycopg) or, on SQLite, executemany. Derived columns (folded names,
department, region, search text) are computed here exactly as the models
compute them; `tests/directory/test_bulk_load.py` checks that a refresh
through the models changes nothing.
"""

import datetime
import random
import time
import unicodedata
from dataclasses import dataclass, field

from django.db import connection, models, transaction
from django.utils import timezone

from . import demo_data
from .geography import department_for_postcode, region_for_department
from .models import Function, InterestCentre, Organisation, OrganisationKind, Person, Position
from .search import phone_digits
from .text import fold

ORGANISATIONS_PER_PERSON = 0.1
# Number of positions a person holds, and how often: 1.2 on average.
POSITION_COUNTS = [0] * 10 + [1] * 65 + [2] * 20 + [3] * 5
ENDED_SHARE = 0.15
BATCH = 20_000


def ascii_slug(value: str, sep: str = "-") -> str:
    decomposed = unicodedata.normalize("NFKD", fold(value))
    text = "".join(c if c.isalnum() and c.isascii() else " " for c in decomposed)
    return sep.join(text.split())


@dataclass
class Table:
    """Column order of a model's table and a row template with its defaults."""

    model: type
    columns: list[str] = field(init=False)
    index: dict[str, int] = field(init=False)
    template: list = field(init=False)

    def __post_init__(self):
        fields = self.model._meta.concrete_fields
        self.columns = [f.column for f in fields]
        self.index = {f.attname: i for i, f in enumerate(fields)}
        self.template = [self._default(f) for f in fields]

    @staticmethod
    def _default(f):
        if f.has_default():
            return f.get_default()
        if f.null:
            return None
        if isinstance(f, models.BooleanField):
            return False
        return ""

    def row(self, **values) -> list:
        row = self.template.copy()
        index = self.index
        for name, value in values.items():
            row[index[name]] = value
        return row


def _copy_text(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value)


def write_rows(table_name: str, columns: list[str], rows: list[list]) -> None:
    """Append rows to a table: COPY on PostgreSQL, executemany elsewhere."""
    if not rows:
        return
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            data = "\n".join(
                "\t".join(
                    [v if v.__class__ is str else _copy_text(v) for v in row]
                )
                for row in rows
            )
            raw = cursor.cursor if hasattr(cursor, "cursor") else cursor
            with raw.copy(f"COPY {table_name} ({quoted}) FROM STDIN") as copy:
                copy.write(data + "\n")
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            cursor.executemany(
                f"INSERT INTO {table_name} ({quoted}) VALUES ({placeholders})", rows
            )


def _next_id(model) -> int:
    return (model.objects.aggregate(m=models.Max("pk"))["m"] or 0) + 1


def _fix_sequences() -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in (Organisation, Person, Position, Organisation.interest_centres.through):
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table}), 1))"
            )


def ensure_lists() -> tuple[list, list, list]:
    kinds = [
        OrganisationKind.objects.get_or_create(
            name_key=OrganisationKind.key_for(name), defaults={"name": name}
        )[0]
        for name in demo_data.KINDS
    ]
    functions = [
        Function.objects.get_or_create(name_key=Function.key_for(name), defaults={"name": name})[0]
        for name in demo_data.FUNCTIONS
    ]
    centres = list(InterestCentre.objects.all())
    return kinds, functions, centres


def _french_phone(rng: random.Random, first_digit: str) -> str:
    return f"+33{first_digit}{rng.randrange(10**8):08d}"


@dataclass
class OrgInfo:
    id: int
    name: str
    folded: str
    domain: str


def generate(persons: int, organisations: int | None = None, seed: int = 2026):
    """Yield (table, columns, rows) batches of a random but realistic directory."""
    rng = random.Random(seed)
    kinds, functions, centres = ensure_lists()
    organisations = organisations or max(1, round(persons * ORGANISATIONS_PER_PERSON))
    now = timezone.now()
    today = timezone.localdate()

    cities = []
    for city, postcode in demo_data.CITIES:
        department = department_for_postcode(postcode) or ""
        cities.append((city, postcode, department, region_for_department(department) or "", fold(city)))
    folded_functions = [(f.pk, fold(f.name)) for f in functions]
    folded_first = [(n, fold(n), ascii_slug(n, ".")) for n in demo_data.FIRST_NAMES]
    folded_last = [(n, fold(n), ascii_slug(n, "")) for n in demo_data.LAST_NAMES]

    # Organisations and their interest centres.
    org_table = Table(Organisation)
    link_model = Organisation.interest_centres.through
    link_table = Table(link_model)
    org_start = _next_id(Organisation)
    link_id = _next_id(link_model)
    orgs: list[OrgInfo] = []
    rows, links = [], []
    for number in range(organisations):
        org_id = org_start + number
        kind = rng.choice(kinds)
        city, postcode, department, region, city_folded = rng.choice(cities)
        pattern = rng.choice(demo_data.NAME_PATTERNS[kind.name])
        name = pattern.format(city=city, word=rng.choice(demo_data.WORDS))
        if number >= 50:  # keep names distinct in large directories
            name = f"{name} {number}"
        folded = fold(name)
        domain = f"{ascii_slug(name)[:40]}.fr"
        email = f"contact@{domain}"
        phone = _french_phone(rng, rng.choice("12345"))
        orgs.append(OrgInfo(org_id, name, folded, domain))
        search_text = " | ".join([folded, f"{email} {postcode} {city_folded}", phone_digits(phone)])
        rows.append(
            org_table.row(
                id=org_id,
                name=name,
                name_key=folded,
                kind_id=kind.pk,
                email=email,
                phone=phone,
                website=f"https://www.{domain}",
                address_line1=f"{rng.randrange(1, 120)} {rng.choice(demo_data.STREETS)}",
                postcode=postcode,
                city=city,
                country="FR",
                department=department,
                region=region,
                is_active=rng.random() > 0.03,
                created_at=now,
                updated_at=now,
                search_text=search_text,
                siret=None,
            )
        )
        for centre in rng.sample(centres, k=min(len(centres), rng.choice((1, 1, 2, 3)))):
            links.append(link_table.row(id=link_id, organisation_id=org_id, interestcentre_id=centre.pk))
            link_id += 1
        if len(rows) >= BATCH:
            yield org_table, rows
            yield link_table, links
            rows, links = [], []
    yield org_table, rows
    yield link_table, links

    # People and their positions.
    person_table = Table(Person)
    position_table = Table(Position)
    person_id = _next_id(Person)
    position_id = _next_id(Position)
    people, positions = [], []
    for _number in range(persons):
        first, first_folded, first_slug = rng.choice(folded_first)
        last, last_folded, last_slug = rng.choice(folded_last)
        city, postcode, department, region, city_folded = rng.choice(cities)
        email = f"{first_slug}.{last_slug}{rng.randrange(1000)}@courriel.fr" if rng.random() < 0.5 else ""
        mobile = _french_phone(rng, rng.choice("67")) if rng.random() < 0.6 else ""
        parts = [
            f"{first_folded} {last_folded}",
            " ".join(filter(None, (email, postcode, city_folded))),
            phone_digits(mobile),
        ]
        count = rng.choice(POSITION_COUNTS)
        primary_done = False
        for org in rng.sample(orgs, k=min(count, len(orgs))):
            function_id, function_folded = rng.choice(folded_functions)
            ended = rng.random() < ENDED_SHARE
            start = today - datetime.timedelta(days=rng.randrange(60, 5000))
            end = today - datetime.timedelta(days=rng.randrange(1, 50)) if ended else None
            p_email = f"{first_slug}.{last_slug}@{org.domain}"
            p_phone = _french_phone(rng, rng.choice("12345")) if rng.random() < 0.7 else ""
            is_primary = not ended and not primary_done
            primary_done = primary_done or is_primary
            positions.append(
                position_table.row(
                    id=position_id,
                    person_id=person_id,
                    organisation_id=org.id,
                    function_id=function_id,
                    email=p_email,
                    phone=p_phone,
                    is_primary=is_primary,
                    start_date=start,
                    end_date=end,
                    created_at=now,
                    updated_at=now,
                    country="FR",
                )
            )
            position_id += 1
            parts.append(f"{org.folded} {function_folded} {p_email}")
            parts.append(phone_digits(p_phone))
        people.append(
            person_table.row(
                id=person_id,
                civility="",
                first_name=first,
                last_name=last,
                email=email,
                mobile=mobile,
                postcode=postcode,
                city=city,
                country="FR",
                department=department,
                region=region,
                language="fr" if rng.random() < 0.92 else rng.choice(("en", "de", "es", "it")),
                email_consent=rng.choice(("", "", "consented", "refused")),
                do_not_contact=rng.random() < 0.01,
                created_at=now,
                updated_at=now,
                name_key=f"{last_folded} {first_folded}",
                search_text=" | ".join(filter(None, parts)),
            )
        )
        person_id += 1
        if len(people) >= BATCH:
            yield person_table, people
            yield position_table, positions
            people, positions = [], []
    yield person_table, people
    yield position_table, positions


def load_directory(persons: int, organisations: int | None = None, seed: int = 2026, log=None) -> dict:
    """Generate and write a directory; return counts and timings."""
    started = time.perf_counter()
    counts: dict[str, int] = {}
    with transaction.atomic():
        for table, rows in generate(persons, organisations, seed):
            write_rows(table.model._meta.db_table, table.columns, rows)
            key = table.model._meta.model_name
            counts[key] = counts.get(key, 0) + len(rows)
            if log and key == "person":
                log(f"  {counts[key]:,} people")
        _fix_sequences()
    elapsed = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Organisation, Person, Position):
                cursor.execute(f"ANALYZE {model._meta.db_table}")
    counts["seconds"] = round(elapsed, 2)
    counts["people_per_second"] = round(counts.get("person", 0) / elapsed) if elapsed else 0
    counts["total_seconds"] = round(time.perf_counter() - started, 2)
    return counts

