"""Import and export of the administrators' lists: interest areas,
organisation types, functions (`directory.resources`).

* **Export** (`export/csv/`, `export/xlsx/`): whoever sees the list (staff
  too). CSV as French Excel reads it (UTF-8 with BOM, ";"), or a workbook
  with its header row frozen and filtered; formula-like names escaped.
* **Import** (`import/`, administrators: whoever may add entries): a CSV,
  XLSX or ODS file read by `directory.imports.reading.read_sheet`; its
  preview is the resource's dry run (written, then rolled back): rows to
  add, to update, unchanged, and each rejected row with its line and
  reason. The confirmation (`import/run/`) carries the cells it previewed,
  of the list's columns only (signed, `resource.selection`), and imports
  them in one transaction: as long as one row is rejected, nothing is
  written (the rows are checked again; the list may have changed). Every
  entry created or changed gets its own audit entry, through
  `directory.actions` (the resource's saves).
"""

import csv
import io
import logging

from django import forms
from django.core import signing
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.defaultfilters import filesizeformat
from django.urls import path, reverse
from django.utils.formats import number_format
from django.utils.text import capfirst, slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext, pgettext_lazy
from django.views.generic import TemplateView, View
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from ..exports import CSV_BOM, CSV_DELIMITER, column_widths, finish_sheet, prepare_sheet
from ..imports.reading import ImportFileError, max_bytes, read_sheet
from ..resources import MAX_ROWS, quoted, resource_for
from .phrased import header_title

logger = logging.getLogger(__name__)

ACCEPT = ".csv,.xlsx,.ods"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SALT = "directory.list_transfer"
MAX_SHOWN = 200  # rejected rows and changes listed on the preview


def _perm(model, action: str) -> str:
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


def may_export(user, model) -> bool:
    return user.has_perm(_perm(model, "view"))


def may_import(user, model) -> bool:
    return user.has_perm(_perm(model, "add"))


def file_stem(model) -> str:
    """ "domaines-dinteret": the list's name in the user's language."""
    return slugify(str(model._meta.verbose_name_plural)) or model._meta.model_name


# --- Export -------------------------------------------------------------------------


def csv_bytes(dataset) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow(dataset.headers)
    writer.writerows(dataset)
    return CSV_BOM + text.getvalue().encode()


def xlsx_bytes(dataset, title: str, fields) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(title=title[:31])
    headings = list(dataset.headers)
    prepare_sheet(worksheet, column_widths(fields, headings))
    worksheet.append(headings)
    for row in dataset:
        cells = []
        for value in row:
            cell = WriteOnlyCell(worksheet, value)
            if cell.data_type == "f":  # never a formula (the values are escaped already)
                cell.data_type = "s"
            cells.append(cell)
        worksheet.append(cells)
    finish_sheet(worksheet, len(headings), len(dataset))
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


class ListExportView(View):
    model = None

    def get(self, request, fmt):
        if not may_export(request.user, self.model):
            raise PermissionDenied
        if fmt not in ("csv", "xlsx"):
            raise Http404
        resource = resource_for(self.model, request.user)
        dataset = resource.export()
        stem = file_stem(self.model)
        if fmt == "csv":
            response = HttpResponse(csv_bytes(dataset), content_type="text/csv; charset=utf-8")
        else:
            fields = [field.attribute for field in resource.get_export_fields()]
            title = capfirst(str(self.model._meta.verbose_name_plural))
            response = HttpResponse(
                xlsx_bytes(dataset, title, fields), content_type=XLSX_CONTENT_TYPE
            )
        response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
        return response


# --- Import -------------------------------------------------------------------------


class UploadForm(forms.Form):
    file = forms.FileField(
        label=pgettext_lazy("import wizard", "File"),
        allow_empty_file=True,  # read_sheet says "The file is empty." in its own words
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )

    def __init__(self, *args, columns=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "A CSV, XLSX or ODS file of %(limit)s at most, one entry a row under a line of "
            "headings: %(columns)s. An entry whose name is already in the list (whatever "
            "its case and accents) is updated, not added again. Nothing is saved before "
            "the preview."
        ) % {
            "limit": filesizeformat(max_bytes()),
            "columns": ", ".join(quoted(column) for column in columns),
        }


