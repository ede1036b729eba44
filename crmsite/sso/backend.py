"""The code exchange and the ID token's checks, on top of mozilla-django-oidc.

mozilla-django-oidc 5 posts the code (with the PKCE verifier) to the token
endpoint, fetches the userinfo and compares the nonce; but it reads its
endpoints from settings, fetches the JWKS on every sign-in, and decodes the
ID token without checking its audience or issuer. `TokenVerifier` keeps the
library's exchange and replaces the rest:

* endpoints and keys from the provider's discovery (`discovery`);
* the signature with the provider's key for the token's `kid`, with the one
  algorithm configured (OIDC_SIGN_ALGO, RS256): `none`, HS256 signed with the
  client secret or any other algorithm are refused;
* `iss` equal to the issuer, `aud` holding the client id (and `azp` naming it
  when there are several audiences), `exp`, `iat` and `sub` present, the token
  unexpired (a minute of clock skew allowed);
* the nonce equal to the one of this sign-in, and used once: a second token
  with the same nonce is refused, even in a race between two tabs.

It is not one of AUTHENTICATION_BACKENDS: the callback view calls it, then
signs the account in with the workspace's own backend, so that a password
sign-in can never reach the provider, and sessions stay the ordinary ones.
"""

import hashlib
import logging
import time

import jwt
import requests
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from . import discovery
from .accounts import account_for_claims
from .errors import ProviderUnavailable, SignInRefused

logger = logging.getLogger(__name__)

CLOCK_SKEW_SECONDS = 60
REQUIRED_CLAIMS = ["iss", "aud", "exp", "iat", "sub"]
MAX_CODE_LENGTH = 4096


class TokenVerifier(OIDCAuthenticationBackend):
    def __init__(self):
        # Not the library's __init__, which reads the endpoints from settings.
        from django.contrib.auth import get_user_model

        self.UserModel = get_user_model()
        self.metadata = discovery.provider_metadata()
        self.issuer = discovery.issuer()
        self.OIDC_OP_TOKEN_ENDPOINT = self.metadata["token_endpoint"]
        self.OIDC_OP_USER_ENDPOINT = self.metadata.get("userinfo_endpoint")
        self.OIDC_OP_JWKS_ENDPOINT = self.metadata["jwks_uri"]
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None

    def get_settings(self, attr, *args):
        if attr == "OIDC_TOKEN_USE_BASIC_AUTH":
            # client_secret_basic, the default of OpenID Connect, unless the
            # provider says it only takes the secret in the posted form.
            methods = self.metadata.get("token_endpoint_auth_methods_supported")
            if isinstance(methods, list) and methods:
                return "client_secret_basic" in methods or "client_secret_post" not in methods
            return True
        return super().get_settings(attr, *args)

    # --- the library's hooks -------------------------------------------------

    def retrieve_matching_jwk(self, token):
        return discovery.signing_key(token, self.OIDC_RP_SIGN_ALGO)

    def get_payload_data(self, token, key):
        # Never the library's unsigned-token allowance.
        return self._verify_jws(token, key)

    def _verify_jws(self, payload, key):
        claims = jwt.decode(
            payload,
            key,
            algorithms=[self.OIDC_RP_SIGN_ALGO],
            audience=self.OIDC_RP_CLIENT_ID,
            issuer=self.issuer,
            leeway=CLOCK_SKEW_SECONDS,
            options={"require": REQUIRED_CLAIMS},
        )
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        azp = claims.get("azp")
        if (len(audiences) > 1 or azp is not None) and azp != self.OIDC_RP_CLIENT_ID:
            raise jwt.InvalidAudienceError("azp is not this client")
        return claims

    def verify_token(self, token, **kwargs):
        if not isinstance(token, str) or not token:
            raise jwt.InvalidTokenError("no ID token")
        claims = super().verify_token(token, **kwargs)
        nonce = kwargs.get("nonce")
        if nonce:
            # The session gives each nonce once; this holds across sessions,
            # processes and concurrent requests too.
            digest = hashlib.sha256(str(nonce).encode()).hexdigest()
            lifetime = max(int(claims["exp"] - time.time()), 0) + 2 * CLOCK_SKEW_SECONDS
            if not cache.add(f"crm-sso:nonce:{digest}", 1, lifetime):
                raise SuspiciousOperation("nonce already used")
        return claims

    # --- the sign-in ---------------------------------------------------------

    def sign_in(self, request, code: str, nonce: str, code_verifier: str | None):
        """The account that this authorisation code signs in, or SignInRefused."""
        self.request = request
        if not code or len(code) > MAX_CODE_LENGTH:
            raise SignInRefused("invalid_answer")
        from django.urls import reverse
        from mozilla_django_oidc.utils import absolutify

        payload = {
            "client_id": self.OIDC_RP_CLIENT_ID,
            "client_secret": self.OIDC_RP_CLIENT_SECRET,
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": absolutify(request, reverse(settings.OIDC_AUTHENTICATION_CALLBACK_URL)),
        }
        if code_verifier:
            payload["code_verifier"] = code_verifier
        try:
            tokens = self.get_token(payload)
        except requests.HTTPError as error:
            status = error.response.status_code if error.response is not None else None
            logger.warning("Single sign-on: the token endpoint answered %s", status)
            # 4xx: the provider refuses this code (used, expired, not ours).
            reason = "invalid_answer" if status and status < 500 else "unavailable"
            raise SignInRefused(reason) from error
        except (requests.RequestException, ValueError) as error:
            logger.warning("Single sign-on: the token endpoint could not be read: %s", error)
            raise SignInRefused("unavailable") from error
        if not isinstance(tokens, dict):
            raise SignInRefused("invalid_answer")

        try:
            claims = self.verify_token(tokens.get("id_token"), nonce=nonce)
        except ProviderUnavailable as error:
            raise SignInRefused("unavailable") from error
        except (jwt.PyJWTError, SuspiciousOperation, ValueError, TypeError) as error:
            logger.warning("Single sign-on: ID token refused: %s", error)
            raise SignInRefused("invalid_answer") from error

        if "email" not in claims:
            claims = {**claims, **self.email_from_userinfo(tokens.get("access_token"), claims)}
        return account_for_claims(self.issuer, claims)

    def email_from_userinfo(self, access_token, id_claims: dict) -> dict:
        """The e-mail address and whether it is verified, from the userinfo
        endpoint, for a provider whose ID token leaves them out. Its `sub`
        must be the ID token's (Core §5.3.2)."""
        if not self.OIDC_OP_USER_ENDPOINT or not isinstance(access_token, str):
            return {}
        try:
            info = self.get_userinfo(access_token, None, id_claims)
        except requests.RequestException as error:
            logger.warning("Single sign-on: the userinfo endpoint could not be read: %s", error)
            raise SignInRefused("unavailable") from error
        except (jwt.PyJWTError, SuspiciousOperation, ValueError, TypeError) as error:
            logger.warning("Single sign-on: userinfo refused: %s", error)
            raise SignInRefused("invalid_answer") from error
        if not isinstance(info, dict) or info.get("sub") != id_claims["sub"]:
            logger.warning("Single sign-on: userinfo names another subject")
            raise SignInRefused("invalid_answer")
        return {name: info[name] for name in ("email", "email_verified") if name in info}
