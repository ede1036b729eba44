"""Who may sign in with a password, when single sign-on is the way in for staff.

An administrator may tick *Paramètres → Connexion → Connexion unique
obligatoire pour l’équipe* (`crmsite.models_sso.SignInSettings`). Then the
password form refuses staff accounts (and any account without a role) with a
message that points to the provider's button. It still opens:

* administrators (and superusers): their password is the way in when the
  provider is down or misconfigured, the break-glass that keeps the
  workspace administrable;
* clients: external people, who have no account at the agency's provider.

Without single sign-on configured, the setting has no effect: nobody could
sign in otherwise.
"""

from crmsite.roles import ROLE_ADMINISTRATOR, ROLE_CLIENT, role_of

from . import is_enabled


def sso_only_for_staff(request=None) -> bool:
    if not is_enabled():
        return False
    from crmsite.models import SignInSettings

    return SignInSettings.load(request_or_site=request).sso_only_for_staff


def password_sign_in_allowed(user, request=None) -> bool:
    if user.is_superuser or role_of(user) in (ROLE_ADMINISTRATOR, ROLE_CLIENT):
        return True
    return not sso_only_for_staff(request)