def count_phrases(totals: dict) -> list[tuple[str, int, str]]:
    """(key, number, « 3 lignes à créer ») for a dry run's totals."""
    phrases = {
        "new": lambda n: ngettext("%(count)s row to create", "%(count)s rows to create", n),
        "update": lambda n: ngettext("%(count)s row to update", "%(count)s rows to update", n),
        "skip": lambda n: ngettext("%(count)s row unchanged", "%(count)s rows unchanged", n),
        "invalid": lambda n: ngettext("%(count)s row rejected", "%(count)s rows rejected", n),
    }
    numbers = {**totals, "invalid": totals.get("invalid", 0) + totals.get("error", 0)}
    found = []
    for key, phrase in phrases.items():
        number = int(numbers.get(key) or 0)
        found.append((key, number, phrase(number) % {"count": number}))
    return found


def done_phrases(totals: dict) -> list[str]:
    """What an import did: « 2 lignes créées, 1 ligne inchangée » (no « 0 ligne »)."""
    phrases = {
        "new": lambda n: ngettext("%(count)s row created", "%(count)s rows created", n),
        "update": lambda n: ngettext("%(count)s row updated", "%(count)s rows updated", n),
        "skip": lambda n: ngettext("%(count)s row unchanged", "%(count)s rows unchanged", n),
    }
    numbers = {key: int(totals.get(key) or 0) for key in phrases}
    return [
        phrases[key](number) % {"count": number}
        for key, number in numbers.items()
        if number or not any(numbers.values())
    ]


class ListImportMixin(WagtailAdminTemplateMixin):
    model = None
    url_namespace = ""
    header_icon = "upload"

    def dispatch(self, request, *args, **kwargs):
        if not may_import(request.user, self.model):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @property
    def plural(self) -> str:
        return capfirst(str(self.model._meta.verbose_name_plural))

    def get_page_title(self):
        return pgettext("verb", "Import")

    def get_page_subtitle(self):
        return self.plural

    def get_header_title(self):
        return header_title(self.get_page_title(), self.get_page_subtitle())

    def url(self, name: str) -> str:
        return reverse(f"{self.url_namespace}:{name}")

    def get_breadcrumbs_items(self):
        return [
            {"url": reverse("wagtailadmin_home"), "label": _("Home")},
            {"url": self.url("list"), "label": self.plural},
            {"url": "", "label": self.get_page_title()},
        ]

    def resource(self):
        return resource_for(self.model, self.request.user)

    # The preview -------------------------------------------------------------

    def dry_run(self, resource, dataset):
        with transaction.atomic():
            result = resource.import_data(dataset, dry_run=True, use_transactions=True)
            transaction.set_rollback(True)
        return result

    def problems(self, resource, result) -> list[dict]:
        """Each rejected row: its line, column and reason."""
        columns = {name: field.column_name for name, field in resource.fields.items()}
        found = []
        for invalid in result.invalid_rows:
            line = resource.line_for(invalid.number)
            for field, reasons in invalid.error_dict.items():
                column = "" if field == NON_FIELD_ERRORS else columns.get(field, field)
                found.extend({"line": line, "column": column, "reason": r} for r in reasons)
        for error_row in result.error_rows:
            line = resource.line_for(error_row.number)
            for error in error_row.errors:
                if isinstance(error.error, PermissionDenied):
                    reason = str(error.error)
                else:
                    logger.error("List import: line %s", line, exc_info=error.error)
                    reason = _("This row could not be saved.")
                found.append({"line": line, "column": "", "reason": reason})
        for error in result.base_errors:
            logger.error("List import failed", exc_info=error.error)
            found.append({"line": "", "column": "", "reason": _("The file could not be imported.")})
        return sorted(found, key=lambda problem: problem["line"] or 0)

    def changes(self, resource, result) -> tuple[list[dict], list[dict]]:
        """The entries the import would add, and what it would change in others."""
        added, changed = [], []
        columns = resource.columns()
        for number, row in enumerate(result.rows, start=1):
            line = resource.line_for(number)
            if row.is_new() and row.instance is not None:
                added.append(
                    {
                        "line": line,
                        "values": [
                            (field.column_name, field.get_value(row.instance)) for field in columns
                        ],
                    }
                )
            elif row.is_update() and row.instance is not None and row.original is not None:
                for field in columns:
                    before, after = field.get_value(row.original), field.get_value(row.instance)
                    if before != after:
                        changed.append(
                            {
                                "line": line,
                                "record": str(row.original),
                                "field": field.column_name,
                                "before": before,
                                "after": after,
                            }
                        )
        return added, changed

    def preview_context(self, resource, result, file_name) -> dict:
        problems = self.problems(resource, result)
        added, changed = self.changes(resource, result)
        totals = result.totals
        payload = signing.dumps(
            {"file": file_name, **resource.selection},
            salt=f"{SALT}.{self.model._meta.label_lower}",
            compress=True,
        )
        return {
            "file_name": file_name,
            "counts": count_phrases(totals),
            "problems": problems[:MAX_SHOWN],
            "problem_count": len(problems),
            "rejected": bool(problems),
            "added": added[:MAX_SHOWN],
            "added_count": len(added),
            "changed": changed[:MAX_SHOWN],
            "changed_count": len(changed),
            "max_shown": MAX_SHOWN,
            "has_writes": bool(totals.get("new") or totals.get("update")),
            "ignored_columns": resource.ignored_columns,
            "ignored_text": ", ".join(quoted(column) for column in resource.ignored_columns),
            "payload": payload,
            "run_url": self.url("import_run"),
            "upload_url": self.url("import"),
            "list_url": self.url("list"),
        }

    def render_preview(self, resource, result, file_name):
        context = self.get_context_data(**self.preview_context(resource, result, file_name))
        return self.response_class(
            request=self.request,
            template="directory/lists/import_preview.html",
            context=context,
            using=self.template_engine,
        )


