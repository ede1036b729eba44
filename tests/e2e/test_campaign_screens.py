"""The outreach screens' scripts, in headless Chromium (marked e2e, run with
`make e2e`): a preset fills a label sheet's millimetres with decimal
commas and the sheet is saved; the campaign form offers only the chosen
channel's templates and the label options only for labels; "send now"
asks in Wagtail's dialog, and only "yes" sends."""

import pytest
from playwright.sync_api import expect

from outreach.models import Campaign, CampaignStatus, EmailTemplate, LabelTemplate, SmsTemplate
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD
from tests.outreach.conftest import basket_for, rule
from tests.selections.conftest import town  # noqa: F401  (fixture)

pytestmark = pytest.mark.e2e


@pytest.fixture
def people(transactional_db, town):  # noqa: F811
    from crmsite.roles import sync_roles
    from tests.factories import administrator, staff

    sync_roles()
    administrator(username="ada")
    marie = staff(username="marie", first_name="Marie", last_name="Martin")
    basket = basket_for(
        marie,
        {
            "match": "all",
            "rules": [
                rule("position.function", "in", [town.director.pk]),
                rule("organisation.region", "in", ["44"]),
            ],
        },
    )
    EmailTemplate.objects.create(
        name="Invitation", subject="Bonjour {{ prenom }}", html="<p>Bonjour {{ prenom }}</p>"
    )
    SmsTemplate.objects.create(name="Rappel", body="Bonjour {{ prenom }}")
    LabelTemplate.objects.create(
        name="Planche du bureau",
        page_width=210,
        page_height=297,
        rows=7,
        columns=3,
        top_margin="15.15",
        left_margin="7.21",
        label_width="63.5",
        label_height="38.1",
        horizontal_pitch="66.04",
        vertical_pitch="38.1",
    )
    return basket


def test_a_preset_fills_millimetres_with_decimal_commas(page, people):  # noqa: F811
    sign_in(page, "ada", PASSWORD)
    page.goto(f"{page.base_url}/admin/outreach/label-sheets/new/")
    page.locator("#id_name").fill("Grandes étiquettes")
    page.locator("#id_preset").select_option("avery-l7163")
    expect(page.locator("#id_top_margin")).to_have_value("15,15")
    expect(page.locator("#id_page_width")).to_have_value("210")
    expect(page.locator("#id_label_width")).to_have_value("99,1")
    expect(page.locator("#id_rows")).to_have_value("7")
    page.get_by_role("button", name="Créer").click()
    expect(page.get_by_text("Planche d’étiquettes « Grandes étiquettes » créée.")).to_be_visible()
    sheet = LabelTemplate.objects.get(name="Grandes étiquettes")
    assert str(sheet.top_margin) == "15.15" and str(sheet.label_width) == "99.10"


def test_the_form_follows_the_channel_and_send_now_asks_first(page, people):  # noqa: F811
    basket = people
    sign_in(page, "marie", PASSWORD)
    page.goto(f"{page.base_url}/admin/outreach/campaigns/new/?basket={basket.pk}")
    template = page.locator("#id_template")
    labels = page.locator("[data-campaign-channel-target='labelOptions']")
    # E-mail, chosen by default: its templates only, no label options.
    expect(template.locator("option", has_text="Invitation")).to_be_enabled()
    expect(template.locator("option", has_text="Rappel")).to_be_disabled()
    expect(template.locator("option", has_text="Planche du bureau")).to_be_disabled()
    expect(labels).to_be_hidden()
    page.get_by_label("Étiquettes postales", exact=True).check()
    expect(labels).to_be_visible()
    expect(template.locator("option", has_text="Planche du bureau")).to_be_enabled()
    expect(template.locator("option", has_text="Invitation")).to_be_disabled()
    page.get_by_label("E-mail", exact=True).check()
    expect(labels).to_be_hidden()
    template.select_option(label="Invitation")
    page.locator("#id_name").fill("Saison 2027")
    page.get_by_role("button", name="Créer").click()

    campaign = Campaign.objects.get(name="Saison 2027")
    send = page.get_by_role("button", name="Envoyer maintenant à 1 destinataire")
    send.click()
    dialog = page.locator("#crm-confirm-send")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Envoyer cette campagne maintenant ?")
    dialog.get_by_role("button", name="Pas maintenant").click()
    expect(dialog).to_be_hidden()
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT
    send.click()
    dialog.get_by_role("button", name="Oui, envoyer maintenant").click()
    expect(page.get_by_text("L’envoi à 1 destinataire a commencé.")).to_be_visible()
    campaign.refresh_from_db()
    assert campaign.status in (CampaignStatus.SENDING, CampaignStatus.SENT)
