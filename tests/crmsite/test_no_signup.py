"""Nobody signs up: accounts are created by administrators only."""

import pytest
from django.contrib.auth import get_user_model

SIGNUP_URLS = [
    "/signup/",
    "/register/",
    "/accounts/signup/",
    "/accounts/register/",
    "/admin/signup/",
    "/admin/register/",
    "/admin/users/new/",
    "/admin/account/register/",
]


def test_the_login_page_offers_no_sign_up(client):
    body = client.get("/admin/login/").content.decode().lower()
    for word in ("sign up", "signup", "register", "inscri", "créer un compte", "create an account"):
        assert word not in body


@pytest.mark.parametrize("url", SIGNUP_URLS)
def test_no_url_creates_an_account(client, url):
    before = get_user_model().objects.count()
    data = {
        "username": "intruder",
        "email": "intruder@example.org",
        "first_name": "In",
        "last_name": "Truder",
        "password1": "Very-Long-Password-2026",
        "password2": "Very-Long-Password-2026",
        "role": "administrator",
    }
    response = client.post(url, data)
    assert response.status_code in {302, 403, 404, 405}
    if response.status_code == 302:
        assert response["Location"].startswith("/admin/login/")
    assert get_user_model().objects.count() == before
    assert not get_user_model().objects.filter(username="intruder").exists()


def test_staff_and_clients_cannot_create_accounts(as_staff, as_client):
    before = get_user_model().objects.count()
    for browser in (as_staff, as_client):
        response = browser.post(
            "/admin/users/new/",
            {
                "username": "sneaky",
                "email": "s@example.org",
                "first_name": "S",
                "last_name": "N",
                "password1": "Very-Long-Password-2026",
                "password2": "Very-Long-Password-2026",
                "role": "administrator",
            },
        )
        assert response.status_code == 403
    assert get_user_model().objects.count() == before
