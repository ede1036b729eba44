"""Login lockouts (django-axes): administrators see them and clear them."""

from axes.models import AccessAttempt
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy


class ClearOnlyPermissionPolicy(ModelPermissionPolicy):
    """Lockouts are recorded by django-axes: people may view and clear them only."""

    def user_has_permission(self, user, action):
        if action in ("add", "change"):
            return False
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


class LockoutViewSet(ModelViewSet):
    model = AccessAttempt
    icon = "lock"
    menu_label = _("Login lockouts")
    menu_name = "lockouts"
    add_to_settings_menu = True
    menu_order = 650
    url_prefix = "lockouts"
    name = "lockouts"
    form_fields = ["username"]
    inspect_view_enabled = False
    list_display = [
        Column("username", label=_("Username")),
        Column("ip_address", label=_("IP address")),
        Column("failures_since_start", label=_("Failed attempts")),
        DateColumn("attempt_time", label=_("Last attempt")),
    ]
    search_fields = ["username", "ip_address"]
    ordering = ["-attempt_time"]
    copy_view_enabled = False
