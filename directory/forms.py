from django import forms


class ColourInput(forms.TextInput):
    """The browser's colour picker; the value is still validated as #rrggbb."""

    input_type = "color"
