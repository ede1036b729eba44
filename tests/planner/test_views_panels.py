"""The planner elsewhere: a record's « Mes tâches », the dashboard's
« Tâches du jour », and the calendar feed's page."""

import datetime
import re

import pytest

from planner import actions
from planner.models import CalendarFeed

from .conftest import paris, signed_in

NOW = paris(2026, 5, 14, 8, 0)


@pytest.fixture(autouse=True)
def frozen(monkeypatch):
    monkeypatch.setattr("planner.schedule.now", lambda: NOW)


def task(user, title, day, **fields):
    return actions.create_task(user, title=title, due_date=day, now=paris(2026, 5, 1), **fields)


def test_a_record_lists_the_readers_tasks_to_do_about_it_and_offers_a_new_one(
    marie, theatre, director
):
    task(marie, "Envoyer le contrat", datetime.date(2026, 5, 20), organisation=theatre)
    task(marie, "Relancer", datetime.date(2026, 5, 10), organisation=theatre)
    done = task(marie, "Déjà faite", datetime.date(2026, 5, 1), organisation=theatre)
    actions.mark_done(marie, done, now=NOW)
    task(marie, "Autre fiche", datetime.date(2026, 5, 20), person=director)
    record = f"/admin/directory/organisations/inspect/{theatre.pk}/"
    body = signed_in(marie).get(record).content.decode()
    section = body[body.index("data-planner-record-tasks") :]
    assert "Relancer" in section and "Envoyer le contrat" in section
    assert section.index("Relancer") < section.index("Envoyer le contrat")
    assert "Déjà faite" not in section and "Autre fiche" not in section
    assert "en retard" in section
    new = re.search(r'href="([^"]+)" data-planner-new-task', section).group(1)
    assert new.startswith("/admin/planner/tasks/add/?")
    assert f"organisation={theatre.pk}" in new and "next=" in new


def test_a_persons_record_offers_a_task_about_that_person(marie, director):
    body = signed_in(marie).get(f"/admin/directory/people/inspect/{director.pk}/").content.decode()
    assert f"/admin/planner/tasks/add/?person={director.pk}" in body
    assert "Vous n’avez aucune tâche à faire pour cette fiche." in body


def test_done_from_a_record_comes_back_to_it(marie, theatre):
    item = task(marie, "Relancer", datetime.date(2026, 5, 10), organisation=theatre)
    record = f"/admin/directory/organisations/inspect/{theatre.pk}/"
    response = signed_in(marie).post(f"/admin/planner/tasks/done/{item.pk}/", {"next": record})
    assert response["Location"] == record


def test_the_dashboard_shows_todays_and_overdue_tasks(marie):
    task(marie, "Hier", datetime.date(2026, 5, 13))
    task(marie, "Ce matin", datetime.date(2026, 5, 14), due_time=datetime.time(9, 0))
    task(marie, "Demain", datetime.date(2026, 5, 15))
    body = signed_in(marie).get("/admin/").content.decode()
    assert "Tâches du jour" in body
    overdue = body[
        body.index("data-dashboard-tasks-overdue") : body.index("data-dashboard-tasks-today")
    ]
    today = body[body.index("data-dashboard-tasks-today") :]
    assert "Hier" in overdue and "Ce matin" not in overdue
    assert "Ce matin" in today and "14/05/2026 à 09\u00a0h\u00a000" in today
    assert "Demain" not in body
    # Its announcement « Tâches du jour … apparaîtront ici » has left the dashboard.
    assert "apparaîtront ici, avec" not in body


def test_the_dashboard_says_when_nothing_is_due(marie):
    body = signed_in(marie).get("/admin/").content.decode()
    assert "Aucune tâche en retard." in body and "Aucune tâche prévue aujourd’hui." in body


def test_the_calendar_page_turns_the_feed_on_shows_the_address_once_and_off(marie):
    browser = signed_in(marie)
    page = browser.get("/admin/planner/tasks/calendar/").content.decode()
    assert "Votre agenda en ligne est désactivé." in page
    made = browser.post("/admin/planner/tasks/calendar/", {"action": "on"})
    assert made.status_code == 200 and "no-store" in made["Cache-Control"]
    address = re.search(r'value="(http://testserver/calendrier/[^"]+\.ics)"', made.content.decode())
    assert address
    assert browser.get(address.group(1).replace("http://testserver", "")).status_code == 200
    again = browser.get("/admin/planner/tasks/calendar/").content.decode()
    assert address.group(1) not in again  # shown once only
    assert "Votre agenda en ligne est activé" in again
    renewed = browser.post("/admin/planner/tasks/calendar/", {"action": "renew"}).content.decode()
    assert "L’ancienne adresse ne répond plus" in renewed
    assert browser.get(address.group(1).replace("http://testserver", "")).status_code == 404
    browser.post("/admin/planner/tasks/calendar/", {"action": "off"})
    assert not CalendarFeed.objects.filter(owner=marie).exists()


def test_the_calendar_page_refuses_an_unknown_action(marie):
    assert (
        signed_in(marie).post("/admin/planner/tasks/calendar/", {"action": "steal"}).status_code
        == 403
    )
