"""Fast loading of a generated French directory (demo data and scale tests).

`load_directory(persons=1_000_000)` writes organisations, people, positions
and interest-centre links straight into the tables: PostgreSQL's COPY
(psycopg) or, on SQLite, executemany. Derived columns (folded names,
department, region, search text) are computed here exactly as the models
compute them; `tests/directory/test_bulk_load.py` checks that a refresh
through the models changes nothing.
"""

import datetime
import queue
import threading
import random
import time
import unicodedata
from dataclasses import dataclass, field

from django.db import connection, models, transaction
from django.utils import timezone

from . import demo_data
from .geography import department_for_postcode, region_for_department
from .models import Function, InterestCentre, Organisation, OrganisationKind, Person, Position
from .text import fold

ORGANISATIONS_PER_PERSON = 0.1
# Number of positions a person holds, and how often: 1.2 on average.
POSITION_COUNTS = [0] * 10 + [1] * 65 + [2] * 20 + [3] * 5
ENDED_SHARE = 0.15
BATCH = 20_000
REBUILD_INDEXES_FROM = 50_000


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


def _french_phone(rng: random.Random, first_digits: str) -> tuple[str, str]:
    """A random French number and its search digits (as `search.phone_digits` gives)."""
    national = f"{first_digits[int(rng.random() * len(first_digits))]}{int(rng.random() * 1e8):08d}"
    return f"+33{national}", f"33{national} 0{national}"


@dataclass
class OrgInfo:
    id: int
    name: str
    folded: str
    domain: str


@dataclass
class Plan:
    """What generation needs from the database, read before it starts."""

    kinds: list
    functions: list
    centres: list
    organisation_id: int
    link_id: int
    person_id: int
    position_id: int

    @classmethod
    def read(cls) -> "Plan":
        kinds, functions, centres = ensure_lists()
        return cls(
            kinds,
            functions,
            centres,
            _next_id(Organisation),
            _next_id(Organisation.interest_centres.through),
            _next_id(Person),
            _next_id(Position),
        )


def generate(persons: int, organisations: int | None, seed: int, plan: Plan):
    """Yield (table, rows) batches of a random but realistic directory (no database access)."""
    rng = random.Random(seed)
    kinds, functions, centres = plan.kinds, plan.functions, plan.centres
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
    org_start = plan.organisation_id
    link_id = plan.link_id
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
        phone, digits = _french_phone(rng, "12345")
        orgs.append(OrgInfo(org_id, name, folded, domain))
        search_text = " | ".join([folded, f"{email} {postcode} {city_folded}", digits])
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
    person_id = plan.person_id
    position_id = plan.position_id
    people, positions = [], []
    rnd = rng.random
    n_first, n_last, n_cities = len(folded_first), len(folded_last), len(cities)
    n_orgs, n_functions, n_counts = len(orgs), len(folded_functions), len(POSITION_COUNTS)
    start_dates = [today - datetime.timedelta(days=d) for d in range(60, 5000, 7)]
    end_dates = [today - datetime.timedelta(days=d) for d in range(1, 50)]
    for _number in range(persons):
        first, first_folded, first_slug = folded_first[int(rnd() * n_first)]
        last, last_folded, last_slug = folded_last[int(rnd() * n_last)]
        city, postcode, department, region, city_folded = cities[int(rnd() * n_cities)]
        email = f"{first_slug}.{last_slug}{int(rnd() * 1000)}@courriel.fr" if rnd() < 0.5 else ""
        mobile, mobile_digits = _french_phone(rng, "67") if rnd() < 0.6 else ("", "")
        parts = [
            f"{first_folded} {last_folded}",
            f"{email} {postcode} {city_folded}" if email else f"{postcode} {city_folded}",
            mobile_digits,
        ]
        count = POSITION_COUNTS[int(rnd() * n_counts)]
        primary_done = False
        chosen = {orgs[int(rnd() * n_orgs)].id: None for _ in range(count)} if count else {}
        for org_id in chosen:
            org = orgs[org_id - org_start]
            function_id, function_folded = folded_functions[int(rnd() * n_functions)]
            ended = rnd() < ENDED_SHARE
            start = start_dates[int(rnd() * len(start_dates))]
            end = end_dates[int(rnd() * len(end_dates))] if ended else None
            p_email = f"{first_slug}.{last_slug}@{org.domain}"
            p_phone, p_digits = _french_phone(rng, "12345") if rnd() < 0.7 else ("", "")
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
            parts.append(p_digits)
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


SEARCH_INDEXES = {
    "directory_organisation": "directory_organisation_search_trgm",
    "directory_person": "directory_person_search_trgm",
}


def _drop_search_indexes() -> bool:
    """On PostgreSQL, building the trigram indexes once is faster than updating them per row."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        # Django's foreign keys are deferred: check them row by row instead of
        # queueing a million checks for the commit.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for index in SEARCH_INDEXES.values():
            cursor.execute(f"DROP INDEX IF EXISTS {index}")
    return True


def _create_search_indexes() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        for table, index in SEARCH_INDEXES.items():
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {index} ON {table} USING gin (search_text gin_trgm_ops)"
            )


def _produce(batches, out: queue.Queue) -> None:
    try:
        for batch in batches:
            out.put(batch)
    except BaseException as error:  # handed to the writer, which raises it
        out.put(error)
    out.put(None)


def load_directory(
    persons: int, organisations: int | None = None, seed: int = 2026, log=None
) -> dict:
    """Generate and write a directory in one transaction; return counts and timings.

    Generation runs in a thread while the main thread writes the previous
    batch, so Python and the database work at the same time.
    """
    started = time.perf_counter()
    counts: dict[str, int] = {}
    with transaction.atomic():
        plan = Plan.read()
        # Rebuilding the trigram indexes pays when the load outgrows what is there.
        rebuild = (
            persons >= REBUILD_INDEXES_FROM
            and persons > Person.objects.count()
            and _drop_search_indexes()
        )
        batches: queue.Queue = queue.Queue(maxsize=4)
        producer = threading.Thread(
            target=_produce,
            args=(generate(persons, organisations, seed, plan), batches),
            daemon=True,
        )
        producer.start()
        while (item := batches.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            table, rows = item
            write_rows(table.model._meta.db_table, table.columns, rows)
            key = table.model._meta.model_name
            counts[key] = counts.get(key, 0) + len(rows)
            if log and key == "person" and counts[key] % 200_000 < BATCH:
                log(f"  {counts[key]:,} people")
        producer.join()
        loaded = time.perf_counter()
        _fix_sequences()
        if rebuild:
            _create_search_indexes()
    indexed = time.perf_counter()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Organisation, Person, Position):
                cursor.execute(f"ANALYZE {model._meta.db_table}")
    finished = time.perf_counter()
    people = counts.get("person", 0)
    counts.update(
        load_seconds=round(loaded - started, 2),
        index_seconds=round(indexed - loaded, 2),
        analyze_seconds=round(finished - indexed, 2),
        seconds=round(finished - started, 2),
        load_people_per_second=round(people / (loaded - started)) if people else 0,
        people_per_second=round(people / (finished - started)) if people else 0,
    )
    return counts
