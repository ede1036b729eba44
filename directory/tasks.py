"""Celery tasks of the directory."""

from celery import shared_task


@shared_task(name="directory.run_import")
def run_import(job_id: int) -> None:
    """Run a queued spreadsheet import (`directory.imports.jobs.run_job`)."""
    from .imports.jobs import run_job

    run_job(job_id)


@shared_task(name="directory.refresh_duplicate_pairs")
def refresh_duplicate_pairs() -> dict[str, int]:
    """Compute and store the likely pairs of people and of organisations
    (`directory.duplicates.refresh_pairs`): nightly, after an import, and
    on demand from « Doublons probables »."""
    from .duplicates import refresh_pairs

    return refresh_pairs()
