"""`manage.py seed_demo`: French demo data and one account per role, idempotent."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from crmsite.demo import DEMO_ACCOUNTS
from crmsite.demo import directory as seed_demo_directory
from crmsite.management.commands import seed_demo
from crmsite.roles import role_of
from directory.models import InterestCentre, Person
from tests.factories import OrganisationFactory

EXCLUDED = ["sessions", "contenttypes", "auth.permission", "wagtailcore.referenceindex"]


def snapshot():
    out = io.StringIO()
    call_command("dumpdata", exclude=EXCLUDED, stdout=out, indent=None)
    return out.getvalue()


def test_it_is_idempotent():
    call_command("seed_demo", stdout=io.StringIO())
    first = snapshot()
    output = io.StringIO()
    call_command("seed_demo", stdout=output)
    assert snapshot() == first
    assert "0 new records" in output.getvalue()


def test_it_creates_one_working_account_per_role_and_prints_them(client):
    output = io.StringIO()
    call_command("seed_demo", stdout=output)
    printed = output.getvalue()
    roles = set()
    for account in DEMO_ACCOUNTS:
        assert account.username in printed and account.password in printed
        user = get_user_model().objects.get(username=account.username)
        assert user.check_password(account.password)
        response = client.post(
            "/admin/login/", {"username": account.username, "password": account.password}
        )
        assert response.status_code == 302, account.username
        client.logout()
        roles.add(role_of(user))
    assert roles == {"administrator", "staff", "client"}


def test_it_never_resets_a_changed_password():
    call_command("seed_demo", stdout=io.StringIO())
    admin = get_user_model().objects.get(username="admin")
    admin.set_password("Changed-By-Admin-2026")
    admin.save()
    call_command("seed_demo", stdout=io.StringIO())
    admin.refresh_from_db()
    assert admin.check_password("Changed-By-Admin-2026")


def test_it_loads_french_interest_centres():
    call_command("seed_demo", stdout=io.StringIO())
    names = set(InterestCentre.objects.values_list("name", flat=True))
    assert {"Théâtre", "Danse", "Patrimoine", "Arts de la rue"} <= names


# --persons outside a development database ------------------------------------


@pytest.fixture
def live_database(monkeypatch):
    """Not SQLite, as a production database would be (on PostgreSQL it is not)."""
    monkeypatch.setattr(seed_demo, "embedded_database", lambda: False)


def test_persons_is_refused_on_a_live_directory_without_force(live_database):
    OrganisationFactory(name="Théâtre de Metz")
    people = Person._base_manager.count()
    with pytest.raises(CommandError) as refused:
        call_command("seed_demo", persons=20, stdout=io.StringIO())
    message = str(refused.value)
    assert "does not look like a development database" in message
    assert f"people: {people}, organisations: 1" in message
    assert "indexes and foreign keys" in message and "--force" in message
    assert Person._base_manager.count() == people
    assert not get_user_model().objects.filter(username="admin").exists()  # nothing written


def test_persons_runs_on_a_live_directory_with_force(live_database):
    OrganisationFactory(name="Théâtre de Metz")
    call_command("seed_demo", persons=20, force=True, stdout=io.StringIO())
    assert Person._base_manager.count() >= 20
    assert not seed_demo.marked_as_demo()  # a forced run does not make it a demo database


def test_seed_demo_without_persons_is_never_refused(live_database):
    OrganisationFactory(name="Théâtre de Metz")
    call_command("seed_demo", stdout=io.StringIO())
    assert get_user_model().objects.filter(username="admin").exists()


def test_persons_runs_on_an_empty_directory(live_database):
    call_command("seed_demo", persons=20, stdout=io.StringIO())
    assert Person._base_manager.count() >= seed_demo_directory.DEMO_PERSONS + 20


@pytest.mark.skipif(connection.vendor != "sqlite", reason="an SQLite file is the embedded default")
def test_an_sqlite_database_is_a_development_database():
    assert seed_demo.embedded_database()
    OrganisationFactory(name="Théâtre de Metz")
    call_command("seed_demo", persons=20, stdout=io.StringIO())
    assert Person._base_manager.count() >= 20


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the mark is a PostgreSQL comment")
def test_a_database_seed_demo_filled_is_marked_and_may_grow(live_database):
    call_command("seed_demo", stdout=io.StringIO())  # fills the empty directory: marked
    assert seed_demo.marked_as_demo()
    call_command("seed_demo", persons=20, stdout=io.StringIO())
    assert Person._base_manager.count() >= seed_demo_directory.DEMO_PERSONS + 20


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the mark is a PostgreSQL comment")
def test_a_comment_someone_wrote_is_kept(live_database):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        name = connection.ops.quote_name(cursor.fetchone()[0])
        cursor.execute(f"COMMENT ON DATABASE {name} IS 'Production, do not touch'")
    call_command("seed_demo", stdout=io.StringIO())
    assert not seed_demo.marked_as_demo()
    with pytest.raises(CommandError):
        call_command("seed_demo", persons=20, stdout=io.StringIO())
