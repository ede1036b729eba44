"""The private calendar feed (`/calendrier/<token>.ics`), read back with `icalendar`."""

import datetime
import time

import icalendar
import pytest
from django.test import Client
from django.utils.http import http_date

from directory import actions as directory_actions
from planner import actions
from planner.schedule import Reminder

from .conftest import paris

NOW = paris(2026, 5, 1, 12, 0)


@pytest.fixture
def anonymous():
    return Client()


@pytest.fixture
def token(marie):
    return actions.turn_feed_on(marie, now=NOW)


def read(client, token, **headers):
    return client.get(f"/calendrier/{token}.ics", **headers)


def events(response) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(response.content)
    return {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}


@pytest.fixture
def tasks(marie, theatre, director):
    timed = actions.create_task(
        marie,
        title="Réunion de programmation",
        place="Salle Koltès",
        due_date=datetime.date(2026, 7, 2),
        due_time=datetime.time(14, 30),
        reminder=Reminder.QUARTER,
        description="Saison 2027",
        organisation=theatre,
        person=director,
        now=NOW,
    )
    all_day = actions.create_task(
        marie,
        title="Clôture des dossiers",
        due_date=datetime.date(2026, 7, 3),
        reminder=Reminder.DAY,
        now=NOW,
    )
    winter = actions.create_task(
        marie,
        title="Comité d’hiver",
        due_date=datetime.date(2026, 12, 1),
        due_time=datetime.time(9, 0),
        now=NOW,
    )
    undated = actions.create_task(marie, title="Un jour peut-être", now=NOW)
    return {"timed": timed, "all_day": all_day, "winter": winter, "undated": undated}


def test_the_feed_lists_the_owners_dated_tasks_as_events(anonymous, token, tasks, paul):
    actions.create_task(paul, title="Tâche de Paul", due_date=datetime.date(2026, 7, 2))
    response = read(anonymous, token)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.content)
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["X-WR-TIMEZONE"]) == "Europe/Paris"
    assert str(calendar["X-WR-CALNAME"]) == "Tâches de Marie Dupont"
    found = events(response)
    assert set(found) == {"Réunion de programmation", "Clôture des dossiers", "Comité d’hiver"}
    assert not calendar.walk("VTODO")


def test_a_timed_task_is_an_event_in_paris_time_with_its_alarm(anonymous, token, tasks):
    event = events(read(anonymous, token))["Réunion de programmation"]
    start = event.decoded("DTSTART")
    assert start == paris(2026, 7, 2, 14, 30)
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    assert start.astimezone(datetime.UTC).hour == 12  # summer time
    assert event.decoded("DTEND") - start == datetime.timedelta(minutes=30)
    assert str(event["LOCATION"]) == "Salle Koltès"
    description = str(event["DESCRIPTION"])
    assert "Saison 2027" in description
    assert "Concerne\u00a0: Théâtre de Metz, Ysolde Quetzal." in description
    assert f"/admin/planner/tasks/edit/{tasks['timed'].pk}/" in str(event["URL"])
    (alarm,) = event.walk("VALARM")
    assert str(alarm["ACTION"]) == "DISPLAY"
    assert alarm.decoded("TRIGGER") == -datetime.timedelta(minutes=15)


def test_a_winter_task_is_at_its_winter_offset(anonymous, token, tasks):
    event = events(read(anonymous, token))["Comité d’hiver"]
    assert event.decoded("DTSTART").astimezone(datetime.UTC).hour == 8
    assert not event.walk("VALARM")  # no reminder, no alarm


def test_a_task_without_a_time_is_an_all_day_event(anonymous, token, tasks):
    event = events(read(anonymous, token))["Clôture des dossiers"]
    assert event.decoded("DTSTART") == datetime.date(2026, 7, 3)
    assert event.decoded("DTEND") == datetime.date(2026, 7, 4)
    assert event["DTSTART"].params.get("VALUE") == "DATE"
    (alarm,) = event.walk("VALARM")
    # 9:00 the day before: 15 hours before the day starts.
    assert alarm.decoded("TRIGGER") == -datetime.timedelta(hours=15)


def test_the_time_zone_is_described_with_the_european_rules(anonymous, token, tasks):
    calendar = icalendar.Calendar.from_ical(read(anonymous, token).content)
    (zone,) = calendar.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Europe/Paris"
    tzinfo = zone.to_tz()
    for wall, utc_hour in (
        (datetime.datetime(2026, 3, 29, 1, 30), 0),  # still winter time
        (datetime.datetime(2026, 3, 29, 3, 30), 1),  # summer time
        (datetime.datetime(2026, 10, 25, 3, 30), 2),  # winter time again
        (datetime.datetime(2031, 7, 1, 12, 0), 10),
    ):
        moment = wall.replace(tzinfo=tzinfo)
        assert moment.astimezone(datetime.UTC).hour == utc_hour, wall


