"""Wagtail's user screens, with contact details, a role column and our form.

Deleting a user deletes their saved searches and baskets too (the model layer
does it, see `crmsite.models`); both confirmations, the user's and the bulk
one (`crmsite.bulk_actions`), say which, and how many colleagues' baskets lose
their steps on them.
"""

from django.utils.functional import cached_property
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column
from wagtail.users.views import users as wagtail_users

from directory.views.phrased import PhrasedViewSetMixin
from selections.owners import OwnedSelections, selections_owned_by

from ..forms import CrmUserCreationForm, CrmUserEditForm
from ..roles import ROLE_CHOICES, assign_role, role_of

ROLE_LABELS = dict(ROLE_CHOICES)
NAMES_SHOWN = 20


def quoted_names(names: list[str]) -> str:
    shown = [gettext("“%(name)s”") % {"name": name} for name in names[:NAMES_SHOWN]]
    text = ", ".join(shown)
    if len(names) > NAMES_SHOWN:
        more = len(names) - NAMES_SHOWN
        text += ngettext(" and %(count)d more", " and %(count)d more", more) % {"count": more}
    return text


def describe_owned(owned: OwnedSelections) -> list[str]:
    """What goes with the user: their searches and baskets, named where the
    reader may see them, counted where they are private."""
    lines = []
    searches = len(owned.searches) + owned.hidden_searches
    if searches:
        lines.append(
            ngettext(
                "Their saved search will be deleted.",
                "Their %(count)d saved searches will be deleted.",
                searches,
            )
            % {"count": searches}
        )
    baskets = len(owned.baskets) + owned.hidden_baskets
    if baskets:
        lines.append(
            ngettext(
                "Their basket will be deleted.",
                "Their %(count)d baskets will be deleted.",
                baskets,
            )
            % {"count": baskets}
        )
    shown = owned.searches + owned.baskets
    if shown:
        lines.append(gettext("Shared with you: %(names)s.") % {"names": quoted_names(shown)})
    hidden = owned.hidden_searches + owned.hidden_baskets
    if hidden:
        lines.append(
            ngettext(
                "%(count)d of them is private: its name is not shown.",
                "%(count)d of them are private: their names are not shown.",
                hidden,
            )
            % {"count": hidden}
        )
    return lines


def describe_colleague_baskets(count: int) -> str:
    if not count:
        return ""
    return ngettext(
        "%(count)d basket of a colleague uses them: a step that adds them is removed; a "
        "step that keeps or removes their rows stops that basket until its owner replaces it.",
        "%(count)d baskets of colleagues use them: a step that adds them is removed; a "
        "step that keeps or removes their rows stops that basket until its owner replaces it.",
        count,
    ) % {"count": count}


class IndexView(wagtail_users.IndexView):
    @cached_property
    def columns(self):
        columns = [c for c in super().columns if c.name != "is_superuser"]
        role = Column(
            "role",
            accessor=lambda user: ROLE_LABELS.get(role_of(user), "—"),
            label=_("Role"),
            width="12%",
        )
        job = Column("job_title", label=_("Job title"), width="15%")
        return columns[:3] + [job, role] + columns[3:]

    def get_base_queryset(self):
        return super().get_base_queryset().prefetch_related("groups")


class RoleMixin:
    """The role chosen on the form is assigned through `crmsite.roles.assign_role`,
    as the user of the request, in the transaction that saves the user."""

    def save_instance(self):
        user = super().save_instance()
        assign_role(self.request.user, user, self.form.cleaned_data["role"])
        return user


class CreateView(RoleMixin, wagtail_users.CreateView):
    pass


class EditView(RoleMixin, wagtail_users.EditView):
    pass


class DeleteView(wagtail_users.DeleteView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        owned = selections_owned_by(self.object, viewer=self.request.user)
        context["owned_selections"] = describe_owned(owned)
        context["colleague_baskets"] = describe_colleague_baskets(owned.colleague_baskets)
        return context


class UserViewSet(PhrasedViewSetMixin, wagtail_users.UserViewSet):
    index_view_class = IndexView
    add_view_class = CreateView
    edit_view_class = EditView
    delete_view_class = DeleteView
    create_template_name = "crmsite/users/create.html"
    edit_template_name = "crmsite/users/edit.html"
    delete_template_name = "crmsite/users/confirm_delete.html"

    def get_form_class(self, for_update=False):
        return CrmUserEditForm if for_update else CrmUserCreationForm
