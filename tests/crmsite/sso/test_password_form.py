"""Single sign-on as the only way in for staff: an administrators' setting,
which the password form obeys for staff, never for administrators (their
break-glass) nor clients."""

import pytest
from django.test import Client

from crmsite.models import SignInSettings
from tests.factories import PASSWORD

from .provider import LOGIN_PAGE, sign_in, signed_in_user_id

REFUSED = (
    "Les membres de l’équipe se connectent avec Agence Connect\u00a0: utilisez le bouton "
    "«\u00a0Se connecter avec Agence Connect\u00a0» ci-dessus."
)
SETTINGS_URL = "/admin/settings/crmsite/signinsettings/"


def password_sign_in(username, address="10.0.0.1"):
    browser = Client()
    response = browser.post(
        LOGIN_PAGE, {"username": username, "password": PASSWORD}, REMOTE_ADDR=address
    )
    return browser, response


@pytest.fixture
def sso_only(sso_on):
    settings = SignInSettings.load()
    settings.sso_only_for_staff = True
    settings.save()


def test_staff_are_refused_at_the_password_form_with_a_clear_message(sso_only, staff_user):
    browser, response = password_sign_in(staff_user.username)
    assert response.status_code == 200
    assert REFUSED in response.content.decode()
    assert signed_in_user_id(browser) is None
    staff_user.refresh_from_db()
    assert staff_user.last_login is None


def test_a_wrong_password_of_staff_says_nothing_of_single_sign_on(sso_only, staff_user):
    browser = Client()
    response = browser.post(LOGIN_PAGE, {"username": staff_user.username, "password": "nope"})
    page = response.content.decode()
    assert "Agence Connect" not in page.split('class="messages"')[1].split("</div>")[0]


def test_an_administrator_still_gets_in_with_a_password(sso_only, admin_user):
    browser, response = password_sign_in(admin_user.username)
    assert response.status_code == 302
    assert signed_in_user_id(browser) == str(admin_user.pk)
    assert browser.get("/admin/").status_code == 200


def test_a_client_is_unaffected(sso_only, client_user):
    browser, response = password_sign_in(client_user.username)
    assert response.status_code == 302
    assert signed_in_user_id(browser) == str(client_user.pk)


def test_staff_still_sign_in_with_the_provider(sso_only, marie_at_provider, marie):
    browser = Client()
    sign_in(browser, marie_at_provider)
    assert signed_in_user_id(browser) == str(marie.pk)


def test_staff_use_their_password_while_the_setting_is_off(sso_on, staff_user):
    assert SignInSettings.load().sso_only_for_staff is False
    browser, response = password_sign_in(staff_user.username)
    assert response.status_code == 302
    assert signed_in_user_id(browser) == str(staff_user.pk)


def test_the_setting_has_no_effect_without_single_sign_on(staff_user):
    """Ticked, then the provider removed from the environment: staff would
    have no way in at all, so the password opens again."""
    SignInSettings.objects.create(sso_only_for_staff=True)
    browser, response = password_sign_in(staff_user.username)
    assert response.status_code == 302
    assert signed_in_user_id(browser) == str(staff_user.pk)


def test_an_administrator_makes_single_sign_on_the_only_way_in_for_staff(
    sso_on, as_admin, admin_user, staff_user
):
    edit = as_admin.get(SETTINGS_URL, follow=True)
    assert edit.status_code == 200
    page = edit.content.decode()
    assert "Connexion unique obligatoire pour l’équipe" in page
    assert "Les administrateurs gardent leur mot de passe" in page

    response = as_admin.post(edit.redirect_chain[-1][0], {"sso_only_for_staff": "on"})
    assert response.status_code == 302
    assert SignInSettings.load().sso_only_for_staff is True

    _, refused = password_sign_in(staff_user.username)
    assert REFUSED in refused.content.decode()


def test_the_setting_is_in_the_administrators_settings_menu_only_with_sso(
    as_admin, as_staff, sso_on
):
    page = as_admin.get("/admin/").content.decode()
    assert SETTINGS_URL in page
    assert SETTINGS_URL not in as_staff.get("/admin/").content.decode()


def test_the_setting_is_not_in_the_menu_without_sso(as_admin):
    assert SETTINGS_URL not in as_admin.get("/admin/").content.decode()


@pytest.mark.parametrize("role", ["as_staff", "as_client"])
def test_only_administrators_change_the_setting(sso_on, request, role):
    browser = request.getfixturevalue(role)
    settings = SignInSettings.load()
    for url in (SETTINGS_URL, f"{SETTINGS_URL}{settings.pk}/"):
        # (Wagtail's address without an id only redirects to the one with it.)
        assert browser.get(url, follow=True).status_code in (403, 404)
        response = browser.post(url, {"sso_only_for_staff": "on"}, follow=True)
        assert response.status_code in (403, 404)
    assert SignInSettings.load().sso_only_for_staff is False
