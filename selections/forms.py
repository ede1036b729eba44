"""Forms of the selections screens. The rules themselves live in the models
and in `selections.criteria`; these forms only carry input to them."""

import json

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from directory.ids import is_record_id

from .actions import MAX_STEPS, staff_groups, staff_users
from .capacity import parse_row_key
from .columns import DEFAULT_EXPORT_COLUMNS, EXPORT_COLUMNS
from .criteria import MAX_JSON_CHARS, TARGETS, CriteriaError, parse
from .models import Basket, SavedSearch


class CriteriaField(forms.CharField):
    """The criteria tree, as JSON written by the builder; parsed and checked
    against the registry by `SearchForm.clean`."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", MAX_JSON_CHARS)
        kwargs.setdefault(
            "error_messages",
            {"max_length": _("The criteria are too long: split them into several searches.")},
        )
        super().__init__(**kwargs)
        self.validators = []  # the length is checked on the text, before decoding

    def prepare_value(self, value):
        if isinstance(value, dict | list):
            return json.dumps(value, ensure_ascii=False)
        return value

    def to_python(self, value):
        value = super().to_python(value)
        if len(value) > self.max_length:
            raise ValidationError(self.error_messages["max_length"], code="max_length")
        if not value:
            return {"match": "all", "rules": []}
        try:
            data = json.loads(value)
        except (ValueError, RecursionError):
            raise ValidationError(_("The criteria could not be read."), code="json") from None
        if not isinstance(data, dict):
            raise ValidationError(
                _("The criteria must be a group of conditions."), code="not_a_group"
            )
        return data


def read_criteria(raw: str, target: str):
    """(tree, errors) from the builder's JSON, for pages that show results
    of criteria not saved yet."""
    if target not in TARGETS:
        return None, [_("Unknown kind of search.")]
    try:
        data = CriteriaField().clean(raw)
        return parse(data, target), []
    except ValidationError as error:
        return None, error.messages
    except CriteriaError as error:
        return None, error.messages


class SearchForm(WagtailAdminModelForm):
    criteria = CriteriaField(required=False)

    class Meta:
        model = SavedSearch
        fields = ["name", "description", "target", "criteria"]
        widgets = {"target": forms.RadioSelect, "description": forms.Textarea(attrs={"rows": 2})}

    def clean(self):
        cleaned = super().clean()
        criteria = cleaned.get("criteria")
        target = cleaned.get("target")
        if criteria is not None and target in TARGETS:
            try:
                cleaned["criteria"] = parse(criteria, target)
            except CriteriaError as error:
                self.criteria_refused = True
                self.add_error(None, ValidationError(error.messages))
        return cleaned

    criteria_refused = False

    def _post_clean(self):
        # The model's own check (SavedSearch.clean) runs again here: the rules
        # hold for every entry point, this form only reports them first (once).
        super()._post_clean()
        if "criteria" in self.errors:
            errors = self.errors.pop("criteria")
            if not self.criteria_refused:
                self.add_error(None, errors)


class IdChoicesField(forms.ModelMultipleChoiceField):
    """Choices by id that refuse, as an unknown choice, any value that cannot
    be an id (negative, not a number, past 64 bits) before asking the database."""

    def _check_values(self, value):
        for pk in value:
            if not is_record_id(str(pk)):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": str(pk)[:50]},
                )
        return super()._check_values(value)


class UserChoiceField(IdChoicesField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


class ShareForm(forms.ModelForm):
    """Read-only sharing, with staff members, staff groups, or every staff member."""

    shared_with_users = UserChoiceField(
        queryset=None,
        required=False,
        label=_("Staff members"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _("“%(value)s” is not a staff member of this workspace."),
            "invalid_pk_value": _("“%(pk)s” is not a staff member of this workspace."),
        },
    )
    shared_with_groups = IdChoicesField(
        queryset=staff_groups(),
        required=False,
        label=_("Groups"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _("“%(value)s” is not a group of this workspace."),
            "invalid_pk_value": _("“%(pk)s” is not a group of this workspace."),
        },
    )

    class Meta:
        fields = ["shared_with_all_staff", "shared_with_users", "shared_with_groups"]

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shared_with_users"].queryset = staff_users().exclude(pk=owner.pk)


class SearchShareForm(ShareForm):
    class Meta(ShareForm.Meta):
        model = SavedSearch


class BasketShareForm(ShareForm):
    class Meta(ShareForm.Meta):
        model = Basket


def _narrowed_init(base_init, searches, baskets):
    def __init__(self, *args, **kwargs):
        base_init(self, *args, **kwargs)
        self.fields["search"].queryset = searches
        self.fields["included_basket"].queryset = baskets
        gone = _("This one is no longer shared with you: remove this step.")
        self.fields["search"].error_messages["invalid_choice"] = gone
        self.fields["included_basket"].error_messages["invalid_choice"] = gone

    return __init__


class BasketForm(WagtailAdminModelForm):
    """Name, description and steps (an InlinePanel) of a basket; the steps
    offer only the searches and baskets the user can see."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        if user is None or "steps" not in self.formsets:
            return
        searches = SavedSearch.objects.visible_to(user).order_by("name")
        baskets = Basket.objects.visible_to(user).order_by("name")
        if self.instance.pk:
            baskets = baskets.exclude(pk=self.instance.pk)
        formset = self.formsets["steps"]
        # A formset builds its forms (and a new empty template on every access)
        # from `formset.form`: narrow the choices there, before any is built.
        formset.max_num, formset.absolute_max = MAX_STEPS, MAX_STEPS
        formset.form = type(
            "StepForm",
            (formset.form,),
            {"__init__": _narrowed_init(formset.form.__init__, searches, baskets)},
        )

    def clean(self):
        """A step's own check (BasketStep.clean) runs before the step knows
        its basket when the basket is composed in one form: check the loop
        here, on the basket being edited."""
        cleaned = super().clean()
        if self.instance.pk and "steps" in self.formsets:
            self.formsets["steps"].is_valid()  # gives each step its cleaned_data
            for form in self.formsets["steps"].forms:
                included = getattr(form, "cleaned_data", {}).get("included_basket")
                if included is None or form.cleaned_data.get("DELETE"):
                    continue
                step = form.instance
                step.basket_id = self.instance.pk
                try:
                    step.clean()
                except ValidationError as error:
                    # On the step's field, where the basket editor shows it.
                    form.add_error("included_basket", error.messages)
        return cleaned


