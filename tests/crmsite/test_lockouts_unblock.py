"""The lockouts listing: each blocked account and address has its "Débloquer"."""

from axes.models import AccessAttempt
from bs4 import BeautifulSoup

LOCKOUTS = "/admin/lockouts/"


def blocked(username="marie", address="203.0.113.7"):
    return AccessAttempt.objects.create(
        username=username, ip_address=address, failures_since_start=5, user_agent="x"
    )


def test_each_row_has_an_unblock_button_for_an_administrator(as_admin):
    marie, paul = blocked(), blocked("paul", "198.51.100.4")
    soup = BeautifulSoup(as_admin.get(LOCKOUTS).content.decode(), "html.parser")
    buttons = {a["href"]: a.get_text(strip=True) for a in soup.select("td a.button")}
    assert buttons == {
        f"{LOCKOUTS}delete/{marie.pk}/": "Débloquer",
        f"{LOCKOUTS}delete/{paul.pk}/": "Débloquer",
    }
    assert soup.select_one("h1").get_text(strip=True) == "Blocages de connexion"


def test_the_confirmation_speaks_of_unblocking_in_french(as_admin):
    entry = blocked()
    body = as_admin.get(f"{LOCKOUTS}delete/{entry.pk}/").content.decode()
    assert "Débloquer marie depuis 203.0.113.7\u00a0?" in body
    text = " ".join(BeautifulSoup(body, "html.parser").get_text(" ").split())
    assert "Oui, débloquer" in text
    for leftover in ("référencé", "(e)", "Attempted Access", "Supprimer"):
        assert leftover not in text


def test_an_administrator_unblocks_an_entry(as_admin):
    entry = blocked()
    response = as_admin.post(f"{LOCKOUTS}delete/{entry.pk}/", follow=True)
    assert "Blocage de marie depuis 203.0.113.7 levé." in response.content.decode()
    assert not AccessAttempt.objects.exists()


def test_staff_and_clients_can_neither_see_nor_unblock(as_staff, as_client):
    entry = blocked()
    for browser in (as_staff, as_client):
        assert browser.get(LOCKOUTS).status_code in (302, 403)
        assert browser.post(f"{LOCKOUTS}delete/{entry.pk}/").status_code in (302, 403)
    assert AccessAttempt.objects.filter(pk=entry.pk).exists()
