"""Login throttling: an account from an address, an address, an account; French messages."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client, override_settings

from tests.factories import PASSWORD

LOGIN = "/admin/login/"
LOCK_MESSAGE = "ce compte est bloqué depuis votre adresse"
ADDRESS_MESSAGE = "depuis votre adresse : la connexion depuis celle-ci est bloquée"
ACCOUNT_MESSAGE = "sur ce compte : il est bloqué depuis toutes les adresses"


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


def test_an_address_trying_many_accounts_is_locked_for_every_account(browser, staff_user):
    limit = settings.AXES_ADDRESS_FAILURE_LIMIT
    assert limit == 10
    for number in range(limit - 1):
        assert attempt(browser, f"guess{number}", "wrong-password").status_code == 200
    response = attempt(browser, "guess-last", "wrong-password")
    assert response.status_code == 429
    assert ADDRESS_MESSAGE in response.content.decode()

    # Marie's right password is refused from that address, not from hers.
    response = attempt(Client(), "marie", PASSWORD)
    assert response.status_code == 429
    assert ADDRESS_MESSAGE in response.content.decode()
    assert attempt(Client(), "marie", PASSWORD, address="10.0.0.2").status_code == 302


def test_an_account_tried_from_many_addresses_is_locked_from_every_address(
    browser, staff_user, other_staff_user
):
    limit = settings.AXES_ACCOUNT_FAILURE_LIMIT
    assert limit == 20
    # Fewer failures from each address than that address's locks allow.
    for number in range(limit - 1):
        response = attempt(Client(), "marie", "wrong-password", address=f"10.0.1.{number}")
        assert response.status_code == 200
    response = attempt(Client(), "marie", "wrong-password", address="10.0.1.99")
    assert response.status_code == 429
    assert ACCOUNT_MESSAGE in response.content.decode()

    # The right password from a fresh address is refused too, in French.
    response = attempt(browser, "marie", PASSWORD, address="10.0.2.1")
    assert response.status_code == 429
    assert ACCOUNT_MESSAGE in response.content.decode()
    assert "_auth_user_id" not in browser.session
    # Other accounts, from those same addresses, are not locked.
    assert attempt(Client(), "paul", PASSWORD, address="10.0.1.1").status_code == 302


def test_signing_in_to_ones_own_account_does_not_reset_the_address(browser, staff_user):
    for number in range(settings.AXES_ADDRESS_FAILURE_LIMIT - 1):
        attempt(browser, f"guess{number}", "wrong-password")
    assert attempt(browser, "marie", PASSWORD).status_code == 302
    browser.logout()
    response = attempt(browser, "guess-last", "wrong-password")
    assert response.status_code == 429
    assert ADDRESS_MESSAGE in response.content.decode()


@override_settings(AXES_ADDRESS_FAILURE_LIMIT=0, AXES_ACCOUNT_FAILURE_LIMIT=3)
def test_each_threshold_comes_from_its_setting_and_zero_turns_a_lock_off(browser, staff_user):
    for number in range(12):
        attempt(browser, f"guess{number}", "wrong-password")
    assert attempt(Client(), "marie", PASSWORD).status_code == 302
    for number in range(2):
        attempt(Client(), "paul", "wrong-password", address=f"10.0.3.{number}")
    response = attempt(Client(), "paul", "wrong-password", address="10.0.3.9")
    assert response.status_code == 429
    assert ACCOUNT_MESSAGE in response.content.decode()


def test_a_successful_login_resets_the_failure_count(browser, staff_user):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(browser, "marie", "wrong-password")
    assert attempt(browser, "marie", PASSWORD).status_code == 302
    browser.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(browser, "marie", "wrong-password")
    assert attempt(browser, "marie", PASSWORD).status_code == 302
