"""Login lockouts (django-axes): administrators see them and clear them.

Each entry is an account's failures from one address (crmsite/throttling.py
counts them into three locks). The listing says which locks an entry holds;
clearing it lifts them, with the other entries they need (the confirmation
says how many).
"""

from axes.models import AccessAttempt
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy

from ..throttling import (
    ACCOUNT,
    ACCOUNT_FROM_ADDRESS,
    ADDRESS,
    entries_to_clear,
    locks_held,
    with_locks,
)


class ClearOnlyPermissionPolicy(ModelPermissionPolicy):
    """Lockouts are recorded by django-axes: people may view and clear them only."""

    def user_has_permission(self, user, action):
        if action in ("add", "change"):
            return False
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


LOCK_LABELS = {
    ACCOUNT_FROM_ADDRESS: gettext_lazy("Account from this address"),
    ADDRESS: gettext_lazy("Address, every account"),
    ACCOUNT: gettext_lazy("Account, every address"),
}


def locks_label(attempt) -> str:
    return ", ".join(str(LOCK_LABELS[lock]) for lock in locks_held(attempt))


class LockoutIndexView(generic.IndexView):
    def get_base_queryset(self):
        return with_locks(super().get_base_queryset())


class ClearLockoutView(generic.DeleteView):
    """Deleting an entry clears the locks it holds, not only its own failures."""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.others = entries_to_clear(self.object).exclude(pk=self.object.pk)

    @property
    def confirmation_message(self):
        message = _("Clear the failed sign-ins of %(username)s from %(address)s?") % {
            "username": self.object.username or "—",
            "address": self.object.ip_address or "—",
        }
        others = self.others.count()
        if others:
            message += " " + ngettext(
                "This also clears %(count)d other entry, which the same lock counts.",
                "This also clears %(count)d other entries, which the same locks count.",
                others,
            ) % {"count": others}
        return message

    def get_success_message(self):
        return _("Lockout cleared.")

    def delete_action(self):
        others = list(self.others.values_list("pk", flat=True))
        super().delete_action()
        AccessAttempt.objects.filter(pk__in=others).delete()


class LockoutViewSet(ModelViewSet):
    model = AccessAttempt
    icon = "lock"
    menu_label = gettext_lazy("Login lockouts")
    menu_name = "lockouts"
    add_to_settings_menu = True
    menu_order = 650
    url_prefix = "lockouts"
    name = "lockouts"
    form_fields = ["username"]
    inspect_view_enabled = False
    index_view_class = LockoutIndexView
    delete_view_class = ClearLockoutView
    list_display = [
        Column("username", label=gettext_lazy("Username")),
        Column("ip_address", label=gettext_lazy("IP address")),
        Column("failures_since_start", label=gettext_lazy("Failed attempts")),
        Column("locks", label=gettext_lazy("Locks in force"), accessor=locks_label),
        DateColumn("attempt_time", label=gettext_lazy("Last attempt")),
    ]
    search_fields = ["username", "ip_address"]
    ordering = ["-attempt_time"]
    copy_view_enabled = False
