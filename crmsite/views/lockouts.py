"""Login lockouts (django-axes): administrators see them and unblock them.

Each entry is an account's failures from one address (crmsite/throttling.py
counts them into three locks). The listing says which locks an entry holds,
with a "Unblock" button on each row; unblocking lifts them, with the other
entries they need (the confirmation says how many). Unblocking is Wagtail's
delete view, worded as what it does.
"""

from axes.models import AccessAttempt
from django.contrib.admin.utils import quote
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy

from directory.views.phrased import PhrasedViewSetMixin

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


PERMISSION_POLICY = ClearOnlyPermissionPolicy(AccessAttempt)

LOCK_LABELS = {
    ACCOUNT_FROM_ADDRESS: gettext_lazy("Account from this address"),
    ADDRESS: gettext_lazy("Address, every account"),
    ACCOUNT: gettext_lazy("Account, every address"),
}


def locks_label(attempt) -> str:
    return ", ".join(str(LOCK_LABELS[lock]) for lock in locks_held(attempt))


def describe_entry(attempt) -> str:
    """ "marie from 203.0.113.7", what an entry stands for."""
    return _("%(username)s from %(address)s") % {
        "username": attempt.username or "—",
        "address": attempt.ip_address or "—",
    }


class UnblockColumn(Column):
    """The row's "Unblock" button, for those who may clear lockouts."""

    cell_template_name = "crmsite/lockouts/unblock_cell.html"

    def __init__(self):
        super().__init__("unblock", label=gettext_lazy("Action"), accessor="pk")

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        request = parent_context.get("request")
        allowed = request is not None and PERMISSION_POLICY.user_has_permission(
            request.user, "delete"
        )
        context["unblock_url"] = (
            reverse("lockouts:delete", args=[quote(instance.pk)]) if allowed else None
        )
        context["entry"] = describe_entry(instance)
        return context


class LockoutIndexView(generic.IndexView):
    page_title = gettext_lazy("Login lockouts")

    def get_base_queryset(self):
        return with_locks(super().get_base_queryset())


class LockoutHistoryView(generic.HistoryView):
    def get_page_subtitle(self):
        return describe_entry(self.object)


class ClearLockoutView(generic.DeleteView):
    """Deleting an entry clears the locks it holds, not only its own failures."""

    page_title = gettext_lazy("Unblock")
    template_name = "crmsite/lockouts/confirm_unblock.html"

    def get_page_subtitle(self):
        return describe_entry(self.object)

    def get_usage_url(self):
        return None  # a lockout is referenced by nothing

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.others = entries_to_clear(self.object).exclude(pk=self.object.pk)

    @property
    def confirmation_message(self):
        message = _("Unblock %(entry)s? Their failed sign-ins are cleared.") % {
            "entry": describe_entry(self.object)
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
        return _("Lockout of %(entry)s lifted.") % {"entry": describe_entry(self.object)}

    def delete_action(self):
        others = list(self.others.values_list("pk", flat=True))
        super().delete_action()
        AccessAttempt.objects.filter(pk__in=others).delete()


class LockoutViewSet(PhrasedViewSetMixin, ModelViewSet):
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
    history_view_class = LockoutHistoryView
    list_display = [
        Column("username", label=gettext_lazy("Username")),
        Column("ip_address", label=gettext_lazy("IP address")),
        Column("failures_since_start", label=gettext_lazy("Failed attempts")),
        Column("locks", label=gettext_lazy("Locks in force"), accessor=locks_label),
        DateColumn("attempt_time", label=gettext_lazy("Last attempt")),
        UnblockColumn(),
    ]
    search_fields = ["username", "ip_address"]
    ordering = ["-attempt_time"]
    copy_view_enabled = False
