"""The provider's answers that must not sign anyone in: the ID token's
signature, audience, issuer, expiry and nonce, replays, key rotation, and a
provider that is down or says something else than the protocol."""

import json
import time

import jwt
import pytest
import responses

from .provider import (
    CALLBACK,
    CLIENT_SECRET,
    DISCOVERY_URL,
    ISSUER,
    JWKS_URL,
    LOGIN_PAGE,
    START,
    TOKEN_URL,
    assert_refused,
    rsa_key,
    sign_in,
    signed_in_user_id,
    state_of_the_workspace,
)

UNVERIFIED = (
    "La réponse du fournisseur d’identité n’a pas pu être vérifiée. Personne n’a été connecté."
)
EXPIRED_REQUEST = "Cette demande de connexion a expiré ou a déjà servi."
UNAVAILABLE = "Le fournisseur d’identité est injoignable pour le moment."


@pytest.fixture
def before(marie_at_provider, marie, another_staff):
    return state_of_the_workspace()


def test_a_token_signed_by_another_key_under_the_providers_kid_is_refused(
    marie_at_provider, browser, before
):
    marie_at_provider.signing_key = rsa_key("rogue")
    response = sign_in(browser, marie_at_provider)
    assert_refused(browser, response, UNVERIFIED, before)


def test_a_token_for_another_client_is_refused(marie_at_provider, browser, before):
    marie_at_provider.claims = {"aud": "another-application", "azp": "another-application"}
    response = sign_in(browser, marie_at_provider)
    assert_refused(browser, response, UNVERIFIED, before)


def test_a_token_for_several_audiences_needs_us_as_authorised_party(
    marie_at_provider, marie, browser, before
):
    marie_at_provider.claims = {"aud": ["crm-culture", "other"], "azp": "other"}
    assert_refused(browser, sign_in(browser, marie_at_provider), UNVERIFIED, before)

    marie_at_provider.claims = {"aud": ["crm-culture", "other"], "azp": "crm-culture"}
    sign_in(browser, marie_at_provider)
    assert signed_in_user_id(browser) == str(marie.pk)


def test_a_token_from_another_issuer_is_refused(marie_at_provider, browser, before):
    marie_at_provider.claims = {"iss": "https://idp.agence-culture.test/realms/other"}
    response = sign_in(browser, marie_at_provider)
    assert_refused(browser, response, UNVERIFIED, before)


def test_an_expired_token_is_refused(marie_at_provider, browser, before):
    an_hour_ago = int(time.time()) - 3600
    marie_at_provider.claims = {"iat": an_hour_ago - 300, "exp": an_hour_ago}
    response = sign_in(browser, marie_at_provider)
    assert_refused(browser, response, UNVERIFIED, before)


def test_a_token_issued_in_the_future_is_refused(marie_at_provider, browser, before):
    later = int(time.time()) + 3600
    marie_at_provider.claims = {"iat": later, "exp": later + 300}
    assert_refused(browser, sign_in(browser, marie_at_provider), UNVERIFIED, before)


@pytest.mark.parametrize("claim", ["exp", "iat", "sub", "aud", "iss"])
def test_a_token_without_a_required_claim_is_refused(marie_at_provider, browser, before, claim):
    marie_at_provider.claims = {claim: None}
    assert_refused(browser, sign_in(browser, marie_at_provider), UNVERIFIED, before)


def test_a_token_without_the_nonce_or_with_another_is_refused(marie_at_provider, browser, before):
    marie_at_provider.claims = {"nonce": None}
    assert_refused(browser, sign_in(browser, marie_at_provider), UNVERIFIED, before)
    marie_at_provider.claims = {"nonce": "x" * 32}
    assert_refused(browser, sign_in(browser, marie_at_provider), UNVERIFIED, before)


def test_a_token_replayed_with_its_nonce_in_a_new_sign_in_is_refused(
    marie_at_provider, marie, browser
):
    # A first sign-in, whose ID token an attacker captured.
    sign_in(browser, marie_at_provider)
    captured = marie_at_provider.issued_tokens[-1]
    browser.post("/admin/logout/")
    before = state_of_the_workspace()

    # The provider (or a man in the middle) answers a new sign-in with it.
    start = browser.get(START)
    back = marie_at_provider.authorize(start["Location"])
    marie_at_provider.mock.replace(
        responses.POST,
        TOKEN_URL,
        json={"access_token": "a", "token_type": "Bearer", "id_token": captured},
    )
    response = browser.get(CALLBACK, back)
    assert_refused(browser, response, UNVERIFIED, before)


def test_the_same_answer_of_the_provider_cannot_serve_twice(marie_at_provider, marie, browser):
    start = browser.get(START)
    back = marie_at_provider.authorize(start["Location"])
    assert browser.get(CALLBACK, back)["Location"] == "/admin/"
    browser.post("/admin/logout/")
    before = state_of_the_workspace()
    tokens = marie_at_provider.calls["token"]

    # The same callback again, in the same browser: its state was used up.
    response = browser.get(CALLBACK, back)
    assert_refused(browser, response, EXPIRED_REQUEST, before)
    assert marie_at_provider.calls["token"] == tokens


