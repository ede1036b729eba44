"""Why a single sign-on was refused, in the words shown on the login page.

Every refusal is one `SignInRefused` with a reason; the view shows its
message and signs nobody in. The reasons are also what the log records
(never a token or a secret).
"""

from django.utils.translation import gettext


class ProviderUnavailable(Exception):
    """The provider's discovery document, keys or token endpoint cannot be read."""


REASONS = {
    "unavailable": lambda **kw: gettext(
        "The identity provider cannot be reached at the moment. Try again in a few minutes."
    ),
    "request_expired": lambda **kw: gettext(
        "This sign-in request has expired or has already been used. Start again from the "
        "sign-in page."
    ),
    "provider_refused": lambda **kw: gettext(
        "The identity provider did not confirm your sign-in. Nobody was signed in."
    ),
    "invalid_answer": lambda **kw: gettext(
        "The identity provider's answer could not be verified. Nobody was signed in."
    ),
    "no_email": lambda **kw: gettext(
        "Your identity provider did not give an e-mail address: your account cannot be "
        "found. Ask an administrator."
    ),
    "unverified_email": lambda **kw: (
        gettext(
            "Your identity provider has not verified the address %(email)s: it cannot be used "
            "to find your account. Ask an administrator."
        )
        % kw
    ),
    "unknown_account": lambda **kw: (
        gettext(
            "No account of the workspace uses the address %(email)s. Accounts are created by "
            "the administrators: ask one of them."
        )
        % kw
    ),
    "shared_email": lambda **kw: (
        gettext(
            "Several accounts of the workspace use the address %(email)s. An administrator must "
            "give each its own address before you can sign in this way."
        )
        % kw
    ),
    "inactive": lambda **kw: gettext("This account is deactivated. Ask an administrator."),
    "no_access": lambda **kw: gettext(
        "This account has no access to the workspace. Ask an administrator."
    ),
    "bound_elsewhere": lambda **kw: gettext(
        "This account is already linked to another identity at the provider. Ask an administrator."
    ),
}


class SignInRefused(Exception):
    def __init__(self, reason: str, **details):
        assert reason in REASONS, reason
        super().__init__(reason)
        self.reason = reason
        self.details = details

    @property
    def message(self) -> str:
        return REASONS[self.reason](**self.details)
