"""Batch sending: one call to the provider for many personal messages, where
the provider has it (Brevo's `messageVersions`, Mailjet's Send API v3.1),
against their real HTTP shapes (`responses`).

What a recipient would notice if it went wrong: someone else's name, someone
else's unsubscribe link, a message received twice or not at all, an unescaped
name in the HTML. Each is checked here, with the batch refused, rate
limited, timed out or partly refused."""

import json
from urllib.parse import unquote

import pytest
import requests
import responses

from outreach import sending
from outreach.email.batch import MAX_BATCH_BYTES, batches
from outreach.email.unsubscribe import read_token
from outreach.models import Delivery, DeliveryStatus
from tests.factories import PersonFactory, PositionFactory

from .conftest import basket_for, rule
from .test_campaign_sending import frozen

pytestmark = pytest.mark.django_db

BREVO = "https://api.brevo.com/v3/smtp/email"
MAILJET = "https://api.mailjet.com/v3.1/send"
HOSTILE = '<script>alert("x")</script> & Cie'


@pytest.fixture
def brevo(settings):
    settings.EMAIL_BACKEND = "anymail.backends.brevo.EmailBackend"
    settings.ANYMAIL = {"BREVO_API_KEY": "xkeysib-test"}
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mocked:
        yield mocked


@pytest.fixture
def mailjet(settings):
    settings.EMAIL_BACKEND = "anymail.backends.mailjet.EmailBackend"
    settings.ANYMAIL = {"MAILJET_API_KEY": "mj-key", "MAILJET_SECRET_KEY": "mj-secret"}
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mocked:
        yield mocked


def press(marie, town, count, hostile_at=None, bad_at=None):
    """`count` press officers at Metz, each with a professional e-mail; one may
    carry a hostile last name, one an address the provider refuses."""
    for index in range(count):
        last = HOSTILE if index == hostile_at else f"Martin {index}"
        email = f"lea{index}@theatre-metz.fr"
        if index == bad_at:
            email = f"refus{index}@theatre-metz.fr"
        PositionFactory(
            person=PersonFactory(first_name=f"Léa{index}", last_name=last, email=""),
            organisation=town.metz,
            function=town.press,
            email=email,
        )
    tree = {"match": "all", "rules": [rule("position.function", "in", [town.press.pk])]}
    return basket_for(marie, tree, name="Presse")


def brevo_reply(refuse=(), counter=[0]):  # noqa: B006  (message ids across calls)
    """Brevo's answer: 201 with one message id per version (or `messageId` for
    a single message); 400 for the whole request when one address is refused."""

    def reply(request):
        body = json.loads(request.body)
        addresses = [version["to"][0]["email"] for version in body.get("messageVersions", [])] or [
            body["to"][0]["email"]
        ]
        if any(address.startswith(refuse) for address in addresses if refuse):
            return (
                400,
                {},
                json.dumps({"code": "invalid_parameter", "message": "email is not valid in to"}),
            )
        ids = []
        for _address in addresses:
            counter[0] += 1
            ids.append(f"<{counter[0]}@smtp-relay.mailin.fr>")
        if "messageVersions" in body:
            return (201, {}, json.dumps({"messageIds": ids}))
        return (201, {}, json.dumps({"messageId": ids[0]}))

    return reply


def versions_sent(mocked) -> list[dict]:
    """Every message that left, as (to, subject, text, html, headers)."""
    out = []
    for call in mocked.calls:
        if not isinstance(call.response, requests.Response) or call.response.status_code != 201:
            continue
        body = json.loads(call.request.body)
        for version in body.get("messageVersions") or [body]:
            out.append(
                {
                    "to": version["to"][0]["email"],
                    "subject": version.get("subject", body.get("subject")),
                    "text": version.get("textContent", body.get("textContent")),
                    "html": version.get("htmlContent", body.get("htmlContent")),
                    "headers": version.get("headers", body.get("headers", {})),
                }
            )
    return out


def unsubscribe_delivery(headers) -> int:
    url = headers["List-Unsubscribe"].strip("<>")
    return read_token(unquote(url.rstrip("/").rsplit("/", 1)[-1]))


