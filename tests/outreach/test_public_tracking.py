"""The e-mail provider's tracking webhooks, posted as Brevo and Mailjet post
them to anymail's own URLs: statuses move forward only, each event is stored
once, a hard bounce and a complaint suppress the address, a bad secret is
refused and changes nothing."""

import base64
import json

import pytest
from django.conf import settings

from outreach import freezing
from outreach.models import DeliveryStatus, Suppression, TrackingEvent
from tests.outreach.public_data import basket_of, campaign, delivery, director

BREVO = "/webhooks/anymail/brevo/tracking/"
MAILJET = "/webhooks/anymail/mailjet/tracking/"
BREVO_ID = "<202611281010.27287306012@smtp-relay.mailin.fr>"
MAILJET_ID = 1152921530217371142  # Mailjet's MessageID is a big integer


def auth(secret=None):
    secret = settings.ANYMAIL["WEBHOOK_SECRET"] if secret is None else secret
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(secret.encode()).decode()}


def post(client, url, payload, **headers):
    return client.post(
        url, json.dumps(payload), content_type="application/json", **(headers or auth())
    )


def metadata_of(d):
    """The metadata outreach.sending gives each message, as the provider returns it."""
    return {"delivery": str(d.pk), "campaign": str(d.campaign_id)}


def brevo(event, ts_epoch=1796031023000, message_id=BREVO_ID, of=None, **fields):
    """A transactional e-mail event as Brevo posts it (developers.brevo.com,
    "Transactional webhooks"); `of`: the delivery whose metadata it carries."""
    if of is not None:
        fields["X-Mailin-custom"] = json.dumps(metadata_of(of))
        fields["tags"] = [f"campaign-{of.campaign_id}"]
    return {
        "event": event,
        "email": "direction@theatre-metz.fr",
        "id": 912345,
        "date": "2026-11-28 11:10:23",
        "ts": 1796031023,
        "message-id": message_id,
        "ts_event": 1796031023,
        "subject": "Saison 2026",
        "sending_ip": "185.41.28.109",
        "ts_epoch": ts_epoch,
        **fields,
    }


def mailjet(event, time=1796031023, message_id=MAILJET_ID, of=None, **fields):
    """An event as Mailjet posts it (dev.mailjet.com, "Event API: real-time notifications")."""
    if of is not None:
        fields["Payload"] = json.dumps(metadata_of(of))
    return {
        "event": event,
        "time": time,
        "MessageID": message_id,
        "Message_GUID": "1ab23cd4-e567-8901-2345-6789f0gh1i2j",
        "email": "direction@theatre-metz.fr",
        "mj_campaign_id": 7257,
        "mj_contact_id": 4,
        "customcampaign": "",
        "CustomID": "",
        "Payload": "",
        **fields,
    }


@pytest.fixture
def sent(staff_user):
    return delivery(staff_user, director(), message_id=BREVO_ID)


def status_of(d):
    d.refresh_from_db()
    return d.status


# --- Statuses forward -------------------------------------------------------------------


def test_brevo_delivered_opened_clicked_move_the_delivery_forward(client, sent):
    assert post(client, BREVO, brevo("delivered", of=sent)).status_code == 200
    assert status_of(sent) == DeliveryStatus.DELIVERED
    post(client, BREVO, brevo("unique_opened", ts_epoch=1796031100000))
    assert status_of(sent) == DeliveryStatus.OPENED
    post(client, BREVO, brevo("click", ts_epoch=1796031200000, link="https://example.org/"))
    assert status_of(sent) == DeliveryStatus.CLICKED
    assert TrackingEvent.objects.filter(delivery=sent).count() == 3


def test_late_or_repeated_events_never_move_a_status_back(client, sent):
    post(client, BREVO, brevo("click", link="https://example.org/"))
    # Brevo's "request" (queued) and "delivered" arrive after the click; a second open too.
    post(client, BREVO, brevo("request", ts_epoch=1796031000000))
    post(client, BREVO, brevo("delivered", ts_epoch=1796031001000))
    post(client, BREVO, brevo("opened", ts_epoch=1796031300000))
    assert status_of(sent) == DeliveryStatus.CLICKED
    assert TrackingEvent.objects.count() == 4


