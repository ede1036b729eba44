"""Two members of staff with their own tasks, an administrator, a client.

Marie and Paul are staff; Marie owns tasks about the Théâtre de Metz and
one of its people; Paul owns a task of his own. Times are given explicitly
(`now`), in Paris, so that tabs and reminders do not depend on the clock.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from planner import actions
from tests import factories

PARIS = ZoneInfo("Europe/Paris")


def paris(*args, **kwargs) -> datetime.datetime:
    """An aware instant, given as a wall-clock time in Paris."""
    return datetime.datetime(*args, tzinfo=PARIS, **kwargs)


def signed_in(user) -> Client:
    browser = Client(raise_request_exception=False)
    browser.force_login(user)
    return browser


@pytest.fixture
def marie():
    return factories.staff(username="marie", first_name="Marie", last_name="Dupont")


@pytest.fixture
def paul():
    return factories.staff(username="paul", first_name="Paul", last_name="Bernard")


@pytest.fixture
def admin():
    return factories.administrator(username="admin", first_name="Alice", last_name="Admin")


@pytest.fixture
def theo():
    return factories.client(username="theo")


@pytest.fixture
def theatre():
    return factories.OrganisationFactory(name="Théâtre de Metz")


@pytest.fixture
def director(theatre):
    return factories.PositionFactory(
        person__first_name="Ysolde", person__last_name="Quetzal", organisation=theatre
    ).person


@pytest.fixture
def marie_task(marie, theatre):
    return actions.create_task(
        marie,
        title="Appeler le Théâtre de Metz",
        place="Bureau",
        due_date=datetime.date(2030, 5, 14),
        due_time=datetime.time(10, 30),
        reminder=15,
        organisation=theatre,
        description="Parler de la saison 2030.",
    )


@pytest.fixture
def paul_task(paul):
    return actions.create_task(
        paul, title="Tâche secrète de Paul", due_date=datetime.date(2030, 5, 14)
    )
