"""The export page of a basket or a saved search: choose the format and the
columns (`selections.forms.ExportForm`, the re-importable ones checked), then
download the rows as they resolve now, streamed, and the export recorded in
the audit log (`selections.actions.record_export`).

Each side says which object the URL names and who may reach it, how its rows
resolve, and where "back" leads; the form, the file and the log are the same."""

from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy

from directory.streaming import FileExportResponse, StreamingExportResponse

from .. import actions, resolution
from ..columns import export_cells
from ..criteria import CriteriaError
from ..exports import csv_chunks, xlsx_file
from ..forms import ExportForm
from .common import SelectionPage

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def spreadsheet_response(headings, cells, file_format: str, stem: str):
    """`cells` as a CSV (`file_format` "csv") or XLSX download named `stem`.

    Both stream under daphne too: the CSV a thousand rows at a time, the
    workbook from a temporary file its rows were written to one by one."""
    if file_format == "csv":
        response = StreamingExportResponse(
            csv_chunks(headings, cells), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{stem}.csv"'
        return response
    return FileExportResponse(
        xlsx_file(headings, cells),
        as_attachment=True,
        filename=f"{stem}.xlsx",
        content_type=XLSX_CONTENT_TYPE,
    )


class SelectionExportView(SelectionPage):
    """Choose the format and the columns, then download the selection's rows.

    Subclasses give `get_selection` (the object named by the URL, or 404 /
    PermissionDenied for who may not see it), `get_rows` (its Selection; may
    raise CriteriaError, shown on the form), the page it was reached from
    (`back_url_name`, taking its pk) and the texts."""

    template_name = "selections/export.html"
    page_title = gettext_lazy("Export")
    header_icon = "download"
    intro = ""
    """Above the form; %(name)s is the selection's name."""
    back_label = ""
    back_url_name = ""
    file_stem = "export"
    """The file's name when the selection's name gives none."""

    def get_selection(self, request, pk):
        raise NotImplementedError

    def get_rows(self):
        raise NotImplementedError

    def dispatch(self, request, *args, **kwargs):
        self.selection = self.get_selection(request, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.selection.name

    def get(self, request, *args, **kwargs):
        form = ExportForm(request.GET or None)
        if form.is_bound and form.is_valid():
            try:
                rows = self.get_rows()
            except CriteriaError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                return self.download(rows, form.cleaned_data)
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "selection": self.selection,
            "intro": self.intro % {"name": self.selection.name},
            "back_url": reverse(self.back_url_name, args=(self.selection.pk,)),
            "back_label": self.back_label,
        }

    def download(self, rows, choice):
        headings, cells = export_cells(resolution.stream(rows), choice["columns"])
        actions.record_export(
            self.request.user,
            self.selection,
            rows=resolution.count(rows),
            columns=choice["columns"],
            file_format=choice["format"],
        )
        stem = f"{slugify(self.selection.name) or self.file_stem}-{timezone.localdate():%Y-%m-%d}"
        return spreadsheet_response(headings, cells, choice["format"], stem)
