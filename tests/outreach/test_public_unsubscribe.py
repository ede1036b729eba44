"""One-click unsubscribe (RFC 8058): POST without sign-in or CSRF token
records the opt-out, GET changes nothing, a bad token changes nothing."""

import re

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from outreach import freezing
from outreach.email.unsubscribe import make_token
from outreach.models import Channel, Delivery, DeliveryStatus, Suppression
from outreach.sending import unsubscribe_url
from tests.outreach.public_data import basket_of, campaign, delivery, director


@pytest.fixture
def browser():
    """A visitor who is not signed in, with Django's CSRF checks on (as in production)."""
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def sent(staff_user):
    return delivery(staff_user, director())


def url(token):
    return reverse("outreach_unsubscribe", args=[token])


def token_of(d):
    return make_token(d.pk, d.person_id, d.coordinate)


def nothing_recorded(d, status=DeliveryStatus.SENT):
    d.refresh_from_db()
    return not Suppression.objects.exists() and d.status == status


def test_the_link_of_every_message_opens_this_page(browser, sent):
    link = unsubscribe_url(sent)
    assert link.startswith("http")
    path = "/" + link.split("/", 3)[3]
    assert path.startswith("/desinscription/")
    assert browser.get(path).status_code == 200


def test_opening_the_link_shows_a_button_and_changes_nothing(browser, sent):
    response = browser.get(url(token_of(sent)))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Voulez-vous ne plus recevoir nos envois" in page
    assert "d•••@theatre-metz.fr" in page  # masked: the link may be forwarded
    assert "direction@theatre-metz.fr" not in page
    form = re.search(r'<form method="post" action="">.*?</form>', page, re.S)
    assert form and "<button" in form.group(0)
    assert "csrfmiddlewaretoken" not in page
    assert nothing_recorded(sent)
    # A mail scanner may follow the link many times, and HEAD it too.
    browser.get(url(token_of(sent)))
    browser.head(url(token_of(sent)))
    assert nothing_recorded(sent)
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"


def test_the_page_is_standalone_without_script_or_outside_resources(browser, sent):
    response = browser.get(url(token_of(sent)))
    page = response.content.decode()
    assert "<script" not in page
    assert not re.search(r'(src|href)="(https?:)?//', page)
    assert "/admin/" not in page  # no workspace chrome, no sign-in
    assert '<html lang="fr">' in page
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_one_click_post_without_sign_in_or_csrf_unsubscribes(browser, sent):
    response = browser.post(
        url(token_of(sent)),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert "Désinscription enregistrée" in response.content.decode()
    suppression = Suppression.objects.get()
    assert (suppression.channel, suppression.coordinate, suppression.reason) == (
        "email",
        "direction@theatre-metz.fr",
        "unsubscribed",
    )
    assert suppression.person_id == sent.person_id
    sent.refresh_from_db()
    assert sent.status == DeliveryStatus.UNSUBSCRIBED


def test_the_pages_button_unsubscribes_too_and_a_second_post_is_harmless(browser, sent):
    first = browser.post(url(token_of(sent)), {"List-Unsubscribe": "One-Click"})
    second = browser.post(url(token_of(sent)), {"List-Unsubscribe": "One-Click"})
    assert first.status_code == second.status_code == 200
    assert Suppression.objects.count() == 1
    again = browser.get(url(token_of(sent))).content.decode()
    assert "déjà désinscrite" in again
    assert "<button" not in again


def test_a_later_campaign_leaves_the_address_out(browser, staff_user):
    position = director()
    basket = basket_of(staff_user, position)
    first = delivery(staff_user, position, of=campaign(staff_user, basket=basket))
    browser.post(url(token_of(first)))
    summary = freezing.summarise(campaign(staff_user, basket=basket, name="Saison 2027"))
    assert summary.recipients == 0
    [(reason, count)] = summary.left_out.items()
    assert count == 1
    assert reason.endswith("désinscrit")


def altered(token):
    """The token with one character of its signature changed."""
    last = token[-1]
    return token[:-1] + ("A" if last != "A" else "B")


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_forged_or_altered_token_is_refused_and_changes_nothing(browser, sent, method):
    genuine = token_of(sent)
    forged = signing.Signer(salt="something else", sep=".").sign(f"{sent.pk}.AAAAAAAAAAAAAAAA")
    for token in (altered(genuine), genuine[:-5], forged, "1", "x" * 300, f"{sent.pk}"):
        response = getattr(browser, method)(url(token))
        assert response.status_code == 400, token
        page = response.content.decode()
        assert "Ce lien de désinscription n’est pas valide" in page
        assert "Rien n’a été changé" in page
    assert nothing_recorded(sent)


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_token_replayed_for_another_person_or_address_is_refused(
    browser, staff_user, sent, method
):
    other = delivery(staff_user, director(email="direction@scene-nancy.fr"))
    # The id of one delivery with the person or the address of another.
    for token in (
        make_token(sent.pk, other.person_id, sent.coordinate),
        make_token(sent.pk, sent.person_id, other.coordinate),
        make_token(other.pk, sent.person_id, sent.coordinate),
    ):
        assert getattr(browser, method)(url(token)).status_code == 400
    assert nothing_recorded(sent)
    assert nothing_recorded(other)


def test_a_token_of_a_deleted_delivery_is_refused(browser, sent):
    token = token_of(sent)
    Delivery.objects.filter(pk=sent.pk).delete()
    assert browser.post(url(token)).status_code == 400
    assert not Suppression.objects.exists()


def test_a_person_who_prefers_english_reads_english(browser, staff_user):
    sent = delivery(staff_user, director(language="en"))
    page = browser.get(url(token_of(sent))).content.decode()
    assert "Do you want to stop receiving our mailings" in page
    assert '<html lang="en">' in page


def test_other_methods_are_refused(browser, sent):
    assert browser.put(url(token_of(sent))).status_code == 405
    assert nothing_recorded(sent)


def test_an_sms_campaigns_delivery_is_unsubscribed_on_its_channel(browser, staff_user):
    position = director()
    sms = campaign(staff_user, channel=Channel.SMS)
    sent = delivery(staff_user, position, of=sms)
    assert browser.post(url(token_of(sent))).status_code == 200
    assert Suppression.objects.get().channel == "sms"


def test_a_left_out_recipient_may_unsubscribe_too(browser, staff_user):
    left_out = delivery(staff_user, director(), status=DeliveryStatus.LEFT_OUT)
    response = browser.post(url(token_of(left_out)))
    assert response.status_code == 200
    left_out.refresh_from_db()
    assert left_out.status == DeliveryStatus.LEFT_OUT
    assert Suppression.objects.filter(coordinate=left_out.coordinate).exists()
