"""The writes of single sign-on: binding an account to an identity, and its use.

`bind_identity` is called once per account and provider, at the first
sign-in that found the account by its verified address (`accounts`); it is
recorded in the account's history as the person's own act. A second request
binding the same identity at the same moment finds the first one's row.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from wagtail.log_actions import log

BOUND_ACTION = "crmsite.sso_bound"


def bind_identity(user, *, issuer: str, subject: str):
    from crmsite.models import SingleSignOnIdentity

    from .errors import SignInRefused

    try:
        with transaction.atomic():
            identity = SingleSignOnIdentity.objects.create(
                user=user, issuer=issuer, subject=subject, last_used_at=timezone.now()
            )
            log(
                instance=user,
                action=BOUND_ACTION,
                user=user,
                data={"issuer": issuer, "subject": subject},
            )
    except IntegrityError:
        # Bound meanwhile by a concurrent sign-in: to this identity, or not.
        identity = SingleSignOnIdentity.objects.filter(issuer=issuer, subject=subject).first()
        if identity is None or identity.user_id != user.pk:
            raise SignInRefused("bound_elsewhere") from None
    return identity


def record_sign_in(identity) -> None:
    type(identity).objects.filter(pk=identity.pk).update(last_used_at=timezone.now())
