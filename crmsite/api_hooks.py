"""The API's place in the workspace: « Clients de l’API » in the Settings menu
(administrators) and the audit-log actions of API clients."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from . import actions
from .models import ApiClient
from .views.api_clients import ApiClientPolicy, ApiClientViewSet

register_permission_policy(ApiClient, ApiClientPolicy(ApiClient))

LOG_ACTIONS = {
    actions.CREATE_ACTION: (_("Create API client"), _("API client created")),
    actions.EDIT_ACTION: (_("Edit API client"), _("API client edited")),
    actions.RENEW_ACTION: (_("Renew API token"), _("API token renewed")),
    actions.REVOKE_ACTION: (_("Revoke API client"), _("API client revoked")),
}


@hooks.register("register_admin_viewset")
def register_api_clients():
    return ApiClientViewSet("crmsite_api_clients", url_prefix="api-clients")


@hooks.register("register_log_actions")
def register_api_client_actions(registry):
    for action, (label, message) in LOG_ACTIONS.items():
        registry.register_action(action, label, message)
