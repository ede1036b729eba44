"""Bulk updates of many rows, each with its own values.

Django's `bulk_update` writes one `CASE WHEN id = ... THEN ...` per row and
field, which costs more to build than to run past a few thousand rows, and
goes through our querysets' `update()` hooks. `bulk_update` here, on
PostgreSQL, sends the new values with COPY into a temporary table and
updates from it in one statement; elsewhere it uses Django's on a plain
queryset (no hooks: the caller keeps derived columns current itself).
"""

from operator import attrgetter

from django.db import connection, connections, models, transaction

BATCH = 1000


def bulk_update(model, records, fields) -> None:
    records = list(records)
    if not records or not fields:
        return
    concrete = [model._meta.get_field(name) for name in fields]
    if connection.vendor != "postgresql":
        models.QuerySet(model=model).bulk_update(records, [f.name for f in concrete], BATCH)
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = [quote(f.column) for f in concrete]
    values_of = attrgetter("pk", *(f.attname for f in concrete))
    # Table and column names come from the model, quoted; values go by COPY.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE bulk_update_rows ON COMMIT DROP AS "  # noqa: S608
            f"SELECT id, {', '.join(columns)} FROM {table} WITH NO DATA"
        )
        with cursor.cursor.copy(
            f"COPY bulk_update_rows (id, {', '.join(columns)}) FROM STDIN"
        ) as copy:
            for record in records:
                copy.write_row(values_of(record))
        assignments = ", ".join(f"{column} = new.{column}" for column in columns)
        cursor.execute(
            f"UPDATE {table} AS old SET {assignments} FROM bulk_update_rows AS new "  # noqa: S608
            f"WHERE old.id = new.id"
        )
        cursor.execute("DROP TABLE bulk_update_rows")


ID_CHUNK = 900  # ids per IN (...) query: under SQLite's variable limit


def values_by_id(model, ids, columns) -> dict[int, tuple]:
    """`{id: (column values...)}` for the given ids, trashed records included,
    read as plain tuples. On PostgreSQL one query with the ids as one array
    parameter (`id = ANY(%s)`), where the ORM's `pk__in` sends a
    placeholder per id, which costs more to build than to run for 100,000
    ids; elsewhere in chunks of `ID_CHUNK`."""
    ids = sorted(ids)
    found: dict[int, tuple] = {}
    if not ids:
        return found
    if connection.vendor != "postgresql":
        for start in range(0, len(ids), ID_CHUNK):
            chunk = ids[start : start + ID_CHUNK]
            for pk, *values in (
                models.QuerySet(model=model).filter(pk__in=chunk).values_list("pk", *columns)
            ):
                found[pk] = tuple(values)
        return found
    quote = connection.ops.quote_name
    names = ", ".join(quote(model._meta.get_field(name).column) for name in columns)
    table = quote(model._meta.db_table)
    with connection.cursor() as cursor:
        # Table and column names come from the model, quoted; ids are a parameter,
        # written as an array's text (psycopg adapts a list of 100,000 ids one by one).
        cursor.execute(
            f"SELECT id, {names} FROM {table} WHERE id = ANY(%s::bigint[])",  # noqa: S608
            ["{" + ",".join(map(str, map(int, ids))) + "}"],
        )
        found = {row[0]: row[1:] for row in cursor.fetchall()}
    return found


def fetch_rows(queryset) -> list[tuple]:
    """`list(queryset)` of a `values_list` queryset, fetched in one call of
    the driver when no column needs Django to convert its values (on
    PostgreSQL: ids, text, dates), not a hundred rows at a time."""
    compiler = queryset.query.get_compiler(using=queryset.db)
    sql, params = compiler.as_sql()
    if compiler.get_converters([column for column, _sql, _alias in compiler.select]):
        return list(queryset)
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
