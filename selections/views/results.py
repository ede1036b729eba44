"""The results table of a search or a basket, as a request asks for it:
chosen columns (`columns`), order (`sort`) and page (`p`)."""

from django.core.paginator import EmptyPage
from django_tables2 import RequestConfig

from ..tables import MAX_PER_PAGE, OPTIONAL_COLUMNS, PER_PAGE, RowsTable, chosen_columns


def query_number(value, default: int, maximum: int) -> int:
    """A page number or size from the query string: `default` unless it is a
    plain number from 1 to `maximum` (larger ones are `maximum`)."""
    value = (value or "").strip()
    if not (value.isascii() and value.isdigit()) or not value.strip("0"):
        return default
    if len(value.lstrip("0")) > len(str(maximum)):
        return maximum
    return min(int(value), maximum)


def results_table(request, rows, *, selectable=False) -> RowsTable:
    """The table asked for; whatever `p` and `per_page` say, a page of it
    (a page past the last is the last)."""
    table = RowsTable(
        rows,
        columns=chosen_columns(request.GET.getlist("columns")),
        selectable=selectable,
        order_by=request.GET.get("sort") or "name",
        order_by_field="sort",
        page_field="p",
        empty_text="",
    )
    RequestConfig(request, paginate=False).configure(table)
    per_page = query_number(request.GET.get("per_page"), PER_PAGE, MAX_PER_PAGE)
    number = query_number(request.GET.get("p"), 1, 2**62)
    try:
        table.paginate(page=number, per_page=per_page)
    except EmptyPage:
        table.paginate(page=table.paginator.num_pages, per_page=per_page)
    return table


def results_context(table, request) -> dict:
    page = table.page
    return {
        "preserved_query": [
            (key, value)
            for key in request.GET
            if key not in ("columns", "p")
            for value in request.GET.getlist(key)
        ],
        "table": table,
        "row_count": table.paginator.count,
        "elided_page_range": table.paginator.get_elided_page_range(page.number) if page else [],
        "optional_columns": [
            (key, label, key in table.columns.names()) for key, label in OPTIONAL_COLUMNS.items()
        ],
    }
