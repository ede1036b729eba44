"""Wagtail's group screens, where the three role groups are read-only.

A role's permissions are set by the product (`crmsite.roles`): the
authentication backend grants them whatever the rows say, `sync_roles`
writes them again after every `migrate`, and the role groups can be neither
renamed nor deleted. So their edit page shows what the role holds, and
offers nothing to change; a POST to it changes nothing. Other groups keep
Wagtail's form, without its page, collection, image and document
permission panels: this product has none of those.
"""

from django.contrib import messages
from django.contrib.auth.models import Permission
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from wagtail.users.views import groups as wagtail_groups

from directory.views.phrased import PhrasedViewSetMixin

from ..roles import ADMINISTRATORS, ROLE_GROUPS, role_permission_filter

ACTIONS = {
    "view": pgettext_lazy("permission", "view"),
    "add": pgettext_lazy("permission", "add"),
    "change": pgettext_lazy("permission", "change"),
    "delete": pgettext_lazy("permission", "delete"),
}


def role_permissions(name: str) -> list[tuple[str, list[str]]]:
    """What the role `name` holds, by model: [(model name, [permission names])]."""
    by_model: dict[str, list[str]] = {_("Workspace"): []}
    permissions = (
        Permission.objects.filter(role_permission_filter(name))
        .select_related("content_type")
        .order_by("content_type__app_label", "content_type__model", "codename")
    )
    for permission in permissions:
        action = permission.codename.split("_", 1)[0]
        if action not in ACTIONS:  # access_admin and the like: not about one model
            by_model.setdefault(_("Workspace"), []).append(_(permission.name))
            continue
        model = permission.content_type.model_class()
        label = str(model._meta.verbose_name_plural) if model else permission.content_type.model
        by_model.setdefault(label[:1].upper() + label[1:], []).append(str(ACTIONS[action]))
    return [(label, names) for label, names in by_model.items() if names]


NOTHING_CHANGED = gettext_lazy(
    "The permissions of the role “%(name)s” are set by the product: nothing was changed."
)


class NoCmsPermissionPanelsMixin:
    """No permission panel: Wagtail's are all about pages, collections, images
    and documents; the product's permissions are in the form's own table."""

    @property
    def permission_panel_forms(self):
        return []


class CreateView(NoCmsPermissionPanelsMixin, wagtail_groups.CreateView):
    pass


class EditView(NoCmsPermissionPanelsMixin, wagtail_groups.EditView):
    role_template_name = "wagtailusers/groups/role.html"

    def is_role_group(self) -> bool:
        return self.get_object().name in ROLE_GROUPS

    def get_template_names(self):
        if self.is_role_group():
            return [self.role_template_name]
        return super().get_template_names()

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.is_role_group():
            messages.error(request, NOTHING_CHANGED % {"name": self.object.name})
            return redirect(self.get_edit_url())
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.is_role_group():
            name = self.get_object().name
            context["role_group"] = name
            context["holds_everything"] = name == ADMINISTRATORS
            if name != ADMINISTRATORS:
                context["role_permissions"] = role_permissions(name)
        return context


class GroupViewSet(PhrasedViewSetMixin, wagtail_groups.GroupViewSet):
    add_view_class = CreateView
    edit_view_class = EditView
