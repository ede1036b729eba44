"""The provider's endpoints and signing keys, as its own documents publish them.

mozilla-django-oidc reads every endpoint from a setting; here they come from
the provider's discovery document (`ISSUER/.well-known/openid-configuration`,
OpenID Connect Discovery 1.0), fetched on first use and kept in Django's cache
for OIDC_CACHE_SECONDS, so that every process of the workspace shares one copy
(Redis in production). The document must name the configured issuer exactly
(Discovery §4.3) and give absolute authorisation, token and JWKS addresses.

The signing keys (JWKS) are cached the same way. A token whose `kid` is not in
the cached set makes us fetch the set again, once, before refusing: a provider
that rotates its keys publishes the new one before signing with it.

A provider that does not answer, or answers something else than these
documents, raises `ProviderUnavailable`; nothing is cached then, so the next
sign-in tries again.
"""

import hashlib
import logging
from urllib.parse import urlsplit

import jwt
import requests
from django.conf import settings
from django.core.cache import cache

from .errors import ProviderUnavailable

logger = logging.getLogger(__name__)

WELL_KNOWN = "/.well-known/openid-configuration"
REQUIRED_ENDPOINTS = ("authorization_endpoint", "token_endpoint", "jwks_uri")
OPTIONAL_ENDPOINTS = ("userinfo_endpoint", "end_session_endpoint")
# What we keep of the discovery document.
KEPT = (
    "issuer",
    *REQUIRED_ENDPOINTS,
    *OPTIONAL_ENDPOINTS,
    "token_endpoint_auth_methods_supported",
)
MAX_DOCUMENT_BYTES = 512 * 1024


def issuer() -> str:
    return settings.OIDC_ISSUER


def _cache_key(kind: str) -> str:
    # The issuer is part of the key: changing provider never reads the old one's.
    digest = hashlib.sha256(issuer().encode()).hexdigest()[:16]
    return f"crm-sso:{kind}:{digest}"


def _timeout() -> int:
    return max(60, int(getattr(settings, "OIDC_CACHE_SECONDS", 3600)))


def _get_json(url: str) -> dict:
    try:
        response = requests.get(
            url,
            timeout=getattr(settings, "OIDC_TIMEOUT", 10),
            headers={"Accept": "application/json"},
        )
        response.raise_for_status()
        if len(response.content) > MAX_DOCUMENT_BYTES:
            raise ValueError("document too large")
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        logger.warning("Single sign-on: %s could not be read: %s", url, error)
        raise ProviderUnavailable(url) from error
    if not isinstance(document, dict):
        logger.warning("Single sign-on: %s is not a JSON object", url)
        raise ProviderUnavailable(url)
    return document


def _is_address(value, *, secure: bool) -> bool:
    if not isinstance(value, str) or not value:
        return False
    parts = urlsplit(value)
    schemes = {"https"} if secure else {"https", "http"}
    return parts.scheme in schemes and bool(parts.netloc)


def provider_metadata() -> dict:
    """The provider's endpoints: from the cache, or its discovery document."""
    key = _cache_key("discovery")
    metadata = cache.get(key)
    if isinstance(metadata, dict):
        return metadata
    url = issuer() + WELL_KNOWN
    document = _get_json(url)
    # An issuer served over https must publish https endpoints; a test or
    # development issuer on http (a local Keycloak) may use http ones.
    secure = urlsplit(issuer()).scheme == "https"
    if document.get("issuer") != issuer():
        logger.warning(
            "Single sign-on: %s names the issuer %r, not %r",
            url,
            document.get("issuer"),
            issuer(),
        )
        raise ProviderUnavailable(url)
    for name in REQUIRED_ENDPOINTS:
        if not _is_address(document.get(name), secure=secure):
            logger.warning("Single sign-on: %s has no usable %s", url, name)
            raise ProviderUnavailable(url)
    metadata = {name: document[name] for name in KEPT if name in document}
    for name in OPTIONAL_ENDPOINTS:
        if name in metadata and not _is_address(metadata[name], secure=secure):
            del metadata[name]
    cache.set(key, metadata, _timeout())
    return metadata


def _key_set(*, refresh: bool) -> tuple[list[dict], bool]:
    """The provider's keys, and whether they were just fetched."""
    key = _cache_key("jwks")
    if not refresh:
        keys = cache.get(key)
        if isinstance(keys, list):
            return keys, False
    document = _get_json(provider_metadata()["jwks_uri"])
    keys = [jwk for jwk in document.get("keys") or [] if isinstance(jwk, dict)]
    if not keys:
        logger.warning("Single sign-on: the provider's JWKS holds no key")
        raise ProviderUnavailable(provider_metadata()["jwks_uri"])
    cache.set(key, keys, _timeout())
    return keys, True


def _matching(keys: list[dict], kid, algorithm: str) -> dict | None:
    candidates = [
        jwk
        for jwk in keys
        if jwk.get("use", "sig") == "sig"
        and jwk.get("alg", algorithm) == algorithm
        and (kid is None or jwk.get("kid") == kid)
    ]
    # Without a `kid`, the key must be the only one that fits.
    return candidates[0] if len(candidates) == 1 else None


def signing_key(token: str, algorithm: str) -> jwt.PyJWK:
    """The provider's key that signed `token`, bound to `algorithm`.

    Raises `jwt.InvalidTokenError` when the token's header cannot be read or
    names no key of the provider (after fetching the keys again), and
    `ProviderUnavailable` when the keys cannot be fetched."""
    header = jwt.get_unverified_header(token)
    kid = header.get("kid")
    if kid is not None and not isinstance(kid, str):
        raise jwt.InvalidTokenError("kid is not a string")
    keys, fresh = _key_set(refresh=False)
    found = _matching(keys, kid, algorithm)
    if found is None and not fresh:
        # Maybe the provider rotated its keys since we cached them.
        keys, fresh = _key_set(refresh=True)
        found = _matching(keys, kid, algorithm)
    if found is None:
        raise jwt.InvalidTokenError(f"no key of the provider has the kid {kid!r}")
    try:
        return jwt.PyJWK(found, algorithm=algorithm)
    except jwt.PyJWTError as error:
        raise jwt.InvalidTokenError(f"the provider's key {kid!r} is unusable") from error
