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
    assert copy.owner == paul and copy.name == "Saison partagée (copie)"


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
    assert "Cette planche compte 7 rangées." in text(response)
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

    cancelled = as_marie.post(url("cancel", campaign), follow=True)
    assert "Campagne annulée" in text(cancelled)
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
    assert lines[0] == "Nom;Qualité;Coordonnée;Origine de la coordonnée;Statut;Motif;Date d’envoi"
    assert lines[1].startswith(
        "Alice Arnaud;Directeur·rice – Théâtre de Metz;a.arnaud@theatre-metz.fr;"
        "Coordonnée de la fonction;"
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


# --- After the review: what the screens say and offer -----------------------------------


def test_the_form_says_the_policies_in_french_and_marks_only_the_name_required(
    marie, directors_basket, email_template
):
    response = browser(marie).get(add_url(directors_basket))
    page = text(response)
    for choice in (
        "écarter la ligne",
        "utiliser la coordonnée personnelle",
        "utiliser la coordonnée générique de la structure",
        "un message par personne",
        "un message par adresse",
        "un message par ligne (sans fusion)",
    ):
        assert choice in page, choice
    assert "l'organisation" not in page and "l’organisation" not in page
    name = response.context["form"]["name"]
    assert name.field.required
    assert 'maxlength="200"' in str(name)
    assert 'Nom<span class="w-required-mark">*</span>' in page


def test_a_name_longer_than_200_characters_is_refused_on_the_form(
    marie, directors_basket, email_template
):
    as_marie = browser(marie)
    too_long = as_marie.post(
        add_url(directors_basket), campaign_form(directors_basket, email_template, name="a" * 201)
    )
    assert too_long.status_code == 200
    assert "Le nom ne doit pas dépasser 200 caractères." in text(too_long)
    assert not Campaign.objects.exists()
    just_right = as_marie.post(
        add_url(directors_basket), campaign_form(directors_basket, email_template, name="a" * 200)
    )
    assert just_right.status_code == 302
    assert Campaign.objects.get().name == "a" * 200


def test_the_template_list_follows_the_channel_and_label_options_are_for_labels(
    marie, directors_basket, email_template, sms_template, label_template
):
    page = text(browser(marie).get(add_url(directors_basket)))
    # In the browser (campaign_form.js): only the chosen channel's templates,
    # the label options only for labels; the values say the channel.
    assert 'data-controller="campaign-channel"' in page
    assert 'data-campaign-channel-target="template"' in page
    assert 'data-campaign-channel-target="labelOptions"' in page
    assert "outreach/campaign_form.js" in page
    for value in (
        f"email-{email_template.pk}",
        f"sms-{sms_template.pk}",
        f"post-{label_template.pk}",
    ):
        assert f'value="{value}"' in page


def test_a_draft_without_a_template_offers_no_sending_but_the_way_to_choose_one(
    marie, directors_basket
):
    campaign = actions_create(marie, directors_basket, channel="email")
    page = text(browser(marie).get(page_url(campaign)))
    assert "Choisissez un modèle pour pouvoir envoyer." in page
    assert f'href="{url("edit", campaign)}"' in page
    assert "Envoyer maintenant" not in page
    assert "M’envoyer un test" not in page
    assert "Programmer" not in page
    assert url("send", campaign) not in page and url("schedule", campaign) not in page

    labels = actions_create(marie, directors_basket, channel="post", name="Vœux")
    page = text(browser(marie).get(page_url(labels)))
    assert "Choisissez une planche d’étiquettes pour pouvoir préparer les étiquettes." in page
    assert url("send", labels) not in page


def actions_create(user, basket, channel, name="Sans modèle"):
    from outreach import actions

    return actions.create_campaign(user, basket=basket, name=name, channel=channel)


def test_send_now_and_cancel_ask_first_in_a_dialog_and_post_without_javascript(
    marie, directors_basket, email_template
):
    campaign = new_campaign(marie, directors_basket, email_template)
    as_marie = browser(marie)
    page = text(as_marie.get(page_url(campaign)))
    assert 'data-controller="campaign-confirm"' in page
    assert 'data-campaign-confirm-dialog-value="crm-confirm-send"' in page
    assert 'id="crm-confirm-send"' in page
    assert "Envoyer cette campagne maintenant ?" in page
    assert (
        "Elle part aussitôt vers 1 destinataire : un message envoyé ne peut pas être rappelé."
        in (page)
    )
    assert 'data-action="w-dialog#confirm"' in page and "Oui, envoyer maintenant" in page
    assert "outreach/campaign_confirm.js" in page
    # The form itself posts to send/: without JavaScript, the click sends.
    as_marie.post(url("send", campaign))
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENDING

    # Sending: the page follows the progress, and cancelling asks first.
    page = text(as_marie.get(page_url(campaign)))
    assert 'data-controller="campaign-progress"' in page
    assert "outreach/campaign_progress.js" in page
    assert 'data-campaign-confirm-dialog-value="crm-confirm-cancel"' in page
    assert "Annuler l’envoi ?" in page and "Oui, annuler l’envoi" in page


def test_the_schedule_field_is_not_marked_required_but_an_empty_one_is_refused(
    marie, directors_basket, sms_template
):
    campaign = new_campaign(marie, directors_basket, sms_template, channel="sms")
    as_marie = browser(marie)
    response = as_marie.get(page_url(campaign))
    field = response.context["schedule_form"]["scheduled_for"]
    assert not field.field.required
    page = text(response)
    assert "Ou programmer pour le</label>" in page or "Ou programmer pour le\n" in page
    assert 'Ou programmer pour le<span class="w-required-mark">' not in page
    assert 'class="w-help-text crm-quiet-hours"' in page  # spaced from the field (CSS)
    empty = as_marie.post(url("schedule", campaign), {"scheduled_for": ""})
    assert empty.status_code == 200
    assert "Choisissez un moment à venir." in text(empty)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT


def test_a_scheduled_campaign_says_when_the_french_way(marie, directors_basket, email_template):
    campaign = new_campaign(marie, directors_basket, email_template)
    as_marie = browser(marie)
    when = (timezone.localtime() + datetime.timedelta(days=3)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    day = when.strftime("%d/%m/%Y")
    response = as_marie.post(
        url("schedule", campaign), {"scheduled_for": f"{day} 10:00"}, follow=True
    )
    page = text(response)
    assert f"Programmée pour le {day} à 10 h 00 : 1 destinataire." in page
    assert f"pour le {day} à 10 h 00" in page  # beside the status
    assert as_marie.get(url("status", campaign)).json()["text"].replace("\xa0", " ") == (
        f"Programmée pour le {day} à 10 h 00."
    )


def test_a_cancelled_campaign_says_when_it_was_cancelled(marie, directors_basket, email_template):
    campaign = new_campaign(marie, directors_basket, email_template)
    as_marie = browser(marie)
    as_marie.post(url("send", campaign))  # the task is not run: still sending
    as_marie.post(url("cancel", campaign))
    page = text(as_marie.get(page_url(campaign)))
    assert "Annulée le" in page
    assert "Terminée le" not in page


def test_duplicate_is_offered_only_while_one_sees_the_basket_and_refused_in_words(
    marie, paul, directors_basket, email_template
):
    directors_basket.shared_with_users.add(paul)
    campaign = new_campaign(paul, directors_basket, email_template, name="Saison de Paul")
    as_paul = browser(paul)
    assert url("duplicate", campaign) in text(as_paul.get(page_url(campaign)))
    # Marie stops sharing her basket: Paul still reads his campaign, but a
    # copy (on the same basket) cannot be made.
    directors_basket.shared_with_users.remove(paul)
    page = as_paul.get(page_url(campaign))
    assert page.status_code == 200
    assert url("duplicate", campaign) not in text(page)
    assert "Dupliquer" not in text(page)
    response = as_paul.post(url("duplicate", campaign), follow=True)
    assert response.status_code == 200
    assert (
        "Cette campagne ne peut pas être dupliquée. Ce panier n’est ni à vous ni partagé avec vous."
        in text(response)
    )
    assert Campaign.objects.count() == 1


def test_with_eager_celery_opening_the_campaigns_starts_those_whose_time_has_come(
    marie, directors_basket, email_template
):
    from django.test import TestCase

    campaign = new_campaign(marie, directors_basket, email_template)
    as_marie = browser(marie)
    tomorrow = timezone.localtime() + datetime.timedelta(days=1)
    as_marie.post(url("schedule", campaign), {"scheduled_for": tomorrow.strftime("%d/%m/%Y %H:%M")})
    # No beat in the demo: the moment comes and goes, nothing starts it ...
    Campaign.objects.filter(pk=campaign.pk).update(
        scheduled_for=timezone.now() - datetime.timedelta(minutes=1)
    )
    # ... but the listing does (Celery is eager here, as in the demo).
    with TestCase.captureOnCommitCallbacks(execute=True):
        listing = as_marie.get(reverse("outreach_campaigns:index"))
    assert listing.status_code == 200
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENT
    assert [message.to for message in mail.outbox] == [["a.arnaud@theatre-metz.fr"]]
    # Opening it again sends nothing more.
    with TestCase.captureOnCommitCallbacks(execute=True):
        as_marie.get(page_url(campaign))
    assert len(mail.outbox) == 1


def test_with_a_worker_the_screens_leave_scheduled_campaigns_to_beat(
    marie, directors_basket, email_template
):
    from crmsite.celery import app

    campaign = new_campaign(marie, directors_basket, email_template)
    as_marie = browser(marie)
    tomorrow = timezone.localtime() + datetime.timedelta(days=1)
    as_marie.post(url("schedule", campaign), {"scheduled_for": tomorrow.strftime("%d/%m/%Y %H:%M")})
    Campaign.objects.filter(pk=campaign.pk).update(
        scheduled_for=timezone.now() - datetime.timedelta(minutes=1)
    )
    app.conf.task_always_eager = False  # the fixture puts it back
    as_marie.get(reverse("outreach_campaigns:index"))
    as_marie.get(page_url(campaign))
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SCHEDULED


def test_a_row_left_out_for_want_of_a_coordinate_says_nowhere_whose_it_is(
    marie, town, email_template
):
    # Chloé, press officer at Nancy, has no e-mail there (and none of her own);
    # Alice, director at Metz, is reached.
    basket = basket_for(
        marie,
        {
            "match": "all",
            "rules": [
                rule("position.function", "in", [town.press.pk, town.director.pk]),
                rule("organisation.region", "in", ["44"]),
            ],
        },
        name="Presse et direction",
    )
    campaign = new_campaign(marie, basket, email_template)
    as_marie = browser(marie)
    as_marie.post(url("send", campaign))
    response = as_marie.get(page_url(campaign))
    [chloe] = [d for d in response.context["deliveries"] if d.name == "Chloé Colin"]
    assert chloe.status == DeliveryStatus.LEFT_OUT and not chloe.coordinate
    assert chloe.source_label == ""
    page = text(response)
    row = page[page.index("<td>Chloé Colin</td>") :]
    row = row[: row.index("</tr>")]
    assert "Coordonnée" not in row
    assert "Coordonnée de la fonction" in page  # Alice's row says it
    csv = b"".join(as_marie.get(url("report_csv", campaign)).streaming_content).decode("utf-8-sig")
    [row] = [line for line in csv.splitlines() if line.startswith("Chloé Colin;")]
    assert row.split(";")[2:4] == ["", ""]


def test_a_delivered_message_reads_remis_and_addresses_do_not_break_at_hyphens(
    marie, directors_basket, email_template
):
    from django.conf import settings

    campaign = new_campaign(marie, directors_basket, email_template)
    as_marie = browser(marie)
    post_and_run(as_marie, url("send", campaign))
    Delivery.objects.filter(campaign=campaign, status=DeliveryStatus.SENT).update(
        status=DeliveryStatus.DELIVERED
    )
    response = as_marie.get(page_url(campaign))
    assert ("delivered", "Remis", 1) in response.context["totals"]
    assert "<td>Remis</td>" in text(response)
    assert '<td class="crm-coordinate">a.arnaud@theatre-metz.fr</td>' in text(response)
    css = (settings.BASE_DIR / "outreach/static/outreach/campaigns.css").read_text()
    assert ".crm-rows td.crm-coordinate" in css and "white-space: nowrap" in css


def test_a_provider_that_kept_refusing_is_said_plainly():
    from django.utils import translation
    from django.utils.translation import gettext

    with translation.override("fr"):
        said = gettext("The provider kept refusing it for now; given up after %(n)d tries.")
    assert said.replace("\xa0", " ") % {"n": 5} == (
        "Le prestataire a refusé le message à chaque essai : abandon après 5 essais."
    )
