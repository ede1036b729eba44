"""Signing in with the provider: the login page's button, the authorisation
redirect, the return, the bound identity, and signing out."""

import hashlib
from base64 import urlsafe_b64encode
from urllib.parse import parse_qs, urlsplit

import responses
from django.contrib.auth import get_user_model
from wagtail.models import ModelLogEntry

from crmsite.models import SingleSignOnIdentity

from .provider import (
    AUTHORIZE_URL,
    CALLBACK,
    CLIENT_ID,
    DISCOVERY_URL,
    ISSUER,
    LOGIN_PAGE,
    START,
    page_after,
    sign_in,
    signed_in_user_id,
)


def test_the_login_page_offers_the_providers_button_beside_the_password_form(sso_on, browser):
    page = browser.get(LOGIN_PAGE).content.decode()
    assert "Se connecter avec Agence Connect" in page
    assert f'href="{START}"' in page
    # The password form is still there.
    assert 'name="password"' in page
    assert "ou avec votre mot de passe" in page


def test_the_button_carries_the_page_the_user_was_going_to(sso_on, browser):
    response = browser.get(LOGIN_PAGE, {"next": "/admin/annuaire/"})
    assert f'href="{START}?next=%2Fadmin%2Fannuaire%2F"' in response.content.decode()


def test_the_redirect_to_the_provider_carries_state_nonce_and_a_pkce_challenge(provider, browser):
    response = browser.get(START)
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == AUTHORIZE_URL
    query = {name: values[0] for name, values in parse_qs(location.query).items()}
    assert query["response_type"] == "code"
    assert query["client_id"] == CLIENT_ID
    assert query["redirect_uri"] == "http://testserver" + CALLBACK
    assert query["scope"].split() == ["openid", "email"]
    assert query["code_challenge_method"] == "S256"

    # The session keeps, under the state, the nonce and the PKCE verifier
    # whose S256 digest is the challenge sent.
    kept = browser.session["oidc_states"][query["state"]]
    assert kept["nonce"] == query["nonce"]
    digest = hashlib.sha256(kept["code_verifier"].encode()).digest()
    assert urlsafe_b64encode(digest).rstrip(b"=").decode() == query["code_challenge"]
    assert 43 <= len(kept["code_verifier"]) <= 128

    # A second visit makes a new state, nonce and challenge.
    again = parse_qs(urlsplit(browser.get(START)["Location"]).query)
    assert again["state"][0] != query["state"]
    assert again["nonce"][0] != query["nonce"]
    assert again["code_challenge"][0] != query["code_challenge"]


def test_a_staff_member_signs_in_and_lands_in_the_workspace(marie_at_provider, marie, browser):
    response = sign_in(browser, marie_at_provider)

    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert signed_in_user_id(browser) == str(marie.pk)
    assert browser.get("/admin/").status_code == 200

    # The account is now bound to the provider's identity, in its history.
    identity = SingleSignOnIdentity.objects.get(user=marie)
    assert (identity.issuer, identity.subject) == (ISSUER, "f3c1a9e0-agence-0001")
    assert identity.last_used_at is not None
    entry = ModelLogEntry.objects.get(action="crmsite.sso_bound")
    assert entry.object_id == str(marie.pk)
    assert entry.user_id == marie.pk
    marie.refresh_from_db()
    assert marie.last_login is not None


def test_the_provider_is_discovered_once_and_its_keys_fetched_once(
    marie_at_provider, marie, browser
):
    for _ in range(3):
        sign_in(browser, marie_at_provider)
        assert signed_in_user_id(browser) == str(marie.pk)
        browser.post("/admin/logout/")
    assert marie_at_provider.calls["discovery"] == 1
    assert marie_at_provider.calls["jwks"] == 1
    assert marie_at_provider.calls["token"] == 3


def test_later_sign_ins_find_the_account_by_the_bound_identity_not_the_address(
    marie_at_provider, marie, browser, client
):
    sign_in(browser, marie_at_provider)
    browser.post("/admin/logout/")

    # Her address changed at the provider (and is no longer verified there),
    # and in the workspace too: the identity still opens her account.
    marie_at_provider.identity = {
        "sub": "f3c1a9e0-agence-0001",
        "email": "m.dupont@ailleurs.example",
        "email_verified": False,
    }
    marie.email = "marie@nouvelle-adresse.example"
    marie.save(update_fields=["email"])

    response = sign_in(browser, marie_at_provider)
    assert response["Location"] == "/admin/"
    assert signed_in_user_id(browser) == str(marie.pk)
    assert SingleSignOnIdentity.objects.count() == 1
    assert ModelLogEntry.objects.filter(action="crmsite.sso_bound").count() == 1


