"""Celery task of the planner: the reminder sweep, run every minute by beat
(`CELERY_BEAT_SCHEDULE` in the settings; `manage.py send_reminders` does the
same without beat)."""

from celery import shared_task


@shared_task(name="planner.send_due_reminders")
def send_due_reminders() -> int:
    from .reminders import sweep

    return sweep()
