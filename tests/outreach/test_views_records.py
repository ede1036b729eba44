"""The campaigns that reached a person or an organisation, on their record:
which campaign, in which capacity, at which coordinate and whose; the
campaigns of baskets the reader does not see are counted, not named."""

import pytest
from django.urls import reverse

from .view_helpers import browser, new_campaign, post_and_run, text, url

pytestmark = pytest.mark.django_db


def record(kind, pk) -> str:
    return reverse(f"wagtailsnippets_directory_{kind}:inspect", args=(pk,))


@pytest.fixture
def sent(marie, directors_basket, email_template):
    campaign = new_campaign(marie, directors_basket, email_template, name="Saison des directeurs")
    post_and_run(browser(marie), url("send", campaign))
    return campaign


def test_a_persons_record_shows_the_campaign_and_the_coordinate_used(marie, town, sent):
    page = text(browser(marie).get(record("person", town.alice.pk)))
    assert "Saison des directeurs" in page
    assert reverse("outreach_campaigns:campaign", args=(sent.pk,)) in page
    assert "a.arnaud@theatre-metz.fr" in page
    assert "coordonnée de la fonction" in page


def test_a_person_left_out_was_not_reached(marie, town, sent):
    # Emma refused e-mails: she was left out, so no campaign reached her.
    page = text(browser(marie).get(record("person", town.emma.pk)))
    assert "Saison des directeurs" not in page
    assert "Aucune campagne n’a encore touché cette fiche." in page


def test_an_organisations_record_shows_the_campaigns_of_its_people(marie, town, sent):
    page = text(browser(marie).get(record("organisation", town.metz.pk)))
    assert "Saison des directeurs" in page
    assert "a.arnaud@theatre-metz.fr" in page
    other = text(browser(marie).get(record("organisation", town.lyon_theatre.pk)))
    assert "Saison des directeurs" not in other


def test_a_campaign_of_a_basket_one_does_not_see_is_counted_not_named(paul, town, sent):
    page = text(browser(paul).get(record("person", town.alice.pk)))
    assert "Saison des directeurs" not in page
    assert "1 autre campagne, d’un panier que vous ne voyez pas, l’a touchée." in page


def test_a_bounced_address_is_shown_on_the_record(marie, town, sent):
    from outreach import actions
    from outreach.models import SuppressionReason

    actions.suppress(
        "email", "A.Arnaud@theatre-metz.fr", SuppressionReason.BOUNCED, person_id=town.alice.pk
    )
    import re

    html = text(browser(marie).get(record("person", town.alice.pk)))
    page = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "Coordonnées écartées des campagnes" in page
    assert "a.arnaud@theatre-metz.fr — adresse invalide (rejet définitif)" in page
    assert "Coordonnées écartées" not in text(browser(marie).get(record("person", town.bruno.pk)))


def test_campaigns_one_does_not_see_are_counted_as_campaigns_not_messages(
    marie, paul, town, email_template, sms_template, settings
):
    """Two campaigns reached three directors of Metz each: six messages, two
    campaigns on the theatre's record."""
    from outreach.models import Delivery
    from tests.factories import PersonFactory, PositionFactory

    from .conftest import basket_for, rule

    settings.SMS_BACKEND = "outreach.sms.backends.locmem.SmsBackend"
    for index in range(2):
        PositionFactory(
            person=PersonFactory(first_name="Léa", last_name=f"Lenoir {index}"),
            organisation=town.metz,
            function=town.director,
            email=f"lea{index}@theatre-metz.fr",
            mobile=f"+33 6 33 33 33 3{index}",
        )
    basket = basket_for(
        marie,
        {"match": "all", "rules": [rule("organisation.name", "contains", "Théâtre de Metz")]},
        name="Théâtre de Metz",
    )
    for template, channel in ((email_template, "email"), (sms_template, "sms")):
        campaign = new_campaign(marie, basket, template, channel=channel, name=f"Metz {channel}")
        post_and_run(browser(marie), url("send", campaign))
    reached = Delivery.objects.filter(position__organisation=town.metz, status="sent")
    assert reached.count() == 6

    page = text(browser(paul).get(record("organisation", town.metz.pk)))
    assert "2 autres campagnes, de paniers que vous ne voyez pas, l’ont touchée." in page
    assert "6 autres campagnes" not in page
