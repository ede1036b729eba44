"""A member of staff creates a task from an organisation's record, finds it
in « Aujourd’hui » and on the dashboard, and marks it done — in headless
Chromium."""

import pytest
from playwright.sync_api import expect

from planner import schedule
from planner.models import Task
from tests import factories
from tests.factories import PASSWORD

from .conftest import sign_in

pytestmark = pytest.mark.e2e

TITLE = "Rappeler la Comète pour la résidence"


def test_a_task_from_a_record_today_and_on_the_dashboard_then_done(page, transactional_db):
    marie = factories.staff(username="marie", first_name="Marie", last_name="Dupont")
    comete = factories.OrganisationFactory(name="La Comète")
    today = schedule.local_today(schedule.now())
    sign_in(page, "marie", PASSWORD)

    # From the organisation's record: « Nouvelle tâche », the record already chosen.
    page.goto(f"{page.base_url}/admin/directory/organisations/inspect/{comete.pk}/")
    tasks = page.locator("[data-planner-record-tasks]")
    expect(tasks).to_contain_text("Vous n’avez aucune tâche à faire pour cette fiche.")
    tasks.get_by_role("link", name="Nouvelle tâche").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#id_organisation-chooser")).to_contain_text("La Comète")
    page.fill("#id_title", TITLE)
    page.fill("#id_due_date", today.strftime("%d/%m/%Y"))
    page.keyboard.press("Escape")  # close the date picker
    page.fill("#id_place", "Bureau 2")
    page.get_by_role("button", name="Enregistrer").first.click()
    page.wait_for_load_state("networkidle")

    # Back on the record, which now lists it.
    assert page.url.endswith(f"/admin/directory/organisations/inspect/{comete.pk}/")
    expect(page.locator(".messages")).to_contain_text(f"Tâche « {TITLE} » créée.")
    expect(tasks).to_contain_text(TITLE)
    task = Task.objects.get(title=TITLE)
    assert (task.owner, task.organisation, task.due_date) == (marie, comete, today)

    # In the « Aujourd’hui » tab of « Mes tâches ».
    page.goto(f"{page.base_url}/admin/planner/tasks/")
    expect(page.locator('[data-planner-tab="today"]')).to_have_attribute("aria-current", "page")
    expect(page.locator("#listing-results")).to_contain_text(TITLE)

    # On the dashboard, among the tasks of the day.
    page.goto(f"{page.base_url}/admin/")
    today_panel = page.locator("[data-dashboard-tasks-today]")
    expect(today_panel).to_contain_text(TITLE)

    # Marked done from the listing: it leaves « Aujourd’hui » for « Faites / passées ».
    page.goto(f"{page.base_url}/admin/planner/tasks/?tab=today")
    page.get_by_role("button", name=f"Marquer « {TITLE} » comme faite").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator(".messages")).to_contain_text(f"Tâche « {TITLE} » marquée comme faite.")
    expect(page.locator("#listing-results")).not_to_contain_text(TITLE)
    task.refresh_from_db()
    assert task.done_at is not None
    page.locator('[data-planner-tab="done"]').click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#listing-results")).to_contain_text(TITLE)