class RowsField(forms.MultipleChoiceField):
    """Row keys as the tables write them: position-12, personal-3, organisation-7."""

    MAX_ROWS = 500

    def valid_value(self, value):
        return parse_row_key(value) is not None

    def validate(self, value):
        super().validate(value)
        if len(value) > self.MAX_ROWS:
            raise ValidationError(
                _("Select at most %(max)s rows at a time.") % {"max": self.MAX_ROWS}
            )


class AddRowsForm(forms.Form):
    """Add rows to one of the user's baskets, or to a new one."""

    row = RowsField(
        label=_("Rows"), error_messages={"required": _("Select at least one row first.")}
    )
    basket = forms.ModelChoiceField(
        queryset=Basket.objects.none(),
        required=False,
        label=_("Basket"),
        empty_label=_("New basket…"),
    )
    new_basket_name = forms.CharField(
        label=_("Name of the new basket"), max_length=150, required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["basket"].queryset = Basket.objects.owned_by(user).order_by("name")

    def clean(self):
        cleaned = super().clean()
        if (
            not self.has_error("basket")
            and not self.has_error("new_basket_name")
            and not cleaned.get("basket")
            and not (cleaned.get("new_basket_name") or "").strip()
        ):
            self.add_error("new_basket_name", _("Choose one of your baskets, or name a new one."))
        return cleaned


class RemoveRowsForm(forms.Form):
    row = RowsField(
        label=_("Rows"), error_messages={"required": _("Select at least one row first.")}
    )


class SnapshotForm(forms.Form):
    """The label of a snapshot being frozen (empty: the basket's name and the date)."""

    label = forms.CharField(label=_("label"), max_length=200, required=False)


EXPORT_FORMATS = [("xlsx", _("Excel workbook (.xlsx)")), ("csv", _("CSV, semicolon-separated"))]


class ExportForm(forms.Form):
    format = forms.ChoiceField(
        label=_("Format"), choices=EXPORT_FORMATS, initial="xlsx", widget=forms.RadioSelect
    )
    columns = forms.MultipleChoiceField(
        label=_("Columns"),
        choices=[(key, label) for key, (label, _getter) in EXPORT_COLUMNS.items()],
        initial=DEFAULT_EXPORT_COLUMNS,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one column.")},
    )