def test_the_same_event_posted_twice_is_stored_once(client, sent):
    first = post(client, BREVO, brevo("delivered", of=sent))
    second = post(client, BREVO, brevo("delivered", of=sent))
    assert first.status_code == second.status_code == 200  # Brevo stops retrying
    assert TrackingEvent.objects.count() == 1
    assert status_of(sent) == DeliveryStatus.DELIVERED


# --- Bounces and complaints -------------------------------------------------------------


def test_a_hard_bounce_suppresses_the_address_and_a_later_campaign_leaves_it_out(
    client, staff_user
):
    position = director()
    basket = basket_of(staff_user, position)
    sent = delivery(
        staff_user, position, message_id=BREVO_ID, of=campaign(staff_user, basket=basket)
    )
    reason = " RecipientError: 550 5.5.0 Requested action not taken: mailbox unavailable."
    assert post(client, BREVO, brevo("hard_bounce", reason=reason)).status_code == 200
    assert status_of(sent) == DeliveryStatus.BOUNCED
    suppression = Suppression.objects.get()
    assert (suppression.coordinate, suppression.reason, suppression.person_id) == (
        "direction@theatre-metz.fr",
        "bounced",
        position.person_id,
    )
    later = freezing.summarise(campaign(staff_user, basket=basket, name="Saison 2027"))
    assert later.recipients == 0
    [(why, count)] = later.left_out.items()
    assert count == 1
    assert why.endswith("adresse invalide (rejet définitif)")


def test_a_soft_bounce_suppresses_nothing(client, sent):
    reason = "undefined Unable to find MX of domain theatre-metz.fr"
    assert post(client, BREVO, brevo("soft_bounce", reason=reason)).status_code == 200
    assert not Suppression.objects.exists()
    assert status_of(sent) == DeliveryStatus.SENT
    assert TrackingEvent.objects.get().event == "bounced"  # kept for the report


def test_a_complaint_records_an_opt_out(client, sent):
    assert post(client, BREVO, brevo("spam")).status_code == 200
    assert status_of(sent) == DeliveryStatus.COMPLAINED
    assert Suppression.objects.get().reason == "complained"


# --- Bad posts --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        auth("anymail:wrong-secret"),
        auth("someone:test-webhook-secret"),
        {"HTTP_AUTHORIZATION": "Bearer test-webhook-secret"},
    ],
    ids=["missing", "wrong password", "wrong user", "not basic"],
)
@pytest.mark.parametrize("url", [BREVO, MAILJET])
def test_a_post_without_the_secret_is_refused_and_changes_nothing(client, sent, url, headers):
    payload = brevo("hard_bounce") if url == BREVO else mailjet("spam", message_id=BREVO_ID)
    response = client.post(url, json.dumps(payload), content_type="application/json", **headers)
    assert response.status_code in (400, 403)
    assert not TrackingEvent.objects.exists()
    assert not Suppression.objects.exists()
    assert status_of(sent) == DeliveryStatus.SENT


def test_an_event_for_an_unknown_message_is_stored_and_changes_nothing_else(client, sent):
    unknown = "<202611281010.99999999999@smtp-relay.mailin.fr>"
    assert post(client, BREVO, brevo("hard_bounce", message_id=unknown)).status_code == 200
    event = TrackingEvent.objects.get()
    assert (event.message_id, event.delivery) == (unknown, None)
    assert not Suppression.objects.exists()
    assert status_of(sent) == DeliveryStatus.SENT


def test_an_event_finds_a_send_that_timed_out_by_its_metadata(client, staff_user):
    # The provider's answer was lost: no message id was recorded, the delivery is unknown.
    lost = delivery(staff_user, director(), status=DeliveryStatus.UNKNOWN)
    assert post(client, BREVO, brevo("delivered", of=lost)).status_code == 200
    assert status_of(lost) == DeliveryStatus.DELIVERED


