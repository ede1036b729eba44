"""A fake OpenID Connect provider, speaking the real protocol's shapes over `responses`.

It publishes a discovery document and a JWKS, checks what a real provider
checks at its token endpoint (the code, once; the redirect URI; the PKCE
verifier against the S256 challenge; the client's secret, in basic auth),
and answers with an ID token signed in RS256 by its current key, for the
identity it is told to sign in. Tests change what it signs (`claims`,
`header`, `signing_key`) to play a broken or hostile provider, and rotate its
keys (`rotate`).
"""

import base64
import functools
import hashlib
import json
import secrets
import time
from urllib.parse import parse_qs, urlsplit

import jwt
import responses
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

ISSUER = "https://idp.agence-culture.test/realms/agence"
CLIENT_ID = "crm-culture"
CLIENT_SECRET = "client-secret-of-the-tests"
PROVIDER_NAME = "Agence Connect"

DISCOVERY_URL = ISSUER + "/.well-known/openid-configuration"
AUTHORIZE_URL = ISSUER + "/protocol/openid-connect/auth"
TOKEN_URL = ISSUER + "/protocol/openid-connect/token"
USERINFO_URL = ISSUER + "/protocol/openid-connect/userinfo"
JWKS_URL = ISSUER + "/protocol/openid-connect/certs"

SSO_SETTINGS = {
    "SSO_ENABLED": True,
    "OIDC_ISSUER": ISSUER,
    "OIDC_RP_CLIENT_ID": CLIENT_ID,
    "OIDC_RP_CLIENT_SECRET": CLIENT_SECRET,
    "SSO_PROVIDER_NAME": PROVIDER_NAME,
}


@functools.cache
def rsa_key(name: str):
    """An RSA key pair made for these tests (one per name, once per run)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_jwk(kid: str, key) -> dict:
    jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    return {**jwk, "kid": kid, "use": "sig", "alg": "RS256"}


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


class FakeProvider:
    def __init__(self, mock: responses.RequestsMock):
        self.mock = mock
        self.kid = "key-2026-a"
        self.published = {self.kid: rsa_key("a")}
        self.signing_key = None  # None: the published key of `kid`
        self.grants: dict[str, dict] = {}
        self.identity = {"sub": "f3c1a9e0-agence-0001", "email": "", "email_verified": True}
        self.userinfo: dict | None = None  # the userinfo endpoint's answer (None: from identity)
        self.claims: dict = {}  # overrides of the next ID tokens' claims
        self.header: dict = {}  # overrides of their header
        self.calls = {"discovery": 0, "jwks": 0, "token": 0, "userinfo": 0}
        self.issued_tokens: list[str] = []
        mock.add_callback(responses.GET, DISCOVERY_URL, callback=self._discovery)
        mock.add_callback(responses.GET, JWKS_URL, callback=self._jwks)
        mock.add_callback(responses.POST, TOKEN_URL, callback=self._token)
        mock.add_callback(responses.GET, USERINFO_URL, callback=self._userinfo)

    # --- what the provider publishes -----------------------------------------

    def document(self) -> dict:
        return {
            "issuer": ISSUER,
            "authorization_endpoint": AUTHORIZE_URL,
            "token_endpoint": TOKEN_URL,
            "userinfo_endpoint": USERINFO_URL,
            "jwks_uri": JWKS_URL,
            "end_session_endpoint": ISSUER + "/protocol/openid-connect/logout",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "scopes_supported": ["openid", "email", "profile"],
        }

    def _discovery(self, request):
        self.calls["discovery"] += 1
        return 200, {"Content-Type": "application/json"}, json.dumps(self.document())

    def _jwks(self, request):
        self.calls["jwks"] += 1
        keys = [public_jwk(kid, key) for kid, key in self.published.items()]
        return 200, {"Content-Type": "application/json"}, json.dumps({"keys": keys})

    def rotate(self, kid: str, key_name: str, *, keep_old: bool = False):
        """Publish a new key and sign with it from now on."""
        if not keep_old:
            self.published = {}
        self.published[kid] = rsa_key(key_name)
        self.kid = kid

    # --- the authorisation endpoint (the browser's side) ---------------------

    def authorize(self, location: str) -> dict:
        """What the user's browser does at the provider: the request is read
        as a provider would, the user is signed in as `identity`, and the
        browser is sent back with a code. Returns the callback's query."""
        parts = urlsplit(location)
        assert f"{parts.scheme}://{parts.netloc}{parts.path}" == AUTHORIZE_URL
        query = {name: values[0] for name, values in parse_qs(parts.query).items()}
        assert query["response_type"] == "code"
        assert query["client_id"] == CLIENT_ID
        assert "openid" in query["scope"].split()
        assert query["code_challenge_method"] == "S256"
        assert len(query["state"]) >= 32
        assert len(query["nonce"]) >= 32
        code = secrets.token_urlsafe(24)
        self.grants[code] = {
            "nonce": query["nonce"],
            "challenge": query["code_challenge"],
            "redirect_uri": query["redirect_uri"],
            "identity": dict(self.identity),
        }
        self.last_request = query
        return {"code": code, "state": query["state"]}

    # --- the token endpoint (the workspace's side) ---------------------------

    def _token(self, request):
        self.calls["token"] += 1
        form = {name: values[0] for name, values in parse_qs(request.body).items()}
        expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if request.headers.get("Authorization") != expected:
            return 401, {}, json.dumps({"error": "invalid_client"})
        grant = self.grants.pop(form.get("code"), None)  # a code serves once
        if (
            form.get("grant_type") != "authorization_code"
            or grant is None
            or form.get("redirect_uri") != grant["redirect_uri"]
            or s256(form.get("code_verifier", "")) != grant["challenge"]
        ):
            return 400, {}, json.dumps({"error": "invalid_grant"})
        id_token = self.id_token(grant["nonce"], grant["identity"])
        self.issued_tokens.append(id_token)
        body = {
            "access_token": "access-" + secrets.token_urlsafe(16),
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": id_token,
        }
        return 200, {"Content-Type": "application/json"}, json.dumps(body)

    def id_token(self, nonce: str, identity: dict) -> str:
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": CLIENT_ID,
            "azp": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "auth_time": now,
            "nonce": nonce,
            **{name: value for name, value in identity.items() if value != ""},
            **self.claims,
        }
        claims = {name: value for name, value in claims.items() if value is not None}
        key = self.signing_key or self.published[self.kid]
        headers = {"kid": self.kid, **self.header}
        return jwt.encode(claims, key, algorithm="RS256", headers=headers)

    def _userinfo(self, request):
        self.calls["userinfo"] += 1
        body = self.userinfo if self.userinfo is not None else self.identity
        return 200, {"Content-Type": "application/json"}, json.dumps(body)


