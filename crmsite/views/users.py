"""Wagtail's user screens, with contact details, a role column and our form."""

from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column
from wagtail.users.views import users as wagtail_users

from ..forms import CrmUserCreationForm, CrmUserEditForm
from ..roles import ROLE_CHOICES, role_of

ROLE_LABELS = dict(ROLE_CHOICES)


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


class UserViewSet(wagtail_users.UserViewSet):
    index_view_class = IndexView
    create_template_name = "crmsite/users/create.html"
    edit_template_name = "crmsite/users/edit.html"

    def get_form_class(self, for_update=False):
        return CrmUserEditForm if for_update else CrmUserCreationForm