def test_metadata_naming_another_campaign_is_not_trusted(client, staff_user, sent):
    lost = delivery(staff_user, director(), status=DeliveryStatus.UNKNOWN)
    payload = brevo("spam", message_id="<unknown@smtp-relay.mailin.fr>")
    payload["X-Mailin-custom"] = json.dumps({"delivery": str(lost.pk), "campaign": "999"})
    assert post(client, BREVO, payload).status_code == 200
    assert status_of(lost) == DeliveryStatus.UNKNOWN
    assert not Suppression.objects.exists()


def test_only_post_is_answered(client):
    assert client.get(BREVO, **auth()).status_code == 405


# --- Mailjet ----------------------------------------------------------------------------


@pytest.fixture
def sent_by_mailjet(staff_user):
    return delivery(staff_user, director(), message_id=str(MAILJET_ID))


def test_mailjet_grouped_events_move_the_delivery_forward_once(client, sent_by_mailjet):
    grouped = [
        mailjet("sent", smtp_reply="sent (250 2.0.0 OK 1796031023 gsmtp)"),
        mailjet("open", time=1796031100, ip="127.0.0.1", geo="FR", agent="Mozilla/5.0"),
        mailjet("click", time=1796031200, url="https://example.org/", ip="127.0.0.1"),
    ]
    assert post(client, MAILJET, grouped).status_code == 200
    assert post(client, MAILJET, grouped).status_code == 200  # posted again
    assert status_of(sent_by_mailjet) == DeliveryStatus.CLICKED
    assert TrackingEvent.objects.count() == 3
    assert set(TrackingEvent.objects.values_list("provider", flat=True)) == {"Mailjet"}


def test_mailjet_hard_bounce_suppresses_and_a_soft_one_does_not(client, sent_by_mailjet):
    soft = mailjet(
        "bounce",
        blocked=False,
        hard_bounce=False,
        error_related_to="recipient",
        error="quota exceeded",
    )
    post(client, MAILJET, soft)
    assert not Suppression.objects.exists()
    assert status_of(sent_by_mailjet) == DeliveryStatus.SENT
    hard = mailjet(
        "bounce",
        time=1796032000,
        blocked=False,
        hard_bounce=True,
        error_related_to="recipient",
        error="user unknown",
    )
    post(client, MAILJET, hard)
    assert Suppression.objects.get().reason == "bounced"
    assert status_of(sent_by_mailjet) == DeliveryStatus.BOUNCED


def test_mailjet_spam_report_records_an_opt_out(client, sent_by_mailjet):
    post(client, MAILJET, mailjet("spam", source="JMRPP"))
    assert Suppression.objects.get().reason == "complained"
    assert status_of(sent_by_mailjet) == DeliveryStatus.COMPLAINED


@pytest.mark.filterwarnings("ignore:'crmsite.urls' found in sys.modules:RuntimeWarning")
def test_without_a_secret_configured_the_webhooks_are_not_served(settings):
    """Anymail would accept any post without a secret: the URLs are left out instead."""
    import runpy

    def served():
        # A fresh run of crmsite/urls.py, leaving the loaded URLconf alone.
        urls = runpy.run_module("crmsite.urls", run_name="crmsite._urls_probe")
        return [
            f"{p.namespace}:{name}"
            for p in urls["urlpatterns"]
            if str(p.pattern) == "webhooks/anymail/"
            for name in p.reverse_dict
            if isinstance(name, str)
        ]

    # Only tracking webhooks, of providers that the basic-auth secret authenticates.
    assert "anymail:brevo_tracking_webhook" in served()
    assert "anymail:mailjet_tracking_webhook" in served()
    assert all(name.endswith("_tracking_webhook") for name in served())
    assert "anymail:mailgun_tracking_webhook" not in served()  # needs its own signing key
    settings.ANYMAIL = {k: v for k, v in settings.ANYMAIL.items() if k != "WEBHOOK_SECRET"}
    assert not served()
