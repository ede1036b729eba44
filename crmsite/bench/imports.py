"""Benchmark of the spreadsheet import and export (`python manage.py bench imports --json`).

On a generated sheet of `--rows` (default 100,000) people, each with their
organisation (one for ten people) and function, written as CSV (French
Excel: UTF-8 with BOM, ";") and XLSX, every figure beside its baselines
measured in the same run on the same rows:

* full import (read, validate, match, write) in rows per second, CSV and
  XLSX; baselines: a raw PostgreSQL COPY of the same rows into a table of
  text columns, and django-import-export with `use_bulk` (inserts only, on a
  slice of the rows: it is slow);
* the preview (read, validate, match, compare; nothing written) on the same
  file, beside the import's own time;
* the merge of the search indexes' pending lists after the import's commit
  (`directory.imports.search_index`), timed on its own: it is not part of
  the import's transaction;
* re-import of the same file, all unchanged, in rows per second: the
  file's first import committed before (then vacuumed, as autovacuum would
  have by the time the file comes again), and deleted after;
* re-import with 5% of the rows changed;
* export of the imported people to CSV and XLSX (the writers of the listing
  and basket exports): rows per second and the peak of Python memory
  allocated while exporting (tracemalloc).

Each measurement runs in a transaction that is rolled back (the
re-imports' first import is committed, then deleted): the directory is
left as it was. The rows a rolled-back run wrote stay in the tables and
their indexes as dead rows until autovacuum passes (a million of them after
a few runs, which slowed the next runs' reads and index writes by a fifth):
the tables are vacuumed before each measurement (`fresh_tables`). Run it
on PostgreSQL (`DATABASE_URL=postgres://...`).
`--only import` runs the full imports and their previews (`import_csv`,
`import_xlsx`: one of them), `--only reimport` the re-imports (and the
exports): no baselines. Without `--only`, the baselines run first, then each
of `import_csv`, `import_xlsx` and `reimport` in a process of its own
(`in_own_process`).
"""

from __future__ import annotations

import csv
import io
import json
import random
import subprocess
import sys
import time
import tracemalloc

from django.db import DatabaseError, connection, transaction
from django.test.utils import override_settings

from directory.imports.columns import auto_mapping
from directory.imports.plan import build_plan
from directory.imports.reading import read_sheet
from directory.imports.search_index import clean_search_indexes
from directory.imports.writing import write_plan
from directory.models import Function, Person, Position

HEADERS = [
    "Civilité",
    "Prénom",
    "Nom",
    "Structure",
    "Fonction",
    "E-mail pro",
    "Téléphone",
    "Adresse",
    "Code postal",
    "Ville",
]
FUNCTIONS = [
    "Directeur·rice",
    "Administrateur·rice",
    "Chargé·e de communication",
    "Programmateur·rice",
    "Régisseur·se général·e",
    "Chargé·e des relations publiques",
    "Secrétaire général·e",
    "Attaché·e de presse",
]
CITIES = [
    ("75011", "Paris"),
    ("69001", "Lyon"),
    ("13001", "Marseille"),
    ("31000", "Toulouse"),
    ("44000", "Nantes"),
    ("67000", "Strasbourg"),
    ("59000", "Lille"),
    ("33000", "Bordeaux"),
    ("06000", "Nice"),
    ("57000", "Metz"),
]
FIRST = ["Hélène", "Paul", "Inès", "Léa", "Hugo", "Chloé", "Louis", "Zoé", "Jules", "Anaïs"]
LAST = ["Martin", "Bernard", "Dubois", "Lefèvre", "Moreau", "Girard", "Roux", "Fournier"]


class Rollback(Exception):
    pass


