"""Brevo's inbound SMS webhook: a STOP reply records the opt-out of its
number; a post without the secret, too large, or not Brevo's is refused and
changes nothing."""

import json

import pytest
from django.urls import reverse

from outreach import freezing
from outreach.models import Channel, Suppression
from tests.factories import PersonFactory, PositionFactory
from tests.outreach.public_data import basket_of, campaign

SECRET = "sms-inbound-secret-0123456789"
URL = reverse("outreach_sms_brevo_inbound")


@pytest.fixture(autouse=True)
def secret(settings):
    settings.SMS_INBOUND_SECRET = SECRET


def brevo_sms(msg_status, to="33612345678", **fields):
    """A transactional SMS event as Brevo posts it to the webhook (its docs' fields)."""
    return {
        "id": 26570,
        "to": to,
        "sms_count": 1,
        "credits_used": 0.045,
        "messageId": 1511882900176220,
        "remaining_credit": 82.8,
        "msg_status": msg_status,
        "date": "2026-11-28 18:12:44",
        "type": "marketing",
        "reference": {"1": "ab1cde2fgh3i4jklmno"},
        "status": "OK",
        "ts_event": 1796062364,
        "tag": "delivery-42",
        **fields,
    }


def post(client, payload, query=f"?secret={SECRET}", **headers):
    body = payload if isinstance(payload, str | bytes) else json.dumps(payload)
    return client.post(URL + query, body, content_type="application/json", **headers)


@pytest.fixture
def alice(db):
    """Alice's personal mobile, and the same number on her position."""
    person = PersonFactory(first_name="Alice", mobile="+33612345678")
    PositionFactory(person=person, mobile="+33612345678")
    return person


def test_a_stop_reply_records_the_opt_out_of_the_number(client, alice):
    response = post(client, brevo_sms("replied", reply="STOP"))
    assert response.status_code == 200
    assert response.json() == {"received": 1, "stops": 1}
    suppression = Suppression.objects.get()
    assert (suppression.channel, suppression.coordinate, suppression.reason) == (
        "sms",
        "+33612345678",
        "stop",
    )
    assert suppression.person_id == alice.pk


def test_a_later_sms_campaign_leaves_the_number_out(client, staff_user):
    position = PositionFactory(mobile="+33612345678")
    basket = basket_of(staff_user, position)
    post(client, brevo_sms("replied", reply="Stop merci"))
    summary = freezing.summarise(campaign(staff_user, channel=Channel.SMS, basket=basket))
    assert summary.recipients == 0
    [(reason, count)] = summary.left_out.items()
    assert count == 1
    assert "STOP" in reason


def test_the_secret_may_come_in_a_header(client, alice):
    response = post(
        client, brevo_sms("replied", reply="stop"), query="", HTTP_X_WEBHOOK_SECRET=SECRET
    )
    assert response.status_code == 200
    assert Suppression.objects.count() == 1


def test_an_unsubscription_event_is_an_opt_out(client, alice):
    assert post(client, brevo_sms("unsubscribe")).status_code == 200
    assert Suppression.objects.get().reason == "stop"


def test_an_unknown_number_is_still_suppressed(client):
    assert post(client, brevo_sms("replied", reply="ARRÊT", to="33698765432")).status_code == 200
    suppression = Suppression.objects.get()
    assert (suppression.coordinate, suppression.person_id) == ("+33698765432", None)


def test_other_replies_and_delivery_events_are_acknowledged_and_ignored(client, alice):
    batch = [
        brevo_sms("delivered"),
        brevo_sms("replied", reply="Merci, à ce soir !"),
        brevo_sms("replied", reply="Je ne peux pas stopper ma venue"),
    ]
    response = post(client, batch)
    assert response.status_code == 200
    assert response.json() == {"received": 2, "stops": 0}
    assert not Suppression.objects.exists()


def test_a_batch_records_only_its_stop_replies(client, alice):
    batch = [
        brevo_sms("replied", reply="Oui", to="447911123456"),
        brevo_sms("replied", reply="STOP SMS"),
    ]
    assert post(client, batch).json() == {"received": 2, "stops": 1}
    assert list(Suppression.objects.values_list("coordinate", flat=True)) == ["+33612345678"]


@pytest.mark.parametrize(
    "query, headers",
    [
        ("", {}),
        ("?secret=", {}),
        ("?secret=wrong", {}),
        (f"?secret={SECRET[:-1]}", {}),
        ("", {"HTTP_X_WEBHOOK_SECRET": "wrong"}),
        ("?secret=wrong", {"HTTP_X_WEBHOOK_SECRET": SECRET}),
    ],
    ids=["none", "empty", "wrong", "truncated", "wrong header", "wrong query wins"],
)
def test_a_post_without_the_secret_is_refused_and_changes_nothing(client, alice, query, headers):
    response = post(client, brevo_sms("replied", reply="STOP"), query=query, **headers)
    assert response.status_code == 403
    assert not Suppression.objects.exists()


def test_without_a_configured_secret_every_post_is_refused(client, alice, settings):
    settings.SMS_INBOUND_SECRET = ""
    assert post(client, brevo_sms("replied", reply="STOP"), query="?secret=").status_code == 403
    assert not Suppression.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        "{not json",
        b"\xff\xfe\x00",
        "42",
        '"STOP"',
        json.dumps([brevo_sms("replied", reply="STOP"), "not an event"]),
        json.dumps(brevo_sms("replied", reply="STOP", to="not a number")),
        json.dumps(brevo_sms("replied", reply="STOP", to="")),
    ],
    ids=["broken", "binary", "number", "string", "one bad event", "bad number", "no number"],
)
def test_a_body_brevo_would_not_send_is_refused_and_changes_nothing(client, alice, body):
    response = post(client, body)
    assert response.status_code == 400
    assert not Suppression.objects.exists()


def test_an_oversized_body_is_refused(client, alice):
    padding = "x" * (64 * 1024)
    response = post(client, brevo_sms("replied", reply="STOP", description=padding))
    assert response.status_code == 413
    assert not Suppression.objects.exists()


def test_only_post_is_answered(client):
    assert client.get(URL + f"?secret={SECRET}").status_code == 405


def test_no_csrf_token_or_sign_in_is_needed(alice):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert post(strict, brevo_sms("replied", reply="STOP")).status_code == 200


def test_deeply_nested_json_is_refused_and_changes_nothing(client, alice):
    body = "[" * 20_000 + "]" * 20_000
    response = post(client, body)
    assert response.status_code == 400
    assert not Suppression.objects.exists()
