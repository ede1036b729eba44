"""An administrator creates an API client in the workspace; the rental site
records an order through the API with the token shown once; the order is on
the organisation's record and in the dashboard's chart — in headless Chromium."""

import datetime
import json
import urllib.request

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests import activity_factories, factories
from tests.factories import PASSWORD

from .conftest import SCREENSHOTS, sign_in

pytestmark = pytest.mark.e2e


def api_post(base_url, path, token, payload):
    request = urllib.request.Request(
        f"{base_url}/api/v1{path}",
        data=json.dumps(payload).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310  (the live server)
        return response.status, json.loads(response.read())


def test_an_order_recorded_through_the_api_shows_on_the_record_and_the_dashboard(
    page, transactional_db
):
    factories.administrator(username="claire", first_name="Claire", last_name="Martin")
    # The kinds the migration seeds: a transactional test before this one
    # emptied every table.
    activity_factories.kind("order")
    theatre = factories.OrganisationFactory(
        name="Théâtre de la Manufacture", siret="73282932000074"
    )
    sign_in(page, "claire", PASSWORD)

    # Settings › Clients de l'API › Ajouter.
    page.goto(f"{page.base_url}/admin/api-clients/new/")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.fill("#id_name", "Location de matériel")
    page.get_by_label("Enregistrer des activités").check()
    expires = timezone.localdate() + datetime.timedelta(days=90)
    page.fill("#id_expires_on", expires.strftime("%d/%m/%Y"))
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Créer").first.click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("main")).to_contain_text("il ne sera plus affiché")
    page.screenshot(path=str(SCREENSHOTS / "api_client_token_shown_once.png"), full_page=True)
    token = page.locator("#api-client-token").input_value()
    assert token.startswith("wagtail_")

    # The rental site records an order with that token.
    status, body = api_post(
        page.base_url,
        "/activities",
        token,
        {
            "siret": "73282932000074",
            "kind": "order",
            "reference": "LOC-2026-0815",
            "date": timezone.localdate().isoformat(),
            "amount": "1234.50",
            "currency": "EUR",
        },
    )
    assert status == 201 and body["result"] == "created"

    # On the organisation's record.
    page.goto(f"{page.base_url}/admin/directory/organisations/inspect/{theatre.pk}/")
    activities = page.locator("[data-record-activities]")
    expect(activities).to_contain_text("LOC-2026-0815")
    expect(activities).to_contain_text("Commande")
    expect(activities).to_contain_text("1 234,50")

    # In the dashboard's chart: this month's bar, and the figures behind it.
    page.goto(f"{page.base_url}/admin/")
    chart = page.locator("[data-dashboard-activity-chart]")
    month = timezone.localdate().strftime("%Y-%m")
    expect(chart.locator(f'g[data-month="{month}"] rect')).to_have_count(1)
    expect(chart.locator("[data-activity-figures]")).to_contain_text("Commande")

    # The token is never shown again; the client is listed with its last use.
    page.goto(f"{page.base_url}/admin/api-clients/")
    expect(page.locator("#listing-results")).to_contain_text("Location de matériel")
    assert token not in page.content()
