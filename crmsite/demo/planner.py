"""Demo tasks for `manage.py seed_demo`: a few tasks of the demo staff member
and of the demo administrator, dated from the day the seed runs (one
overdue, some today, some to come, one done), about records of the
showcase (La Comète, Scène des Tanneurs, Jérôme Lefèvre) when they exist.
Idempotent: a task whose title its owner has already is not made again.
Reminders are set only where they are still ahead."""

import datetime

from django.contrib.auth import get_user_model

from directory.models import Organisation, Person
from planner import actions, schedule
from planner.models import Task

from ..roles import ADMINISTRATORS, STAFF

# owner's role group, title, days from today, time, place, reminder, organisation, person, done
TASKS = [
    (
        STAFF,
        "Relancer La Comète pour la convention 2027",
        -1,
        None,
        "",
        None,
        "La Comète",
        None,
        False,
    ),
    (
        STAFF,
        "Appeler Jérôme Lefèvre : dates de la résidence",
        0,
        datetime.time(16, 30),
        "Bureau 2",
        None,
        "La Comète",
        ("Jérôme", "Lefèvre"),
        False,
    ),
    (
        STAFF,
        "Préparer le dossier de presse du festival",
        0,
        None,
        "",
        None,
        None,
        None,
        False,
    ),
    (
        STAFF,
        "Réunion de programmation jeune public",
        2,
        datetime.time(10, 0),
        "Salle Koltès, Scène des Tanneurs",
        schedule.Reminder.HOUR,
        "Scène des Tanneurs",
        None,
        False,
    ),
    (
        STAFF,
        "Envoyer le bilan de la saison aux partenaires",
        9,
        None,
        "",
        schedule.Reminder.DAY,
        None,
        None,
        False,
    ),
    (
        STAFF,
        "Mettre à jour les contacts presse",
        -3,
        None,
        "",
        None,
        None,
        None,
        True,
    ),
    (
        ADMINISTRATORS,
        "Vérifier les comptes des nouveaux arrivants",
        1,
        datetime.time(9, 30),
        "",
        schedule.Reminder.QUARTER,
        None,
        None,
        False,
    ),
]


def _person(name):
    if not name:
        return None
    first, last = name
    return Person.objects.filter(first_name=first, last_name=last).first()


def add_tasks(usernames: dict[str, str]) -> int:
    """`usernames`: {role group: username}, the demo staff member's and the
    demo administrator's among them. Returns the tasks made."""
    users = {
        key: get_user_model().objects.filter(username=username).first()
        for key, username in usernames.items()
    }
    now = schedule.now()
    today = schedule.local_today(now)
    made = 0
    for key, title, days, time, place, reminder, organisation, person, done in TASKS:
        owner = users.get(key)
        if owner is None or Task.objects.filter(owner=owner, title=title).exists():
            continue
        day = today + datetime.timedelta(days=days)
        if reminder is not None:
            moment = schedule.reminder_moment(day, time, reminder)
            if moment is None or moment <= now:
                reminder = None
        task = actions.create_task(
            owner,
            title=title,
            due_date=day,
            due_time=time,
            place=place,
            reminder=reminder,
            organisation=Organisation.objects.filter(name=organisation).first()
            if organisation
            else None,
            person=_person(person),
            now=now,
        )
        if done:
            actions.mark_done(owner, task, now=now)
        made += 1
    return made
