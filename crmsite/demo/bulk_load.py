"""Fast loading of a generated French directory (demo data and scale tests).

`load_directory(persons=1_000_000)` writes organisations, people, positions
and interest-centre links straight into the tables: PostgreSQL's COPY
(psycopg) or, on SQLite, executemany. Derived columns (folded names,
department, region, search text) are computed here exactly as the models
compute them; `tests/directory/test_bulk_load.py` checks that a refresh
through the models changes nothing.
"""

import datetime
import gc
import itertools
import queue
import random
import threading
import time
import unicodedata
from dataclasses import dataclass, field
from operator import itemgetter

from django.db import connection, models, transaction
from django.utils import timezone

from directory.geography import department_for_postcode, region_for_department
from directory.models import (
    Function,
    InterestCentre,
    Organisation,
    OrganisationKind,
    Person,
    Position,
)
from directory.search import without_punctuation as bare
from directory.text import fold

from . import words as demo_data

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
    """Column order of a model's table and a row template with its defaults.

    With `text`, the template holds COPY text (see `_copy_text`) and rows are
    expected to be made of COPY text too.
    """

    model: type
    text: bool = False
    columns: list[str] = field(init=False)
    index: dict[str, int] = field(init=False)
    template: list = field(init=False)

    def __post_init__(self):
        fields = self.model._meta.concrete_fields
        self.columns = [f.column for f in fields]
        self.index = {f.attname: i for i, f in enumerate(fields)}
        self.template = [self._default(f) for f in fields]
        if self.text:
            self.template = [_copy_text(v) for v in self.template]

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

    def maker(self, *names: str):
        """`(getter, template)`: `getter(values + template)` is a row (a tuple).

        `values` is a tuple of the values of `names`, in that order; the other
        columns take the template's. Much faster than `row()` for millions of rows.
        """
        count = len(names)
        where = {self.index[name]: i for i, name in enumerate(names)}
        order = [where.get(i, count + i) for i in range(len(self.template))]
        return itemgetter(*order), tuple(self.template)


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


def copy_data(rows: list, text: bool = False) -> str:
    """The input of COPY FROM STDIN for these rows.

    `text` says their values already are COPY text (`Table(..., text=True)`).
    """
    if not text:
        rows = ([v if v.__class__ is str else _copy_text(v) for v in row] for row in rows)
    return "\n".join(map("\t".join, rows)) + "\n"


