"""In headless Chromium (marked e2e): a staff member creates a label
campaign from a basket and downloads its PDF, then sends an e-mail campaign
to a small basket, follows its progress and reads its report.

`make e2e` collects tests/e2e only: run this file with
`pytest -m e2e tests/outreach/test_views_browser.py`, or move it there."""

import pytest
from playwright.sync_api import expect

from outreach.models import Campaign, CampaignStatus, LabelTemplate
from tests.e2e.conftest import browser, page, sign_in  # noqa: F401  (fixtures)
from tests.factories import PASSWORD
from tests.selections.conftest import town  # noqa: F401  (fixture)

from .conftest import basket_for, rule

pytestmark = pytest.mark.e2e


@pytest.fixture
def staff_and_basket(transactional_db, town):  # noqa: F811
    from crmsite.roles import sync_roles
    from outreach.models import EmailTemplate
    from tests.factories import staff

    sync_roles()
    marie = staff(username="marie", first_name="Marie", last_name="Martin")
    tree = {
        "match": "all",
        "rules": [
            rule("position.function", "in", [town.director.pk]),
            rule("organisation.kind", "in", [town.venue.pk]),
            rule("organisation.region", "in", ["44"]),
        ],
    }
    basket = basket_for(marie, tree)
    EmailTemplate.objects.create(
        name="Invitation", subject="Bonjour {{ prenom }}", html="<p>Bonjour {{ prenom }}</p>"
    )
    LabelTemplate.objects.create(
        name="Planche L7160",
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
    return marie, basket


def create_campaign(page, basket, name, channel_label, template):  # noqa: F811
    page.goto(f"{page.base_url}/admin/selections/baskets/{basket.pk}/")
    page.get_by_role("link", name="Créer une campagne").click()
    page.get_by_label("Nom", exact=True).fill(name)
    page.get_by_label(channel_label, exact=True).check()
    page.get_by_label("Modèle", exact=True).select_option(label=template)
    page.get_by_role("button", name="Créer").click()
    expect(page.locator("h2#crm-recipients-title")).to_have_text("Qui sera touché")


def test_labels_then_an_emailing_followed_to_its_report(page, staff_and_basket):  # noqa: F811
    marie, basket = staff_and_basket
    sign_in(page, "marie", PASSWORD)

    create_campaign(page, basket, "Vœux 2027", "Étiquettes postales", "Planche L7160")
    page.get_by_role("button", name="Figer les destinataires et faire les étiquettes").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger les étiquettes (PDF)").click()
    assert download.value.suggested_filename == "etiquettes-voeux-2027.pdf"
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    create_campaign(page, basket, "Saison 2027", "E-mail", "Invitation")
    expect(page.get_by_text("a.arnaud@theatre-metz.fr")).to_be_visible()
    page.get_by_role("button", name="Envoyer maintenant à 1 destinataire").click()
    # Celery is eager here: the sending is over when the page comes back,
    # so the progress bar has already given way to the report.
    expect(page.get_by_text("L’envoi à 1 destinataire a commencé.")).to_be_visible()
    report = page.locator(".crm-report")
    expect(report.locator('[data-status="sent"]')).to_contain_text("1")
    expect(report.locator('[data-status="left_out"]')).to_contain_text("1")
    expect(report).to_contain_text("Coordonnée de la fonction")
    expect(report).to_contain_text("A refusé ce canal")
    campaign = Campaign.objects.get(name="Saison 2027")
    assert campaign.status == CampaignStatus.SENT
