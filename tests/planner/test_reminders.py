"""Reminder e-mails (`planner.reminders`): each goes once, whoever sweeps and
however many sweeps run at the same instant, on SQLite and on PostgreSQL."""

import datetime
import io
import json
import os
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection

from crmsite.celery import app
from planner import actions, reminders
from planner.models import Task
from planner.schedule import Reminder

from .conftest import paris

CREATED = paris(2026, 5, 1, 12, 0)


@pytest.fixture(autouse=True)
def forget_tries():
    cache.clear()
    yield
    cache.clear()


def remind(
    user,
    title="Appeler la Comète",
    *,
    at=datetime.time(10, 0),
    reminder=Reminder.QUARTER,
    day=datetime.date(2026, 5, 14),
    **fields,
):
    return actions.create_task(
        user, title=title, due_date=day, due_time=at, reminder=reminder, now=CREATED, **fields
    )


DUE = paris(2026, 5, 14, 9, 45)  # 15 minutes before 10:00


def test_a_due_reminder_is_sent_once_in_the_owners_language(marie, theatre):
    task = remind(marie, place="Bureau 3", organisation=theatre, description="Ordre du jour")
    assert reminders.sweep(DUE - datetime.timedelta(seconds=1)) == 0
    assert reminders.sweep(DUE) == 1
    assert reminders.sweep(DUE + datetime.timedelta(minutes=1)) == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [marie.email]
    assert (
        message.subject
        == "[CRM Culture] Rappel\u00a0: Appeler la Comète, 14/05/2026 à 10\u00a0h\u00a000"
    )
    assert "Votre tâche «\u00a0Appeler la Comète\u00a0» est prévue le 14/05/2026" in message.body
    assert "Lieu\u00a0: Bureau 3" in message.body
    assert "Concerne\u00a0: Théâtre de Metz." in message.body
    assert "Ordre du jour" in message.body
    assert f"/admin/planner/tasks/edit/{task.pk}/" in message.body
    task.refresh_from_db()
    assert task.reminder_sent_at == DUE


def test_an_english_speaking_owner_gets_it_in_english(marie):
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(marie)
    profile.preferred_language = "en"
    profile.save()
    remind(marie)
    reminders.sweep(DUE)
    assert mail.outbox[0].subject.startswith(
        "[CRM Culture] Reminder: Appeler la Comète, 14/05/2026"
    )


def test_a_task_done_before_its_reminder_is_not_reminded(marie):
    task = remind(marie)
    actions.mark_done(marie, task, now=paris(2026, 5, 14, 9, 0))
    assert reminders.sweep(DUE) == 0
    assert mail.outbox == []


def test_a_moved_reminder_goes_again_at_its_new_moment(marie):
    task = remind(marie)
    reminders.sweep(DUE)
    actions.update_task(marie, task, due_time=datetime.time(16, 0), now=DUE)
    assert reminders.sweep(paris(2026, 5, 14, 15, 44)) == 0
    assert reminders.sweep(paris(2026, 5, 14, 15, 45)) == 1
    assert len(mail.outbox) == 2


def test_nobody_is_written_to_without_an_address_an_active_account_or_the_planner(marie, paul):
    from django.contrib.auth.models import Group

    from tests import factories

    factories.administrator(username="root")  # so that another one may stop being one
    admin = factories.administrator(username="ancien")
    remind(marie)
    remind(paul)
    remind(admin)
    marie.email = ""
    marie.save()
    paul.is_active = False
    paul.save()
    admin.groups.set([Group.objects.get(name="Clients")])  # a client now: no planner
    assert reminders.sweep(DUE) == 0
    assert not Task.objects.filter(reminder_sent_at__isnull=True).exists()


def test_a_reminder_a_day_late_is_dropped_not_sent_after_the_fact(marie):
    task = remind(marie)
    assert reminders.sweep(DUE + reminders.TOO_LATE + datetime.timedelta(minutes=1)) == 0
    task.refresh_from_db()
    assert task.reminder_sent_at is not None and mail.outbox == []


def test_a_failed_sending_gives_the_claim_back_then_gives_up(marie, monkeypatch):
    task = remind(marie)

    def refuse(self, messages):
        raise ConnectionError("provider down")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    for minute in range(reminders.MAX_TRIES):
        assert reminders.sweep(DUE + datetime.timedelta(minutes=minute)) == 0
        task.refresh_from_db()
        if minute < reminders.MAX_TRIES - 1:
            assert task.reminder_sent_at is None  # tried again at the next sweep
    assert task.reminder_sent_at is not None  # given up after MAX_TRIES


