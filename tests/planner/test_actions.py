"""`planner.actions`: every write checks access, validates every field at
once with a clear French message, writes nothing when refused, and is in
the owner's audit log."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from directory import actions as directory_actions
from planner import actions
from planner.models import CalendarFeed, Task, TaskLogEntry
from planner.schedule import Reminder
from tests import factories

from .conftest import paris

NOW = paris(2026, 5, 1, 12, 0)
DAY = datetime.date(2026, 5, 14)


def refusal(call) -> dict:
    with translation.override("fr"), pytest.raises(ValidationError) as refused:
        call()
    return refused.value.message_dict


# --- Creating ---------------------------------------------------------------------------


def test_a_task_is_created_with_its_fields_and_logged(marie, theatre, director):
    task = actions.create_task(
        marie,
        title="  Appeler   la directrice ",
        place="Bureau 2",
        due_date=DAY,
        due_time=datetime.time(10, 30, 45),
        reminder=Reminder.HOUR,
        description="Ligne 1\r\nLigne 2\n",
        organisation=theatre,
        person=director,
        now=NOW,
    )
    task.refresh_from_db()
    assert task.owner == marie
    assert task.title == "Appeler la directrice"
    assert task.due_time == datetime.time(10, 30)  # to the minute
    assert task.description == "Ligne 1\nLigne 2"
    assert task.remind_at == paris(2026, 5, 14, 9, 30)
    assert task.reminder_sent_at is None and task.done_at is None
    entry = TaskLogEntry.objects.get(object_id=str(task.pk))
    assert (entry.action, entry.user) == ("wagtail.create", marie)


def test_missing_title_impossible_values_and_time_without_date_are_refused_at_once(marie):
    errors = refusal(
        lambda: actions.create_task(
            marie, title="   ", due_time=datetime.time(9, 0), reminder=7, now=NOW
        )
    )
    assert errors["title"] == ["Donnez un titre à la tâche."]
    assert errors["reminder"] == ["Choisissez l’un des rappels proposés."]
    assert not Task.objects.exists()


def test_a_time_without_a_date_is_refused(marie):
    errors = refusal(
        lambda: actions.create_task(marie, title="T", due_time=datetime.time(9, 0), now=NOW)
    )
    assert "Une heure a besoin d’une date" in errors["due_time"][0]
    assert not Task.objects.exists()


@pytest.mark.parametrize(
    "day", [datetime.date(1999, 12, 31), datetime.date(2101, 1, 1), datetime.date(1, 1, 1)]
)
def test_dates_out_of_range_are_refused(marie, day):
    errors = refusal(lambda: actions.create_task(marie, title="T", due_date=day, now=NOW))
    assert errors["due_date"] == ["Choisissez une date entre 2000 et 2100."]


@pytest.mark.parametrize(
    "day", ["2026-02-31", "31/02/2026", 20260214, datetime.datetime(2026, 1, 1)]
)
def test_values_that_are_not_dates_are_refused(marie, day):
    errors = refusal(lambda: actions.create_task(marie, title="T", due_date=day, now=NOW))
    assert "due_date" in errors
    assert not Task.objects.exists()


def test_a_time_that_does_not_exist_that_day_is_refused(marie):
    errors = refusal(
        lambda: actions.create_task(
            marie,
            title="Nuit du changement d’heure",
            due_date=datetime.date(2026, 3, 29),
            due_time=datetime.time(2, 15),
            now=NOW,
        )
    )
    assert errors["due_time"] == [
        "Cette heure n’existe pas le 29/03/2026\u00a0: cette nuit-là, on avance les horloges "
        "d’une heure. Choisissez une autre heure."
    ]


def test_a_reminder_in_the_past_is_refused(marie):
    errors = refusal(
        lambda: actions.create_task(
            marie,
            title="Trop tard",
            due_date=datetime.date(2026, 5, 1),
            due_time=datetime.time(12, 10),
            reminder=Reminder.QUARTER,  # 11:55, before NOW (12:00)
            now=NOW,
        )
    )
    assert errors["reminder"] == [
        "Ce rappel serait dans le passé (01/05/2026 à 11\u00a0h\u00a055)\u00a0: "
        "choisissez-en un plus tard, ou aucun."
    ]
    assert not Task.objects.exists()


def test_a_reminder_needs_a_date(marie):
    errors = refusal(
        lambda: actions.create_task(marie, title="T", reminder=Reminder.AT_TIME, now=NOW)
    )
    assert errors["reminder"] == [
        "Un rappel a besoin d’une date\u00a0: choisissez d’abord le jour."
    ]


def test_oversized_and_hostile_text_is_refused(marie):
    errors = refusal(
        lambda: actions.create_task(
            marie,
            title="x" * 201,
            place="lieu\x00",
            description="d" * 10_001,
            now=NOW,
        )
    )
    assert errors["title"] == ["200 caractères au plus."]
    assert "place" in errors
    assert errors["description"] == ["10\u00a0000 caractères au plus."]
    assert not Task.objects.exists()


def test_a_contact_in_the_trash_is_refused(marie, admin, theatre, director):
    directory_actions.delete_record(admin, theatre)
    directory_actions.delete_record(admin, director)
    errors = refusal(
        lambda: actions.create_task(
            marie, title="T", organisation=theatre, person=director, now=NOW
        )
    )
    assert errors["organisation"] == [
        "Cette organisation est dans la corbeille\u00a0: restaurez-la d’abord, ou choisissez-en "
        "une autre."
    ]
    assert errors["person"][0].startswith("Cette personne est dans la corbeille")
    assert not Task.objects.exists()


def test_a_contact_the_user_may_not_see_is_refused(theatre):
    """A user who may use the planner but not read the directory."""
    planner_only = factories.UserFactory(username="agenda")
    planner_only.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="planner", codename__endswith="_task")
    )
    planner_only.user_permissions.add(Permission.objects.get(codename="access_admin"))
    errors = refusal(
        lambda: actions.create_task(planner_only, title="T", organisation=theatre, now=NOW)
    )
    assert errors["organisation"] == ["Vous n’avez pas accès à cette fiche de l’annuaire."]
    assert not Task.objects.exists()


def test_a_contact_that_is_not_a_record_is_refused(marie, theatre):
    errors = refusal(lambda: actions.create_task(marie, title="T", person=theatre, now=NOW))
    assert "person" in errors


def test_clients_and_anonymous_users_may_not_create_tasks(theo):
    from django.contrib.auth.models import AnonymousUser

    for user in (theo, AnonymousUser()):
        with pytest.raises(PermissionDenied):
            actions.create_task(user, title="T")
    assert not Task.objects.exists()


def test_unknown_fields_are_a_programming_error(marie):
    with pytest.raises(TypeError):
        actions.create_task(marie, title="T", owner=marie)


# --- Editing ----------------------------------------------------------------------------


def test_an_edit_is_logged_with_what_changed(marie):
    task = actions.create_task(marie, title="Avant", due_date=DAY, now=NOW)
    actions.update_task(marie, task, title="Après", due_time=datetime.time(14, 0), now=NOW)
    entry = TaskLogEntry.objects.filter(action="wagtail.edit").get()
    changes = {change["field"]: change for change in entry.data["changes"]}
    assert (changes["title"]["before"], changes["title"]["after"]) == ("Avant", "Après")
    assert changes["due_time"]["after"] in ("14:00", "14\u00a0h\u00a000")


def test_nobody_edits_or_deletes_another_users_task(marie, paul, admin, marie_task):
    for user in (paul, admin):
        with pytest.raises(PermissionDenied):
            actions.update_task(user, marie_task, title="Volée")
        with pytest.raises(PermissionDenied):
            actions.delete_task(user, marie_task)
        with pytest.raises(PermissionDenied):
            actions.mark_done(user, marie_task)
        with pytest.raises(PermissionDenied):
            actions.delete_tasks(user, [marie_task])
    marie_task.refresh_from_db()
    assert marie_task.title == "Appeler le Théâtre de Metz" and marie_task.done_at is None


def test_a_refused_edit_changes_nothing(marie, marie_task):
    with pytest.raises(ValidationError):
        actions.update_task(marie, marie_task, title="", due_date=None)
    marie_task.refresh_from_db()
    assert marie_task.title == "Appeler le Théâtre de Metz"
    assert marie_task.due_date == datetime.date(2030, 5, 14)


def test_moving_the_reminder_makes_it_due_again_and_keeping_it_keeps_its_mark(marie):
    task = actions.create_task(
        marie, title="T", due_date=DAY, due_time=datetime.time(10, 0), reminder=60, now=NOW
    )
    sent = paris(2026, 5, 14, 9, 0)
    Task.objects.filter(pk=task.pk).update(reminder_sent_at=sent)
    task.refresh_from_db()
    actions.update_task(marie, task, title="Autre titre", now=paris(2026, 5, 14, 9, 30))
    task.refresh_from_db()
    assert task.reminder_sent_at == sent  # unchanged schedule, not sent again
    actions.update_task(marie, task, due_date=datetime.date(2026, 5, 15), now=NOW)
    task.refresh_from_db()
    assert task.reminder_sent_at is None
    assert task.remind_at == paris(2026, 5, 15, 9, 0)


def test_an_unchanged_reminder_now_past_does_not_block_an_edit(marie):
    task = actions.create_task(
        marie, title="T", due_date=DAY, due_time=datetime.time(10, 0), reminder=60, now=NOW
    )
    later = paris(2026, 5, 20, 8, 0)
    actions.update_task(marie, task, place="Salle B", now=later)
    task.refresh_from_db()
    assert task.place == "Salle B"
    with pytest.raises(ValidationError):
        actions.update_task(marie, task, reminder=Reminder.QUARTER, now=later)


def test_a_task_keeps_its_link_to_a_record_moved_to_the_trash_since(marie, admin, marie_task):
    directory_actions.delete_record(admin, marie_task.organisation)
    marie_task.refresh_from_db()
    actions.update_task(marie, marie_task, title="Nouveau titre")
    marie_task.refresh_from_db()
    assert marie_task.title == "Nouveau titre"


# --- Done, deleting ---------------------------------------------------------------------


def test_done_and_to_do_again_are_logged_once_each(marie, marie_task):
    assert actions.mark_done(marie, marie_task, now=NOW)
    assert not actions.mark_done(marie, marie_task, now=NOW)
    marie_task.refresh_from_db()
    assert marie_task.done_at == NOW
    assert actions.mark_not_done(marie, marie_task)
    assert not actions.mark_not_done(marie, marie_task)
    actions_logged = list(
        TaskLogEntry.objects.filter(object_id=str(marie_task.pk))
        .order_by("timestamp", "pk")
        .values_list("action", flat=True)
    )
    assert actions_logged == ["wagtail.create", "planner.done", "planner.reopen"]


def test_deleting_a_task_logs_it_and_tells_the_feed(marie, marie_task):
    actions.turn_feed_on(marie, now=NOW)
    actions.delete_task(marie, marie_task)
    assert not Task.objects.exists()
    assert TaskLogEntry.objects.filter(action="wagtail.delete", user=marie).exists()
    assert CalendarFeed.objects.get(owner=marie).changed_at > NOW


# --- The calendar feed's token ---------------------------------------------------------


def test_the_feed_token_is_stored_only_hashed_and_renewal_replaces_it(marie):
    token = actions.turn_feed_on(marie, now=NOW)
    feed = CalendarFeed.objects.get(owner=marie)
    assert token not in feed.token_hash and len(feed.token_hash) == 64
    renewed = actions.renew_feed(marie)
    assert renewed != token
    assert CalendarFeed.objects.count() == 1
    assert actions.revoke_feed(marie)
    assert not actions.revoke_feed(marie)
    assert not CalendarFeed.objects.exists()
    logged = list(
        TaskLogEntry.objects.filter(user=marie).order_by("pk").values_list("action", flat=True)
    )
    assert logged == ["planner.feed_on", "planner.feed_renewed", "planner.feed_off"]
    assert not any(token in str(entry.data) for entry in TaskLogEntry.objects.all())


def test_clients_have_no_feed(theo):
    with pytest.raises(PermissionDenied):
        actions.turn_feed_on(theo)
