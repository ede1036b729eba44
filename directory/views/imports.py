"""The import wizard, in the Annuaire menu (administrators only).

1. **Upload** (`new/`): a CSV, XLSX or ODS file; nothing is written but the
   job that keeps it (`actions.start_import`).
2. **Columns** (`<id>/mapping/`): each column of the file with sample values
   and the field it fills; for a CSV, the encoding and separator, to fix a
   misread file (`actions.map_import`).
3. **Preview** (`<id>/preview/`): what the import would do, written nowhere
   (`actions.preview_import`), by the chosen policy for existing records;
   then the import is run (`actions.run_import`), all or nothing unless the
   user chooses to import the valid rows only.
4. **The job** (`<id>/`): a progress bar while it runs (polling `<id>/status/`,
   `import_progress.js`), then its counts, links to the records it created
   (the listings' `import` filter, `directory.filters`) and the rejected rows
   (`<id>/rejected.csv`).
5. **History** (`""`): every import, whoever ran it; only the uploader opens
   a job's pages (another administrator gets a 404, as for any URL of it).

Every step is a `directory.actions` call; these views only read and route.
"""

import logging
from pathlib import PurePath

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import filesizeformat
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext, pgettext_lazy
from django.views.generic import TemplateView, View
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.widgets.button import HeaderButton

from .. import actions
from ..ids import record_id
from ..imports import jobs
from ..imports.columns import IGNORED, target_choices
from ..imports.plan import CREATE, REJECT, UNCHANGED, UPDATE
from ..imports.reading import ImportFileError, max_bytes
from ..models import ImportJob, ImportPolicy, ImportStatus, Organisation, Person
from .phrased import header_title

logger = logging.getLogger(__name__)

PERMISSION = "directory.add_importjob"
PER_PAGE = 30
SAMPLES = 3  # sample values shown for each column
SAMPLE_ROWS = 200  # rows looked at to find them
MAX_SHOWN = 500  # problems and repairs listed on the preview
ACCEPT = ".csv,.xlsx,.ods"
ENCODINGS = [("utf-8", "UTF-8"), ("cp1252", "Windows-1252")]
# The job's large columns, read only by the steps that need the file.
HEAVY = ("file_data", "rejected_csv")


def may_import(user) -> bool:
    return user.has_perm(PERMISSION)


def delimiter_choices():
    return [
        (";", _("Semicolon (;)")),
        (",", _("Comma (,)")),
        ("\t", pgettext("import wizard", "Tab")),
    ]


def _phrased(counts: dict, phrases: dict) -> list[tuple[str, int, str]]:
    found = []
    for key, phrase in phrases.items():
        number = int(counts.get(key) or 0)
        found.append((key, number, phrase(number) % {"count": number}))
    return found


def count_phrases(counts: dict) -> list[tuple[str, int, str]]:
    """(key, number, « 3 lignes à créer ») for the four counts of a plan or a job."""
    return _phrased(
        counts,
        {
            CREATE: lambda n: ngettext("%(count)s row to create", "%(count)s rows to create", n),
            UPDATE: lambda n: ngettext("%(count)s row to update", "%(count)s rows to update", n),
            UNCHANGED: lambda n: ngettext("%(count)s row unchanged", "%(count)s rows unchanged", n),
            REJECT: lambda n: ngettext("%(count)s row rejected", "%(count)s rows rejected", n),
        },
    )


def done_phrases(counts: dict) -> list[tuple[str, int, str]]:
    """What a finished import did: « 2 lignes créées », « 1 ligne rejetée »..."""
    return _phrased(
        counts,
        {
            CREATE: lambda n: ngettext("%(count)s row created", "%(count)s rows created", n),
            UPDATE: lambda n: ngettext("%(count)s row updated", "%(count)s rows updated", n),
            UNCHANGED: lambda n: ngettext("%(count)s row unchanged", "%(count)s rows unchanged", n),
            REJECT: lambda n: ngettext("%(count)s row rejected", "%(count)s rows rejected", n),
        },
    )


# --- Forms ------------------------------------------------------------------------


