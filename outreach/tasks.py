"""Celery tasks of outreach: sending a campaign in short runs, and releasing
the campaigns whose time has come.

One run sends for at most `OUTREACH_TASK_SECONDS` (default 60 s), well
within the broker's visibility timeout, then queues the next run: a worker
lost mid-run loses at most one chunk's claims (made unknown, never resent,
see `outreach.sending`). With the embedded eager Celery the run simply
goes on until the campaign is sent.
"""

from celery import shared_task
from django.conf import settings

MAX_BACKOFF = 3600


@shared_task(bind=True, name="outreach.send_campaign", max_retries=None)
def send_campaign(self, campaign_id: int) -> None:
    from . import sending

    eager = bool(self.request.is_eager)
    budget = None if eager else getattr(settings, "OUTREACH_TASK_SECONDS", 60)
    outcome = sending.run(campaign_id, budget=budget)
    if outcome.done or eager:
        return
    if outcome.wait_until is not None:
        send_campaign.apply_async((campaign_id,), eta=outcome.wait_until)
    elif outcome.retry_in:
        delay = min(outcome.retry_in * 2 ** min(self.request.retries, 10), MAX_BACKOFF)
        raise self.retry(countdown=delay)
    else:
        send_campaign.delay(campaign_id)


@shared_task(name="outreach.release_due_campaigns")
def release_due_campaigns() -> int:
    """Start the scheduled campaigns whose time has come (run every minute by beat)."""
    from .actions import release_due

    return release_due()
