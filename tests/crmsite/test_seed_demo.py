"""`manage.py seed_demo`: French demo data and one account per role, idempotent."""

import io

from django.contrib.auth import get_user_model
from django.core.management import call_command

from crmsite.demo import DEMO_ACCOUNTS
from crmsite.roles import role_of
from directory.models import InterestCentre

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
