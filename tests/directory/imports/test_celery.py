"""The import runs in a Celery worker (Redis broker) and the page follows its
progress; with the embedded defaults (eager) it is finished at once."""

import time

import pytest
from django.core.cache import cache

from crmsite.celery import app
from directory import actions
from directory.imports.jobs import progress_key, progress_of
from directory.models import ImportJob, ImportStatus, Person

ROWS = 3000


def sheet(rows=ROWS) -> bytes:
    lines = ["Prénom;Nom;Structure;E-mail pro"]
    lines += [
        f"Léa;Martin-{i};Compagnie {i // 10};lea{i}@compagnie{i // 10}.fr" for i in range(rows)
    ]
    return ("\r\n".join(lines) + "\r\n").encode()


@pytest.mark.django_db(transaction=True)
def test_an_import_runs_in_the_worker_and_its_progress_can_be_followed(settings, admin_user):
    job = actions.start_import(admin_user, "gros-fichier.csv", sheet())
    job = actions.map_import(admin_user, job, job.mapping)
    if not settings.REDIS_URL:
        # Embedded defaults: the task runs on commit, in the request.
        actions.run_import(admin_user, job, "update", skip_invalid=False)
        job.refresh_from_db()
        assert job.status == ImportStatus.DONE and Person.objects.count() == ROWS
        assert progress_of(job)["percent"] == 100
        return
    from celery.contrib.testing.worker import start_worker

    seen = []
    with start_worker(app, perform_ping_check=False, pool="solo", concurrency=1):
        actions.run_import(admin_user, job, "update", skip_invalid=False)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            job = ImportJob.objects.get(pk=job.pk)
            seen.append((job.status, progress_of(job)["percent"]))
            if job.is_finished:
                break
            time.sleep(0.05)
    assert job.status == ImportStatus.DONE, job.error
    assert Person.objects.count() == ROWS
    statuses = [status for status, _ in seen]
    assert statuses[-1] == ImportStatus.DONE
    assert seen[-1][1] == 100
    percents = [percent for _, percent in seen]
    assert percents == sorted(percents)  # the bar never goes back


def test_the_progress_of_a_running_job_comes_from_the_worker(admin_user):
    job = actions.start_import(admin_user, "a.csv", sheet(10))
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING, total_rows=200)
    job.refresh_from_db()
    assert progress_of(job)["percent"] == 0
    cache.set(progress_key(job.pk), {"done": 50, "total": 200})
    assert progress_of(job) == {"percent": 25, "done": 50, "total": 200}
    cache.delete(progress_key(job.pk))