class UploadForm(forms.Form):
    file = forms.FileField(
        label=pgettext_lazy("import wizard", "File"),
        # read_sheet says "The file is empty." in its own words.
        allow_empty_file=True,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "A CSV, XLSX or ODS file of %(limit)s at most, one contact a row under a line "
            "of headings. Nothing is saved before the preview: you will check the columns "
            "and what the import would do first."
        ) % {"limit": filesizeformat(max_bytes())}


class ReadingForm(forms.Form):
    """How a CSV file is read: its encoding and separator."""

    encoding = forms.ChoiceField(
        label=pgettext_lazy("import wizard", "Encoding"), choices=ENCODINGS
    )
    delimiter = forms.ChoiceField(
        label=pgettext_lazy("import wizard", "Separator"), choices=delimiter_choices
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["encoding"].help_text = _(
            "If accented letters look wrong (Ã©, �), choose the other encoding."
        )
        self.fields["delimiter"].help_text = _(
            "If the columns are not split as in your spreadsheet, choose another separator."
        )


class PolicyForm(forms.Form):
    policy = forms.ChoiceField(
        label=gettext_lazy("Records that already exist"),
        choices=ImportPolicy.choices,
        # Choosing another policy computes the preview again (Wagtail's w-submit).
        widget=forms.RadioSelect(
            attrs={"data-controller": "w-submit", "data-action": "change->w-submit#submit"}
        ),
    )


# --- Views --------------------------------------------------------------------------


class ImportMixin(WagtailAdminTemplateMixin):
    header_icon = "upload"
    page_title = pgettext_lazy("import wizard", "Imports")

    def dispatch(self, request, *args, **kwargs):
        if not may_import(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_header_title(self):
        return header_title(self.get_page_title(), self.get_page_subtitle())

    def index_crumb(self):
        return {
            "url": reverse("directory_imports:index"),
            "label": pgettext("import wizard", "Imports"),
        }

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, self.index_crumb()]


class JobMixin(ImportMixin):
    """A view of one job: its uploader's only (`actions.access_import`)."""

    needs_file = False  # the steps that read the file load it
    step_label = ""

    def dispatch(self, request, *args, **kwargs):
        if not may_import(request.user):
            raise PermissionDenied
        pk = record_id(kwargs.get("pk"))
        if pk is None:
            raise Http404
        jobs_found = ImportJob.objects.select_related("user")
        if not self.needs_file:
            jobs_found = jobs_found.defer(*HEAVY)
        self.job = get_object_or_404(jobs_found, pk=pk)
        actions.access_import(request.user, self.job)
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return self.step_label or pgettext("an import", "Import")

    def get_page_subtitle(self):
        return self.job.file_name

    def job_url(self, name="job", **query):
        url = reverse(f"directory_imports:{name}", args=(self.job.pk,))
        return f"{url}?{urlencode(query)}" if query else url

    def get_breadcrumbs_items(self):
        items = [*super().get_breadcrumbs_items()]
        if self.step_label:
            items.append({"url": self.job_url(), "label": self.job.file_name})
            items.append({"url": "", "label": self.step_label})
        else:
            items.append({"url": "", "label": self.job.file_name})
        return items

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["job"] = self.job
        return context


class WizardMixin(JobMixin):
    """Columns and preview: only before the import is run."""

    needs_file = True
    step = 0

    def get(self, request, *args, **kwargs):
        if self.job.status != ImportStatus.MAPPING:
            return redirect(self.job_url())
        return super().get(request, *args, **kwargs)

    def already_run(self):
        messages.error(self.request, _("This import has already been run: here is its result."))
        return redirect(self.job_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["steps"] = [
            (number, label, number == self.step)
            for number, label in enumerate(
                (
                    pgettext("import wizard", "File"),
                    pgettext("import wizard", "Columns"),
                    pgettext("import wizard", "Preview"),
                    pgettext("an import", "Import"),
                ),
                start=1,
            )
        ]
        context["step"] = self.step
        return context


class UploadView(ImportMixin, TemplateView):
    template_name = "directory/imports/upload.html"
    page_title = pgettext_lazy("verb", "Import")
    header_icon = "upload"

    def get_breadcrumbs_items(self):
        return [*super().get_breadcrumbs_items(), {"url": "", "label": self.get_page_title()}]

    def get_header_buttons(self):
        return [
            HeaderButton(
                _("Import history"),
                reverse("directory_imports:index"),
                icon_name="history",
                classname="button-secondary",
            )
        ]

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            form=form or UploadForm(),
            action_url=reverse("directory_imports:new"),
            submit_button_label=pgettext("import wizard", "Continue"),
            submit_button_active_label=_("Reading the file…"),
        )
        return context

    def post(self, request, *args, **kwargs):
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            limit = max_bytes()
            if upload.size is not None and upload.size > limit:
                form.add_error(
                    "file",
                    _("This file is too large (%(size)s): the limit is %(limit)s.")
                    % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
                )
            else:
                # Never more than the limit in memory: one byte more says "too large".
                data = upload.read(limit + 1)
                try:
                    job = actions.start_import(request.user, upload.name, data)
                except ImportFileError as error:
                    form.add_error("file", error.message)
                else:
                    return redirect("directory_imports:mapping", job.pk)
        return self.render_to_response(self.get_context_data(form=form))


class MappingView(WizardMixin, TemplateView):
    template_name = "directory/imports/mapping.html"
    step = 2

    @cached_property
    def step_label(self):
        return pgettext("import wizard", "Columns")

    def get_context_data(self, mapping=None, reading=None, errors=(), **kwargs):
        context = super().get_context_data(**kwargs)
        job = self.job
        try:
            sheet = jobs.sheet_of(job)
            rows = sheet.rows
        except ImportFileError as error:
            rows = []
            errors = [*errors, error.message]
        chosen = mapping if mapping is not None and len(mapping) == len(job.headers) else None
        chosen = chosen or job.mapping
        columns = []
        for index, header in enumerate(job.headers):
            samples = []
            for _line, cells in rows[:SAMPLE_ROWS]:
                value = cells[index] if index < len(cells) else ""
                if value:
                    samples.append(value)
                    if len(samples) == SAMPLES:
                        break
            columns.append(
                {
                    "index": index,
                    "header": header,
                    "samples": samples,
                    "selected": chosen[index] if index < len(chosen) else IGNORED,
                }
            )
        if job.file_format == "csv" and reading is None:
            reading = ReadingForm(
                initial={
                    "encoding": "cp1252" if job.encoding == "cp1252" else "utf-8",
                    "delimiter": job.delimiter or ";",
                }
            )
        context.update(
            action_url=self.job_url("mapping"),
            submit_button_label=_("Continue to the preview"),
            submit_button_active_label=_("Reading the file…"),
            columns=columns,
            target_groups=target_choices(),
            reading=reading,
            errors=errors,
            row_count=job.total_rows,
        )
        return context

    def post(self, request, *args, **kwargs):
        job = self.job
        if job.status != ImportStatus.MAPPING:
            return self.already_run()
        mapping = request.POST.getlist("mapping")
        reading = ReadingForm(request.POST) if job.file_format == "csv" else None
        errors = []
        if reading is not None and not reading.is_valid():
            errors = [_("Choose an encoding and a separator from the lists.")]
        else:
            encoding = delimiter = ""
            if reading is not None:
                encoding = reading.cleaned_data["encoding"]
                delimiter = reading.cleaned_data["delimiter"]
                if encoding == "utf-8" and job.encoding == "utf-8-sig":
                    encoding = job.encoding  # the same, its BOM left out
            headers_before = list(job.headers)
            try:
                actions.map_import(request.user, job, mapping, encoding, delimiter)
            except ValidationError as error:
                errors = error.messages
            except ImportFileError as error:
                errors = [error.message]
            else:
                if job.headers != headers_before:
                    messages.warning(
                        request,
                        _(
                            "The file was read again with these settings and its columns "
                            "changed: check them, then continue."
                        ),
                    )
                    return redirect(self.job_url("mapping"))
                return redirect(self.job_url("preview"))
        # Show the page as it is stored, with the user's choices and the errors.
        self.job = ImportJob.objects.select_related("user").get(pk=job.pk)
        if self.job.status != ImportStatus.MAPPING:
            return self.already_run()
        return self.render_to_response(
            self.get_context_data(mapping=mapping, reading=reading, errors=errors)
        )


class PreviewView(WizardMixin, TemplateView):
    template_name = "directory/imports/preview.html"
    step = 3

    @cached_property
    def step_label(self):
        return pgettext("import wizard", "Preview")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        job = self.job
        policy_form = PolicyForm({"policy": self.request.GET.get("policy", job.policy)})
        if policy_form.is_valid():
            policy = policy_form.cleaned_data["policy"]
        else:
            policy = job.policy
            policy_form = PolicyForm(initial={"policy": policy})
            context["policy_error"] = pgettext(
                "import wizard", "Choose what to do with the records that already exist."
            )
        try:
            plan = actions.preview_import(self.request.user, job, policy)
        except ImportFileError as error:
            context.update(policy_form=policy_form, policy=policy, file_error=error.message)
            return context
        problems = plan.problems
        rejected = plan.counts[REJECT]
        context.update(
            policy_form=policy_form,
            policy=policy,
            plan=plan,
            counts=count_phrases(plan.counts),
            rejected=rejected,
            problems=problems[:MAX_SHOWN],
            problem_count=len(problems),
            repairs=plan.repairs[:MAX_SHOWN],
            repair_count=len(plan.repairs),
            changes=plan.changes,
            max_shown=MAX_SHOWN,
            has_writes=plan.has_writes,
            skip_label=ngettext(
                "Import the valid rows only (the %(count)s rejected row will be left out)",
                "Import the valid rows only (the %(count)s rejected rows will be left out)",
                rejected,
            )
            % {"count": rejected},
            rejected_url=self.job_url("rejected", policy=policy),
            mapping_url=self.job_url("mapping"),
        )
        return context

    def post(self, request, *args, **kwargs):
        job = self.job
        if job.status != ImportStatus.MAPPING:
            return self.already_run()
        policy = request.POST.get("policy", "")
        skip_invalid = request.POST.get("skip_invalid") == "on"
        again = self.job_url("preview", policy=policy) if policy in ImportPolicy.values else ""
        again = again or self.job_url("preview")
        rejected = record_id(request.POST.get("rejected", "")) or 0
        if rejected and not skip_invalid:
            # Refused here, before the job is spent: the engine would refuse too.
            messages.error(
                request,
                ngettext(
                    "All or nothing: %(count)s row is rejected, so nothing would be imported. "
                    "Correct the file, or choose to import the valid rows only.",
                    "All or nothing: %(count)s rows are rejected, so nothing would be imported. "
                    "Correct the file, or choose to import the valid rows only.",
                    rejected,
                )
                % {"count": rejected},
            )
            return redirect(again)
        try:
            actions.run_import(request.user, job, policy, skip_invalid)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            job.refresh_from_db(fields=["status"])
            if job.status != ImportStatus.MAPPING:
                return redirect(self.job_url())
            return redirect(again)
        except Exception:
            # Celery running eagerly (the embedded default) raises the task's
            # own failure here; the job has recorded it, and its page says so.
            job.refresh_from_db(fields=["status"])
            if job.status != ImportStatus.FAILED:
                raise
            logger.exception("Import %s failed", job.pk)
        return redirect(self.job_url())


class JobView(JobMixin, TemplateView):
    template_name = "directory/imports/job.html"

    def get(self, request, *args, **kwargs):
        if self.job.status == ImportStatus.MAPPING:
            return redirect(self.job_url("mapping"))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        job = self.job
        created = job.created_ids or {}
        links = []
        for model, key, phrase in (
            (
                Organisation,
                "organisations",
                lambda n: ngettext(
                    "See the %(count)s organisation created",
                    "See the %(count)s organisations created",
                    n,
                ),
            ),
            (
                Person,
                "people",
                lambda n: ngettext(
                    "See the %(count)s person created", "See the %(count)s people created", n
                ),
            ),
        ):
            number = len(created.get(key) or [])
            if number:
                url = reverse(model.snippet_viewset.get_url_name("list"))
                links.append(
                    (f"{url}?{urlencode({'import': job.pk})}", phrase(number) % {"count": number})
                )
        context.update(
            progress=jobs.progress_of(job),
            status_url=self.job_url("status"),
            counts=done_phrases(job.counts or {}),
            created_links=links,
            has_rejected=job.status in (ImportStatus.DONE, ImportStatus.FAILED)
            and bool(job.counts.get(REJECT) if job.counts else False),
            rejected_url=self.job_url("rejected"),
            new_url=reverse("directory_imports:new"),
            running=job.status in (ImportStatus.QUEUED, ImportStatus.RUNNING),
        )
        return context


class StatusView(JobMixin, View):
    """The progress bar's JSON: where the job is."""

    def get(self, request, *args, **kwargs):
        job = self.job
        progress = jobs.progress_of(job)
        return JsonResponse(
            {
                "status": job.status,
                "status_label": str(job.get_status_display()),
                "finished": job.is_finished,
                "percent": progress["percent"],
                "done": progress["done"],
                "total": progress["total"],
                "text": _progress_text(progress),
            }
        )


def _progress_text(progress) -> str:
    return ngettext(
        "%(done)s row of %(total)s read",
        "%(done)s rows of %(total)s read",
        progress["done"] or 0,
    ) % {"done": progress["done"] or 0, "total": progress["total"] or 0}


class RejectedView(JobMixin, View):
    """The rejected rows as a CSV for French Excel (BOM, ";"), with their
    line and reasons: fix them and upload the file again. Before the import
    is run, those the preview finds (by the `policy` in the query)."""

    needs_file = True

    def get(self, request, *args, **kwargs):
        job = self.job
        if job.status == ImportStatus.MAPPING:
            policy = request.GET.get("policy", job.policy)
            if policy not in ImportPolicy.values:
                policy = job.policy
            try:
                plan = actions.preview_import(request.user, job, policy)
            except ImportFileError:
                raise Http404 from None
            content = jobs.rejected_csv(plan) if plan.rejected else ""
        else:
            content = job.rejected_csv
        if not content:
            raise Http404
        stem = PurePath(job.file_name).stem or "import"
        response = HttpResponse("\ufeff" + content, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = content_disposition_header(
            True, _("rejected-rows-%(name)s.csv") % {"name": stem}
        )
        return response


class HistoryView(ImportMixin, TemplateView):
    template_name = "directory/imports/index.html"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": pgettext("import wizard", "Imports")}]

    def get_header_buttons(self):
        return [HeaderButton(_("New import"), reverse("directory_imports:new"), icon_name="upload")]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        found = (
            ImportJob.objects.select_related("user").defer(*HEAVY).order_by("-created_at", "-pk")
        )
        paginator = Paginator(found, PER_PAGE)
        page = paginator.get_page(self.request.GET.get("p"))
        rows = []
        for job in page.object_list:
            counts = job.counts or {}
            rows.append(
                {
                    "job": job,
                    "mine": job.user_id == self.request.user.pk,
                    "who": (job.user.get_full_name() or job.user.get_username())
                    if job.user
                    else _("Deleted user"),
                    "counts": [counts.get(key) for key in (CREATE, UPDATE, UNCHANGED, REJECT)]
                    if job.is_finished
                    else None,
                    "url": reverse("directory_imports:job", args=(job.pk,)),
                }
            )
        context.update(
            page=page,
            rows=rows,
            elided_page_range=paginator.get_elided_page_range(page.number),
        )
        return context


class ImportMenuItem(MenuItem):
    def is_shown(self, request):
        return may_import(request.user)


class ImportViewSet(ViewSet):
    """« Importer » in the Annuaire menu: the upload page (the first URL)."""

    name = "directory_imports"
    url_prefix = "directory/imports"
    icon = "upload"
    menu_label = pgettext_lazy("verb", "Import")
    menu_name = "import"
    menu_order = 800
    menu_item_class = ImportMenuItem

    def get_urlpatterns(self):
        return [
            path("new/", UploadView.as_view(), name="new"),
            path("", HistoryView.as_view(), name="index"),
            path("<int:pk>/", JobView.as_view(), name="job"),
            path("<int:pk>/mapping/", MappingView.as_view(), name="mapping"),
            path("<int:pk>/preview/", PreviewView.as_view(), name="preview"),
            path("<int:pk>/status/", StatusView.as_view(), name="status"),
            path("<int:pk>/rejected.csv", RejectedView.as_view(), name="rejected"),
        ]
