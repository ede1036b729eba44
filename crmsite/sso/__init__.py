"""Single sign-on: OpenID Connect sign-in to the workspace, beside the password.

On only when the environment names a provider (OIDC_ISSUER, OIDC_CLIENT_ID,
OIDC_CLIENT_SECRET: `crmsite.settings.base`); otherwise no URL answers, the
login page shows no button, and mozilla-django-oidc is never imported (only
`views` and `backend` import it, through `urls`).

* `discovery`: the provider's endpoints and signing keys, from its discovery
  document and JWKS, cached; the keys fetched again for an unknown `kid`.
* `backend`: the authorisation-code exchange and the ID token's checks
  (signature, algorithm, issuer, audience, expiry, nonce used once), on top
  of mozilla-django-oidc.
* `accounts`: which account an identity signs in as: the one bound to its
  `sub`, or the only account with its verified e-mail address (then bound);
  never a new one.
* `views`: the redirect to the provider (state, nonce, PKCE S256) and the
  return from it; every refusal is a French message on the login page.
* `policy`: who may still use the password form when an administrator has made
  single sign-on the only way in for staff.
"""

from django.conf import settings


def is_enabled() -> bool:
    return bool(getattr(settings, "SSO_ENABLED", False))


def provider_name() -> str:
    return getattr(settings, "SSO_PROVIDER_NAME", "") or "SSO"