# --- the browser's journey ---------------------------------------------------

LOGIN_PAGE = "/admin/login/"
START = "/sso/login/"
CALLBACK = "/sso/callback/"


def sign_in(browser, provider: FakeProvider, *, next_url: str | None = None):
    """The whole journey through the real views: the login page's button, the
    provider's page (`authorize`), and back to the workspace's callback.
    Returns the callback's response."""
    start = browser.get(START, {"next": next_url} if next_url else {})
    assert start.status_code == 302, start
    back = provider.authorize(start["Location"])
    return browser.get(CALLBACK, back)


def page_after(browser, response) -> str:
    """The page a redirect leads to, as the browser would show it."""
    assert response.status_code == 302, response
    return browser.get(response["Location"]).content.decode()


def signed_in_user_id(browser):
    return browser.session.get("_auth_user_id")


def state_of_the_workspace():
    """What a refused sign-in must leave as it was: the accounts, their
    bindings, their last sign-ins and the audit log."""
    from django.contrib.auth import get_user_model
    from wagtail.models import ModelLogEntry

    from crmsite.models import SingleSignOnIdentity

    users = list(
        get_user_model()
        .objects.order_by("pk")
        .values_list("pk", "username", "email", "is_active", "last_login")
    )
    identities = list(
        SingleSignOnIdentity.objects.order_by("pk").values_list(
            "user_id", "issuer", "subject", "last_used_at"
        )
    )
    return users, identities, ModelLogEntry.objects.count()


def assert_refused(browser, response, message: str, before) -> str:
    """The sign-in came back to the login page with `message`, signed nobody
    in and changed nothing. Returns the login page shown."""
    assert response.status_code == 302, response
    assert response["Location"].startswith(LOGIN_PAGE), response["Location"]
    assert signed_in_user_id(browser) is None
    page = page_after(browser, response)
    assert message in page, page
    assert signed_in_user_id(browser) is None
    assert state_of_the_workspace() == before
    return page
