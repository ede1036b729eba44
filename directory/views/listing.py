"""What the organisation and person listings share: the simple search, a
count that does not scan a million rows, page-only annotations, columns each
user chooses (remembered in their session), sorting on them, 25/50/100 rows
a page, and exports in French spreadsheet conventions (`directory.exports`)
whose cells cannot run as spreadsheet formulae and whose rows are never all
in memory at once."""

import csv
import tempfile
from urllib.parse import urlencode

from django.db import connections
from django.db.models import F
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.admin.paginator import WagtailPaginator
from wagtail.admin.views.mixins import Echo
from wagtail.snippets.views.snippets import IndexView

from ..exports import (
    CSV_BOM,
    CSV_DELIMITER,
    XLSX_DATE_FORMAT,
    XLSX_DATETIME_FORMAT,
    column_widths,
    csv_value,
    display_value,
    escape_formula,
    finish_sheet,
    prepare_sheet,
    xlsx_value,
)
from ..matches import Matches, fetch_in_order
from ..streaming import FileExportResponse, StreamingExportResponse

COUNT_CAP = 10_000
# A search counts and ranks its matches up to here (`directory.search.Matches`).
SEARCH_COUNT_CAP = COUNT_CAP
PAGE_SIZES = ("25", "50", "100")
ESTIMATE_ABOVE = 50_000
# From this offset on, a page reads its primary keys first (an index-only
# scan on PostgreSQL, when the order is an indexed one), then its rows: an
# OFFSET of 500,000 over whole rows takes over a second, over keys a fraction.
KEYS_FIRST_FROM = 1_000
EXPORT_CHUNK_ROWS = 2_000
# An export reads its rows this many at a time (a server-side cursor on
# PostgreSQL) and sends the CSV in chunks of as many rows.
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COLUMNS_PARAM = "columns"
# The session remembers each user's columns per listing under this key.
COLUMNS_SESSION_KEY = "directory.listing.columns"


def format_count(count: int) -> str:
    """10000 -> "10 000" (a narrow no-break space between thousands, as in French)."""
    return f"{count:,}".replace(",", "\u202f")


class DirectoryPaginator(WagtailPaginator):
    """Counts exactly up to COUNT_CAP, then says "more than 10,000".

    An unfiltered listing on PostgreSQL uses the planner's row estimate
    instead of COUNT(*), which would read the whole table on every page.
    """

    count_is_estimate = False
    count_is_capped = False
    matches = None  # a search's Matches, which already counted and ranked them
    rows_queryset = None  # fetches a page's rows by primary key

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        base = self.rows_queryset if self.rows_queryset is not None else self.object_list
        if self.matches is not None:
            rows = self.matches.rows(bottom, top)
        elif bottom >= KEYS_FIRST_FROM:
            ids = list(self.object_list.values_list("pk", flat=True)[bottom:top])
            rows = fetch_in_order(base, ids)
        else:
            rows = self.object_list[bottom:top]
        return self._get_page(rows, number, self)

    @cached_property
    def count(self):
        queryset = self.object_list
        estimate = self._estimate(queryset)
        if estimate is not None:
            self.count_is_estimate = True
            return estimate
        counted = queryset.order_by()[: COUNT_CAP + 1].count()
        if counted > COUNT_CAP:
            self.count_is_capped = True
            return COUNT_CAP
        return counted

    @staticmethod
    def _estimate(queryset):
        connection = connections[queryset.db]
        # Unfiltered: no condition but the default manager's (the trash left
        # out, a few rows at most, which an estimate does not see anyway).
        unfiltered = queryset.model._default_manager.all().query.where
        if connection.vendor != "postgresql" or queryset.query.where != unfiltered:
            return None
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                [queryset.model._meta.db_table],
            )
            row = cursor.fetchone()
        if not row or row[0] < ESTIMATE_ABOVE:
            return None
        return int(row[0])

    @cached_property
    def items_count_label(self):
        count = self.count
        name = self.verbose_name if count == 1 else self.verbose_name_plural
        number = format_count(count)
        if self.count_is_estimate:
            return _("about %(count)s %(name)s") % {"count": number, "name": name}
        if self.count_is_capped:
            return _("more than %(count)s %(name)s") % {"count": number, "name": name}
        return ngettext("%(count)s %(name)s", "%(count)s %(name)s", count) % {
            "count": number,
            "name": name,
        }


