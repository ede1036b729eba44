"""User bulk actions: "Assign role" (one role per user, replacing the previous
one, through `crmsite.roles.assign_roles`), and "Delete", whose confirmation
names the searches and baskets that go with each user."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.users.utils import change_user_perm
from wagtail.users.views.bulk_actions.delete import DeleteBulkAction
from wagtail.users.views.bulk_actions.user_bulk_action import UserBulkAction

from selections.owners import selections_owned_by

from .roles import ROLE_CHOICES, assign_roles
from .views.users import describe_colleague_baskets, describe_owned


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES, widget=forms.RadioSelect)


class AssignRoleBulkAction(UserBulkAction):
    display_name = _("Assign role")
    action_type = "assign_role"
    aria_label = _("Assign a role to the selected users")
    template_name = "wagtailusers/bulk_actions/confirm_bulk_assign_role.html"
    action_priority = 30
    form_class = RoleForm

    def check_perm(self, obj):
        return self.request.user.has_perm(change_user_perm)

    def get_execution_context(self):
        return {"role": self.cleaned_form.cleaned_data["role"], "actor": self.request.user}

    @classmethod
    def execute_action(cls, objects, role=None, actor=None, **kwargs):
        users = list(objects)
        assign_roles(actor, users, role)  # all or nothing; the last administrator stays
        return len(users), 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        role = dict(ROLE_CHOICES)[self.cleaned_form.cleaned_data["role"]]
        return ngettext(
            "%(count)d user now has the role %(role)s.",
            "%(count)d users now have the role %(role)s.",
            num_parent_objects,
        ) % {"count": num_parent_objects, "role": role}


class DeleteUsersBulkAction(DeleteBulkAction):
    """Wagtail's bulk delete; its confirmation lists, under each user, the
    searches and baskets deleted with them. The deletion itself is the
    model layer's (`crmsite.models.UserQuerySet.delete`)."""

    template_name = "crmsite/users/confirm_bulk_delete.html"

    def object_context(self, obj):
        return {
            **super().object_context(obj),
            "owned_selections": describe_owned(selections_owned_by(obj, viewer=self.request.user)),
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        users = [item["item"] for item in context["items"]]
        owned = selections_owned_by(users, viewer=self.request.user)
        context["colleague_baskets"] = describe_colleague_baskets(owned.colleague_baskets)
        return context
