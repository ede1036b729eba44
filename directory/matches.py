"""Counting and paging a simple search's matches quickly on a large directory.

On PostgreSQL the trigram index finds the candidate rows, but each one must
be read to check it, and reading rows is what a search costs (a few
microseconds each). Sorting the matches by name the obvious way,
`ORDER BY name_key LIMIT 25`, lets the planner walk the name index instead,
which is quick when matches are common and spread along it ("theatre") and
takes seconds when they sit together far along it ("lefevre": thousands of
people in one place of the alphabet). So `Matches`:

1. reads at most `cap + 1` matches, in one query that counts them and,
   when there are at most `cap`, returns their keys in the listing's order:
   that list is the count and every page (a page is then fetched by
   primary key);
2. more than `cap` (the count says "more than `cap`"): a page is looked for
   in the first `WINDOW` rows of the listing's order; when that window holds
   the whole page, those are the first matches of all;
3. otherwise (few matches before a cluster, or a deep page), every match is
   read and sorted, fenced off from the name index.
"""

from django.db import connections
from django.db.models import QuerySet

from .search import query_terms, search

WINDOW = 2_000  # rows of the listing's order searched for a page (step 2)
WINDOW_PAGES_UP_TO = 100  # step 2 serves pages ending before this row


class Matches:
    def __init__(self, queryset: QuerySet, query: str, cap: int):
        """`queryset`: the listing's rows (filtered and ordered), before the search."""
        self.base = queryset
        self.terms = query_terms(query)
        self.queryset = search(queryset, query)
        self.cap = cap
        self.ordering = _ordering(queryset)
        if self.queryset.query.is_empty():  # a query of punctuation only
            self.ids, self.count = [], 0
            return
        if self.ordering is None:  # an order this module cannot rebuild in SQL
            self.ids = None
            self.count = self.queryset.order_by()[: cap + 1].count()
            return
        self.count, self.ids = _count_and_rank(self.queryset, self.ordering, cap)

    @property
    def capped(self) -> bool:
        return self.count > self.cap

    def rows(self, start: int, stop: int) -> list:
        """The matches from `start` to `stop` in the listing's order."""
        if self.ids is not None:
            return fetch_in_order(self.base, self.ids[start:stop])
        if self.ordering is None:
            return list(self.queryset[start:stop])
        ids = None
        if stop <= WINDOW_PAGES_UP_TO:
            ids = self._page_in_window(start, stop)
        if ids is None:
            ids = _ranked_ids(self.queryset, self.ordering, start=start, stop=stop)
        return fetch_in_order(self.base, ids)

    def _page_in_window(self, start: int, stop: int) -> list | None:
        fields, order_by = self.ordering
        inner = self.base.values_list("pk", *fields, "search_text")[:WINDOW]
        sql, params = inner.query.sql_with_params()
        connection = connections[self.base.db]
        conditions, like_params = [], []
        for term in self.terms:
            conditions.append(f"m.search_text {connection.operators['contains']}")
            like_params.append(f"%{connection.ops.prep_for_like_query(term)}%")
        where = " AND ".join(conditions) or "1 = 1"
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT m.* FROM ({sql}) AS m WHERE {where} "  # noqa: S608
                f"ORDER BY {order_by} LIMIT {int(stop)}",
                [*params, *like_params],
            )
            ids = [row[0] for row in cursor.fetchall()]
        if len(ids) < stop:
            return None  # the window ran out before the page was full
        return ids[start:stop]


def fetch_in_order(queryset: QuerySet, ids: list) -> list:
    """The rows of `queryset` with these primary keys, in this order."""
    by_pk = {row.pk: row for row in queryset.order_by().filter(pk__in=ids)}
    return [by_pk[pk] for pk in ids if pk in by_pk]


def _ordering(queryset: QuerySet) -> tuple[list[str], str] | None:
    """The listing's order as (columns to select after the key, ORDER BY by
    position), with the primary key as the last tie-breaker; None when it is
    not made of plain columns of the model."""
    meta = queryset.model._meta
    ordering = list(queryset.query.order_by or meta.ordering)
    pk_names = {"pk", meta.pk.attname, meta.pk.name}
    if not all(isinstance(item, str) and "__" not in item for item in ordering):
        return None
    if not any(item.lstrip("-") in pk_names for item in ordering):
        ordering.append("pk")
    fields, order_by = [], []
    for item in ordering:
        name = item.lstrip("-")
        if name in pk_names:
            position = 1
        else:
            try:
                field = meta.get_field(name)
            except Exception:  # noqa: BLE001 - an annotation or unknown name
                return None
            if field.is_relation:
                return None  # ordered through the related model's own ordering
            if name not in fields:
                fields.append(name)
            position = fields.index(name) + 2
        order_by.append(f"{position} {'DESC' if item.startswith('-') else 'ASC'}")
    return fields, ", ".join(order_by)


def _count_and_rank(queryset: QuerySet, ordering, cap: int) -> tuple[int, list | None]:
    """How many rows `queryset` has, up to `cap + 1`, and with at most `cap`,
    their primary keys in the listing's order, in one query.

    The first `cap + 1` rows found are counted before they are sorted, and
    sorted only when they are all of them: sorting 10,000 keys that a
    capped count then throws away cost as much as a tenth of a search.
    """
    fields, order_by = ordering
    inner = queryset.order_by().values_list("pk", *fields)[: cap + 1]
    sql, params = inner.query.sql_with_params()
    connection = connections[queryset.db]
    materialized = "MATERIALIZED " if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH m AS {materialized}({sql}), c AS (SELECT COUNT(*) AS n FROM m) "  # noqa: S608
            f"SELECT m.*, c.n FROM c LEFT JOIN m ON c.n <= %s ORDER BY {order_by}",
            [*params, cap],
        )
        rows = cursor.fetchall()
    count = rows[0][-1]
    if count > cap:
        return count, None
    return count, [row[0] for row in rows if row[0] is not None]


def _ranked_ids(queryset: QuerySet, ordering, start: int, stop: int) -> list:
    """Primary keys of `queryset`'s rows in the listing's order, from `start` to `stop`.

    Every row is read and sorted above a fence (OFFSET 0 on PostgreSQL), so
    the planner cannot turn the sort back into a walk along the name index.
    """
    fields, order_by = ordering
    sql, params = queryset.order_by().values_list("pk", *fields).query.sql_with_params()
    connection = connections[queryset.db]
    if connection.vendor == "postgresql":
        sql += " OFFSET 0"
    page = f" LIMIT {int(stop) - int(start)} OFFSET {int(start)}"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT m.* FROM ({sql}) AS m ORDER BY {order_by}{page}", params)  # noqa: S608
        return [row[0] for row in cursor.fetchall()]
