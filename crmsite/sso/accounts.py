"""Which account an identity of the provider signs in as; never a new one.

Nobody signs up (DESIGN.md, Roles): single sign-on only opens existing
accounts. In this order:

1. The account bound to the identity (`iss`, `sub`) signs in, if it is still
   active and may enter the workspace. The e-mail address is not looked at
   again: either side may change it.
2. Otherwise the identity must carry an e-mail address that the provider has
   verified (`email_verified` true), and exactly one account, active or not,
   must have that address (ignoring case). Two accounts with the address are
   ambiguous: refused until an administrator gives each its own. That
   account is then bound to the identity (`actions.bind_identity`), unless it
   is already bound to another identity of the same provider (the address
   moved from one person to another at the provider: refused).

Every refusal is a `SignInRefused`, raised before anything is written.
"""

import logging

from django.contrib.auth import get_user_model

from .errors import SignInRefused

logger = logging.getLogger(__name__)

MAX_CLAIM_LENGTH = 254


def _text_claim(claims: dict, name: str) -> str | None:
    value = claims.get(name)
    if not isinstance(value, str):
        return None
    value = value.strip()
    # A NUL cannot be stored or compared by PostgreSQL; an overlong value is no
    # identifier nor address of ours.
    if not value or "\x00" in value or len(value) > MAX_CLAIM_LENGTH:
        return None
    return value


def email_is_verified(claims: dict) -> bool:
    verified = claims.get("email_verified")
    # Some providers send the JSON string "true" rather than the boolean.
    return verified is True or (isinstance(verified, str) and verified.lower() == "true")


def _refuse(reason: str, subject, **details):
    logger.warning("Single sign-on refused (%s) for the subject %r", reason, subject)
    return SignInRefused(reason, **details)


def _check_may_enter(user, subject):
    if not user.is_active:
        raise _refuse("inactive", subject)
    if not user.has_perm("wagtailadmin.access_admin"):
        raise _refuse("no_access", subject)


def account_for_claims(issuer: str, claims: dict):
    from crmsite.models import SingleSignOnIdentity

    from .actions import bind_identity, record_sign_in

    subject = _text_claim(claims, "sub")
    if subject is None:
        raise _refuse("invalid_answer", claims.get("sub"))

    identity = (
        SingleSignOnIdentity.objects.select_related("user")
        .filter(issuer=issuer, subject=subject)
        .first()
    )
    if identity is not None:
        _check_may_enter(identity.user, subject)
        record_sign_in(identity)
        return identity.user

    if "email" in claims and not isinstance(claims["email"], str):
        raise _refuse("invalid_answer", subject)
    email = _text_claim(claims, "email")
    if email is None:
        raise _refuse("no_email", subject)
    if not email_is_verified(claims):
        raise _refuse("unverified_email", subject, email=email)

    users = list(get_user_model().objects.filter(email__iexact=email).order_by("pk")[:2])
    if not users:
        raise _refuse("unknown_account", subject, email=email)
    if len(users) > 1:
        raise _refuse("shared_email", subject, email=email)
    user = users[0]
    _check_may_enter(user, subject)
    if SingleSignOnIdentity.objects.filter(user=user, issuer=issuer).exists():
        raise _refuse("bound_elsewhere", subject)
    return bind_identity(user, issuer=issuer, subject=subject).user
