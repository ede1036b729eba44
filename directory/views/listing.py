"""What the organisation and person listings share: the simple search, a
count that does not scan a million rows, page-only annotations, and exports
whose cells cannot run as spreadsheet formulae and whose rows are never all
in memory at once."""

import csv
import tempfile

from django.db import connections
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.admin.paginator import WagtailPaginator
from wagtail.admin.views.mixins import Echo, ExcelDateFormatter
from wagtail.snippets.views.snippets import IndexView

from ..exports import escape_formula
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
    """A listing searched with `directory.search`, not Wagtail's search backend."""

    paginator_class = DirectoryPaginator
    is_searchable = True

    def get_paginate_by(self, queryset):
        paginate_by = super().get_paginate_by(queryset)
        if paginate_by and self.request.GET.get("per_page") in PAGE_SIZES:
            return int(self.request.GET["per_page"])
        return paginate_by

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

    def preprocess_field_value(self, field, value, export_format):
        return escape_formula(super().preprocess_field_value(field, value, export_format))

    # Exports. Wagtail's SpreadsheetExportMixin builds the listing's context
    # first (whose row count is `len()` of the whole queryset), iterates the
    # queryset (which keeps every row), writes the workbook into memory and
    # answers with responses that daphne buffers whole. Here the rows are read
    # a chunk at a time and sent as they are written: the CSV by chunks of
    # EXPORT_CHUNK_ROWS rows, the workbook from a temporary file.

    def get(self, request, *args, **kwargs):
        if self.is_export:
            return self.as_spreadsheet(self.get_queryset(), request.GET["export"])
        return super().get(request, *args, **kwargs)

    def export_rows(self, queryset):
        """The rows to export, fetched EXPORT_CHUNK_ROWS at a time (with their
        prefetched relations, per chunk) and never kept."""
        return queryset.iterator(chunk_size=EXPORT_CHUNK_ROWS)

    def stream_csv(self, queryset):
        writer = csv.DictWriter(Echo(), fieldnames=self.list_export)
        headings = {field: self.get_heading(queryset, field) for field in self.list_export}
        lines = [writer.writerow(headings)]
        for item in self.export_rows(queryset):
            lines.append(self.write_csv_row(writer, self.to_row_dict(item)))
            if len(lines) >= EXPORT_CHUNK_ROWS:
                yield b"".join(lines)
                lines = []
        if lines:
            yield b"".join(lines)

    def write_csv_response(self, queryset):
        response = StreamingExportResponse(self.stream_csv(queryset), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="{self.get_filename()}.csv"'
        return response

    def write_xlsx(self, queryset, output):
        """Wagtail's workbook (openpyxl, write-only: rows go to a temporary
        file as they are appended), fed from `export_rows`."""
        from openpyxl import Workbook

        workbook = Workbook(write_only=True, iso_dates=True)
        worksheet = workbook.create_sheet(title="Sheet1")
        worksheet.append(self.get_heading(queryset, field) for field in self.list_export)
        date_format = ExcelDateFormatter().get()
        for item in self.export_rows(queryset):
            worksheet.append(
                self.generate_xlsx_row(worksheet, self.to_row_dict(item), date_format=date_format)
            )
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