def test_a_failed_sending_is_sent_at_the_next_sweep(marie, monkeypatch):
    remind(marie)
    calls = []
    real = mail.backends.locmem.EmailBackend.send_messages

    def once_down(self, messages):
        calls.append(1)
        if len(calls) == 1:
            raise ConnectionError("provider down")
        return real(self, messages)

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", once_down)
    assert reminders.sweep(DUE) == 0
    assert reminders.sweep(DUE + datetime.timedelta(minutes=1)) == 1
    assert len(mail.outbox) == 1


# --- Two sweeps at the same instant -----------------------------------------------------


def test_two_sweeps_that_read_the_same_due_reminders_send_each_once(marie, paul, monkeypatch):
    """The second sweep runs between the first one's reading and its claims:
    both see the same due reminders, and each reminder is sent by one of them."""
    for user in (marie, paul):
        remind(user, title=f"Tâche de {user.username}")
    real_due = reminders.due
    nested = []

    def due_then_another_sweep(now):
        found = real_due(now)
        if not nested:
            nested.append("running")
            nested.append(reminders.sweep(now))
        return found

    monkeypatch.setattr(reminders, "due", due_then_another_sweep)
    first = reminders.sweep(DUE)
    assert nested == ["running", 2] and first == 0
    assert len(mail.outbox) == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([marie.email, paul.email])


SWEEPERS = 4
SWEEP_SCRIPT = """
import datetime, json, sys, time
import django
django.setup()
from django.core import mail
from planner import reminders
now = datetime.datetime.fromisoformat(sys.argv[1])
start_at = float(sys.argv[2])
while time.time() < start_at:
    time.sleep(0.005)
sent = reminders.sweep(now)
print(json.dumps({"sent": sent, "subjects": [m.subject for m in getattr(mail, "outbox", [])]}))
"""


def _database_url_for_workers(tmp_path) -> str:
    """An address other processes can reach holding this test's data: on
    SQLite, a copy of the in-memory test database in a file; on PostgreSQL,
    the test database itself (the test commits its data)."""
    if connection.vendor == "sqlite":
        import sqlite3

        connection.ensure_connection()
        path = tmp_path / "sweep.sqlite3"
        target = sqlite3.connect(path)
        connection.connection.backup(target)
        target.close()
        return f"sqlite:///{path}"
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{db['USER']}{password}@{host}/{db['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_sweeps_run_at_once_by_several_processes_send_each_reminder_once(marie, paul, tmp_path):
    """Real concurrency: several worker processes, each with its own database
    connection, sweep at the same instant (SQLite serialises their writes,
    PostgreSQL locks the rows); every reminder is e-mailed by one of them."""
    tasks = [
        remind(user, title=f"Tâche {n} de {user.username}")
        for n in range(5)
        for user in (marie, paul)
    ]
    url = _database_url_for_workers(tmp_path)
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("REDIS_URL", "CELERY_BROKER_URL", "DATABASE_URL")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="crmsite.settings.test",
        DATABASE_URL=url,
        DATABASE_POOL="0",
        PYTHONPATH=str(settings.BASE_DIR),
    )
    start_at = time.time() + 8
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", SWEEP_SCRIPT, DUE.isoformat(), str(start_at)],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(SWEEPERS)
    ]
    results = []
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err[-2000:]
        results.append(json.loads(out.strip().splitlines()[-1]))
    subjects = [subject for result in results for subject in result["subjects"]]
    assert sum(result["sent"] for result in results) == len(tasks)
    assert sorted(subjects) == sorted(
        f"[CRM Culture] Rappel\u00a0: {task.title}, 14/05/2026 à 10\u00a0h\u00a000"
        for task in tasks
    )


# --- Who runs the sweep -----------------------------------------------------------------


def test_the_management_command_sweeps_once(marie, monkeypatch):
    remind(marie)
    monkeypatch.setattr("planner.schedule.now", lambda: DUE)
    out = io.StringIO()
    call_command("send_reminders", stdout=out)
    call_command("send_reminders", stdout=out)
    assert len(mail.outbox) == 1
    assert "1 reminder(s) sent." in out.getvalue()


def test_the_command_refuses_a_busy_loop():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("send_reminders", every=1)


def test_celery_beat_runs_the_sweep_every_minute(marie, monkeypatch):
    entry = settings.CELERY_BEAT_SCHEDULE["planner-send-due-reminders"]
    assert entry == {"task": "planner.send_due_reminders", "schedule": 60.0}
    from planner.tasks import send_due_reminders

    assert send_due_reminders.name == "planner.send_due_reminders"
    remind(marie)
    monkeypatch.setattr("planner.schedule.now", lambda: DUE)
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        assert app.tasks["planner.send_due_reminders"].delay().get() == 1
    finally:
        app.conf.task_always_eager = eager
    assert len(mail.outbox) == 1
