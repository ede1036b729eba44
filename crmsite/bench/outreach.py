"""Benchmark of campaigns (`python manage.py bench outreach --json`), on
PostgreSQL and Redis with real Celery worker processes.

* A `--rows` (default 100,000) recipient e-mail campaign sent by one worker
  through an in-memory backend (`crmsite.bench.mail`): messages handed to
  the backend per second, beside the naive baseline (one task per message)
  measured in the same run on `--rows / 20` recipients.
* A 10,000-label PDF (Avery L7160): seconds and peak Python memory.
* Through the provider's HTTP API (a local stand-in for Brevo answering
  after `--provider-latency-ms`, default 50 ms a call): messages per second
  in batches (`outreach.email.batch`) beside one call per message.
* A worker killed (SIGKILL) mid-campaign, its claims left to expire, the
  campaign resumed by a new worker: messages handed twice (goal 0), and
  deliveries marked unknown (the ones the dead worker held: never resent).

The benchmark creates its own people, basket, template and campaigns, and
deletes them at the end.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from . import mail

TAG = "Bench-outreach"


def _worker(name: str, *extra: str) -> subprocess.Popen:
    env = dict(os.environ)
    env["EMAIL_BACKEND"] = "crmsite.bench.mail.TracingBackend"
    env.setdefault("DJANGO_SETTINGS_MODULE", os.environ.get("DJANGO_SETTINGS_MODULE", ""))
    return subprocess.Popen(  # noqa: S603  (our own interpreter and arguments)
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "crmsite",
            "worker",
            "--pool",
            "solo",
            "--concurrency",
            "1",
            "-l",
            "warning",
            "-n",
            f"{name}@%h",
            "-I",
            "crmsite.bench.outreach_tasks",
            *extra,
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _ready(app, name: str, timeout: float = 60) -> None:
    """Wait until the worker answers a ping, so that its start is not timed."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        replies = app.control.ping(timeout=0.5) or []
        if any(name in reply_name for reply in replies for reply_name in reply):
            return
    raise RuntimeError("the Celery worker did not start")


def _stop(process: subprocess.Popen, kill: bool = False) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _directory(count: int):
    from directory.models import Function, Organisation, Person, Position
    from directory.text import fold

    function = Function.objects.create(name=f"{TAG} chargé·e de presse", name_key=fold(TAG))
    organisation = Organisation.objects.create(name=f"{TAG} Théâtre", postcode="57000")
    people = [
        Person(
            first_name="Léa",
            last_name=f"{TAG}-{index}",
            name_key=fold(f"{TAG}-{index} lea"),
            search_text=f"lea {TAG.lower()}-{index}",
        )
        for index in range(count)
    ]
    Person.all_objects.bulk_create(people, batch_size=5000)
    Position.all_objects.bulk_create(
        [
            Position(
                person=person,
                organisation=organisation,
                function=function,
                email=f"lea{index}@bench-theatre.fr",
                is_primary=True,
            )
            for index, person in enumerate(people)
        ],
        batch_size=5000,
    )
    return function, organisation


def _basket(user, function, name):
    from selections.models import Basket, BasketStep, SavedSearch

    tree = {
        "match": "all",
        "rules": [{"field": "position.function", "operator": "in", "value": [function.pk]}],
    }
    search = SavedSearch.objects.create(owner=user, name=name, criteria=tree, target="people")
    basket = Basket.objects.create(owner=user, name=name)
    BasketStep.objects.create(basket=basket, sort_order=0, operation="union", search=search)
    return basket


def _campaign(user, basket, template, name):
    from outreach import actions

    return actions.create_campaign(
        user, basket=basket, name=name, channel="email", email_template=template
    )


def _wait_sent(campaign_id: int, timeout: float = 1800) -> float:
    from outreach.models import Campaign, CampaignStatus

    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if Campaign.objects.filter(pk=campaign_id, status=CampaignStatus.SENT).exists():
            return time.perf_counter() - start
        time.sleep(0.2)
    raise RuntimeError("the campaign was not sent in time")


def _sent_count(campaign_id: int) -> int:
    from outreach.models import Delivery, DeliveryStatus

    return Delivery.objects.filter(campaign_id=campaign_id, status=DeliveryStatus.SENT).count()


