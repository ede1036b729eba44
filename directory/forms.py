from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from .duplicates import likely_organisations, likely_people
from .models import Comment, InterestCentre


class ColourInput(forms.TextInput):
    """The browser's colour picker; the value is still validated as #rrggbb."""

    input_type = "color"


class InterestCentreCreationForm(forms.ModelForm):
    """A new interest area from a chooser: its name and its chip's colour."""

    class Meta:
        model = InterestCentre
        fields = ["name", "colour"]
        widgets = {"colour": ColourInput}


class LikelyDuplicateCheckForm(WagtailAdminModelForm):
    """Before creating a record, show the ones that probably are the same.

    The check only runs on creation, on the values that are valid (the
    inline rows' too). Finding candidates is not an error: when nothing else
    is wrong, the form has no error, but `needs_confirmation` is true and
    `is_valid()` false, so nothing is saved and the form comes back with the
    notice
    (`duplicate_panels.LikelyDuplicatesPanel`, and the person chooser's
    creation tab) instead of a red error. Its "Create anyway" button sends
    `create_anyway`, which lets the record be created.

    Subclasses say how to look (`find_duplicates`), using the rules of
    `directory.duplicates`.
    """

    # Sent by the notice's button, never shown as a field (the notice's
    # panel claims it, so that Wagtail does not add it at the form's end).
    create_anyway = forms.BooleanField(label=_("Create anyway"), required=False)

    likely_duplicates = ()
    needs_confirmation = False
    duplicate_notice_title = _("This record may already exist")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.checks_duplicates:
            del self.fields["create_anyway"]

    @property
    def checks_duplicates(self) -> bool:
        return self.instance._state.adding

    def find_duplicates(self, data):  # pragma: no cover - overridden
        raise NotImplementedError

    def is_valid(self):
        valid = super().is_valid()
        if self.is_bound and self.checks_duplicates and not hasattr(self, "_duplicates_checked"):
            # With other errors too: the candidates help (a SIRET already
            # taken, say), but only a form otherwise valid asks to confirm.
            self._duplicates_checked = True
            self.likely_duplicates = list(self.find_duplicates(self.cleaned_data))
            self.needs_confirmation = (
                valid
                and bool(self.likely_duplicates)
                and not self.cleaned_data.get("create_anyway")
            )
        return valid and not self.needs_confirmation

    def inline_rows(self, name):
        """The cleaned rows of an inline formset that are kept."""
        formset = self.formsets.get(name) if hasattr(self, "formsets") else None
        if formset is None:
            return []
        return [
            form.cleaned_data
            for form in formset.forms
            if getattr(form, "cleaned_data", None) and not form.cleaned_data.get("DELETE")
        ]


class OrganisationForm(LikelyDuplicateCheckForm):
    duplicate_notice_title = _("This organisation may already exist")

    def find_duplicates(self, data):
        return likely_organisations(
            name=data.get("name") or "",
            # As typed when refused as already taken: show who has it.
            siret=data.get("siret") or self.data.get(self.add_prefix("siret")) or "",
            email=data.get("email") or "",
            phone=data.get("phone") or "",
            city=data.get("city") or "",
        )


class PersonForm(LikelyDuplicateCheckForm):
    duplicate_notice_title = _("This person may already exist")

    def find_duplicates(self, data):
        rows = [data, *self.inline_rows("positions")]
        return likely_people(
            first_name=data.get("first_name") or "",
            last_name=data.get("last_name") or "",
            emails=[row.get("email") for row in rows],
            phones=[row.get(key) for row in rows for key in ("phone", "mobile")],
            city=data.get("city") or "",
        )


class CommentForm(forms.ModelForm):
    class Meta:
        model = Comment
        fields = ["body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 3})}

    def clean_body(self):
        body = (self.cleaned_data.get("body") or "").strip()
        if not body:
            raise forms.ValidationError(_("Write something before posting."), code="required")
        return body
