"""The results table of a search or a basket, as a request asks for it:
chosen columns (`columns`), order (`sort`) and page (`p`)."""

from django_tables2 import RequestConfig

from ..tables import OPTIONAL_COLUMNS, PER_PAGE, RowsTable, chosen_columns


def results_table(request, rows, *, selectable=False) -> RowsTable:
    table = RowsTable(
        rows,
        columns=chosen_columns(request.GET.getlist("columns")),
        selectable=selectable,
        order_by=request.GET.get("sort") or "name",
        order_by_field="sort",
        page_field="p",
        empty_text="",
    )
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
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
