"""Celery tasks of the workspace itself: the monthly notice of dormant
contacts to administrators (`crmsite.privacy.notices`), run by beat
(`CELERY_BEAT_SCHEDULE` in the settings)."""

from celery import shared_task


@shared_task(name="crmsite.notify_dormant_contacts")
def notify_dormant_contacts() -> int:
    from .privacy.notices import notify_dormant

    return notify_dormant()