def test_many_recipients_go_out_in_few_calls_each_with_their_own_message(
    marie, town, email_template, brevo
):
    basket = press(marie, town, 150, hostile_at=7)
    campaign = frozen(marie, basket, email_template)
    brevo.add_callback("POST", BREVO, callback=brevo_reply(), content_type="application/json")
    with sending.EmailSender(campaign) as sender:
        deliveries = sending.claim(campaign.pk, size=150)
        results = sender.send_chunk(deliveries, sending.merge_values(deliveries))
    assert len(brevo.calls) == 2  # 100 versions, then 50: not 150 calls
    assert [len(json.loads(c.request.body)["messageVersions"]) for c in brevo.calls] == [100, 50]
    by_pk = {d.pk: d for d in deliveries}
    sent = versions_sent(brevo)
    assert sorted(v["to"] for v in sent) == sorted(d.coordinate for d in deliveries)
    for version in sent:
        delivery = by_pk[unsubscribe_delivery(version["headers"])]
        # Her own address, her own name, her own unsubscribe link and metadata.
        assert delivery.coordinate == version["to"]
        index = int(version["to"].removeprefix("lea").split("@")[0])
        assert version["subject"] == f"Bonjour Léa{index}"
        assert version["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert json.loads(version["headers"]["X-Mailin-custom"])["delivery"] == str(delivery.pk)
        link = version["headers"]["List-Unsubscribe"].strip("<>")
        assert link in version["text"] and link in version["html"]
        assert f"Léa{index} " in version["html"]
    hostile = next(v for v in sent if v["to"] == "lea7@theatre-metz.fr")
    assert "<script>" not in hostile["html"]
    assert "&lt;script&gt;" in hostile["html"] and "&amp; Cie" in hostile["html"]
    # Each delivery keeps the message id the provider gave its version.
    assert {r.status for r in results.values()} == {DeliveryStatus.SENT}
    ids = [r.message_id for r in results.values()]
    assert len(set(ids)) == 150 and all(i.endswith("@smtp-relay.mailin.fr>") for i in ids)


def test_a_whole_campaign_is_sent_once_in_batches(marie, town, email_template, brevo):
    basket = press(marie, town, 60)
    campaign = frozen(marie, basket, email_template)
    brevo.add_callback("POST", BREVO, callback=brevo_reply(), content_type="application/json")
    assert sending.run(campaign.pk).done
    assert sending.run(campaign.pk).done  # run again: nothing more leaves
    sent = [v["to"] for v in versions_sent(brevo)]
    assert len(sent) == 60 == len(set(sent))
    assert len(brevo.calls) < 60
    delivered = campaign.deliveries.filter(status=DeliveryStatus.SENT)
    assert delivered.count() == 60
    assert delivered.exclude(provider_message_id__endswith="@smtp-relay.mailin.fr>").count() == 0


def test_a_batch_refused_for_one_address_is_sent_again_one_by_one(
    marie, town, email_template, brevo
):
    basket = press(marie, town, 5, bad_at=2)
    campaign = frozen(marie, basket, email_template)
    brevo.add_callback(
        "POST", BREVO, callback=brevo_reply(refuse="refus"), content_type="application/json"
    )
    with sending.EmailSender(campaign) as sender:
        deliveries = sending.claim(campaign.pk, size=5)
        results = sender.send_chunk(deliveries, sending.merge_values(deliveries))
    by_address = {d.coordinate: results[d.pk] for d in deliveries}
    assert by_address["refus2@theatre-metz.fr"].status == DeliveryStatus.FAILED
    assert "email is not valid" in by_address["refus2@theatre-metz.fr"].reason
    assert [r.status for a, r in by_address.items() if a.startswith("lea")] == [
        DeliveryStatus.SENT
    ] * 4
    sent = [v["to"] for v in versions_sent(brevo)]
    assert sorted(sent) == sorted(a for a in by_address if a.startswith("lea"))


def test_a_batch_rate_limited_goes_back_to_pending_and_leaves_once(
    marie, town, email_template, brevo
):
    basket = press(marie, town, 40)
    campaign = frozen(marie, basket, email_template)
    brevo.add(responses.POST, BREVO, status=429, json={"code": "too_many_requests"})
    outcome = sending.run(campaign.pk)
    assert outcome.retry_in > 0 and not outcome.done
    assert campaign.deliveries.filter(status=DeliveryStatus.PENDING).count() == 40
    brevo.add_callback("POST", BREVO, callback=brevo_reply(), content_type="application/json")
    assert sending.run(campaign.pk).done
    sent = [v["to"] for v in versions_sent(brevo)]
    assert len(sent) == 40 == len(set(sent))


def test_a_batch_that_timed_out_is_unknown_and_never_resent(marie, town, email_template, brevo):
    basket = press(marie, town, 40)
    campaign = frozen(marie, basket, email_template)
    brevo.add(responses.POST, BREVO, body=requests.ReadTimeout("read timed out"))
    brevo.add_callback("POST", BREVO, callback=brevo_reply(), content_type="application/json")
    assert sending.run(campaign.pk).done
    sending.run(campaign.pk)
    unknown = campaign.deliveries.filter(status=DeliveryStatus.UNKNOWN)
    first_call = json.loads(brevo.calls[0].request.body)["messageVersions"]
    assert unknown.count() == len(first_call) > 1
    sent = [v["to"] for v in versions_sent(brevo)]
    assert len(sent) == 40 - unknown.count() == len(set(sent))
    assert not set(sent) & set(unknown.values_list("coordinate", flat=True))


def test_the_rate_limit_caps_the_size_of_a_batch(marie, town, email_template, brevo, settings):
    settings.OUTREACH_RATE_LIMITS = {"email": 7, "sms": 10}
    basket = press(marie, town, 20)
    campaign = frozen(marie, basket, email_template)
    brevo.add_callback("POST", BREVO, callback=brevo_reply(), content_type="application/json")
    with sending.EmailSender(campaign) as sender:
        deliveries = sending.claim(campaign.pk, size=20)
        sender.send_chunk(deliveries, sending.merge_values(deliveries))
    sizes = [len(json.loads(c.request.body)["messageVersions"]) for c in brevo.calls]
    assert sizes == [7, 7, 6]


def test_without_batches_each_message_is_its_own_call(marie, town, email_template, brevo, settings):
    settings.OUTREACH_EMAIL_BATCH = False
    basket = press(marie, town, 6)
    campaign = frozen(marie, basket, email_template)
    brevo.add_callback("POST", BREVO, callback=brevo_reply(), content_type="application/json")
    assert sending.run(campaign.pk).done
    assert len(brevo.calls) == 6
    assert all("messageVersions" not in json.loads(c.request.body) for c in brevo.calls)


def mailjet_reply(refuse=""):
    """Mailjet v3.1: one result per message; a refused one makes the answer a
    400 that still lists the others' successes (a partial failure)."""
    counter = [1000]

    def reply(request):
        body = json.loads(request.body)
        results, failed = [], False
        for message in body["Messages"]:
            address = message["To"][0]["Email"]
            if refuse and address.startswith(refuse):
                failed = True
                results.append(
                    {
                        "Status": "error",
                        "Errors": [{"ErrorCode": "mj-0013", "StatusCode": 400}],
                    }
                )
                continue
            counter[0] += 1
            results.append(
                {
                    "Status": "success",
                    "To": [
                        {
                            "Email": address,
                            "MessageUUID": f"uuid-{counter[0]}",
                            "MessageID": counter[0],
                            "MessageHref": f"https://api.mailjet.com/v3/message/{counter[0]}",
                        }
                    ],
                }
            )
        return (400 if failed else 200, {}, json.dumps({"Messages": results}))

    return reply


def test_mailjet_batches_each_message_its_own_and_a_refusal_is_its_own(
    marie, town, email_template, mailjet
):
    basket = press(marie, town, 6, hostile_at=1, bad_at=4)
    campaign = frozen(marie, basket, email_template)
    mailjet.add_callback(
        "POST",
        MAILJET,
        callback=mailjet_reply(refuse="refus"),
        content_type="application/json",
    )
    with sending.EmailSender(campaign) as sender:
        deliveries = sending.claim(campaign.pk, size=6)
        results = sender.send_chunk(deliveries, sending.merge_values(deliveries))
    assert len(mailjet.calls) == 1
    messages = json.loads(mailjet.calls[0].request.body)["Messages"]
    assert len(messages) == 6
    for message in messages:
        delivery = Delivery.objects.get(coordinate=message["To"][0]["Email"])
        assert unsubscribe_delivery(message["Headers"]) == delivery.pk
        assert json.loads(message["EventPayload"])["delivery"] == str(delivery.pk)
        assert message["Subject"].startswith("Bonjour Léa")
        assert message["HTMLPart"].count("/desinscription/") == 1
    hostile = next(m for m in messages if m["To"][0]["Email"] == "lea1@theatre-metz.fr")
    assert "<script>" not in hostile["HTMLPart"] and "&lt;script&gt;" in hostile["HTMLPart"]
    by_address = {d.coordinate: results[d.pk] for d in deliveries}
    assert by_address.pop("refus4@theatre-metz.fr").status == DeliveryStatus.FAILED
    assert {r.status for r in by_address.values()} == {DeliveryStatus.SENT}
    ids = [r.message_id for r in by_address.values()]
    assert len(set(ids)) == 5 and all(i.isdigit() for i in ids)


def test_batches_never_repeat_an_address_and_keep_their_size():
    items = ["a", "b", "a", "c", "a", "d", "e"]
    groups = list(batches(items, 3, key=str, weight=lambda item: 1))
    assert sorted(sum(groups, [])) == sorted(items)
    assert all(len(group) == len(set(group)) <= 3 for group in groups)
    assert groups[0] == ["a", "b", "c"]


def test_batches_keep_under_the_size_a_provider_accepts():
    heavy = MAX_BATCH_BYTES // 3 + 1
    groups = list(batches(range(7), 100, key=int, weight=lambda item: heavy))
    assert [len(group) for group in groups] == [2, 2, 2, 1]
    alone = list(batches([1, 2], 100, key=int, weight=lambda item: MAX_BATCH_BYTES * 2))
    assert alone == [[1], [2]]
