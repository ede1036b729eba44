"""A campaign sent by a real Celery worker (Redis broker), and the rate limit
all workers share."""

import time

import pytest
from django.core import mail
from django.test import TestCase

from outreach import actions, sending
from outreach.models import CampaignStatus, DeliveryStatus
from tests.factories import PersonFactory, PositionFactory

from .conftest import basket_for, rule

RECIPIENTS = 120


def press_basket(town, marie, count):
    for index in range(count):
        PositionFactory(
            person=PersonFactory(first_name="Léa", last_name=f"Martin {index}", email=""),
            organisation=town.metz,
            function=town.press,
            email=f"lea{index}@theatre-metz.fr",
        )
    tree = {"match": "all", "rules": [rule("position.function", "in", [town.press.pk])]}
    return basket_for(marie, tree, name="Presse")


@pytest.mark.django_db(transaction=True)
def test_a_campaign_is_sent_by_the_worker_each_message_once(settings, town, marie, email_template):
    from crmsite.celery import app

    basket = press_basket(town, marie, RECIPIENTS)
    campaign = actions.create_campaign(
        marie, basket=basket, name="Presse", channel="email", email_template=email_template
    )
    mail.outbox = []
    if not settings.REDIS_URL:
        actions.send_campaign(marie, campaign)  # eager: sent on commit, here
    else:
        from celery.contrib.testing.worker import start_worker

        app.conf.task_always_eager = False
        try:
            with start_worker(app, perform_ping_check=False, pool="solo", concurrency=1):
                actions.send_campaign(marie, campaign)
                deadline = time.monotonic() + 120
                while time.monotonic() < deadline:
                    campaign.refresh_from_db()
                    if campaign.status == CampaignStatus.SENT:
                        break
                    time.sleep(0.1)
        finally:
            app.conf.task_always_eager = True
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENT
    sent = campaign.deliveries.filter(status=DeliveryStatus.SENT)
    assert sent.count() == RECIPIENTS
    recipients = [message.to[0] for message in mail.outbox]
    assert len(recipients) == RECIPIENTS == len(set(recipients))


class FakeClock:
    """time.time and time.sleep of the sender, on a clock that only moves when slept."""

    def __init__(self):
        self.now = 1_800_000_000.0
        self.slept = 0.0

    def time(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds
        self.slept += seconds

    def monotonic(self):
        return self.now


@pytest.mark.django_db
def test_the_rate_limit_holds_messages_back(settings, town, marie, email_template, monkeypatch):
    settings.OUTREACH_RATE_LIMITS = {"email": 2}
    clock = FakeClock()
    monkeypatch.setattr(sending, "time", clock)
    basket = press_basket(town, marie, 5)
    campaign = actions.create_campaign(
        marie, basket=basket, name="Presse", channel="email", email_template=email_template
    )
    mail.outbox = []
    with TestCase.captureOnCommitCallbacks(execute=True):
        actions.send_campaign(marie, campaign)
    assert len(mail.outbox) == 5
    # 2 a second: the 3rd and 5th messages wait for the next second.
    assert clock.slept >= 2
