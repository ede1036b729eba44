import pytest
from django.contrib.auth.models import Group
from django.test import Client

from crmsite.backends import all_permission_names, forget_permission_names
from crmsite.roles import ROLE_GROUPS, sync_roles
from tests import factories


@pytest.fixture(autouse=True)
def roles(db):
    """The role groups, as the data migration makes them (again after a flush).

    A test's changes are rolled back, or flushed with every group: groups
    that are all there are as the migration left them, and are not set up
    again (which took a tenth of the suite's time)."""
    if Group.objects.filter(name__in=ROLE_GROUPS).count() != len(ROLE_GROUPS):
        sync_roles()
    # Every permission's name read afresh (a test's permission rows are rolled
    # back), before the test: its first request counts the same queries as the next.
    forget_permission_names()
    all_permission_names()


@pytest.fixture
def admin_user():
    return factories.administrator(username="admin")


@pytest.fixture
def staff_user():
    return factories.staff(username="marie")


@pytest.fixture
def other_staff_user():
    return factories.staff(username="paul")


@pytest.fixture
def client_user():
    return factories.client(username="theo")


def _logged_in(user):
    browser = Client()
    browser.force_login(user)
    return browser


@pytest.fixture
def as_admin(admin_user):
    return _logged_in(admin_user)


@pytest.fixture
def as_staff(staff_user):
    return _logged_in(staff_user)


@pytest.fixture
def as_client(client_user):
    return _logged_in(client_user)


@pytest.fixture
def tasks_at_once():
    """Celery tasks run at once, in the caller, as with the embedded defaults,
    with Redis configured too (where `.delay()` would otherwise queue them)."""
    from crmsite.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = eager