def test_the_address_is_matched_ignoring_case(marie_at_provider, marie, browser):
    marie_at_provider.identity["email"] = "MARIE.DUPONT@AGENCE-CULTURE.FR"
    sign_in(browser, marie_at_provider)
    assert signed_in_user_id(browser) == str(marie.pk)


def test_an_address_given_only_by_the_userinfo_endpoint_is_used(marie_at_provider, marie, browser):
    marie_at_provider.identity = {"sub": "f3c1a9e0-agence-0001", "email": ""}
    marie_at_provider.userinfo = {
        "sub": "f3c1a9e0-agence-0001",
        "email": "marie.dupont@agence-culture.fr",
        "email_verified": True,
    }
    sign_in(browser, marie_at_provider)
    assert marie_at_provider.calls["userinfo"] == 1
    assert signed_in_user_id(browser) == str(marie.pk)


def test_it_goes_back_to_the_page_asked_for_but_never_to_another_site(
    marie_at_provider, marie, browser
):
    response = sign_in(browser, marie_at_provider, next_url="/admin/reports/site-history/")
    assert response["Location"] == "/admin/reports/site-history/"
    browser.post("/admin/logout/")

    response = sign_in(browser, marie_at_provider, next_url="https://evil.example/admin/")
    assert response["Location"] == "/admin/"
    browser.post("/admin/logout/")
    response = sign_in(browser, marie_at_provider, next_url="//evil.example/")
    assert response["Location"] == "/admin/"


def test_a_client_with_an_account_lands_on_their_tickets(provider, client_user, browser):
    provider.identity = {"sub": "client-77", "email": client_user.email, "email_verified": True}
    response = sign_in(browser, provider)
    assert signed_in_user_id(browser) == str(client_user.pk)
    landing = browser.get(response["Location"])
    assert landing.status_code == 302
    assert landing["Location"].startswith("/admin/helpdesk/")


def test_signing_out_ends_the_workspace_session(marie_at_provider, marie, browser):
    sign_in(browser, marie_at_provider)
    assert browser.get("/admin/").status_code == 200

    response = browser.post("/admin/logout/")
    assert response.status_code == 302
    assert signed_in_user_id(browser) is None
    again = browser.get("/admin/")
    assert again.status_code == 302
    assert again["Location"].startswith(LOGIN_PAGE)
    assert "Vous avez été déconnecté" in page_after(browser, response)


def test_a_sign_in_lasts_the_browser_session_like_a_password_one(marie_at_provider, marie, browser):
    sign_in(browser, marie_at_provider)
    assert browser.session.get_expire_at_browser_close()


def test_nobody_is_created_by_a_sign_in(marie_at_provider, marie, browser):
    users = get_user_model().objects.count()
    sign_in(browser, marie_at_provider)
    assert get_user_model().objects.count() == users


def test_a_query_in_the_providers_authorisation_endpoint_is_kept(provider, browser):
    document = {**provider.document(), "authorization_endpoint": AUTHORIZE_URL + "?p=b2c_signin"}
    provider.mock.replace(responses.GET, DISCOVERY_URL, json=document)
    location = urlsplit(browser.get(START)["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == AUTHORIZE_URL
    query = parse_qs(location.query)
    assert query["p"] == ["b2c_signin"]
    assert query["response_type"] == ["code"]


def test_the_same_answer_twice_after_signing_in_just_goes_to_the_workspace(
    marie_at_provider, marie, browser
):
    """A double click or the back button: the first answer signed her in."""
    start = browser.get(START)
    back = marie_at_provider.authorize(start["Location"])
    assert browser.get(CALLBACK, back)["Location"] == "/admin/"
    again = browser.get(CALLBACK, back)
    assert again["Location"] == "/admin/"
    assert signed_in_user_id(browser) == str(marie.pk)
    assert "Cette demande de connexion" not in browser.get("/admin/").content.decode()
    assert marie_at_provider.calls["token"] == 1
