"""The lockouts screen: administrators see which locks hold and clear them."""

from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client, override_settings

from tests.factories import PASSWORD

LOGIN = "/admin/login/"
LOCKOUTS = "/admin/lockouts/"


def attempt(username, password, address):
    return Client().post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def lock_account_from_everywhere(username):
    for number in range(settings.AXES_ACCOUNT_FAILURE_LIMIT):
        attempt(username, "wrong-password", f"10.0.1.{number}")


@override_settings(AXES_ACCOUNT_FAILURE_LIMIT=4)
def test_the_listing_says_which_locks_hold(staff_user, other_staff_user, as_admin):
    lock_account_from_everywhere("marie")
    for _ in range(2):
        attempt("paul", "wrong-password", "10.0.9.9")
    listing = as_admin.get(LOCKOUTS).content.decode()
    assert "Blocages en cours" in listing
    assert listing.count("Compte, toutes les adresses") == 4
    assert "Compte depuis cette adresse" not in listing
    assert "Adresse, tous les comptes" not in listing


def test_clearing_one_entry_of_an_account_locked_everywhere_unlocks_it(
    staff_user, other_staff_user, as_admin
):
    lock_account_from_everywhere("marie")
    # Attempts go on while locked; they count too.
    attempt("marie", "wrong-password", "10.0.1.0")
    attempt("paul", "wrong-password", "10.0.1.0")
    assert attempt("marie", PASSWORD, "10.0.2.1").status_code == 429
    entry = AccessAttempt.objects.get(username="marie", ip_address="10.0.1.0")

    confirm = as_admin.get(f"{LOCKOUTS}delete/{entry.pk}/").content.decode()
    others = AccessAttempt.objects.filter(username="marie").count() - 1
    assert others >= settings.AXES_ACCOUNT_FAILURE_LIMIT - 1
    assert f"Cela efface aussi {others} autres entrées" in confirm

    response = as_admin.post(f"{LOCKOUTS}delete/{entry.pk}/", follow=True)
    assert "Blocage de marie depuis 10.0.1.0 levé." in response.content.decode()
    assert not AccessAttempt.objects.filter(username="marie").exists()
    # Paul's own failure is not the administrator's to forget.
    assert AccessAttempt.objects.filter(username="paul").exists()
    assert attempt("marie", PASSWORD, "10.0.2.1").status_code == 302


def test_clearing_an_address_lock_unblocks_the_address(staff_user, as_admin):
    for number in range(settings.AXES_ADDRESS_FAILURE_LIMIT):
        attempt(f"guess{number}", "wrong-password", "10.0.0.7")
    assert attempt("marie", PASSWORD, "10.0.0.7").status_code == 429
    entry = AccessAttempt.objects.filter(ip_address="10.0.0.7").first()
    as_admin.post(f"{LOCKOUTS}delete/{entry.pk}/")
    assert attempt("marie", PASSWORD, "10.0.0.7").status_code == 302


def test_clearing_an_entry_below_every_threshold_clears_only_it(
    staff_user, other_staff_user, as_admin
):
    attempt("marie", "wrong-password", "10.0.0.1")
    attempt("paul", "wrong-password", "10.0.0.1")
    entry = AccessAttempt.objects.get(username="marie")
    confirm = as_admin.get(f"{LOCKOUTS}delete/{entry.pk}/").content.decode()
    assert "Cela efface aussi" not in confirm
    as_admin.post(f"{LOCKOUTS}delete/{entry.pk}/")
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["paul"]


def test_staff_and_clients_cannot_reach_the_lockouts(staff_user, as_staff, as_client):
    attempt("marie", "wrong-password", "10.0.0.1")
    entry = AccessAttempt.objects.get()
    for browser in (as_staff, as_client):
        assert browser.get(LOCKOUTS).status_code in (302, 403)
        assert browser.get(f"{LOCKOUTS}delete/{entry.pk}/").status_code in (302, 403)
        assert browser.post(f"{LOCKOUTS}delete/{entry.pk}/").status_code in (302, 403)
    assert AccessAttempt.objects.filter(pk=entry.pk).exists()