def test_uids_are_stable_and_an_edit_updates_the_event_in_place(anonymous, marie, token, tasks):
    before = events(read(anonymous, token))["Réunion de programmation"]
    time.sleep(1.1)  # LAST-MODIFIED counts in seconds
    actions.update_task(marie, tasks["timed"], title="Réunion déplacée", now=NOW)
    after = events(read(anonymous, token))["Réunion déplacée"]
    assert str(before["UID"]) == str(after["UID"]) == str(tasks["timed"].uid)
    assert after.decoded("LAST-MODIFIED") > before.decoded("LAST-MODIFIED")


def test_a_done_task_reads_done_and_rings_no_more(anonymous, marie, token, tasks):
    actions.mark_done(marie, tasks["timed"])
    event = events(read(anonymous, token))["✓ Réunion de programmation"]
    assert not event.walk("VALARM")


def test_a_contact_in_the_trash_is_not_named(anonymous, admin, token, tasks, theatre):
    directory_actions.delete_record(admin, theatre)
    description = str(events(read(anonymous, token))["Réunion de programmation"]["DESCRIPTION"])
    assert "Théâtre de Metz" not in description


# --- Conditional requests ---------------------------------------------------------------


def test_an_unchanged_feed_answers_304_to_its_etag(anonymous, token, tasks):
    first = read(anonymous, token)
    etag = first["ETag"]
    assert etag.startswith('"') and first["Last-Modified"]
    again = read(anonymous, token)
    assert again["ETag"] == etag and again.content == first.content
    unchanged = read(anonymous, token, HTTP_IF_NONE_MATCH=etag)
    assert unchanged.status_code == 304 and unchanged.content == b""
    assert read(anonymous, token, HTTP_IF_NONE_MATCH='"autre"').status_code == 200


def test_a_change_gives_a_new_etag_and_a_later_last_modified(anonymous, marie, token, tasks):
    first = read(anonymous, token)
    time.sleep(1.1)  # Last-Modified counts in seconds
    actions.update_task(marie, tasks["all_day"], place="Mairie", now=NOW)
    second = read(anonymous, token, HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 200
    assert second["ETag"] != first["ETag"]
    assert second["Last-Modified"] != first["Last-Modified"]


def test_a_deleted_task_changes_the_last_modified_date(anonymous, marie, token, tasks):
    first = read(anonymous, token)
    time.sleep(1.1)
    actions.delete_task(marie, tasks["winter"])
    second = read(anonymous, token, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert second.status_code == 200
    assert "Comité d’hiver" not in events(second)


def test_if_modified_since_answers_304_when_nothing_changed(anonymous, token, tasks):
    first = read(anonymous, token)
    later = http_date(time.time() + 60)
    assert read(anonymous, token, HTTP_IF_MODIFIED_SINCE=later).status_code == 304
    assert first.status_code == 200


def test_the_feed_is_private_and_not_cached_by_others(anonymous, token, tasks):
    response = read(anonymous, token)
    assert "private" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_a_head_request_has_the_headers_without_the_body(anonymous, token, tasks):
    response = anonymous.head(f"/calendrier/{token}.ics")
    assert response.status_code == 200 and response["ETag"]
    assert anonymous.post(f"/calendrier/{token}.ics").status_code == 405


# --- Revocation, renewal, and who may read ----------------------------------------------


def test_a_revoked_feed_answers_404(anonymous, marie, token, tasks):
    actions.revoke_feed(marie)
    assert read(anonymous, token).status_code == 404


def test_a_renewed_feed_answers_at_its_new_address_only(anonymous, marie, token, tasks):
    renewed = actions.renew_feed(marie)
    assert read(anonymous, token).status_code == 404
    assert read(anonymous, renewed).status_code == 200


@pytest.mark.parametrize("guess", ["x", "a" * 43, "../../etc/passwd", "%00", "é" * 43, "a" * 500])
def test_unknown_or_hostile_tokens_are_refused(anonymous, token, guess):
    # 404, or 400 for a NUL character (refused before any view: crmsite.middleware).
    assert anonymous.get(f"/calendrier/{guess}.ics").status_code in (400, 404)


def test_the_feed_of_an_inactive_account_or_one_without_the_planner_answers_404(
    anonymous, marie, token, tasks
):
    from django.contrib.auth.models import Group

    marie.is_active = False
    marie.save()
    assert read(anonymous, token).status_code == 404
    marie.is_active = True
    marie.save()
    marie.groups.set([Group.objects.get(name="Clients")])
    assert read(anonymous, token).status_code == 404


def test_the_feed_is_written_in_the_owners_language(anonymous, marie, token, tasks):
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(marie)
    profile.preferred_language = "en"
    profile.save()
    calendar = icalendar.Calendar.from_ical(read(anonymous, token).content)
    assert str(calendar["X-WR-CALNAME"]) == "Tasks of Marie Dupont"


def test_reading_the_feed_is_noted_for_its_owner(anonymous, marie, token, tasks):
    from planner.models import CalendarFeed

    assert CalendarFeed.objects.get(owner=marie).last_read_at is None
    read(anonymous, token)
    assert CalendarFeed.objects.get(owner=marie).last_read_at is not None
