"""In headless Chromium: a staff member creates a label campaign from a
basket and downloads its PDF, then sends an e-mail campaign to a small
basket, follows its progress bar while a real Celery worker sends (one
message a second, the rate limit), and reads its report."""

import re

import pytest
from playwright.sync_api import expect

from outreach.models import Campaign, CampaignStatus, LabelTemplate
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD
from tests.outreach.conftest import basket_for, rule
from tests.selections.conftest import town  # noqa: F401  (fixture)

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
    from tests.factories import PersonFactory, PositionFactory

    for index in range(3):  # three more directors at Metz, to watch the bar move
        PositionFactory(
            person=PersonFactory(first_name="Léa", last_name=f"Martin {index}"),
            organisation=town.metz,
            function=town.director,
            email=f"lea{index}@theatre-metz.fr",
        )
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
    page.locator("#id_name").fill(name)
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
    from celery.contrib.testing.worker import start_worker
    from django.conf import settings

    from crmsite.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    settings.OUTREACH_RATE_LIMITS = {"email": 1}
    try:
        with start_worker(app, perform_ping_check=False, pool="solo", concurrency=1):
            page.get_by_role("button", name="Envoyer maintenant à 4 destinataires").click()
            page.locator("#crm-confirm-send").get_by_role(
                "button", name="Oui, envoyer maintenant"
            ).click()
            expect(page.get_by_text("L’envoi à 4 destinataires a commencé.")).to_be_visible()
            bar = page.locator("progress.crm-progress-bar")
            expect(bar).to_be_visible()
            # The bar follows the worker, message by message (a quarter at a
            # time), then the report replaces it.
            expect(bar).to_have_attribute("value", re.compile(r"^(25|50|75)$"), timeout=20_000)
            expect(page.get_by_text(re.compile(r"^[123] messages? sur 4 remis"))).to_be_visible()
            report = page.locator(".crm-report")
            expect(report.locator('[data-status="sent"]')).to_contain_text("4", timeout=30_000)
    finally:
        app.conf.task_always_eager = eager
        settings.OUTREACH_RATE_LIMITS = {"email": 0}
    expect(bar).to_have_count(0)
    expect(report.locator('[data-status="left_out"]')).to_contain_text("1")
    expect(report).to_contain_text("Coordonnée de la fonction")
    expect(report).to_contain_text("A refusé ce canal")
    campaign = Campaign.objects.get(name="Saison 2027")
    assert campaign.status == CampaignStatus.SENT
    assert sorted(
        campaign.deliveries.filter(status="sent").values_list("coordinate", flat=True)
    ) == [
        "a.arnaud@theatre-metz.fr",
        "lea0@theatre-metz.fr",
        "lea1@theatre-metz.fr",
        "lea2@theatre-metz.fr",
    ]
