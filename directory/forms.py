from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from .duplicates import likely_organisations, likely_people
from .models import Comment, InterestCentre


class ColourInput(forms.TextInput):
    """The browser's colour picker; the value is still validated as #rrggbb."""

    input_type = "color"


class InterestCentreCreationForm(forms.ModelForm):
    """A new interest centre from a chooser: its name and its chip's colour."""

    class Meta:
        model = InterestCentre
        fields = ["name", "colour"]
        widgets = {"colour": ColourInput}


class LikelyDuplicateCheckForm(WagtailAdminModelForm):
    """Before creating a record, show the ones that probably are the same.

    The check only runs on creation; "create anyway" lets the user go on.
    Subclasses say how to look (`find_duplicates`), using the rules of
    `directory.duplicates`.
    """

    likely_duplicates = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance._state.adding:
            self.fields["create_anyway"] = forms.BooleanField(
                label=_("None of these is the same: create it anyway"), required=False
            )

    def find_duplicates(self, data):  # pragma: no cover - overridden
        raise NotImplementedError

    def clean(self):
        cleaned_data = super().clean()
        if self.instance._state.adding and not self.errors:
            self.likely_duplicates = list(self.find_duplicates(cleaned_data))
            if self.likely_duplicates and not cleaned_data.get("create_anyway"):
                raise forms.ValidationError(
                    _(
                        "This record probably exists already: check the likely duplicates "
                        "below, then tick “create it anyway” if it is a different one."
                    ),
                    code="likely_duplicate",
                )
        return cleaned_data


class OrganisationForm(LikelyDuplicateCheckForm):
    def find_duplicates(self, data):
        return likely_organisations(
            name=data.get("name", ""),
            siret=data.get("siret") or "",
            email=data.get("email", ""),
            phone=data.get("phone", ""),
            city=data.get("city", ""),
        )


class PersonForm(LikelyDuplicateCheckForm):
    def find_duplicates(self, data):
        return likely_people(
            first_name=data.get("first_name", ""),
            last_name=data.get("last_name", ""),
            email=data.get("email", ""),
            phone=data.get("phone", ""),
            mobile=data.get("mobile", ""),
            city=data.get("city", ""),
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
