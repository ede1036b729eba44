"""Tracking events: one key per event whatever the retries, statuses that only move forward."""

import json
from base64 import b64encode
from datetime import UTC, datetime, timedelta, timezone

import pytest
from anymail.signals import AnymailTrackingEvent, EventType, tracking
from anymail.webhooks.brevo import BrevoTrackingWebhookView
from anymail.webhooks.mailjet import MailjetTrackingWebhookView
from anymail.webhooks.postmark import PostmarkTrackingWebhookView
from django.test import RequestFactory

from outreach.email.webhooks import (
    EVENT_STATUS,
    KEY_MAX_LENGTH,
    STATUS_ORDER,
    TERMINAL_STATUSES,
    advance,
    event_key,
    is_hard_bounce,
    status_for_event,
)

AUTH = "anymail:webhook-secret"


@pytest.fixture(autouse=True)
def webhook_secret(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": AUTH}


def _post(view_class, payload):
    """Post a provider's payload to anymail's real webhook view; the events it signals."""
    received = []

    def receiver(sender, event, esp_name, **kwargs):
        received.append(event)

    tracking.connect(receiver, weak=False)
    try:
        request = RequestFactory().post(
            "/webhook/",
            data=json.dumps(payload),
            content_type="application/json",
            HTTP_AUTHORIZATION="Basic " + b64encode(AUTH.encode()).decode(),
        )
        response = view_class.as_view()(request)
    finally:
        tracking.disconnect(receiver)
    assert response.status_code == 200
    return received


def _brevo(event, ts_epoch=1735732800123, **extra):
    return {
        "event": event,
        "email": "direction@theatre.example",
        "id": 1234567,
        "date": "2025-01-01 13:00:00",
        "ts": 1735732800,
        "message-id": "<202501011200.12345678901@smtp-relay.mailin.fr>",
        "ts_event": 1735732800,
        "subject": "Saison 2025",
        "X-Mailin-custom": '{"delivery": "4021"}',
        "ts_epoch": ts_epoch,
        **extra,
    }


def _key(event, provider="brevo"):
    return event_key(provider, event.message_id, event.event_type, event.timestamp, event.event_id)


def test_a_brevo_event_posted_twice_has_one_key():
    (first,) = _post(BrevoTrackingWebhookView, _brevo("delivered"))
    (again,) = _post(BrevoTrackingWebhookView, _brevo("delivered"))
    assert first.event_id is None  # Brevo gives no event id: the key is a digest
    assert first.metadata == {"delivery": "4021"}
    assert _key(first) == _key(again)
    assert _key(first).startswith("brevo:h:")
    assert len(_key(first)) <= KEY_MAX_LENGTH


def test_distinct_brevo_events_have_distinct_keys():
    events = [
        *_post(BrevoTrackingWebhookView, _brevo("delivered")),
        *_post(BrevoTrackingWebhookView, _brevo("opened")),
        *_post(BrevoTrackingWebhookView, _brevo("opened", ts_epoch=1735732860000)),
        *_post(BrevoTrackingWebhookView, _brevo("opened", **{"message-id": "<other@x>"})),
        *_post(BrevoTrackingWebhookView, _brevo("click", link="https://a.example")),
    ]
    assert len({_key(event) for event in events}) == 5


def test_the_provider_event_id_is_the_key_when_given():
    payload = {
        "RecordType": "Bounce",
        "ID": 4323372036854775807,
        "Type": "HardBounce",
        "TypeCode": 1,
        "Name": "Hard bounce",
        "Tag": "campagne-7",
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "Metadata": {"delivery": "4021"},
        "ServerID": 23,
        "MessageStream": "outbound",
        "Description": "The server was unable to deliver your message (ex: unknown user).",
        "Details": "Test bounce details",
        "Email": "john@example.com",
        "From": "sender@example.com",
        "BouncedAt": "2019-11-05T16:33:54.9070259Z",
        "DumpAvailable": True,
        "Inactive": True,
        "CanActivate": True,
        "Subject": "Test subject",
    }
    (event,) = _post(PostmarkTrackingWebhookView, payload)
    assert _key(event, "postmark") == "postmark:id:4323372036854775807"
    assert is_hard_bounce(event)
    assert status_for_event(event.event_type) == "bounced"


def test_event_keys_are_stable_and_distinct():
    when = datetime(2025, 1, 1, 12, 0, 0, 123000, tzinfo=UTC)
    key = event_key("brevo", "<m1@x>", "opened", when)
    assert key == event_key("Brevo", "<m1@x>", "opened", when)
    # the same instant written in another time zone or as a Unix time
    paris = when.astimezone(timezone(timedelta(hours=1)))
    assert key == event_key("brevo", "<m1@x>", "opened", paris)
    assert key == event_key("brevo", "<m1@x>", "opened", when.timestamp())
    assert key == event_key("brevo", "<m1@x>", "opened", when.replace(tzinfo=None))
    others = {
        event_key("brevo", "<m2@x>", "opened", when),
        event_key("brevo", "<m1@x>", "clicked", when),
        event_key("brevo", "<m1@x>", "opened", when + timedelta(microseconds=1)),
        event_key("mailjet", "<m1@x>", "opened", when),
        event_key("brevo", "<m1@x>", "opened", None),
    }
    assert key not in others
    assert len(others) == 5


def test_an_event_id_key_never_collides_with_a_digest_key_and_fits():
    when = datetime(2025, 1, 1, tzinfo=UTC)
    digest_key = event_key("brevo", "m", "opened", when)
    forged_id = digest_key.split(":", 2)[2]
    assert event_key("brevo", "m", "opened", when, event_id=forged_id) != digest_key
    long_id = "e" * 300
    long_key = event_key("sparkpost", "m", "opened", when, event_id=long_id)
    assert len(long_key) <= KEY_MAX_LENGTH
    assert long_key == event_key("sparkpost", "other", "clicked", None, event_id=long_id)
    assert long_key != event_key("sparkpost", "m", "opened", when, event_id=long_id + "f")


def test_brevo_soft_and_hard_bounces_are_told_apart():
    (hard,) = _post(BrevoTrackingWebhookView, _brevo("hard_bounce", reason="550 unknown user"))
    (soft,) = _post(BrevoTrackingWebhookView, _brevo("soft_bounce", reason="452 mailbox full"))
    (invalid,) = _post(BrevoTrackingWebhookView, _brevo("invalid_email"))
    assert hard.event_type == soft.event_type == invalid.event_type == EventType.BOUNCED
    assert is_hard_bounce(hard)
    assert is_hard_bounce(invalid)
    assert not is_hard_bounce(soft)
    (opened,) = _post(BrevoTrackingWebhookView, _brevo("opened"))
    assert not is_hard_bounce(opened)


def test_mailjet_soft_bounce_is_not_hard():
    payload = [
        {
            "event": "bounce",
            "time": 1430812195,
            "MessageID": 13792286917004336,
            "email": "bounce@mailjet.com",
            "mj_campaign_id": 0,
            "mj_contact_id": 0,
            "customcampaign": "",
            "CustomID": "",
            "Payload": '{"delivery": "4021"}',
            "blocked": False,
            "hard_bounce": False,
            "error_related_to": "recipient",
            "error": "user unknown",
        }
    ]
    (event,) = _post(MailjetTrackingWebhookView, payload)
    assert event.event_type == EventType.BOUNCED
    assert not is_hard_bounce(event)
    payload[0]["hard_bounce"] = True
    (event,) = _post(MailjetTrackingWebhookView, payload)
    assert is_hard_bounce(event)
    assert event.metadata == {"delivery": "4021"}


def test_every_anymail_event_type_is_mapped():
    anymail_types = {value for name, value in vars(EventType).items() if name.isupper()}
    assert anymail_types == set(EVENT_STATUS)
    assert {status for status in EVENT_STATUS.values() if status} <= set(STATUS_ORDER)


@pytest.mark.parametrize(
    ("event_type", "status"),
    [
        ("queued", "sent"), ("sent", "sent"), ("rejected", "failed"), ("failed", "failed"),
        ("bounced", "bounced"), ("deferred", None), ("delivered", "delivered"),
        ("autoresponded", "delivered"), ("opened", "opened"), ("clicked", "clicked"),
        ("complained", "complained"), ("unsubscribed", "unsubscribed"), ("subscribed", None),
        ("inbound", None), ("unknown", None), ("something-new", None),
    ],
)  # fmt: skip
def test_event_types_map_to_statuses(event_type, status):
    assert status_for_event(event_type) == status


def test_the_progress_only_moves_forward():
    progress = ["pending", "sending", "sent", "delivered", "opened", "clicked"]
    for index, current in enumerate(progress):
        for earlier in progress[:index]:
            assert advance(current, earlier) == current
        for later in progress[index + 1 :]:
            assert advance(current, later) == later


def test_webhooks_arriving_out_of_order_end_at_the_furthest_status():
    events = ["clicked", "delivered", "sent", "opened", "sent", "deferred"]
    status = "sending"
    for event in events:
        status = advance(status, status_for_event(event))
    assert status == "clicked"


def test_an_ambiguous_send_is_settled_by_the_provider():
    assert advance("sending", "unknown") == "unknown"
    assert advance("unknown", "sent") == "sent"
    assert advance("unknown", "failed") == "failed"
    assert advance("delivered", "unknown") == "delivered"


def test_a_failure_is_not_revived_by_a_late_queued_event_but_by_a_delivery():
    # Brevo may post "request" (queued) after "blocked" (rejected)
    status = advance("sending", status_for_event("rejected"))
    status = advance(status, status_for_event("queued"))
    assert status == "failed"
    assert advance("failed", "pending") == "failed"
    assert advance("failed", "sending") == "failed"
    assert advance("failed", "delivered") == "delivered"


def test_terminal_statuses_yield_only_to_a_graver_one():
    assert {"failed", "bounced", "unsubscribed", "complained"} == TERMINAL_STATUSES
    for terminal in ("bounced", "unsubscribed", "complained"):
        for progress in ("pending", "sending", "unknown", "sent", "delivered", "opened",
                         "clicked", "failed"):  # fmt: skip
            assert advance(terminal, progress) == terminal
    assert advance("delivered", "bounced") == "bounced"  # bounced after acceptance
    assert advance("bounced", "unsubscribed") == "unsubscribed"
    assert advance("unsubscribed", "complained") == "complained"
    assert advance("complained", "unsubscribed") == "complained"
    assert advance("complained", "bounced") == "complained"


def test_no_news_keeps_the_status_and_nonsense_is_refused():
    assert advance("delivered", None) == "delivered"
    with pytest.raises(ValueError):
        advance("delivered", "teleported")
    with pytest.raises(ValueError):
        advance("teleported", "sent")


def test_hard_bounce_needs_a_bounce():
    event = AnymailTrackingEvent(event_type="delivered", esp_event={"event": "delivered"})
    assert not is_hard_bounce(event)
    ses_soft = AnymailTrackingEvent(
        event_type="bounced", description="Transient: MailboxFull", esp_event={}
    )
    assert not is_hard_bounce(ses_soft)
    ses_hard = AnymailTrackingEvent(
        event_type="bounced", description="Permanent: NoEmail", esp_event={}
    )
    assert is_hard_bounce(ses_hard)
