"""« Types d’activité »: the administrators' list of activity kinds (order,
rental, subscription, registration…), beside the organisation types and the
functions, in the directory's menu.

Each kind has a name, shown everywhere, and a code, what the agency's other
applications send through the API ("order"): a slug, unique whatever its
case (it is stored in lower case). A kind that activities use cannot be
deleted (`directory.actions.delete_list_item` and the database's PROTECT):
the confirmation says so before, and the refusal says why.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList

from ..models import Activity, ActivityKind
from .base import DeleteView, DirectoryViewSet
from .choosers import (
    ListChooseResultsView,
    ListChooseView,
    NoCreationView,
    RecordChooserViewSet,
)


class ActivityKindForm(WagtailAdminModelForm):
    def clean_code(self):
        code = (self.cleaned_data.get("code") or "").strip().lower()
        others = ActivityKind.objects.exclude(pk=self.instance.pk)
        if code and others.filter(code__iexact=code).exists():
            raise ValidationError(
                _("Another activity kind already has this code."), code="duplicate_code"
            )
        return code


def activities_of_kind(kind) -> int:
    return Activity.objects.filter(kind=kind).count()


def in_use_message(kind, count: int) -> str:
    return ngettext(
        "“%(name)s” is the kind of %(count)d recorded activity: it cannot be deleted while "
        "that activity exists. Rename it instead.",
        "“%(name)s” is the kind of %(count)d recorded activities: it cannot be deleted while "
        "they exist. Rename it instead.",
        count,
    ) % {"name": kind, "count": count}


class ActivityKindDeleteView(DeleteView):
    @cached_property
    def activity_count(self) -> int:
        return activities_of_kind(self.object)

    @property
    def confirmation_message(self):
        if self.activity_count:
            return in_use_message(self.object, self.activity_count)
        return super().confirmation_message

    def delete_action(self):
        try:
            super().delete_action()
        except ValidationError as error:
            if getattr(error, "code", None) == "protected":
                raise ValidationError(
                    in_use_message(self.object, activities_of_kind(self.object)),
                    code="protected",
                ) from None
            raise


class ActivityKindChooserViewSet(RecordChooserViewSet):
    """Choose a kind by its name; kinds are created in their listing (a code is needed)."""

    choose_view_class = ListChooseView
    choose_results_view_class = ListChooseResultsView
    create_view_class = NoCreationView


class ActivityKindViewSet(DirectoryViewSet):
    model = ActivityKind
    icon = "list-ul"
    menu_label = gettext_lazy("Activity kinds")
    menu_order = 330  # after the functions
    menu_name = "activity_kinds"
    url_prefix = "directory/activity-kinds"
    add_to_admin_menu = False
    edit_handler = ObjectList(
        [
            FieldPanel("name"),
            FieldPanel(
                "code",
                widget=forms.TextInput(attrs={"autocapitalize": "none", "spellcheck": "false"}),
            ),
        ],
        base_form_class=ActivityKindForm,
    )
    list_display = ["name", "code"]
    search_fields = ["name", "code"]
    ordering = ["name_key"]
    copy_view_enabled = False
    delete_view_class = ActivityKindDeleteView
    chooser_viewset_class = ActivityKindChooserViewSet
