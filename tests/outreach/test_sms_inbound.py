"""Brevo's SMS webhook: replies and unsubscriptions, and STOP keywords."""

import pytest

from outreach.sms.inbound import (
    REPLY,
    UNSUBSCRIBE,
    InvalidInboundPayload,
    is_stop,
    parse_brevo_inbound,
)


def brevo_event(msg_status, **fields):
    """A transactional SMS event as Brevo posts it (fields of its docs)."""
    event = {
        "id": 26570,
        "to": "33612345678",
        "sms_count": 1,
        "credits_used": 0.045,
        "messageId": 1511882900176220,
        "remaining_credit": 82.8,
        "msg_status": msg_status,
        "date": "2025-06-03 18:12:44",
        "type": "marketing",
        "reference": {"1": "ab1cde2fgh3i4jklmno"},
        "status": "OK",
        "ts_event": 1748967164,
        "tag": "delivery-42",
    }
    event.update(fields)
    return event


def test_a_reply_gives_the_number_in_e164_and_the_text():
    (inbound,) = parse_brevo_inbound(brevo_event("replied", reply="STOP"))
    assert inbound.from_number == "+33612345678"
    assert inbound.text == "STOP"
    assert inbound.event == REPLY
    assert inbound.provider_id == "1511882900176220"
    assert inbound.reference == "delivery-42"
    assert inbound.opts_out


def test_a_chatty_reply_is_not_an_opt_out():
    (inbound,) = parse_brevo_inbound(brevo_event("replied", reply="Merci, à ce soir !"))
    assert inbound.text == "Merci, à ce soir !"
    assert not inbound.opts_out


def test_an_unsubscription_is_an_opt_out():
    (inbound,) = parse_brevo_inbound(brevo_event("unsubscribe"))
    assert inbound.event == UNSUBSCRIBE
    assert inbound.opts_out


@pytest.mark.parametrize("status", ["sent", "delivered", "soft_bounce", "hard_bounce", "accepted"])
def test_delivery_events_are_not_inbound(status):
    assert parse_brevo_inbound(brevo_event(status)) == []


def test_batched_events_are_read_in_order():
    payload = [
        brevo_event("delivered"),
        brevo_event("replied", reply="Stop", to="32470123456"),
        brevo_event("replied", reply="Oui", to="447911123456", message_id=9, messageId=None),
    ]
    inbound = parse_brevo_inbound(payload)
    assert [(i.from_number, i.text, i.opts_out) for i in inbound] == [
        ("+32470123456", "Stop", True),
        ("+447911123456", "Oui", False),
    ]


def test_a_number_already_with_plus_is_kept():
    (inbound,) = parse_brevo_inbound(brevo_event("replied", reply="stop", to="+33612345678"))
    assert inbound.from_number == "+33612345678"


@pytest.mark.parametrize(
    "payload",
    [
        "STOP",
        [1, 2],
        brevo_event("replied", reply="STOP", to=""),
        brevo_event("replied", reply="STOP", to="not a number"),
    ],
)
def test_a_body_brevo_would_not_send_is_refused(payload):
    with pytest.raises(InvalidInboundPayload):
        parse_brevo_inbound(payload)


@pytest.mark.parametrize(
    "text",
    [
        "STOP",
        "Stop",
        "stop",
        " STOP ",
        "STOP.",
        "Stop !",
        "STOP SMS",
        "stop sms",
        "STOPSMS",
        "Stop merci",
        "STOP svp",
        "Stop, je ne veux plus de messages",
        "ARRET",
        "ARRÊT",
        "Arrêt",
        "arrêter",
        "Arrêtez",
        "Désabonner",
        "Me désabonner",
        "me desinscrire",
        "Désinscription",
        "Ne plus recevoir",
        "UNSUBSCRIBE",
        "stopall",
    ],
)
def test_stop_keywords(text):
    assert is_stop(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "Merci beaucoup",
        "Je viendrai, ne vous arrêtez pas",
        "C'est à quel arrêt de bus ?",
        "Super spectacle, bravo",
        "Stopover à Lyon",
        "OK",
    ],
)
def test_other_replies_are_not_stop(text):
    assert not is_stop(text)
