"""Login throttling with django-axes: per account and address, French message."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client

from tests.factories import PASSWORD

LOGIN = "/admin/login/"
LOCK_MESSAGE = "ce compte est bloqué depuis votre adresse"


def attempt(browser, username, password, address="10.0.0.1"):
    return browser.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.fixture
def browser():
    return Client()


def test_it_locks_the_account_from_that_address_after_the_limit(browser, staff_user):
    limit = settings.AXES_FAILURE_LIMIT
    assert limit == 5
    for _ in range(limit - 1):
        response = attempt(browser, "marie", "wrong-password")
        assert response.status_code == 200
        assert LOCK_MESSAGE not in response.content.decode()
    response = attempt(browser, "marie", "wrong-password")
    assert response.status_code == 429
    assert LOCK_MESSAGE in response.content.decode()

    # The right password is now refused too, with the same message.
    response = attempt(browser, "marie", PASSWORD)
    assert response.status_code == 429
    assert LOCK_MESSAGE in response.content.decode()
    assert "_auth_user_id" not in browser.session


def test_the_lock_does_not_reach_another_address_or_account(browser, staff_user, other_staff_user):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(browser, "marie", "wrong-password")
    response = attempt(Client(), "marie", PASSWORD, address="10.0.0.2")
    assert response.status_code == 302
    response = attempt(Client(), "paul", PASSWORD)
    assert response.status_code == 302


def test_an_administrator_sees_and_clears_the_lockout(browser, staff_user, as_admin):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(browser, "marie", "wrong-password")
    lockout = AccessAttempt.objects.get(username="marie")

    listing = as_admin.get("/admin/lockouts/")
    assert listing.status_code == 200
    assert "marie" in listing.content.decode()
    assert "10.0.0.1" in listing.content.decode()

    response = as_admin.post(f"/admin/lockouts/delete/{lockout.pk}/")
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()

    response = attempt(browser, "marie", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_staff_cannot_see_or_clear_lockouts(browser, staff_user, other_staff_user):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(browser, "paul", "wrong-password")
    lockout = AccessAttempt.objects.get(username="paul")
    staff = Client()
    staff.force_login(staff_user)
    assert staff.get("/admin/lockouts/").status_code == 403
    assert staff.post(f"/admin/lockouts/delete/{lockout.pk}/").status_code == 403
    assert AccessAttempt.objects.filter(pk=lockout.pk).exists()


def test_a_successful_login_resets_the_failure_count(browser, staff_user):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(browser, "marie", "wrong-password")
    assert attempt(browser, "marie", PASSWORD).status_code == 302
    browser.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(browser, "marie", "wrong-password")
    assert attempt(browser, "marie", PASSWORD).status_code == 302