def generate_rows(count: int, seed: int = 16) -> list[list[str]]:
    rng = random.Random(seed)
    rows = []
    for index in range(count):
        org = index // 10
        postcode, city = CITIES[org % len(CITIES)]
        rows.append(
            [
                "Mme" if index % 2 else "M.",
                FIRST[index % len(FIRST)],
                f"{LAST[index % len(LAST)]}-{index}",
                f"Compagnie {org} des Arts",
                FUNCTIONS[index % len(FUNCTIONS)],
                f"contact{index}@compagnie{org}.fr",
                f"01 {rng.randint(40, 49)} {index // 10000 % 100:02d} {index // 100 % 100:02d} "
                f"{index % 100:02d}",
                f"{org % 300 + 1} rue de la République",
                postcode,
                city,
            ]
        )
    return rows


def csv_bytes(rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return "\ufeff".encode() + buffer.getvalue().encode()


def xlsx_bytes(rows) -> bytes:
    from selections.exports import write_xlsx

    target = io.BytesIO()
    write_xlsx(HEADERS, rows, target)
    return target.getvalue()


def _timed(function):
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def _rate(rows: int, seconds: float) -> int:
    return int(rows / seconds) if seconds else 0


def import_file(data: bytes, name: str, phases: dict | None = None):
    start = time.perf_counter()
    sheet = read_sheet(data, name)
    read = time.perf_counter()
    plan = build_plan(sheet.headers, sheet.rows, auto_mapping(sheet.headers))
    planned = time.perf_counter()
    write_plan(plan)
    if phases is not None:
        phases.update(
            read=round(read - start, 2),
            plan=round(planned - read, 2),
            write=round(time.perf_counter() - planned, 2),
        )
    return plan


def preview_file(data: bytes, name: str):
    sheet = read_sheet(data, name)
    return build_plan(sheet.headers, sheet.rows, auto_mapping(sheet.headers))


def in_rollback(function):
    """Run `function` in a transaction that is rolled back; return its result."""
    box = {}
    try:
        with transaction.atomic():
            box["result"] = function()
            raise Rollback
    except Rollback:
        pass
    return box["result"]


def fresh_tables(full: bool = True) -> None:
    """VACUUM the tables an import writes (`full`: compacted), so that each
    measurement starts without the dead rows of the rolled-back one before
    it, then CHECKPOINT (PostgreSQL)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    from directory.models import ConsentChange, Organisation

    models = (Organisation, Organisation.interest_centres.through, Person, Position, ConsentChange)
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in models)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ({'FULL, ' if full else ''}ANALYZE) {tables}")
    checkpoint()


def checkpoint() -> None:
    """The writes so far flushed now rather than by a checkpoint during the
    next measurement (two cores: it would take one). Not a superuser nor
    `pg_checkpoint`: left to PostgreSQL."""
    if connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("CHECKPOINT")
    except DatabaseError:
        pass


def raw_copy(rows) -> float:
    """COPY the same rows into a temporary table of text columns (PostgreSQL)."""
    if connection.vendor != "postgresql":
        return 0.0

    fresh_tables()

    def copy():
        with connection.cursor() as cursor:
            columns = ", ".join(f"c{i} text" for i in range(len(HEADERS)))
            cursor.execute(f"CREATE TEMPORARY TABLE bench_copy ({columns}) ON COMMIT DROP")
            start = time.perf_counter()
            with cursor.copy("COPY bench_copy FROM STDIN") as copy_:
                for row in rows:
                    copy_.write_row(row)
            return time.perf_counter() - start

    return in_rollback(copy)


def import_export_baseline(rows) -> tuple[int, float]:
    """django-import-export with use_bulk: people only (first and last
    names, e-mail), inserts; the library's own row pipeline."""
    from import_export import fields, resources
    from tablib import Dataset

    class PersonResource(resources.ModelResource):
        first_name = fields.Field(attribute="first_name", column_name="Prénom")
        last_name = fields.Field(attribute="last_name", column_name="Nom")
        email = fields.Field(attribute="email", column_name="E-mail")

        class Meta:
            model = Person
            fields = ("first_name", "last_name", "email")
            import_id_fields = ()
            use_bulk = True
            batch_size = 1000
            skip_unchanged = False

        def get_instance(self, instance_loader, row):
            return None

    dataset = Dataset(headers=["Prénom", "Nom", "E-mail"])
    for row in rows:
        dataset.append([row[1], row[2], row[5]])

    fresh_tables()

    def run():
        start = time.perf_counter()
        result = PersonResource().import_data(dataset, dry_run=False, raise_errors=True)
        seconds = time.perf_counter() - start
        assert not result.has_errors()
        return seconds

    return len(rows), in_rollback(run)


def export_figures(count: int) -> dict:
    """Export the imported people to CSV and XLSX as the listing export does."""
    from selections.exports import csv_chunks, write_xlsx

    headings = ["Prénom", "Nom", "E-mail personnel", "Téléphone personnel", "Ville"]

    def rows():
        queryset = Person.objects.order_by("pk").values_list(
            "first_name", "last_name", "email", "phone", "city"
        )
        yield from queryset.iterator(chunk_size=2000)

    def csv_export():
        size = 0
        for chunk in csv_chunks(headings, rows()):
            size += len(chunk)
        return size

    def xlsx_export():
        target = io.BytesIO()
        write_xlsx(headings, rows(), target)
        return target.tell()

    figures = {}
    for name, function in (("csv", csv_export), ("xlsx", xlsx_export)):
        tracemalloc.start()
        seconds, size = _timed(function)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        figures[name] = {
            "rows_per_second": _rate(count, seconds),
            "seconds": round(seconds, 2),
            "bytes": size,
            "peak_python_memory_mb": round(peak / 1e6, 1),
        }
    return figures


def run(options) -> dict:
    # As in production: with DEBUG on (the development settings `manage.py`
    # defaults to), Django times and keeps the text of every query, some of
    # which here carry 100,000 ids.
    with override_settings(DEBUG=False):
        return _run(options)


def _run(options) -> dict:
    count = options.get("rows") or 100_000
    for name in FUNCTIONS:
        Function.objects.get_or_create(name_key=Function.key_for(name), defaults={"name": name})
    rows = generate_rows(count)
    files = {"csv": csv_bytes(rows), "xlsx": xlsx_bytes(rows)}
    results: dict = {
        "database": connection.vendor,
        "rows": count,
        "file_mb": {name: round(len(data) / 1e6, 1) for name, data in files.items()},
    }

    only = options.get("only")
    if only not in (None, "import", "import_csv", "import_xlsx", "reimport"):
        raise ValueError("--only: import, import_csv, import_xlsx or reimport")
    if only is None:
        copy_seconds = raw_copy(rows)
        baseline_rows, baseline_seconds = import_export_baseline(rows[: min(count, 10_000)])
        results["baselines"] = {
            "raw_copy_rows_per_second": _rate(count, copy_seconds),
            "django_import_export_use_bulk_rows_per_second": _rate(baseline_rows, baseline_seconds),
            "django_import_export_rows_measured": baseline_rows,
        }

    def import_and_merge(data, file_name):
        phases = {}
        seconds = _timed(lambda: import_file(data, file_name, phases))[0]
        # After the commit, in a task: timed on its own.
        merge_seconds = _timed(clean_search_indexes)[0]
        return seconds, phases, merge_seconds

    if only is None:  # each measurement in a process of its own
        for section in ("import_csv", "import_xlsx", "reimport"):
            results.update(in_own_process(section, count))
        return results
    wanted = {"import": ("csv", "xlsx"), "import_csv": ("csv",), "import_xlsx": ("xlsx",)}
    for name, data in files.items() if only != "reimport" else ():
        if name not in wanted[only]:
            continue
        file_name = f"bench.{name}"
        fresh_tables()
        preview_seconds, plan = _timed(lambda d=data, f=file_name: preview_file(d, f))
        assert plan.counts["create"] == count, plan.counts
        import_seconds, phases, merge_seconds = in_rollback(
            lambda d=data, f=file_name: import_and_merge(d, f)
        )
        results[f"import_{name}"] = {
            "rows_per_second": _rate(count, import_seconds),
            "seconds": round(import_seconds, 2),
            "preview_seconds": round(preview_seconds, 2),
            "phases_seconds": phases,
            "index_merge_after_commit_seconds": round(merge_seconds, 2),
        }
    if only != "reimport":
        return results

    def reimports():
        figures = {}
        phases = {}
        seconds, plan = _timed(lambda: import_file(files["csv"], "bench.csv", phases))
        assert plan.counts["unchanged"] == count, plan.counts
        figures["reimport_unchanged_csv"] = {
            "rows_per_second": _rate(count, seconds),
            "seconds": round(seconds, 2),
            "phases_seconds": phases,
        }
        changed = [list(row) for row in rows]
        for index in range(0, count, 20):  # 5% of the rows: a new civility, a new phone
            changed[index][0] = "M." if changed[index][0] == "Mme" else "Mme"
            changed[index][6] = (
                f"02 40 {index // 10000 % 100:02d} {index // 100 % 100:02d} {index % 100:02d}"
            )
        data = csv_bytes(changed)
        checkpoint()
        phases = {}
        seconds, plan = _timed(lambda: import_file(data, "bench.csv", phases))
        assert plan.counts["update"] == len(range(0, count, 20)), plan.counts
        figures["reimport_5_percent_changed_csv"] = {
            "rows_per_second": _rate(count, seconds),
            "seconds": round(seconds, 2),
            "rows_updated": plan.counts["update"],
            "phases_seconds": phases,
        }
        figures["export"] = export_figures(Person.objects.count())
        figures["export"]["people"] = Person.objects.count()
        figures["export"]["positions"] = Position.objects.count()
        return figures

    fresh_tables()
    created = first_import(files["csv"])
    try:
        # As long after the first import as a file comes again: its search
        # entries merged, its rows vacuumed (autovacuum) and flushed.
        clean_search_indexes()
        fresh_tables(full=False)
        results.update(in_rollback(reimports))
    finally:
        remove(created)
    return results


def first_import(data: bytes) -> dict[str, list[int]]:
    """The file's first import, committed: the ids of what it created."""
    sheet = read_sheet(data, "bench.csv")
    plan = build_plan(sheet.headers, sheet.rows, auto_mapping(sheet.headers))
    with transaction.atomic():
        return write_plan(plan)


def remove(created: dict[str, list[int]]) -> None:
    """Delete what `first_import` created (its positions, consents and
    interest areas with it), the directory left as it was."""
    from django.db.models import QuerySet

    from directory.models import ConsentChange, Organisation

    people, organisations = created["people"], created["organisations"]
    through = Organisation.interest_centres.through
    steps = (
        (ConsentChange, "person_id", people),
        (Position, "person_id", people),
        (Position, "organisation_id", organisations),
        (through, "organisation_id", organisations),
        (Person, "pk", people),
        (Organisation, "pk", organisations),
    )
    with transaction.atomic():
        for model, column, ids in steps:
            for start in range(0, len(ids), 900):
                chunk = ids[start : start + 900]
                QuerySet(model=model).filter(**{f"{column}__in": chunk})._raw_delete(
                    connection.alias
                )


def in_own_process(section: str, count: int) -> dict:
    """One section (`--only section`) measured in a Python process of its
    own, as a worker that takes an import runs it: measured one after the
    other in one process, the second 100,000-row import and the re-imports
    after them took 0.3 to 1 s longer (the heap the ones before left behind),
    which is a figure of the ones before."""
    command = [sys.executable, "-m", "django", "bench", "imports", "--json", "--only", section]
    command += ["--rows", str(count)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603
    figures = json.loads(done.stdout)
    return {
        key: figures[key] for key in figures if key.startswith(("import_", "reimport", "export"))
    }
