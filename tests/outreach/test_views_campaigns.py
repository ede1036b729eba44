"""The campaigns' screens as each role uses them: the listing and its
filters, the creation form from a basket and its refusals, the campaign's
page before sending (who will be reached, who is left out and why), a test
to oneself, sending (once: a second click is refused), scheduling,
progress, cancelling, duplicating and the report."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from outreach.models import Campaign, CampaignStatus, Delivery, DeliveryStatus
from selections.models import Basket

from .conftest import basket_for, rule
from .view_helpers import (
    add_url,
    browser,
    campaign_form,
    new_campaign,
    page_url,
    post_and_run,
    text,
    url,
)

pytestmark = pytest.mark.django_db


# --- Listing -----------------------------------------------------------------------------


def test_the_listing_shows_the_campaigns_one_may_see_with_their_counts(
    marie, paul, admin_user, directors_basket, email_template
):
    campaign = new_campaign(marie, directors_basket, email_template, name="Saison Quetzal")
    post_and_run(browser(marie), url("send", campaign))

    page = text(browser(marie).get(reverse("outreach_campaigns:index")))
    assert "Saison Quetzal" in page
    assert "Directeurs du Grand Est" in page  # the basket
    assert "1 envoyé sur 1" in page  # Alice sent; Emma refused e-mails, left out
    assert "Envoyé" in page
    # The basket is Marie's and private: nobody else sees the campaign.
    for other in (paul, admin_user):
        response = browser(other).get(reverse("outreach_campaigns:index"))
        assert response.status_code == 200
        assert "Saison Quetzal" not in text(response)


def test_the_listing_filters_by_channel_and_status(
    marie, directors_basket, email_template, sms_template
):
    new_campaign(marie, directors_basket, email_template, name="Lettre Quetzal")
    new_campaign(marie, directors_basket, sms_template, channel="sms", name="Texto Zorglub")
    listing = reverse("outreach_campaigns:index")
    as_marie = browser(marie)

    by_sms = text(as_marie.get(listing, {"channel": "sms"}))
    assert "Texto Zorglub" in by_sms and "Lettre Quetzal" not in by_sms
    drafts = text(as_marie.get(listing, {"status": "draft"}))
    assert "Texto Zorglub" in drafts and "Lettre Quetzal" in drafts
    sent = text(as_marie.get(listing, {"status": "sent"}))
    assert "Texto Zorglub" not in sent and "Lettre Quetzal" not in sent


def test_a_client_reaches_no_campaign_screen(client_user, marie, directors_basket, email_template):
    campaign = new_campaign(marie, directors_basket, email_template)
    as_client = browser(client_user)
    for path in (
        reverse("outreach_campaigns:index"),
        reverse("outreach_campaigns:add"),
        add_url(directors_basket),
        page_url(campaign),
        url("status", campaign),
        url("report_csv", campaign),
        url("edit", campaign),
        url("history", campaign),
    ):
        assert as_client.get(path).status_code in (403, 404), path
    for name in ("send", "schedule", "test", "cancel", "duplicate", "delete"):
        assert as_client.post(url(name, campaign)).status_code in (403, 404), name
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT
    assert Campaign.objects.count() == 1


def test_another_staff_member_does_not_reach_a_campaign_on_a_private_basket(
    marie, paul, directors_basket, email_template
):
    campaign = new_campaign(marie, directors_basket, email_template)
    as_paul = browser(paul)
    for name in ("campaign", "status", "report_csv", "edit", "delete", "history"):
        assert as_paul.get(url(name, campaign)).status_code == 404, name
    for name in ("send", "schedule", "test", "cancel", "duplicate"):
        assert as_paul.post(url(name, campaign)).status_code == 404, name
    assert as_paul.get(add_url(directors_basket)).status_code == 404
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT and not campaign.deliveries.exists()


def test_on_a_shared_basket_a_colleague_reads_the_campaign_but_only_its_author_sends_it(
    marie, paul, directors_basket, email_template
):
    directors_basket.shared_with_users.add(paul)
    campaign = new_campaign(marie, directors_basket, email_template, name="Saison partagée")
    as_paul = browser(paul)
    page = as_paul.get(page_url(campaign))
    assert page.status_code == 200
    assert "Saison partagée" in text(page)
    assert url("send", campaign) not in text(page)
    assert "Seul·e Marie Martin, qui l’a créée, peut modifier ou envoyer cette campagne." in text(
        page
    )
    assert as_paul.post(url("send", campaign)).status_code == 403
    assert as_paul.get(url("edit", campaign)).status_code == 403
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT
    # He may duplicate it: the copy is his.
    response = as_paul.post(url("duplicate", campaign))
    copy = Campaign.objects.exclude(pk=campaign.pk).get()
    assert response["Location"] == page_url(copy)
    assert copy.owner == paul and copy.name == "Copie de Saison partagée"


# --- Creation ----------------------------------------------------------------------------


def test_a_campaign_is_created_from_a_basket(marie, directors_basket, email_template):
    as_marie = browser(marie)
    form = as_marie.get(add_url(directors_basket))
    assert form.status_code == 200
    assert "Nouvelle campagne" in text(form)
    assert f'value="{directors_basket.pk}" selected' in text(form)
    assert "Invitation" in text(form)  # the e-mail template, in its channel's group

    response = as_marie.post(
        add_url(directors_basket),
        campaign_form(directors_basket, email_template, merge="coordinate"),
    )
    campaign = Campaign.objects.get()
    assert response.status_code == 302 and response["Location"] == page_url(campaign)
    assert (campaign.name, campaign.owner, campaign.basket) == (
        "Saison 2027",
        marie,
        directors_basket,
    )
    assert campaign.email_template == email_template and campaign.merge == "coordinate"
    assert campaign.status == CampaignStatus.DRAFT


def test_someone_elses_private_basket_in_the_address_answers_404(paul, directors_basket):
    assert browser(paul).get(add_url(directors_basket)).status_code == 404
    assert browser(paul).get(reverse("outreach_campaigns:add") + "?basket=abc").status_code == 404


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": "   "}, "name", "Donnez un nom à la campagne."),
        ({"template": "email-999999"}, "template", "Sélectionnez un choix valide."),
        ({"start_row": "0"}, "start_row", "Saisissez un nombre entre 1 et 20."),
        ({"start_column": "99"}, "start_column", "Saisissez un nombre entre 1 et 20."),
    ],
)
def test_bad_input_shows_a_french_message_on_its_field_and_creates_nothing(
    marie, directors_basket, email_template, changes, field, message
):
    response = browser(marie).post(
        add_url(directors_basket), campaign_form(directors_basket, email_template, **changes)
    )
    assert response.status_code == 200
    assert Campaign.objects.count() == 0
    errors = response.context["form"].errors
    assert field in errors
    assert any(error.startswith(message) for error in errors[field]), errors[field]
    assert message in text(response)


def test_a_basket_one_may_not_see_is_refused_on_the_form(
    marie, paul, town, directors_basket, email_template
):
    own = basket_for(paul, {"match": "all", "rules": [rule("person.language", "in", ["en"])]})
    response = browser(paul).post(add_url(own), campaign_form(directors_basket, email_template))
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in text(response)
    assert Campaign.objects.count() == 0


def test_a_template_of_another_channel_is_refused(marie, directors_basket, sms_template):
    data = campaign_form(directors_basket, sms_template, channel="sms")
    data["channel"] = "email"
    response = browser(marie).post(add_url(directors_basket), data)
    assert response.status_code == 200
    assert "Ce modèle est pour un autre canal" in text(response)
    assert Campaign.objects.count() == 0


def test_a_label_start_beyond_the_sheet_is_refused(marie, directors_basket, label_template):
    data = campaign_form(directors_basket, label_template, channel="post", start_row="8")
    response = browser(marie).post(add_url(directors_basket), data)
    assert response.status_code == 200
    assert "Cette planche compte 7 lignes." in text(response)
    assert Campaign.objects.count() == 0


def test_the_author_edits_a_draft_and_a_bad_value_changes_nothing(
    marie, directors_basket, email_template
):
    campaign = new_campaign(marie, directors_basket, email_template)
    as_marie = browser(marie)
    edit = url("edit", campaign)
    assert "Saison 2027" in text(as_marie.get(edit))
    bad = as_marie.post(edit, campaign_form(directors_basket, email_template, name=""))
    assert bad.status_code == 200 and "Donnez un nom à la campagne." in text(bad)
    campaign.refresh_from_db()
    assert campaign.name == "Saison 2027"
    good = as_marie.post(edit, campaign_form(directors_basket, email_template, name="Saison 2028"))
    assert good.status_code == 302
    campaign.refresh_from_db()
    assert campaign.name == "Saison 2028"


def test_the_author_deletes_a_draft(marie, directors_basket, email_template):
    campaign = new_campaign(marie, directors_basket, email_template)
    as_marie = browser(marie)
    assert as_marie.get(url("delete", campaign)).status_code == 200
    response = as_marie.post(url("delete", campaign))
    assert response.status_code == 302
    assert not Campaign.objects.exists()


# --- Before sending ---------------------------------------------------------------------


def test_the_page_shows_who_will_be_reached_and_who_is_left_out_and_why(
    marie, directors_basket, email_template
):
    campaign = new_campaign(marie, directors_basket, email_template)
    page = text(browser(marie).get(page_url(campaign)))
    assert '<strong data-count="recipients">1</strong>' in page
    assert '<strong data-count="left-out">1</strong>' in page
    # Alice at her director's address, never her personal one.
    assert "a.arnaud@theatre-metz.fr" in page
    assert "alice@perso.fr" not in page
    # Emma refused e-mails: left out, with the reason.
    assert "Emma Escoffier" in page
    assert "A refusé ce canal" in page
    assert "Envoyer maintenant à 1 destinataire" in page


def test_a_test_goes_to_ones_own_address_and_reaches_no_one_else(
    marie, directors_basket, email_template
):
    campaign = new_campaign(marie, directors_basket, email_template)
    response = browser(marie).post(url("test", campaign), follow=True)
    assert response.status_code == 200
    assert [message.to for message in mail.outbox] == [[marie.email]]
    assert mail.outbox[0].subject.startswith("[Test]")
    assert "Bonjour Alice" in mail.outbox[0].subject  # the first recipient's values
    assert f"Test envoyé à {marie.email}" in text(response)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT and not campaign.deliveries.exists()


def test_an_sms_test_to_a_number_that_is_not_a_mobile_is_refused_on_its_field(
    marie, directors_basket, sms_template, settings
):
    settings.SMS_BACKEND = "outreach.sms.backends.locmem.SmsBackend"
    campaign = new_campaign(marie, directors_basket, sms_template, channel="sms")
    response = browser(marie).post(url("test", campaign), {"to": "03 87 00 00 00"})
    assert response.status_code == 200
    assert response.context["test_form"].errors["to"]
    assert "Le test n’a pas été envoyé." in text(response)


# --- Sending -----------------------------------------------------------------------------


def test_sending_twice_is_refused_with_a_message(marie, directors_basket, email_template):
    campaign = new_campaign(marie, directors_basket, email_template)
    as_marie = browser(marie)
    first = as_marie.post(url("send", campaign), follow=True)
    assert "L’envoi à 1 destinataire a commencé." in text(first)
    deliveries = Delivery.objects.filter(campaign=campaign).count()
    # The second tab, or a double click: refused, nothing more frozen or sent.
    second = as_marie.post(url("send", campaign), follow=True)
    assert second.status_code == 200
    assert "Cette campagne a déjà été envoyée ou programmée." in text(second)
    assert Delivery.objects.filter(campaign=campaign).count() == deliveries


def test_a_schedule_in_the_past_is_refused_on_its_field_and_changes_nothing(
    marie, directors_basket, email_template
):
    campaign = new_campaign(marie, directors_basket, email_template)
    yesterday = timezone.localtime() - datetime.timedelta(days=1)
    response = browser(marie).post(
        url("schedule", campaign), {"scheduled_for": yesterday.strftime("%d/%m/%Y %H:%M")}
    )
    assert response.status_code == 200
    assert "Choisissez un moment à venir." in text(response)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT and campaign.scheduled_for is None
    assert not campaign.deliveries.exists()


def test_a_campaign_scheduled_shows_its_progress_and_is_cancelled(
    marie, directors_basket, email_template
):
    campaign = new_campaign(marie, directors_basket, email_template)
    as_marie = browser(marie)
    tomorrow = timezone.localtime() + datetime.timedelta(days=1)
    response = as_marie.post(
        url("schedule", campaign), {"scheduled_for": tomorrow.strftime("%d/%m/%Y %H:%M")}
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SCHEDULED

    page = text(as_marie.get(page_url(campaign)))
    # Only scheduled: the page does not ask for the status every two seconds.
    assert "Avancement" in page
    assert 'data-controller="campaign-progress"' not in page
    assert "outreach/campaign_progress.js" not in page
    status = as_marie.get(url("status", campaign)).json()
    assert status["status"] == "scheduled" and status["finished"] is False
    assert status["status_label"] == "Programmée"
    assert {count["status"]: count["count"] for count in status["counts"]} == {
        "left_out": 1,
        "pending": 1,
    }

    cancelled = as_marie.post(url("cancel", campaign), follow=True)
    assert "Campagne annulée : 1 message ne sera pas envoyé." in text(cancelled)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CANCELLED
    assert as_marie.get(url("status", campaign)).json()["finished"] is True


def test_the_report_counts_each_status_and_shows_the_coordinate_used_and_whose(
    marie, directors_basket, email_template
):
    campaign = new_campaign(marie, directors_basket, email_template)
    as_marie = browser(marie)
    post_and_run(as_marie, url("send", campaign))
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENT

    response = as_marie.get(page_url(campaign))
    assert response.context["totals"] == [
        ("left_out", "Écarté", 1),
        ("sent", "Envoyé", 1),
    ]
    page = text(response)
    assert 'data-controller="campaign-progress"' not in page  # over: no progress bar
    assert "a.arnaud@theatre-metz.fr" in page
    assert "Coordonnée de la fonction" in page
    assert "alice@perso.fr" not in page

    left_out = as_marie.get(page_url(campaign), {"status": "left_out"})
    assert [d.name for d in left_out.context["deliveries"]] == ["Emma Escoffier"]
    assert "A refusé ce canal" in text(left_out)

    csv = b"".join(as_marie.get(url("report_csv", campaign)).streaming_content).decode("utf-8-sig")
    lines = csv.splitlines()
    assert lines[0] == "Nom;Qualité;Coordonnée;À qui est la coordonnée;Statut;Motif;Date d’envoi"
    assert lines[1].startswith(
        "Alice Arnaud;Directeur·rice – Théâtre de Metz;a.arnaud@theatre-metz.fr;"
    )
    assert ";Envoyé;" in lines[1]
    assert lines[2].startswith("Emma Escoffier;") and "Écarté" in lines[2]


def test_the_report_is_paginated(marie, town, email_template):
    from tests.factories import PersonFactory

    for number in range(60):
        PersonFactory(first_name=f"P{number:02d}", last_name="Quetzal", email=f"p{number}@ex.fr")
    basket = basket_for(
        marie, {"match": "all", "rules": [rule("person.name", "contains", "Quetzal")]}
    )
    campaign = new_campaign(marie, basket, email_template)
    as_marie = browser(marie)
    post_and_run(as_marie, url("send", campaign))
    first = as_marie.get(page_url(campaign))
    assert len(first.context["deliveries"].object_list) == 50
    second = as_marie.get(page_url(campaign), {"p": "2", "status": "sent"})
    assert len(second.context["deliveries"].object_list) == 10
    assert second.context["totals"] == [("sent", "Envoyé", 60)]


def test_the_basket_page_link_opens_the_creation_form(marie, directors_basket):
    basket_page = text(
        browser(marie).get(reverse("selections_baskets:basket", args=(directors_basket.pk,)))
    )
    assert add_url(directors_basket) in basket_page
    assert Basket.objects.count() == 1


def test_cancelling_a_sent_campaign_is_refused_with_a_message(
    marie, directors_basket, email_template
):
    campaign = new_campaign(marie, directors_basket, email_template)
    as_marie = browser(marie)
    post_and_run(as_marie, url("send", campaign))
    response = as_marie.post(url("cancel", campaign), follow=True)
    assert "Seule une campagne programmée ou en cours d’envoi peut être annulée." in text(response)
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 1
