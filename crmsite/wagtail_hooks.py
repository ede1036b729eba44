from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.models import PageLogEntry

from directory.audit import ChangesFormatter

from . import (
    phone,  # noqa: F401 (its hook: the phone-sized stylesheet)
    workspace,  # noqa: F401 (its hooks: the workspace without the CMS)
)
from .bulk_actions import AssignRoleBulkAction, DeleteUsersBulkAction
from .roles import ROLE_ACTION
from .sso import is_enabled as sso_is_enabled
from .sso.actions import BOUND_ACTION
from .views.lockouts import LockoutViewSet


@hooks.register("register_admin_viewset")
def register_lockouts():
    return LockoutViewSet()


class RoleFormatter(ChangesFormatter):
    """ "Rôle attribué : Rôle : « Équipe » → « Administrateur »"."""

    label = _("Assign role")
    message = _("Role assigned")


@hooks.register("register_log_actions")
def register_role_action(actions):
    actions.register_action(ROLE_ACTION)(RoleFormatter)


@hooks.register("register_log_actions")
def register_sso_action(actions):
    actions.register_action(
        BOUND_ACTION,
        _("Link to a single sign-on identity"),
        _("Linked to a single sign-on identity"),
    )


@hooks.register("construct_settings_menu")
def sign_in_settings_only_with_sso(request, menu_items):
    """*Paramètres → Connexion* (crmsite.models_sso.SignInSettings) means
    nothing while single sign-on is not configured."""
    if not sso_is_enabled():
        menu_items[:] = [item for item in menu_items if item.name != "sign-in"]


@hooks.register("register_log_actions", order=100)
def no_page_history(actions):
    """This workspace has no pages: the site history does not read the page log
    (whose visibility needs a root page, absent from a flushed database)."""
    actions.log_entry_models.discard(PageLogEntry)


# Registered after Wagtail's own (order=10), so that it replaces it.
hooks.register("register_bulk_action", AssignRoleBulkAction, order=10)
hooks.register("register_bulk_action", DeleteUsersBulkAction, order=10)
from . import api_hooks  # noqa: E402, F401  (the API clients screens and log actions)
from .privacy import wagtail_hooks as privacy_hooks  # noqa: E402, F401  (people's rights: RGPD)
