"""Bulk actions in the directory's listings, through `directory.actions`.

Organisations and people go to the trash (the confirmation says what goes
with each); interest centres, kinds and functions are deleted for good,
one action each, so that each deletion is in the audit log.

The selected organisations or people are also exported (CSV or XLSX, as the
listing exports), and organisations tagged with interest centres. Adding
them to a basket is `selections.bulk_actions` (the directory does not know
of baskets).
"""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail import hooks
from wagtail.snippets.bulk_actions.delete import DeleteBulkAction
from wagtail.snippets.bulk_actions.snippet_bulk_action import SnippetBulkAction

from .. import actions
from ..filters import RecordMultipleChoiceField
from ..models import ActivityKind, Function, InterestCentre, Organisation, OrganisationKind, Person


class TrashBulkAction(DeleteBulkAction):
    models = [Organisation, Person]
    aria_label = _("Move the selected records to the trash")
    template_name = "directory/bulk_actions/confirm_bulk_trash.html"

    def object_context(self, snippet):
        return {
            **super().object_context(snippet),
            "moved": actions.describe_trash_summary(actions.trash_summary(snippet)),
        }

    @classmethod
    def execute_action(cls, objects, user=None, **kwargs):
        return actions.trash_records(kwargs["self"].request.user, objects), 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        return ngettext(
            "%(count)d %(model_name)s moved to the trash.",
            "%(count)d %(model_name)s moved to the trash.",
            num_parent_objects,
        ) % {
            "count": num_parent_objects,
            "model_name": capfirst(
                self.model._meta.verbose_name
                if num_parent_objects == 1
                else self.model._meta.verbose_name_plural
            ),
        }


class ListDeleteBulkAction(DeleteBulkAction):
    models = [InterestCentre, OrganisationKind, Function, ActivityKind]

    @classmethod
    def execute_action(cls, objects, user=None, **kwargs):
        user = kwargs["self"].request.user
        deleted = 0
        for item in objects:
            try:
                actions.delete_list_item(user, item)
                deleted += 1
            except ValidationError:
                continue  # in use: kept (its usage is shown on the confirmation)
        return deleted, 0


# --- Actions on a selection of organisations or people ------------------------

MAX_SELECTED = 10_000  # records one bulk action handles at a time


class SelectionBulkAction(SnippetBulkAction):
    """A bulk action on organisations or people ticked in their listing.

    Wagtail reads the ids through the default manager, so records in the
    trash are not among them (`/admin/bulk/...` guards the ids themselves and
    the model permission: `crmsite.views.bulk`). "Select all" means every
    record of the listing, up to MAX_SELECTED. The confirmation names the
    first records only (`items_shown`).
    """

    models = [Organisation, Person]
    permission = "change"
    items_shown = 50

    def dispatch(self, request, *args, **kwargs):
        if not self.permission_policy.user_has_permission(request.user, self.permission):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def check_perm(self, obj):
        return self.permission_policy.user_has_permission_for_instance(
            self.request.user, self.permission, obj
        )

    @cached_property
    def _actionable_objects(self):
        objects, extra = super().get_actionable_objects()
        self.too_many = len(objects) > MAX_SELECTED
        return objects, extra

    def get_actionable_objects(self):
        return self._actionable_objects

    @classmethod
    def get_queryset(cls, model, object_ids):
        found = list(
            model.objects.filter(pk__in=object_ids).order_by("name_key", "pk")[: MAX_SELECTED + 1]
        )
        if not found:
            raise Http404
        return found

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["items_count"] = len(context["items"])
        context["items_hidden"] = max(0, len(context["items"]) - self.items_shown)
        context["items"] = context["items"][: self.items_shown]
        context["too_many"] = self.too_many
        context["max_selected"] = MAX_SELECTED
        return context

    def form_valid(self, form):
        self.get_actionable_objects()
        if self.too_many:
            form.add_error(
                None,
                _("Select at most %(count)s records at a time.") % {"count": MAX_SELECTED},
            )
            return self.form_invalid(form)
        try:
            return super().form_valid(form)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
            return self.form_invalid(form)


class ExportFormatForm(forms.Form):
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[("xlsx", _("Excel workbook (.xlsx)")), ("csv", _("CSV, semicolon-separated"))],
        initial="xlsx",
        widget=forms.RadioSelect,
    )


class ExportSelectionBulkAction(SelectionBulkAction):
    """The selected rows, as the listing's own export writes them."""

    display_name = _("Export the selection")
    action_type = "export"
    aria_label = _("Export the selected records")
    template_name = "directory/bulk_actions/confirm_bulk_export.html"
    action_priority = 20
    permission = "view"
    form_class = ExportFormatForm

    def listing_view(self):
        """The listing's view, as its viewset builds it, to export as it does."""
        viewset = self.model.snippet_viewset
        view_class = viewset.index_view_class
        kwargs = {**viewset.get_common_view_kwargs(), **viewset.get_index_view_kwargs()}
        view = view_class(
            **{
                key: value
                for key, value in kwargs.items()
                if hasattr(view_class, key) and value is not viewset.UNDEFINED
            }
        )
        view.setup(self.request)
        return view

    def form_valid(self, form):
        objects, _extra = self.get_actionable_objects()
        if self.too_many:
            return super().form_valid(form)  # refused there
        view = self.listing_view()
        queryset = view.export_queryset(
            self.model.objects.filter(pk__in=[obj.pk for obj in objects]).order_by("name_key", "pk")
        )
        view.export_filename = f"{view.get_filename()}-selection"
        return view.as_spreadsheet(queryset, form.cleaned_data["format"])


class InterestCentresForm(forms.Form):
    interest_centres = RecordMultipleChoiceField(
        label=_("Interest areas to add"),
        queryset=InterestCentre.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one interest area.")},
    )


class AssignInterestCentresBulkAction(SelectionBulkAction):
    """Add interest areas to the selected organisations (`actions.add_interest_centres`)."""

    models = [Organisation]
    display_name = _("Assign interest areas")
    action_type = "assign_interest_centres"
    aria_label = _("Assign interest areas to the selected organisations")
    template_name = "directory/bulk_actions/confirm_bulk_interest_centres.html"
    action_priority = 30
    form_class = InterestCentresForm

    @classmethod
    def execute_action(cls, objects, user=None, **kwargs):
        self = kwargs["self"]
        centres = self.cleaned_form.cleaned_data["interest_centres"]
        return actions.add_interest_centres(self.request.user, objects, centres), 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        return ngettext(
            "Interest areas added to %(count)d organisation.",
            "Interest areas added to %(count)d organisations.",
            num_parent_objects,
        ) % {"count": num_parent_objects}


# Registered here, as this module is imported by `directory.wagtail_hooks`.
hooks.register("register_bulk_action", ExportSelectionBulkAction)
hooks.register("register_bulk_action", AssignInterestCentresBulkAction)
