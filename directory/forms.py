from django import forms
from wagtail.admin.forms import WagtailAdminModelForm

from .models import InterestCentre


class ColourInput(forms.TextInput):
    input_type = "color"


class InterestCentreForm(WagtailAdminModelForm):
    class Meta:
        model = InterestCentre
        fields = ["name", "colour"]
        widgets = {"colour": ColourInput}
