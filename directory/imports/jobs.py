"""Import jobs: the uploaded file, its mapping, its preview and its run.

`run_job` is what the Celery task (`directory.tasks.run_import`) does:
plan and write in one transaction, so that an import that fails half-way
leaves the database exactly as it was. Progress is kept in the cache (the
job's row is inside that transaction until it ends), where the progress
page reads it; with the embedded defaults the task runs at once and the page
arrives finished.
"""

from __future__ import annotations

import csv
import io

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, override
from wagtail.log_actions import log

from ..exports import escape_formula
from ..models import ImportJob, ImportStatus
from ..tasks import refresh_duplicate_pairs
from .plan import REJECT, Plan, build_plan
from .reading import read_sheet
from .writing import write_plan

IMPORT_ACTION = "directory.import"
PROGRESS_TIMEOUT = 6 * 3600


def sheet_of(job: ImportJob):
    return read_sheet(
        bytes(job.file_data),
        job.file_name,
        encoding=job.encoding or None,
        delimiter=job.delimiter or None,
    )


def plan_of(job: ImportJob, progress=None) -> Plan:
    sheet = sheet_of(job)
    return build_plan(sheet.headers, sheet.rows, job.mapping, policy=job.policy, progress=progress)


def progress_key(job_id: int) -> str:
    return f"directory-import-progress-{job_id}"


def progress_of(job: ImportJob) -> dict:
    """{"percent", "done", "total", "status"} for the progress bar."""
    if job.is_finished:
        return {"percent": 100, "done": job.total_rows, "total": job.total_rows}
    found = cache.get(progress_key(job.pk)) or {}
    total = found.get("total") or job.total_rows
    done = found.get("done", 0)
    percent = min(99, int(100 * done / total)) if total else 0
    return {"percent": percent, "done": done, "total": total}


def rejected_csv(plan: Plan) -> str:
    """The rejected rows as they were, with their line and reasons: fix them
    in a spreadsheet and upload this file again (the importer ignores the
    two added columns)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([*plan.headers, _("Line"), _("Reasons")])
    width = len(plan.headers)
    for row in plan.rejected:
        cells = list(row.cells[:width]) + [""] * (width - len(row.cells[:width]))
        reasons = " ; ".join(
            f"{problem.column} : {problem.reason}" if problem.column else problem.reason
            for problem in row.problems
        )
        writer.writerow([*(escape_formula(cell) for cell in cells), row.line, reasons])
    return buffer.getvalue()


def refusal(plan: Plan) -> str:
    count = plan.counts[REJECT]
    return ngettext(
        "%(count)d row was rejected, so nothing was imported: correct it, or "
        "choose to import the valid rows only.",
        "%(count)d rows were rejected, so nothing was imported: correct them, or "
        "choose to import the valid rows only.",
        count,
    ) % {"count": count}


def run_job(job_id: int) -> ImportJob:
    """Plan and write an import, all or nothing; record its outcome."""
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    if job.status not in (ImportStatus.QUEUED, ImportStatus.RUNNING):
        return job  # already done: a redelivered task does nothing
    with override(_language(job.user) or "fr"):
        return _run(job)


def _language(user) -> str:
    try:
        return user.wagtail_userprofile.preferred_language if user else ""
    except Exception:  # no profile yet
        return ""


def _run(job: ImportJob) -> ImportJob:
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.RUNNING, started_at=timezone.now()
    )
    key = progress_key(job.pk)

    def progress(done):
        cache.set(key, {"done": done, "total": job.total_rows}, PROGRESS_TIMEOUT)

    def stage(_name):
        cache.set(key, {"done": job.total_rows, "total": job.total_rows}, PROGRESS_TIMEOUT)

    outcome = {}
    try:
        with transaction.atomic():
            plan = plan_of(job, progress=progress)
            outcome["counts"] = plan.counts
            outcome["rejected_csv"] = rejected_csv(plan) if plan.rejected else ""
            if plan.rejected and not job.skip_invalid:
                outcome["status"] = ImportStatus.FAILED
                outcome["error"] = refusal(plan)
                outcome["created_ids"] = {}
            else:
                outcome["created_ids"] = write_plan(
                    plan, progress=stage, user=job.user, file_name=job.file_name
                )
                transaction.on_commit(refresh_duplicate_pairs.delay)
                outcome["status"] = ImportStatus.DONE
                outcome["error"] = ""
                log(
                    job,
                    IMPORT_ACTION,
                    user=job.user,
                    data={"file": job.file_name, "counts": plan.counts},
                )
    except Exception as error:  # nothing was written: say so, keep the job
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.FAILED,
            error=_("The import failed and nothing was written (%(error)s).")
            % {"error": type(error).__name__},
            finished_at=timezone.now(),
        )
        cache.delete(key)
        raise
    ImportJob.objects.filter(pk=job.pk).update(finished_at=timezone.now(), **outcome)
    cache.delete(key)
    job.refresh_from_db()
    return job
