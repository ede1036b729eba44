"""Campaigns end to end through `outreach.actions`: the director case,
labels at the theatre's address, at-most-once sending under retries,
timeouts, crashes and two workers, opt-outs after the freeze, quiet hours
and cancelling. E-mail goes through anymail's Brevo backend against
Brevo's real HTTP shapes (`responses`)."""

import datetime
import json
import threading
from zoneinfo import ZoneInfo

import pytest
import requests
import responses
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import TestCase
from django.utils import timezone

from directory.models import Consent
from outreach import actions, sending
from outreach.models import (
    Campaign,
    CampaignStatus,
    Delivery,
    DeliveryStatus,
    Suppression,
    SuppressionReason,
)
from tests.factories import PersonFactory, PositionFactory

from .conftest import basket_for, rule

pytestmark = pytest.mark.django_db
BREVO = "https://api.brevo.com/v3/smtp/email"
PARIS = ZoneInfo("Europe/Paris")


def send(user, campaign, **options):
    """`actions.send_campaign`, its task queued on commit run at once (eager Celery)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return actions.send_campaign(user, campaign, **options)


@pytest.fixture
def brevo(settings):
    settings.EMAIL_BACKEND = "anymail.backends.brevo.EmailBackend"
    settings.ANYMAIL = {"BREVO_API_KEY": "xkeysib-test"}
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mocked:
        yield mocked


def accepted(counter=[0]):  # noqa: B006  (a message id per call)
    def reply(request):
        counter[0] += 1
        return (201, {}, json.dumps({"messageId": f"<{counter[0]}@smtp-relay.mailin.fr>"}))

    return reply


def sent_to(mocked) -> list[str]:
    return [
        json.loads(call.request.body)["to"][0]["email"]
        for call in mocked.calls
        if call.request.url == BREVO
        and isinstance(call.response, requests.Response)
        and call.response.status_code == 201
    ]


def campaign_of(user, basket, channel="email", **fields):
    return actions.create_campaign(
        user, basket=basket, name="Saison 2027", channel=channel, **fields
    )


def test_the_director_case_reaches_each_director_at_the_directors_address(
    town, marie, directors_basket, email_template, brevo
):
    brevo.add_callback("POST", BREVO, callback=accepted())
    campaign = campaign_of(marie, directors_basket, email_template=email_template)
    assert send(marie, campaign) == 1
    deliveries = {d.name: d for d in campaign.deliveries.all()}
    alice, emma = deliveries["Alice Arnaud"], deliveries["Emma Escoffier"]
    assert (alice.coordinate, alice.source, alice.status) == (
        "a.arnaud@theatre-metz.fr",
        "position",
        DeliveryStatus.SENT,
    )
    assert alice.provider_message_id.endswith("@smtp-relay.mailin.fr>")
    assert "Théâtre de Metz" in alice.capacity
    assert emma.status == DeliveryStatus.LEFT_OUT and "refus" in emma.reason
    assert sent_to(brevo) == ["a.arnaud@theatre-metz.fr"]
    payload = json.loads(brevo.calls[0].request.body)
    assert "alice@perso.fr" not in str(brevo.calls[0].request.body)
    assert payload["subject"] == "Bonjour Alice"
    assert "Théâtre de Metz" in payload["htmlContent"]
    assert payload["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert payload["headers"]["List-Unsubscribe"].startswith("<http")
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENT and campaign.finished_at
    # Frozen: the report still names the director's address after she leaves.
    town.positions.alice_director.email = "nouvelle@theatre-metz.fr"
    town.positions.alice_director.save()
    assert campaign.deliveries.get(name="Alice Arnaud").coordinate == "a.arnaud@theatre-metz.fr"


def test_labels_carry_the_theatres_address_never_the_personal_one(town, marie, label_template):
    town.alice.address_line1 = "8 rue Privée"
    town.alice.postcode = "75004"
    town.alice.city = "Paris"
    town.alice.save()
    town.lyon_theatre.postcode = town.lyon_theatre.city = ""
    town.lyon_theatre.save()
    tree = {"match": "all", "rules": [rule("position.function", "in", [town.director.pk])]}
    basket = basket_for(marie, tree, name="Tous les directeurs")
    campaign = campaign_of(marie, basket, channel="post", label_template=label_template)
    send(marie, campaign)
    labels = {
        d.name: d.coordinate.splitlines()
        for d in campaign.deliveries.filter(status=DeliveryStatus.SENT)
    }
    assert labels["Alice Arnaud"][:2] == ["Alice Arnaud", "Directeur·rice"]
    assert "Théâtre de Metz" in labels["Alice Arnaud"]
    assert labels["Alice Arnaud"][-2:] == ["1 PLACE DE LA COMEDIE", "57000 METZ"]
    assert not any("PRIVEE" in line for lines in labels.values() for line in lines)
    left_out = {
        d.name: d.reason for d in campaign.deliveries.filter(status=DeliveryStatus.LEFT_OUT)
    }
    assert "Bruno Blanc" in left_out  # Théâtre de Lyon has no street address
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENT


def test_sending_twice_is_refused_and_sends_nothing_more(
    marie, directors_basket, email_template, brevo
):
    brevo.add_callback("POST", BREVO, callback=accepted())
    campaign = campaign_of(marie, directors_basket, email_template=email_template)
    send(marie, campaign)
    stale_copy = Campaign.objects.get(pk=campaign.pk)
    stale_copy.status = CampaignStatus.DRAFT  # the second tab still shows a draft
    with pytest.raises(ValidationError, match="déjà"):
        send(marie, stale_copy)
    assert len(sent_to(brevo)) == 1
    assert campaign.deliveries.count() == 2


def test_only_the_author_sends_and_a_client_reaches_nothing(
    marie, paul, directors_basket, email_template
):
    from tests.factories import client

    campaign = campaign_of(marie, directors_basket, email_template=email_template)
    with pytest.raises(PermissionDenied):
        send(paul, campaign)
    with pytest.raises(PermissionDenied):
        actions.create_campaign(paul, basket=directors_basket, name="x", channel="email")
    with pytest.raises(PermissionDenied):
        actions.access_campaign(client(username="zoe"), campaign)
    assert not actions.visible_campaigns(paul).exists()
    assert Delivery.objects.count() == 0


def test_an_empty_basket_sends_nothing(marie, town, email_template):
    tree = {"match": "all", "rules": [rule("person.name", "contains", "Personne")]}
    basket = basket_for(marie, tree, name="Vide")
    campaign = campaign_of(marie, basket, email_template=email_template)
    with pytest.raises(ValidationError, match="personne|No one|Personne"):
        send(marie, campaign)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT
    assert not campaign.deliveries.exists()


def test_a_template_with_an_unknown_field_is_refused_when_saved(admin_user, staff_user):
    from outreach.models import EmailTemplate

    with pytest.raises(ValidationError) as error:
        actions.save_template(
            admin_user, EmailTemplate(), name="X", subject="Bonjour {{ surnom }}", html="<p>x</p>"
        )
    assert "surnom" in str(error.value)
    with pytest.raises(PermissionDenied):
        actions.save_template(staff_user, EmailTemplate(), name="Y", subject="s", html="<p>x</p>")
    assert not EmailTemplate.objects.exists()


def big_basket(marie, town, count):
    for index in range(count):
        PositionFactory(
            person=PersonFactory(first_name="Léa", last_name=f"Martin {index}", email=""),
            organisation=town.metz,
            function=town.press,
            email=f"lea{index}@theatre-metz.fr",
        )
    tree = {"match": "all", "rules": [rule("position.function", "in", [town.press.pk])]}
    return basket_for(marie, tree, name="Presse")


def frozen(marie, basket, email_template):
    """A campaign frozen for sending, its task not run (as if queued)."""
    campaign = campaign_of(marie, basket, email_template=email_template)
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.SENDING)
    campaign.refresh_from_db()
    actions._freeze_content(campaign)
    campaign.save()
    from outreach.freezing import freeze

    freeze(campaign)
    return campaign


def test_a_timeout_is_marked_unknown_and_never_resent(marie, town, email_template, brevo):
    basket = big_basket(marie, town, 3)
    campaign = frozen(marie, basket, email_template)
    brevo.add(responses.POST, BREVO, body=requests.ReadTimeout("read timed out"))
    brevo.add_callback("POST", BREVO, callback=accepted())
    sending.run(campaign.pk)
    statuses = sorted(campaign.deliveries.values_list("status", flat=True))
    assert statuses.count(DeliveryStatus.UNKNOWN) == 1
    assert statuses.count(DeliveryStatus.SENT) == 2
    assert statuses.count(DeliveryStatus.LEFT_OUT) == 1  # Chloé's press position: no e-mail
    sending.run(campaign.pk)  # run again: nothing more leaves
    assert len(brevo.calls) == 3
    assert len(set(sent_to(brevo))) == len(sent_to(brevo))


def test_a_temporary_refusal_is_retried_and_each_message_leaves_once(
    marie, town, email_template, brevo
):
    basket = big_basket(marie, town, 4)
    campaign = frozen(marie, basket, email_template)
    brevo.add_callback("POST", BREVO, callback=accepted())  # the first one goes
    brevo.add(
        responses.POST,
        BREVO,
        status=429,
        json={"code": "too_many_requests", "message": "Rate limit"},
    )
    outcome = sending.run(campaign.pk)
    assert outcome.retry_in > 0 and not outcome.done
    assert campaign.deliveries.filter(status=DeliveryStatus.PENDING).count() == 3
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENDING
    brevo.add_callback("POST", BREVO, callback=accepted())
    assert sending.run(campaign.pk).done
    sent = sent_to(brevo)
    assert len(sent) == 4 and len(set(sent)) == 4


def test_a_worker_that_dies_after_claiming_sends_nothing_twice(marie, town, email_template, brevo):
    basket = big_basket(marie, town, 6)
    campaign = frozen(marie, basket, email_template)
    brevo.add_callback("POST", BREVO, callback=accepted())
    claimed = sending.claim(campaign.pk, size=2)  # ... and the worker is killed here
    assert len(claimed) == 2
    sending.run(campaign.pk)  # another worker resumes: the claimed two stay claimed
    assert len(sent_to(brevo)) == 4
    Delivery.objects.filter(pk__in=[d.pk for d in claimed]).update(
        claimed_at=timezone.now() - sending.STALE_AFTER - datetime.timedelta(minutes=1)
    )
    sending.run(campaign.pk)
    assert campaign.deliveries.filter(status=DeliveryStatus.UNKNOWN).count() == 2
    assert len(sent_to(brevo)) == 4 and len(set(sent_to(brevo))) == 4
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENT


def test_an_opt_out_after_the_freeze_still_holds(marie, town, email_template, brevo):
    basket = big_basket(marie, town, 2)
    campaign = frozen(marie, basket, email_template)
    actions.suppress("email", "LEA0@theatre-metz.fr", SuppressionReason.UNSUBSCRIBED)
    person = campaign.deliveries.get(coordinate="lea1@theatre-metz.fr").person
    person.email_consent = Consent.REFUSED
    person.save()
    brevo.add_callback("POST", BREVO, callback=accepted())
    sending.run(campaign.pk)
    assert sent_to(brevo) == [
        d.coordinate for d in campaign.deliveries.filter(status=DeliveryStatus.SENT)
    ]
    left = dict(
        campaign.deliveries.filter(status=DeliveryStatus.LEFT_OUT).values_list(
            "coordinate", "reason"
        )
    )
    assert "désinscrit" in left["lea0@theatre-metz.fr"]
    assert "lea1@theatre-metz.fr" in left
    # And the next campaign leaves the suppressed address out from the start.
    from outreach.freezing import summarise

    later = campaign_of(marie, basket, email_template=email_template)
    assert any("désinscrit" in reason for reason in summarise(later).left_out)


def test_cancelling_stops_what_is_pending(marie, town, email_template, brevo):
    basket = big_basket(marie, town, 3)
    campaign = frozen(marie, basket, email_template)
    assert actions.cancel_campaign(marie, campaign) == 3
    assert sending.run(campaign.pk).done
    assert sent_to(brevo) == []
    with pytest.raises(ValidationError):
        actions.cancel_campaign(marie, campaign)


@pytest.mark.real_quiet_hours
def test_sms_wait_for_the_allowed_hours(marie, town, sms_template, settings, monkeypatch):
    settings.SMS_BACKEND = "outreach.sms.backends.locmem.SmsBackend"
    tree = {"match": "all", "rules": [rule("position.function", "in", [town.director.pk])]}
    basket = basket_for(marie, tree, name="Directeurs")
    campaign = campaign_of(marie, basket, channel="sms", sms_template=sms_template)
    sunday = datetime.datetime(2026, 11, 29, 11, 0, tzinfo=PARIS)
    monkeypatch.setattr(timezone, "now", lambda: sunday)
    send(marie, campaign)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.WAITING
    assert "dimanche" in campaign.waiting_reason.lower()
    from outreach.sms.backends import locmem

    assert locmem.outbox == [] if hasattr(locmem, "outbox") else True
    monday = datetime.datetime(2026, 11, 30, 9, 0, tzinfo=PARIS)
    monkeypatch.setattr(timezone, "now", lambda: monday)
    assert sending.run(campaign.pk).done
    delivery = campaign.deliveries.get(status=DeliveryStatus.SENT)
    assert delivery.coordinate == "+33622222222"  # Alice's director mobile


@pytest.mark.django_db(transaction=True)
def test_two_workers_on_one_campaign_send_each_message_once(marie, town, email_template, settings):
    if connection.vendor != "postgresql":
        pytest.skip("two workers need a database that serves two connections at once")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    basket = big_basket(marie, town, 300)
    campaign = frozen(marie, basket, email_template)
    mail.outbox = []
    errors = []

    def worker():
        try:
            sending.run(campaign.pk)
        except Exception as error:  # surfaced below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    recipients = [message.to[0] for message in mail.outbox]
    assert len(recipients) == 300 and len(set(recipients)) == 300
    assert campaign.deliveries.filter(status=DeliveryStatus.SENT).count() == 300
    assert Suppression.objects.count() == 0


def test_labels_merged_per_address_name_the_organisation_once(town, marie, label_template):
    from selections.recipients import BY_COORDINATE

    for name in ("Yves", "Zoé"):
        PositionFactory(
            person=PersonFactory(first_name=name, last_name="Metzger"),
            organisation=town.metz,
            function=town.press,
        )
    tree = {"match": "all", "rules": [rule("organisation.kind", "in", [town.venue.pk])]}
    basket = basket_for(marie, tree, name="Lieux")
    campaign = campaign_of(
        marie, basket, channel="post", label_template=label_template, merge=BY_COORDINATE
    )
    send(marie, campaign)
    labels = [
        d.coordinate.splitlines() for d in campaign.deliveries.filter(status=DeliveryStatus.SENT)
    ]
    metz = [lines for lines in labels if "57000 METZ" in lines]
    assert metz == [["Théâtre de Metz", "1 PLACE DE LA COMEDIE", "57000 METZ"]]
    merged = campaign.deliveries.filter(status=DeliveryStatus.LEFT_OUT, reason__contains="adresse")
    assert merged.count() >= 2  # the others at the theatre, merged into its label


def test_a_scheduled_campaign_waits_for_its_time(marie, directors_basket, email_template):
    campaign = campaign_of(marie, directors_basket, email_template=email_template)
    with pytest.raises(ValidationError):
        send(marie, campaign, scheduled_for=timezone.now() - datetime.timedelta(minutes=1))
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT and not campaign.deliveries.exists()
    when = timezone.now() + datetime.timedelta(hours=2)
    mail.outbox = []
    send(marie, campaign, scheduled_for=when)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SCHEDULED
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert actions.release_due(now=when - datetime.timedelta(minutes=1)) == 0
    assert mail.outbox == []
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert actions.release_due(now=when) == 1
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENT
    assert [message.to for message in mail.outbox] == [["a.arnaud@theatre-metz.fr"]]


def test_every_merge_field_is_filled_from_the_capacity_that_matched(
    town, marie, directors_basket, brevo
):
    from outreach.models import EmailTemplate

    town.alice.civility = "mme"
    town.alice.save()
    template = EmailTemplate.objects.create(
        name="Tout",
        subject="{{ civilite }} {{ nom }}",
        html=(
            "<p>{{ civilite }}|{{ prenom }}|{{ nom }}|{{ nom_complet }}|{{ fonction }}|"
            "{{ organisation }}|{{ email }}|{{ adresse }}|{{ code_postal }}|{{ ville }}|"
            "{{ pays }}</p>"
        ),
    )
    brevo.add_callback("POST", BREVO, callback=accepted())
    campaign = campaign_of(marie, directors_basket, email_template=template)
    send(marie, campaign)
    payload = json.loads(brevo.calls[0].request.body)
    assert payload["subject"] == "Madame Arnaud"
    assert (
        "Madame|Alice|Arnaud|Alice Arnaud|Directeur·rice|Théâtre de Metz|a.arnaud@theatre-metz.fr|"
        "1 place de la Comédie<br>57000 METZ|57000|Metz|France" in payload["htmlContent"]
    )


def test_a_person_whose_first_capacity_bounced_is_reached_in_the_next(town, marie, email_template):
    """Alice's primary position (Metz) bounced: one message per person still
    reaches her, at her other position's address (the festival's board)."""
    from selections.recipients import BY_PERSON

    actions.suppress("email", "a.arnaud@theatre-metz.fr", SuppressionReason.BOUNCED)
    tree = {
        "match": "all",
        "rules": [
            rule("person.name", "contains", "Arnaud"),
            rule("position.function", "in", [town.director.pk, town.board.pk]),
        ],
    }
    basket = basket_for(marie, tree, name="Alice")
    from outreach.freezing import recipients

    campaign = campaign_of(marie, basket, email_template=email_template, merge=BY_PERSON)
    rows = {row.coordinate: row for row in recipients(campaign)}
    assert not rows["ca@festival-lyon.fr"].left_out
    assert "adresse invalide" in rows["a.arnaud@theatre-metz.fr"].reason


def test_a_basket_no_longer_shared_can_no_longer_be_sent_to(
    marie, paul, directors_basket, email_template
):
    from selections import actions as selections_actions

    selections_actions.share(marie, directors_basket, users=[paul])
    original = campaign_of(marie, directors_basket, email_template=email_template)
    copy = actions.duplicate_campaign(paul, original)
    assert copy.owner == paul
    selections_actions.unshare(marie, directors_basket, users=[paul])
    with pytest.raises(PermissionDenied, match="plus partagé"):
        send(paul, copy)
    with pytest.raises(PermissionDenied):
        actions.send_test(paul, copy)
    copy.refresh_from_db()
    assert copy.status == CampaignStatus.DRAFT and not copy.deliveries.exists()


def test_only_the_author_sends_tests_and_not_too_many(
    marie, paul, directors_basket, email_template
):
    from selections import actions as selections_actions

    selections_actions.share(marie, directors_basket, users=[paul])
    campaign = campaign_of(marie, directors_basket, email_template=email_template)
    marie.email = "marie@agence.fr"
    marie.save()
    mail.outbox = []
    with pytest.raises(PermissionDenied):
        actions.send_test(paul, campaign)
    for _ in range(actions.TESTS_PER_HOUR):
        actions.send_test(marie, campaign)
    with pytest.raises(ValidationError, match="tests"):
        actions.send_test(marie, campaign)
    assert len(mail.outbox) == actions.TESTS_PER_HOUR
    assert all(message.to == ["marie@agence.fr"] for message in mail.outbox)
    assert mail.outbox[0].subject.startswith("[Test]")
