"""Celery tasks of the directory."""

from celery import shared_task


@shared_task(name="directory.run_import")
def run_import(job_id: int) -> None:
    """Run a queued spreadsheet import (`directory.imports.jobs.run_job`)."""
    from .imports.jobs import run_job

    run_job(job_id)