class DirectoryIndexView(IndexView):
    """A listing searched with `directory.search`, not Wagtail's search backend.

    Columns named in `optional_columns` are shown or hidden by each user
    (`?columns=email&columns=city`, or one comma-separated value), who keeps
    their choice in their session until they change it; names that are not
    columns are ignored. The others are always shown. A sort key is followed
    by the name and the primary key (`ordering_for`), so that pages do not
    overlap; `sort_expressions` gives the sort keys that are computed
    (annotations) rather than columns. An `ordering` that is no column's sort
    key is the default order.
    """

    template_name = "directory/listing/index.html"
    results_template_name = "directory/listing/index_results.html"
    paginator_class = DirectoryPaginator
    is_searchable = True
    default_ordering = "name_key"
    optional_columns: tuple[str, ...] = ()
    default_columns: tuple[str, ...] = ()
    # sort key -> (annotation name, expression): added to the queryset only
    # when the listing is sorted on it.
    sort_expressions: dict = {}

    def get_paginate_by(self, queryset):
        paginate_by = super().get_paginate_by(queryset)
        if paginate_by and self.request.GET.get("per_page") in PAGE_SIZES:
            return int(self.request.GET["per_page"])
        return paginate_by

    # Columns -------------------------------------------------------------

    @cached_property
    def all_columns(self):
        return IndexView.columns.func(self)

    def _session_key(self) -> str:
        return f"{COLUMNS_SESSION_KEY}.{self.model._meta.label_lower}"

    @cached_property
    def chosen_columns(self) -> tuple[str, ...]:
        """The optional columns this user shows, in the listing's order."""
        known = list(self.optional_columns)
        session = getattr(self.request, "session", None)
        key = self._session_key()
        if COLUMNS_PARAM in self.request.GET:
            asked = {
                part.strip()
                for value in self.request.GET.getlist(COLUMNS_PARAM)
                for part in value.split(",")
            }
            chosen = tuple(name for name in known if name in asked)
            if session is not None and session.get(key) != list(chosen):
                session[key] = list(chosen)
            return chosen
        remembered = session.get(key) if session is not None else None
        if isinstance(remembered, list):
            return tuple(name for name in known if name in remembered)
        return tuple(name for name in known if name in self.default_columns)

    @cached_property
    def columns(self):
        chosen = set(self.chosen_columns)
        optional = set(self.optional_columns)
        return [
            column
            for column in self.all_columns
            if column.name not in optional or column.name in chosen
        ]

    @cached_property
    def column_choices(self) -> list[dict]:
        """For the « Colonnes » menu: each optional column, and whether it is shown."""
        chosen = set(self.chosen_columns)
        labels = {column.name: column.label for column in self.all_columns}
        return [
            {"name": name, "label": labels.get(name, name), "shown": name in chosen}
            for name in self.optional_columns
            if name in labels
        ]

    # Sorting -------------------------------------------------------------

    def ordering_for(self, ordering: str) -> list:
        """The ORDER BY of a sort key: the key, then the name, then the id
        (all descending for "-key", so that one index serves both ways)."""
        descending = ordering.startswith("-")
        key = ordering.lstrip("-")
        if key in self.sort_expressions:
            name, _expression = self.sort_expressions[key]
            first = F(name).desc(nulls_last=True) if descending else F(name).asc(nulls_last=True)
            rest = ["-name_key", "-pk"] if descending else ["name_key", "pk"]
            return [first, *rest]
        keys = [key] + [k for k in ("name_key", "pk") if k != key]
        return [f"-{k}" if descending else k for k in keys]

    @cached_property
    def explicit_ordering(self) -> str:
        """The sort the user chose (a valid one), kept when the search form refreshes."""
        return self.ordering if self.is_explicitly_ordered else ""

    def order_queryset(self, queryset):
        ordering = self.ordering or self.default_ordering
        key = ordering.lstrip("-")
        if key in self.sort_expressions:
            name, expression = self.sort_expressions[key]
            queryset = queryset.annotate(**{name: expression})
        return queryset.order_by(*self.ordering_for(ordering))

    # Rows per page -------------------------------------------------------

    @cached_property
    def per_page_links(self) -> list[dict]:
        """« Lignes par page : 25 · 50 · 100 », each link keeping the other
        parameters (filters, search, sort, columns) and going back to page 1."""
        current = str(self.get_paginate_by(None) or "")
        params = [
            (key, value)
            for key, values in self.request.GET.lists()
            if key not in ("p", "per_page", "export") and not key.startswith("_w_")
            for value in values
        ]
        links = []
        for size in PAGE_SIZES:
            query = urlencode([*params, ("per_page", size)])
            links.append(
                {"size": size, "url": f"{self.index_url}?{query}", "current": size == current}
            )
        return links

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        context["column_choices"] = self.column_choices
        context["per_page_links"] = self.per_page_links
        return context

    # Search --------------------------------------------------------------

    matches = None
    rows_queryset = None

    def search_queryset(self, queryset):
        self.rows_queryset = queryset
        if not self.is_searching:
            return queryset
        self.matches = Matches(queryset, self.search_query, SEARCH_COUNT_CAP)
        return self.matches.queryset

    def get_paginator(self, *args, **kwargs):
        paginator = super().get_paginator(*args, **kwargs)
        paginator.rows_queryset = self.rows_queryset
        if self.matches is not None:
            # Counted and ranked once while searching; the paginator reuses both.
            paginator.matches = self.matches
            paginator.count_is_capped = self.matches.capped
            paginator.__dict__["count"] = min(self.matches.count, self.matches.cap)
        return paginator

    # Exports. Wagtail's SpreadsheetExportMixin builds the listing's context
    # first (whose row count is `len()` of the whole queryset), iterates the
    # queryset (which keeps every row), writes the workbook into memory and
    # answers with responses that daphne buffers whole. Here the rows are read
    # a chunk at a time and sent as they are written: the CSV by chunks of
    # EXPORT_CHUNK_ROWS rows, the workbook from a temporary file. Both follow
    # French conventions (`directory.exports`): a CSV separated by ";" with a
    # byte order mark, "Oui"/"Non", dates as JJ/MM/AAAA; a workbook with a
    # frozen header row, filters on it and column widths.

    def get(self, request, *args, **kwargs):
        if self.is_export:
            return self.as_spreadsheet(self.get_queryset(), request.GET["export"])
        return super().get(request, *args, **kwargs)

    def to_row_dict(self, item):
        return {field: display_value(item, field) for field in self.list_export}

    def preprocess_field_value(self, field, value, export_format):
        if export_format == self.FORMAT_XLSX:
            return escape_formula(xlsx_value(value))
        return escape_formula(csv_value(value))

    @staticmethod
    def export_queryset(queryset):
        """What an export reads with each row (`select_related`, `prefetch_related`)."""
        return queryset

    def export_rows(self, queryset):
        """The rows to export, fetched EXPORT_CHUNK_ROWS at a time (with their
        prefetched relations, per chunk) and never kept."""
        return queryset.iterator(chunk_size=EXPORT_CHUNK_ROWS)

    def export_headings_for(self, queryset) -> list[str]:
        return [self.get_heading(queryset, field) for field in self.list_export]

    def stream_csv(self, queryset):
        writer = csv.DictWriter(Echo(), fieldnames=self.list_export, delimiter=CSV_DELIMITER)
        headings = dict(zip(self.list_export, self.export_headings_for(queryset), strict=True))
        lines = [CSV_BOM, writer.writerow(headings)]
        for item in self.export_rows(queryset):
            lines.append(self.write_csv_row(writer, self.to_row_dict(item)))
            if len(lines) >= EXPORT_CHUNK_ROWS:
                yield b"".join(lines)
                lines = []
        if lines:
            yield b"".join(lines)

    def write_csv_response(self, queryset):
        # The rows are written after the view has returned, outside the user's
        # language and time zone (`wagtail.admin.localization`): keep them.
        language, zone = translation.get_language(), timezone.get_current_timezone()

        def stream():
            with translation.override(language), timezone.override(zone):
                yield from self.stream_csv(queryset)

        response = StreamingExportResponse(stream(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.get_filename()}.csv"'
        return response

    def write_xlsx(self, queryset, output):
        """A write-only workbook (openpyxl: rows go to a temporary file as
        they are appended), fed from `export_rows`, with its header row
        frozen and filtered and its columns sized."""
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell

        workbook = Workbook(write_only=True, iso_dates=True)
        worksheet = workbook.create_sheet(title=str(queryset.model._meta.verbose_name_plural)[:31])
        headings = self.export_headings_for(queryset)
        prepare_sheet(worksheet, column_widths(self.list_export, headings))
        worksheet.append(headings)
        rows = 0
        for item in self.export_rows(queryset):
            cells = []
            for field, value in self.to_row_dict(item).items():
                cell = WriteOnlyCell(
                    worksheet, self.preprocess_field_value(field, value, self.FORMAT_XLSX)
                )
                if cell.data_type == "f":  # never a formula
                    cell.data_type = "s"
                if cell.is_date:
                    cell.number_format = (
                        XLSX_DATETIME_FORMAT if hasattr(cell.value, "hour") else XLSX_DATE_FORMAT
                    )
                cells.append(cell)
            worksheet.append(cells)
            rows += 1
        finish_sheet(worksheet, len(headings), rows)
        workbook.save(output)

    def write_xlsx_response(self, queryset):
        workbook = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (the response closes it)
        try:
            self.write_xlsx(queryset, workbook)
        except BaseException:
            workbook.close()
            raise
        workbook.seek(0)
        return FileExportResponse(
            workbook,
            as_attachment=True,
            content_type=XLSX_CONTENT_TYPE,
            filename=f"{self.get_filename()}.xlsx",
        )