def test_an_answer_meant_for_another_browser_is_refused(marie_at_provider, browser, client):
    start = client.get(START)
    back = marie_at_provider.authorize(start["Location"])
    before = state_of_the_workspace()
    response = browser.get(CALLBACK, back)
    assert_refused(browser, response, EXPIRED_REQUEST, before)
    assert marie_at_provider.calls["token"] == 0


def test_a_state_older_than_a_quarter_of_an_hour_is_refused(marie_at_provider, browser):
    start = browser.get(START)
    back = marie_at_provider.authorize(start["Location"])
    session = browser.session
    session["oidc_states"][back["state"]]["added_on"] -= 16 * 60
    session.save()
    before = state_of_the_workspace()
    assert_refused(browser, browser.get(CALLBACK, back), EXPIRED_REQUEST, before)


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"code": "x"},
        {"state": "x"},
        {"code": "x", "state": "unknown-state"},
        {"code": "x" * 100_000, "state": "y" * 100_000},
        {"code": "x", "state": "ü\u202e<script>"},
    ],
    ids=["nothing", "no-state", "no-code", "unknown-state", "oversized", "hostile"],
)
def test_a_malformed_or_forged_callback_is_refused(marie_at_provider, browser, query):
    browser.get(START)
    before = state_of_the_workspace()
    assert_refused(browser, browser.get(CALLBACK, query), EXPIRED_REQUEST, before)
    assert marie_at_provider.calls["token"] == 0


def test_an_oversized_code_with_a_good_state_is_refused(marie_at_provider, browser):
    start = browser.get(START)
    back = marie_at_provider.authorize(start["Location"])
    before = state_of_the_workspace()
    response = browser.get(CALLBACK, {**back, "code": "c" * 10_000})
    assert_refused(browser, response, UNVERIFIED, before)
    assert marie_at_provider.calls["token"] == 0


def test_the_providers_error_is_refused_without_echoing_its_words(marie_at_provider, browser):
    start = browser.get(START)
    back = marie_at_provider.authorize(start["Location"])
    before = state_of_the_workspace()
    response = browser.get(
        CALLBACK,
        {
            "error": "access_denied",
            "error_description": "Appelez le 0899 000 000",
            "state": back["state"],
        },
    )
    page = assert_refused(
        browser, response, "Le fournisseur d’identité n’a pas confirmé votre connexion.", before
    )
    assert "0899" not in page
    # That state is used up.
    assert_refused(browser, browser.get(CALLBACK, back), EXPIRED_REQUEST, before)


def test_a_code_the_provider_refuses_is_refused(marie_at_provider, browser, before):
    start = browser.get(START)
    back = marie_at_provider.authorize(start["Location"])
    marie_at_provider.grants.clear()  # the code expired at the provider
    assert_refused(browser, browser.get(CALLBACK, back), UNVERIFIED, before)


def test_an_unsigned_token_is_refused(marie_at_provider, browser, before):
    start = browser.get(START)
    back = marie_at_provider.authorize(start["Location"])
    nonce = marie_at_provider.last_request["nonce"]
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": "crm-culture",
        "sub": "f3c1a9e0-agence-0001",
        "email": "marie.dupont@agence-culture.fr",
        "email_verified": True,
        "nonce": nonce,
        "iat": now,
        "exp": now + 300,
    }
    unsigned = jwt.encode(claims, None, algorithm="none")
    marie_at_provider.mock.replace(
        responses.POST, TOKEN_URL, json={"access_token": "a", "id_token": unsigned}
    )
    assert_refused(browser, browser.get(CALLBACK, back), UNVERIFIED, before)


def test_a_token_signed_with_the_client_secret_is_refused(marie_at_provider, browser, before):
    start = browser.get(START)
    back = marie_at_provider.authorize(start["Location"])
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": "crm-culture",
        "sub": "f3c1a9e0-agence-0001",
        "email": "marie.dupont@agence-culture.fr",
        "email_verified": True,
        "nonce": marie_at_provider.last_request["nonce"],
        "iat": now,
        "exp": now + 300,
    }
    forged = jwt.encode(
        claims, CLIENT_SECRET.ljust(32, "!"), algorithm="HS256", headers={"kid": "key-2026-a"}
    )
    marie_at_provider.mock.replace(
        responses.POST, TOKEN_URL, json={"access_token": "a", "id_token": forged}
    )
    assert_refused(browser, browser.get(CALLBACK, back), UNVERIFIED, before)


