"""SMS backends: console, in-memory, and Brevo against its documented shapes.

Brevo's transactional SMS API (POST /v3/transactionalSMS/sms): `api-key`
header, JSON body {sender, recipient, content, type, tag, webUrl,
unicodeEnabled}; 201 with {reference, messageId, smsCount, usedCredits,
remainingCredits}; errors as {code, message}; 429 with the
x-sib-ratelimit-* headers.
"""

import io
import json

import pytest
import requests
import responses
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django.utils import translation
from urllib3.exceptions import MaxRetryError, NewConnectionError, ProtocolError

from outreach.sms.backends import (
    FAILED,
    SENT,
    UNKNOWN,
    RetryableSmsError,
    SmsMessage,
    SmsResult,
    brevo,
    console,
    get_backend,
    locmem,
)

API = "https://api.brevo.com/v3/transactionalSMS/sms"
KEY = "xkeysib-0123456789abcdef-test"

BREVO = {
    "SMS_BACKEND": "outreach.sms.backends.brevo.SmsBackend",
    "SMS_BREVO_API_KEY": KEY,
    "SMS_SENDER": "TheatreX",
}


def accepted(message_id=1511882900176220, sms_count=1):
    return {
        "reference": "ab1cde2fgh3i4jklmno",
        "messageId": message_id,
        "smsCount": sms_count,
        "usedCredits": 0.045 * sms_count,
        "remainingCredits": 82.85,
    }


def message(
    to="+33612345678", body="Ce soir 20 h : Hamlet. STOP au 36173", reference="delivery-42"
):
    return SmsMessage(to=to, body=body, reference=reference)


@pytest.fixture
def outbox():
    locmem.reset()
    yield locmem.outbox
    locmem.reset()


# --- choosing the backend -------------------------------------------------


def test_without_setting_the_backend_is_the_console_one(settings):
    del settings.SMS_BACKEND  # absent in development and in these tests' settings
    assert isinstance(get_backend(), console.SmsBackend)


@override_settings(SMS_BACKEND="outreach.sms.backends.locmem.SmsBackend")
def test_the_setting_chooses_the_backend():
    assert isinstance(get_backend(), locmem.SmsBackend)


@override_settings(**BREVO)
def test_brevo_backend_from_settings():
    backend = get_backend()
    assert isinstance(backend, brevo.SmsBackend)
    assert backend.api_key == KEY


@override_settings(SMS_BACKEND="outreach.sms.backends.brevo.SmsBackend", SMS_BREVO_API_KEY="")
def test_brevo_without_a_key_is_refused_at_once():
    with pytest.raises(ImproperlyConfigured):
        get_backend()


# --- console and in-memory ------------------------------------------------


@override_settings(SMS_SENDER="TheatreX")
def test_console_backend_prints_the_message_and_says_sent():
    stream = io.StringIO()
    results = console.SmsBackend(stream=stream).send_messages([message()])
    printed = stream.getvalue()
    assert "To: +33612345678" in printed
    assert "From: TheatreX" in printed
    assert "Ce soir 20 h : Hamlet." in printed
    assert results[0].status == SENT and results[0].provider_id


@override_settings(SMS_BACKEND="outreach.sms.backends.locmem.SmsBackend")
def test_locmem_backend_keeps_the_messages_in_its_outbox(outbox):
    first, second = message(), message(to="+33781234567", body="Deux")
    results = get_backend().send_messages([first, second])
    assert outbox == [first, second]
    assert [r.status for r in results] == [SENT, SENT]
    assert results[0].provider_id != results[1].provider_id


def test_locmem_backend_can_be_told_to_fail_a_number(outbox):
    locmem.failures["+33600000001"] = SmsResult(FAILED, error="Numéro inconnu")
    results = locmem.SmsBackend().send_messages([message(to="+33600000001"), message()])
    assert [r.status for r in results] == [FAILED, SENT]
    assert [m.to for m in outbox] == ["+33612345678"]


def test_locmem_backend_can_be_told_to_refuse_for_now(outbox):
    locmem.failures["+33600000002"] = RetryableSmsError("down", retry_after=30)
    batch = [message(to="+33612345678"), message(to="+33600000002"), message(to="+33781234567")]
    with pytest.raises(RetryableSmsError) as refused:
        locmem.SmsBackend().send_messages(batch)
    assert refused.value.retry_after == 30
    assert [r.status for r in refused.value.results] == [SENT]
    assert [m.to for m in outbox] == ["+33612345678"]


# --- Brevo ------------------------------------------------------------------


@responses.activate
@override_settings(**BREVO)
def test_brevo_success_sends_the_documented_request():
    responses.post(API, status=201, json=accepted())
    results = get_backend().send_messages([message()])

    assert results == [
        SmsResult(SENT, provider_id="1511882900176220", details={"http_status": 201, **accepted()})
    ]
    (call,) = responses.calls
    assert call.request.method == "POST"
    assert call.request.url == API
    assert call.request.headers["api-key"] == KEY
    assert call.request.headers["Content-Type"] == "application/json"
    assert call.request.headers["accept"] == "application/json"
    assert json.loads(call.request.body) == {
        "sender": "TheatreX",
        "recipient": "33612345678",
        "content": "Ce soir 20 h : Hamlet. STOP au 36173",
        "type": "marketing",
        "tag": "delivery-42",
        "unicodeEnabled": False,
    }


