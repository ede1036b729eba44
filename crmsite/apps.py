from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from wagtail.users.apps import WagtailUsersAppConfig


class CrmSiteConfig(AppConfig):
    name = "crmsite"
    label = "crmsite"
    verbose_name = _("Workspace")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from axes.models import AccessAttempt
        from django.contrib.auth import get_user_model
        from wagtail.permissions import register_permission_policy

        from . import signals  # noqa: F401
        from .phrases import register_workspace_phrases
        from .privacy import signals as privacy_signals  # noqa: F401
        from .views.lockouts import ClearOnlyPermissionPolicy

        register_workspace_phrases(get_user_model())

        register_permission_policy(AccessAttempt, ClearOnlyPermissionPolicy(AccessAttempt))


class CrmUsersAppConfig(WagtailUsersAppConfig):
    """Wagtail's user screens, with our user form (contact details and role),
    and its group screens, where the role groups are read-only."""

    user_viewset = "crmsite.views.users.UserViewSet"
    group_viewset = "crmsite.views.groups.GroupViewSet"