class ListImportView(ListImportMixin, TemplateView):
    """The upload (GET), then the preview of the uploaded file (POST)."""

    template_name = "directory/lists/import.html"

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        if "payload" not in kwargs:
            columns = [field.column_name for field in self.resource().columns()]
            context.update(
                form=form or UploadForm(columns=columns),
                action_url=self.url("import"),
                submit_button_label=_("Preview the import"),
                submit_button_active_label=_("Reading the file…"),
                list_url=self.url("list"),
                plural=self.plural,
                max_rows=number_format(MAX_ROWS, force_grouping=True),
            )
        return context

    def post(self, request, *args, **kwargs):
        resource = self.resource()
        columns = [field.column_name for field in resource.columns()]
        form = UploadForm(request.POST, request.FILES, columns=columns)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            limit = max_bytes()
            data = upload.read(limit + 1)  # one byte more says "too large"
            try:
                sheet = read_sheet(data, upload.name)
                result = self.dry_run(resource, resource.dataset_for(sheet.headers, sheet.rows))
            except ImportFileError as error:
                form.add_error("file", error.message)
            else:
                return self.render_preview(resource, result, upload.name)
        return self.render_to_response(self.get_context_data(form=form))


class ListImportRunView(ListImportMixin, View):
    """Import what the preview showed, all or nothing."""

    def post(self, request, *args, **kwargs):
        resource = self.resource()
        try:
            payload = signing.loads(
                request.POST.get("payload", ""), salt=f"{SALT}.{self.model._meta.label_lower}"
            )
            file_name = str(payload["file"])
            dataset = resource.dataset_from_selection(payload)
        except (signing.BadSignature, KeyError, TypeError, ValueError):
            messages.error(request, _("This preview could not be read: upload the file again."))
            return redirect(self.url("import"))
        with transaction.atomic():
            result = resource.import_data(
                dataset, use_transactions=True, rollback_on_validation_errors=True
            )
            failed = result.has_errors() or result.has_validation_errors()
            if failed:
                transaction.set_rollback(True)
        if failed:
            # Something changed since the preview: show it again, nothing written.
            resource = self.resource()
            preview = self.dry_run(resource, resource.dataset_from_selection(payload))
            messages.error(
                request,
                _("Nothing was imported: some rows are rejected. Fix them, then upload again."),
            )
            return self.render_preview(resource, preview, file_name)
        totals = result.totals
        messages.success(
            request,
            _("Import of %(file)s: %(counts)s.")
            % {"file": quoted(file_name), "counts": ", ".join(done_phrases(totals))},
        )
        return redirect(self.url("list"))


def transfer_urlpatterns(viewset) -> list:
    """The import and export URLs of a list's viewset (under its prefix)."""
    kwargs = {"model": viewset.model}
    namespaced = {**kwargs, "url_namespace": viewset.url_namespace}
    return [
        path("export/<str:fmt>/", ListExportView.as_view(**kwargs), name="export"),
        path("import/", ListImportView.as_view(**namespaced), name="import"),
        path("import/run/", ListImportRunView.as_view(**namespaced), name="import_run"),
    ]