@responses.activate
@override_settings(**BREVO, SMS_BREVO_WEBHOOK_URL="https://crm.example.org/outreach/sms/webhook/")
def test_brevo_unicode_text_and_webhook_url():
    responses.post(API, status=201, json=accepted(sms_count=2))
    body = "Rendez-vous à l’Opéra"
    get_backend().send_messages([SmsMessage(to="+32470123456", body=body, sender="Opera")])
    sent = json.loads(responses.calls[0].request.body)
    assert sent["unicodeEnabled"] is True
    assert sent["content"] == body
    assert sent["sender"] == "Opera"
    assert sent["recipient"] == "32470123456"
    assert sent["webUrl"] == "https://crm.example.org/outreach/sms/webhook/"
    assert "tag" not in sent  # no reference, no tag


@responses.activate
@override_settings(**BREVO)
def test_brevo_400_is_failed_with_brevos_message():
    responses.post(
        API, status=400, json={"code": "invalid_parameter", "message": "recipient is not valid"}
    )
    (result,) = get_backend().send_messages([message()])
    assert result.status == FAILED
    assert result.error == "recipient is not valid"
    assert result.code == "invalid_parameter"


@responses.activate
@override_settings(**BREVO)
def test_brevo_401_fails_the_batch_without_calling_again():
    responses.post(API, status=401, json={"code": "unauthorized", "message": "Key not found"})
    results = get_backend().send_messages([message(), message(to="+33781234567")])
    assert [(r.status, r.error, r.code) for r in results] == [
        (FAILED, "Key not found", "unauthorized"),
        (FAILED, "Key not found", "unauthorized"),
    ]
    assert len(responses.calls) == 1
    assert results[1].details["not_sent"] is True


@responses.activate
@override_settings(**BREVO)
def test_brevo_402_insufficient_credits_is_failed():
    responses.post(
        API,
        status=402,
        json={"code": "not_enough_credits", "message": "You don't have enough credit to send SMS"},
    )
    (result,) = get_backend().send_messages([message()])
    assert result.status == FAILED
    assert result.code == "not_enough_credits"
    assert "enough credit" in result.error


@responses.activate
@override_settings(**BREVO)
def test_brevo_500_is_retryable_and_keeps_what_was_sent_before():
    responses.post(API, status=201, json=accepted(message_id=7))
    responses.post(API, status=500, json={"code": "internal_error", "message": "Internal error"})
    with pytest.raises(RetryableSmsError) as refused:
        get_backend().send_messages(
            [message(), message(to="+33781234567"), message(to="+33699999999")]
        )
    assert [(r.status, r.provider_id) for r in refused.value.results] == [(SENT, "7")]
    assert refused.value.retry_after is None
    assert len(responses.calls) == 2  # the third message was not tried


@responses.activate
@override_settings(**BREVO)
def test_brevo_429_is_retryable_after_the_rate_limit_reset():
    responses.post(
        API,
        status=429,
        json={"code": "too_many_requests", "message": "Too many requests"},
        headers={
            "x-sib-ratelimit-limit": "150",
            "x-sib-ratelimit-remaining": "0",
            "x-sib-ratelimit-reset": "2",
        },
    )
    with pytest.raises(RetryableSmsError) as refused:
        get_backend().send_messages([message()])
    assert refused.value.retry_after == 2
    assert refused.value.results == []


@responses.activate
@override_settings(**BREVO)
def test_brevo_503_with_retry_after():
    responses.post(API, status=503, body="Service Unavailable", headers={"Retry-After": "120"})
    with pytest.raises(RetryableSmsError) as refused:
        get_backend().send_messages([message()])
    assert refused.value.retry_after == 120


@responses.activate
@override_settings(**BREVO)
def test_brevo_read_timeout_is_unknown_and_the_batch_goes_on():
    responses.post(API, body=requests.ReadTimeout("read timed out"))
    responses.post(API, status=201, json=accepted(message_id=8))
    with translation.override("fr"):
        results = get_backend().send_messages([message(), message(to="+33781234567")])
    assert [(r.status, r.code) for r in results] == [(UNKNOWN, "timeout"), (SENT, "")]
    assert "peut-être parti" in results[0].error
    assert "pas renvoyé automatiquement" in results[0].error
    assert len(responses.calls) == 2  # the first one was not sent again


@responses.activate
@override_settings(**BREVO)
def test_brevo_connection_reset_after_sending_is_unknown():
    reset = ProtocolError(
        "Connection aborted.", ConnectionResetError(104, "Connection reset by peer")
    )
    responses.post(API, body=requests.ConnectionError(reset))
    (result,) = get_backend().send_messages([message()])
    assert (result.status, result.code) == (UNKNOWN, "connection")
    assert len(responses.calls) == 1


@responses.activate
@override_settings(**BREVO)
def test_brevo_gateway_timeout_is_unknown():
    responses.post(API, status=504, body="Gateway Time-out")
    (result,) = get_backend().send_messages([message()])
    assert result.status == UNKNOWN


@responses.activate
@override_settings(**BREVO)
def test_brevo_unreachable_is_retryable_as_nothing_left():
    refused = NewConnectionError(None, "Failed to establish a new connection: [Errno 111] refused")
    responses.post(API, body=requests.ConnectionError(MaxRetryError(None, API, refused)))
    with pytest.raises(RetryableSmsError):
        get_backend().send_messages([message()])


@responses.activate
@override_settings(**BREVO)
def test_brevo_connect_timeout_is_retryable():
    responses.post(API, body=requests.ConnectTimeout("connect timed out"))
    with pytest.raises(RetryableSmsError):
        get_backend().send_messages([message()])


@responses.activate
@override_settings(**BREVO)
def test_brevo_waits_a_bounded_time():
    responses.post(API, status=201, json=accepted())
    get_backend().send_messages([message()])
    connect, read = responses.calls[0].request.req_kwargs["timeout"]
    assert 0 < connect <= 10 and 0 < read <= 60