def _handed() -> tuple[int, int]:
    recipients = mail.handed()
    return len(recipients), len(recipients) - len(set(recipients))


def run(options) -> dict:
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        return {"error": "Run on PostgreSQL with REDIS_URL set: the benchmark uses real workers."}
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from crmsite.celery import app
    from crmsite.roles import STAFF
    from outreach import actions, sending
    from outreach.models import Delivery, DeliveryStatus, EmailTemplate
    from outreach.postal.bench import bench_labels

    count = options.get("rows") or 100_000
    os.environ["BENCH_OUTREACH_DIR"] = tempfile.mkdtemp(prefix="crm-bench-outreach-")
    mail.reset()
    app.control.purge()
    results: dict = {"database": connection.vendor, "recipients": count}
    user = get_user_model().objects.create_user(username=f"{TAG.lower()}-{int(time.time())}")
    user.groups.add(Group.objects.get(name=STAFF))
    template = EmailTemplate.objects.create(
        name=f"{TAG} {user.pk}",
        subject="Bonjour {{ prenom }}, la saison 2027 arrive",
        html=(
            "<h1>Saison 2027</h1><p>Bonjour {{ civilite }} {{ prenom }} {{ nom }},</p>"
            "<p>En tant que {{ fonction }} de {{ organisation }}, vous êtes invité·e à la "
            "présentation de saison.</p><p><a href='https://example.org/saison'>Le programme"
            "</a></p>"
        ),
    )
    function, organisation = _directory(count)
    workers: list[subprocess.Popen] = []
    try:
        basket = _basket(user, function, f"{TAG} all")
        if options.get("only") != "provider":
            # 1. The campaign, one worker.
            campaign = _campaign(user, basket, template, f"{TAG} 1")
            workers.append(_worker("bench1"))
            _ready(app, "bench1")
            started = time.perf_counter()
            with transaction.atomic():
                actions.send_campaign(user, campaign)
            freeze_seconds = time.perf_counter() - started
            seconds = _wait_sent(campaign.pk)
            sent = _sent_count(campaign.pk)
            handed, twice = _handed()
            results["campaign"] = {
                "freeze_seconds": round(freeze_seconds, 2),
                "send_seconds": round(seconds, 2),
                "messages_per_second": int(sent / seconds),
                "messages_handed_to_backend": handed,
                "handed_twice": twice,
                "goal_messages_per_second": 2000,
            }

            # 2. The naive baseline: one task per message, on a slice.
            mail.reset()
            slice_count = max(count // 20, 100)
            naive = _campaign(user, basket, template, f"{TAG} naive")
            # Frozen as the real path does, sent by one task per delivery.
            from outreach.freezing import freeze
            from outreach.models import Campaign, CampaignStatus

            with transaction.atomic():
                Campaign.objects.filter(pk=naive.pk).update(status=CampaignStatus.SENDING)
                naive.refresh_from_db()
                actions._freeze_content(naive)
                naive.save()
                freeze(naive)
            ids = list(
                Delivery.objects.filter(campaign=naive, status=DeliveryStatus.PENDING)
                .order_by("pk")
                .values_list("pk", flat=True)[:slice_count]
            )
            from .outreach_tasks import send_one

            start = time.perf_counter()
            for pk in ids:
                send_one.delay(pk)
            while Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.SENT).count() < len(
                ids
            ):
                time.sleep(0.2)
            naive_seconds = time.perf_counter() - start
            results["naive_one_task_per_message"] = {
                "messages": len(ids),
                "seconds": round(naive_seconds, 2),
                "messages_per_second": int(len(ids) / naive_seconds),
            }

            # 3. A worker killed mid-campaign, then the campaign resumed.
            mail.reset()
            resumed = _campaign(user, basket, template, f"{TAG} kill")
            with transaction.atomic():
                actions.send_campaign(user, resumed)
            while _sent_count(resumed.pk) < count // 4:
                time.sleep(0.05)
            for worker in workers:
                _stop(worker, kill=True)
            killed_at = _sent_count(resumed.pk)
            # Time passes: the dead worker's claims expire (`sending.STALE_AFTER`).
            Delivery.objects.filter(campaign=resumed, status=DeliveryStatus.SENDING).update(
                claimed_at=timezone.now() - sending.STALE_AFTER - timezone.timedelta(minutes=1)
            )
            workers.append(_worker("bench2"))
            _ready(app, "bench2")
            from outreach.tasks import send_campaign as task

            task.delay(resumed.pk)
            _wait_sent(resumed.pk)
            handed, twice = _handed()
            results["worker_killed_and_resumed"] = {
                "sent_before_the_kill": killed_at,
                "sent": _sent_count(resumed.pk),
                "unknown_never_resent": Delivery.objects.filter(
                    campaign=resumed, status=DeliveryStatus.UNKNOWN
                ).count(),
                "messages_handed_to_backend": handed,
                "handed_twice": twice,
                "goal_handed_twice": 0,
            }

        # 4. Through the provider's HTTP API (a local stand-in for Brevo with
        # a fixed delay per call): batches of personal messages, beside one
        # call per message, sent in this process by `outreach.sending.run`.
        latency = (options.get("provider_latency_ms") or 50) / 1000
        batched = _through_provider(user, basket, template, min(count // 10, 10_000), latency)
        single = _through_provider(
            user, basket, template, min(count // 200, 500), latency, batch=False
        )
        results["through_the_provider_api"] = {
            "provider_latency_ms_per_call": int(latency * 1000),
            "batches": batched,
            "one_call_per_message": single,
        }
    finally:
        for worker in workers:
            _stop(worker)
        _clean(user, template, function, organisation)
        mail.reset()

    if options.get("only") == "provider":
        return results
    labels = bench_labels(10_000)
    results["labels_pdf_10000"] = {**labels, "goal_seconds": 10}
    return results


def _through_provider(user, basket, template, messages, latency, batch=True) -> dict:
    """Send `messages` deliveries of a new campaign through a local stand-in
    for Brevo's API, in batches or one call per message."""
    from django.test import override_settings

    from outreach import actions, sending
    from outreach.freezing import freeze
    from outreach.models import Campaign, CampaignStatus, Delivery, DeliveryStatus

    from .provider import FakeBrevo

    campaign = _campaign(user, basket, template, f"{TAG} provider {batch}")
    with transaction.atomic():
        Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.SENDING)
        campaign.refresh_from_db()
        actions._freeze_content(campaign)
        campaign.save()
        freeze(campaign)
    pending = Delivery.objects.filter(campaign=campaign, status=DeliveryStatus.PENDING)
    keep = list(pending.order_by("pk").values_list("pk", flat=True)[:messages])
    pending.exclude(pk__in=keep).update(status=DeliveryStatus.LEFT_OUT)
    with (
        FakeBrevo(latency) as provider,
        override_settings(
            EMAIL_BACKEND="anymail.backends.brevo.EmailBackend",
            ANYMAIL={"BREVO_API_KEY": "bench", "BREVO_API_URL": provider.api_url},
            OUTREACH_EMAIL_BATCH=batch,
            OUTREACH_RATE_LIMITS={"email": 0, "sms": 0},
        ),
    ):
        started = time.perf_counter()
        sending.run(campaign.pk)
        seconds = time.perf_counter() - started
    sent = Delivery.objects.filter(campaign=campaign, status=DeliveryStatus.SENT).count()
    return {
        "messages": sent,
        "http_calls": provider.calls,
        "handed_twice": len(provider.recipients) - len(set(provider.recipients)),
        "seconds": round(seconds, 2),
        "messages_per_second": int(sent / seconds) if seconds else 0,
    }


def _clean(user, template, function, organisation) -> None:
    from directory.models import Person, Position
    from outreach.models import Campaign, Delivery
    from selections.models import Basket, SavedSearch

    campaigns = Campaign.objects.filter(owner=user)
    Delivery.objects.filter(campaign__in=campaigns)._raw_delete(connection.alias)
    campaigns.delete()
    Basket.objects.filter(owner=user).delete()
    SavedSearch.objects.filter(owner=user).delete()
    people = list(
        Position.all_objects.filter(function=function).values_list("person_id", flat=True)
    )
    Position.all_objects.filter(function=function)._raw_delete(connection.alias)
    for start in range(0, len(people), 10_000):
        Person.all_objects.filter(pk__in=people[start : start + 10_000])._raw_delete(
            connection.alias
        )
    organisation.delete()
    function.delete()
    template.delete()
    user.delete()