@pytest.mark.parametrize(
    "body",
    ["not json", "[]", json.dumps({"access_token": "a"}), json.dumps({"id_token": "a.b.c"})],
    ids=["not-json", "a-list", "no-id-token", "garbage-token"],
)
def test_a_token_endpoint_answering_nonsense_is_refused(marie_at_provider, browser, before, body):
    start = browser.get(START)
    back = marie_at_provider.authorize(start["Location"])
    marie_at_provider.mock.replace(
        responses.POST, TOKEN_URL, body=body, content_type="application/json"
    )
    response = browser.get(CALLBACK, back)
    assert response.status_code == 302
    assert signed_in_user_id(browser) is None
    assert state_of_the_workspace() == before


def test_the_keys_are_fetched_again_when_the_provider_rotates_them(
    marie_at_provider, marie, browser
):
    sign_in(browser, marie_at_provider)
    browser.post("/admin/logout/")
    assert marie_at_provider.calls["jwks"] == 1

    # The provider publishes a new key and signs with it: its kid is unknown
    # to our cached set, which is fetched again, once.
    marie_at_provider.rotate("key-2026-b", "b")
    response = sign_in(browser, marie_at_provider)
    assert response["Location"] == "/admin/"
    assert signed_in_user_id(browser) == str(marie.pk)
    assert marie_at_provider.calls["jwks"] == 2
    browser.post("/admin/logout/")

    # The new set is cached in its turn.
    sign_in(browser, marie_at_provider)
    assert signed_in_user_id(browser) == str(marie.pk)
    assert marie_at_provider.calls["jwks"] == 2
    assert marie_at_provider.calls["discovery"] == 1


def test_a_kid_the_provider_never_published_is_refused_after_one_refetch(
    marie_at_provider, marie, browser
):
    sign_in(browser, marie_at_provider)
    browser.post("/admin/logout/")
    before = state_of_the_workspace()

    marie_at_provider.header = {"kid": "key-nobody-published"}
    assert_refused(browser, sign_in(browser, marie_at_provider), UNVERIFIED, before)
    assert marie_at_provider.calls["jwks"] == 2


def test_a_provider_that_does_not_answer_is_reported_plainly(provider, browser):
    provider.mock.replace(responses.GET, DISCOVERY_URL, status=503)
    before = state_of_the_workspace()
    response = browser.get(START, {"next": "/admin/annuaire/"})
    assert response["Location"] == LOGIN_PAGE + "?next=%2Fadmin%2Fannuaire%2F"
    assert_refused(browser, response, UNAVAILABLE, before)


def test_a_failed_discovery_is_not_cached(provider, browser):
    provider.mock.replace(responses.GET, DISCOVERY_URL, status=503)
    assert browser.get(START)["Location"].startswith(LOGIN_PAGE)
    provider.mock.replace(responses.GET, DISCOVERY_URL, json=provider.document())
    assert browser.get(START)["Location"].startswith(provider.document()["authorization_endpoint"])


@pytest.mark.parametrize(
    "change",
    [
        {"issuer": "https://idp.evil.example/realms/agence"},
        {"authorization_endpoint": None},
        {"token_endpoint": "http://idp.agence-culture.test/token"},
        {"jwks_uri": "javascript:alert(1)"},
    ],
    ids=["another-issuer", "no-authorisation-endpoint", "plain-http", "not-an-address"],
)
def test_a_discovery_document_that_does_not_fit_is_refused(provider, browser, change):
    document = {**provider.document(), **change}
    provider.mock.replace(responses.GET, DISCOVERY_URL, json=document)
    before = state_of_the_workspace()
    assert_refused(browser, browser.get(START), UNAVAILABLE, before)


def test_keys_that_cannot_be_fetched_refuse_the_sign_in(marie_at_provider, browser, before):
    marie_at_provider.mock.replace(responses.GET, JWKS_URL, status=500)
    assert_refused(browser, sign_in(browser, marie_at_provider), UNAVAILABLE, before)


def test_a_token_endpoint_that_is_down_is_reported_plainly(marie_at_provider, browser, before):
    start = browser.get(START)
    back = marie_at_provider.authorize(start["Location"])
    marie_at_provider.mock.replace(responses.POST, TOKEN_URL, status=502)
    assert_refused(browser, browser.get(CALLBACK, back), UNAVAILABLE, before)


def test_a_nonce_serves_once_even_when_its_state_is_presented_again(
    marie_at_provider, marie, browser, client
):
    """Two requests carrying the same answer at the same moment could both
    read the session before either removed the state from it; the nonce of
    the ID token is then what refuses the second (here from another browser
    holding the session as it was read)."""
    start = browser.get(START)
    back = marie_at_provider.authorize(start["Location"])
    pending = dict(browser.session["oidc_states"])

    assert browser.get(CALLBACK, back)["Location"] == "/admin/"
    captured = marie_at_provider.issued_tokens[-1]
    before = state_of_the_workspace()

    session = client.session
    session["oidc_states"] = pending
    session.save()
    marie_at_provider.mock.replace(
        responses.POST, TOKEN_URL, json={"access_token": "a", "id_token": captured}
    )
    assert_refused(client, client.get(CALLBACK, back), UNVERIFIED, before)