def write_rows(table_name: str, columns: list[str], rows: list | str, text: bool = False) -> None:
    """Append rows to a table: COPY on PostgreSQL, executemany elsewhere.

    On PostgreSQL, `rows` may also be their COPY input already (`copy_data()`).
    """
    if not rows:
        return
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            data = rows if isinstance(rows, str) else copy_data(rows, text)
            raw = cursor.cursor if hasattr(cursor, "cursor") else cursor
            with raw.copy(f"COPY {table_name} ({quoted}) FROM STDIN") as copy:
                copy.write(data)
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            cursor.executemany(
                f"INSERT INTO {table_name} ({quoted}) VALUES ({placeholders})",  # noqa: S608
                rows,
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
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
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


def _same(value):
    return value


# Two-digit starts of valid French numbers (phonenumbers refuses, for
# example, 04 0x, 05 9x and 07 0x-07 2x): the generated directory must pass
# the application's own validation when a record is saved unchanged.
LANDLINE_PREFIXES = [f"{a}{b}" for a in "12345" for b in "0123456789"]
LANDLINE_PREFIXES = [p for p in LANDLINE_PREFIXES if p not in ("26", "40", "59")]
MOBILE_PREFIXES = [f"6{b}" for b in "01245678"] + [f"7{b}" for b in "3456789"]


def _french_phone(rng: random.Random, prefixes: list[str]) -> tuple[str, str]:
    """A random valid French number and its search digits (as `search.phone_digits` gives)."""
    national = f"{prefixes[int(rng.random() * len(prefixes))]}{int(rng.random() * 1e7):07d}"
    return f"+33{national}", f"33{national} 0{national}"


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


def generate(persons: int, organisations: int | None, seed: int, plan: Plan, text: bool = False):
    """Yield (table, rows) batches of a random but realistic directory (no database access).

    With `text`, every value is already COPY text (PostgreSQL); otherwise rows
    hold Python values. Both give the same data.
    """
    rng = random.Random(seed)
    kinds, functions, centres = plan.kinds, plan.functions, plan.centres
    organisations = organisations or max(1, round(persons * ORGANISATIONS_PER_PERSON))
    now = timezone.now()
    today = timezone.localdate()
    conv = _copy_text if text else _same
    num = str if text else _same
    true, false, null, now_v = conv(True), conv(False), conv(None), conv(now)

    cities = []
    for city, postcode in demo_data.CITIES:
        department = department_for_postcode(postcode) or ""
        region = region_for_department(department) or ""
        cities.append((city, postcode, department, region, bare(fold(city))))
    # The search text leaves punctuation out (`search.without_punctuation`):
    # the parts below are stripped of it once, here, as `bare(...)`.
    folded_functions = [(num(f.pk), bare(fold(f.name))) for f in functions]
    folded_first = [(n, fold(n), ascii_slug(n, ".")) for n in demo_data.FIRST_NAMES]
    folded_last = [(n, fold(n), ascii_slug(n, "")) for n in demo_data.LAST_NAMES]

    # Organisations and their interest centres.
    org_table = Table(Organisation, text)
    org_row, org_template = org_table.maker(
        "id", "name", "name_key", "kind_id", "email", "phone", "website", "address_line1",
        "postcode", "city", "country", "department", "region", "is_active", "created_at",
        "updated_at", "search_text", "siret",
    )  # fmt: skip
    link_model = Organisation.interest_centres.through
    link_table = Table(link_model, text)
    link_row, link_template = link_table.maker("id", "organisation_id", "interestcentre_id")
    org_start = plan.organisation_id
    link_id = plan.link_id
    # (id, bare folded name, domain, bare domain) of each organisation, by id - org_start.
    orgs: list[tuple] = []
    # fold() and ascii_slug() of the names before their number, computed once.
    bases: dict[str, tuple[str, str, str]] = {}
    rows, links = [], []
    for number in range(organisations):
        org_id = num(org_start + number)
        kind = rng.choice(kinds)
        city, postcode, department, region, city_folded = rng.choice(cities)
        pattern = rng.choice(demo_data.NAME_PATTERNS[kind.name])
        name = pattern.format(
            city=city, de_city=demo_data.de_city(city), word=rng.choice(demo_data.WORDS)
        )
        if (base := bases.get(name)) is None:
            folded = fold(name)
            base = bases[name] = (folded, bare(folded), ascii_slug(name))
        folded, bare_folded, slug = base
        if number >= 50:  # keep names distinct in large directories
            # The number is ASCII digits: fold() and ascii_slug() just append it.
            name = f"{name} {number}"
            folded = f"{folded} {number}" if folded else str(number)
            bare_folded = f"{bare_folded} {number}" if bare_folded else str(number)
            slug = f"{slug}-{number}" if slug else str(number)
        domain = f"{slug[:40]}.fr"
        email = f"contact@{domain}"
        phone, digits = _french_phone(rng, LANDLINE_PREFIXES)
        bare_domain = bare(domain)
        orgs.append((org_id, bare_folded, domain, bare_domain))
        search_text = " | ".join(
            [bare_folded, f"contact{bare_domain} {postcode} {city_folded}", digits]
        )
        street = f"{rng.randrange(1, 120)} {rng.choice(demo_data.STREETS)}"
        rows.append(
            org_row(
                (
                    org_id, name, folded, num(kind.pk), email, phone, f"https://www.{domain}",
                    street, postcode, city, "FR", department, region,
                    true if rng.random() > 0.03 else false, now_v, now_v, search_text, null,
                )
                + org_template
            )
        )  # fmt: skip
        for centre in rng.sample(centres, k=min(len(centres), rng.choice((1, 1, 2, 3)))):
            links.append(link_row((num(link_id), org_id, num(centre.pk)) + link_template))
            link_id += 1
        if len(rows) >= BATCH:
            yield org_table, rows
            yield link_table, links
            rows, links = [], []
    yield org_table, rows
    yield link_table, links

    # People and their positions: the hot loop, hence the local names.
    person_table = Table(Person, text)
    person_row, person_template = person_table.maker(
        "id", "civility", "first_name", "last_name", "email", "mobile", "postcode", "city",
        "country", "department", "region", "language", "email_consent", "do_not_contact",
        "created_at", "updated_at", "name_key", "search_text",
    )  # fmt: skip
    position_table = Table(Position, text)
    position_row, position_template = position_table.maker(
        "id", "person_id", "organisation_id", "function_id", "email", "phone", "is_primary",
        "start_date", "end_date", "created_at", "updated_at", "country",
    )  # fmt: skip
    people, positions = [], []
    rnd = rng.random
    bits = rng.getrandbits
    n_first, n_last, n_cities = len(folded_first), len(folded_last), len(cities)
    # Everything a first and last name give, by first * n_last + last.
    names = [
        (first, last, bare(f"{first_folded} {last_folded}"), f"{last_folded} {first_folded}",
         f"{first_slug}.{last_slug}", bare(f"{first_slug}.{last_slug}"))
        for first, first_folded, first_slug in folded_first
        for last, last_folded, last_slug in folded_last
    ]  # fmt: skip
    places = [
        (city, postcode, department, region, f"{postcode} {city_folded}")
        for city, postcode, department, region, city_folded in cities
    ]
    new_position_id = map(num, itertools.count(plan.position_id)).__next__
    n_orgs, n_functions, n_counts = len(orgs), len(folded_functions), len(POSITION_COUNTS)
    n_landline, n_mobile = len(LANDLINE_PREFIXES), len(MOBILE_PREFIXES)
    start_dates = [conv(today - datetime.timedelta(days=d)) for d in range(60, 5000, 7)]
    end_dates = [conv(today - datetime.timedelta(days=d)) for d in range(1, 50)]
    n_starts, n_ends = len(start_dates), len(end_dates)
    languages = ("en", "de", "es", "it")
    consents = ("", "", "consented", "refused")
    for person_v in map(num, range(plan.person_id, plan.person_id + persons)):
        name = int(rnd() * n_first) * n_last
        first, last, head, name_key, slug, bare_slug = names[name + int(rnd() * n_last)]
        city, postcode, department, region, place = places[int(rnd() * n_cities)]
        number = int(rnd() * 1000) if rnd() < 0.5 else None
        email = "" if number is None else f"{slug}{number}@courriel.fr"
        if rnd() < 0.6:  # as _french_phone(rng, MOBILE_PREFIXES)
            national = f"{MOBILE_PREFIXES[int(rnd() * n_mobile)]}{int(rnd() * 1e7):07d}"
            mobile, mobile_digits = f"+33{national}", f"33{national} 0{national}"
        else:
            mobile = mobile_digits = ""
        if email:
            place = f"{bare_slug}{number}courrielfr {place}"
        parts = [head, place, mobile_digits] if mobile_digits else [head, place]
        count = POSITION_COUNTS[int(rnd() * n_counts)]
        if count:
            primary_done = False
            chosen = {int(rnd() * n_orgs): None for _ in range(count)}
            for org_index in chosen:
                org_id, org_folded, org_domain, org_bare_domain = orgs[org_index]
                function_id, function_folded = folded_functions[int(rnd() * n_functions)]
                ended = rnd() < ENDED_SHARE
                start = start_dates[int(rnd() * n_starts)]
                end = end_dates[int(rnd() * n_ends)] if ended else null
                p_email = f"{slug}@{org_domain}"
                if rnd() < 0.7:  # as _french_phone(rng, LANDLINE_PREFIXES)
                    national = f"{LANDLINE_PREFIXES[int(rnd() * n_landline)]}{int(rnd() * 1e7):07d}"
                    p_phone = f"+33{national}"
                    p_digits = f"33{national} 0{national}"
                else:
                    p_phone = p_digits = ""
                is_primary = not ended and not primary_done
                primary_done = primary_done or is_primary
                positions.append(
                    position_row(
                        (
                            new_position_id(), person_v, org_id, function_id, p_email, p_phone,
                            true if is_primary else false, start, end, now_v, now_v, "FR",
                        )
                        + position_template
                    )
                )  # fmt: skip
                parts.append(f"{org_folded} {function_folded} {bare_slug}{org_bare_domain}")
                if p_digits:
                    parts.append(p_digits)
        # Same draws as rng.choice(languages) and rng.choice(consents): 4 items, 3 bits.
        if rnd() < 0.92:
            language = "fr"
        else:
            pick = bits(3)
            while pick >= 4:
                pick = bits(3)
            language = languages[pick]
        pick = bits(3)
        while pick >= 4:
            pick = bits(3)
        people.append(
            person_row(
                (
                    person_v, "", first, last, email, mobile, postcode, city, "FR", department,
                    region, language, consents[pick], true if rnd() < 0.01 else false,
                    now_v, now_v, name_key, " | ".join(parts),
                )
                + person_template
            )
        )  # fmt: skip
        if len(people) >= BATCH:
            yield person_table, people
            yield position_table, positions
            people, positions = [], []
    yield person_table, people
    yield position_table, positions


def _loaded_tables() -> list[str]:
    return [
        model._meta.db_table
        for model in (Organisation, Organisation.interest_centres.through, Person, Position)
    ]


def _drop_constraints_and_indexes() -> list[str] | None:
    """On PostgreSQL, drop what slows COPY down and return the SQL that recreates it.

    Checking foreign keys row by row and updating secondary indexes (above all
    the trigram ones) row by row cost far more than validating each foreign
    key in one query and building each index in one sort ("Populating a
    Database" in PostgreSQL's documentation). Dropped: the foreign keys *of*
    the loaded tables and their indexes that back no constraint (primary keys
    and unique constraints stay). The definitions are read from the catalogue,
    so they come back exactly as the migrations made them, and everything
    happens in the loader's transaction: other sessions never see the tables
    without them.
    """
    if connection.vendor != "postgresql":
        return None
    tables = _loaded_tables()
    with connection.cursor() as cursor:
        # Run any foreign-key check still queued now: ALTER TABLE refuses
        # tables with pending trigger events.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            """
            SELECT con.conrelid::regclass::text, quote_ident(con.conname),
                   pg_get_constraintdef(con.oid)
            FROM pg_constraint con
            WHERE con.contype = 'f' AND con.conrelid = ANY(%s::regclass[])
            ORDER BY con.conrelid::regclass::text, con.conname
            """,
            [tables],
        )
        foreign_keys = cursor.fetchall()
        cursor.execute(
            """
            SELECT ind.indexrelid::regclass::text, pg_get_indexdef(ind.indexrelid)
            FROM pg_index ind
            WHERE ind.indrelid = ANY(%s::regclass[])
              AND NOT ind.indisunique AND NOT ind.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = ind.indexrelid)
            ORDER BY ind.indrelid::regclass::text, ind.indexrelid::regclass::text
            """,
            [tables],
        )
        indexes = cursor.fetchall()
        for table, name, _definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
    # Indexes first: no foreign key of these tables needs them to be validated.
    return [definition for _name, definition in indexes] + [
        f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}"
        for table, name, definition in foreign_keys
    ]


def _recreate(statements: list[str]) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        for statement in statements:
            cursor.execute(statement)


def _produce(batches, out: queue.Queue, text: bool) -> None:
    """Hand (table, row count, rows or their COPY input) over to the writer."""
    try:
        for table, rows in batches:
            out.put((table, len(rows), copy_data(rows, True) if text and rows else rows))
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
        text = connection.vendor == "postgresql"
        # Rebuilding indexes and foreign keys pays when the load outgrows what is there.
        rebuild = (
            _drop_constraints_and_indexes()
            if persons >= REBUILD_INDEXES_FROM and persons > Person.objects.count()
            else None
        )
        if text:
            with connection.cursor() as cursor:
                # Nothing to wait for until the data is all there.
                cursor.execute("SET LOCAL synchronous_commit = off")
        batches: queue.Queue = queue.Queue(maxsize=4)
        producer = threading.Thread(
            target=_produce,
            args=(generate(persons, organisations, seed, plan, text), batches, text),
            daemon=True,
        )
        # Millions of short-lived tuples, and no reference cycles: the cyclic
        # garbage collector would only keep scanning the growing heap.
        collecting = gc.isenabled()
        gc.disable()
        try:
            producer.start()
            while (item := batches.get()) is not None:
                if isinstance(item, BaseException):
                    raise item
                table, count, rows = item
                if count:
                    write_rows(table.model._meta.db_table, table.columns, rows)
                key = table.model._meta.model_name
                counts[key] = counts.get(key, 0) + count
                if log and count and key == "person" and counts[key] % 200_000 < BATCH:
                    log(f"  {counts[key]:,} people")
            producer.join()
        finally:
            if collecting:
                gc.enable()
        loaded = time.perf_counter()
        _fix_sequences()
        if rebuild:
            _recreate(rebuild)
    indexed = time.perf_counter()
    if connection.vendor == "postgresql":
        # Every loaded table: a planner without statistics on the
        # interest-centre links plans a parallel scan for 25 organisations.
        # VACUUM also marks the new pages all-visible, so that index-only
        # scans (a listing's deep pages read keys from the name index) need
        # not visit the table: page 20,000 of people went from ~550 to
        # ~125 ms. It cannot run inside a transaction (a test's), where
        # ANALYZE alone is done.
        statement = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        with connection.cursor() as cursor:
            for table in _loaded_tables():
                cursor.execute(f"{statement} {table}")
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
