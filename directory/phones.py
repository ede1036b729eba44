"""Phone numbers: parsed with `phonenumbers`, stored in E.164, France by default.

Stored as "+33612345678"; shown in French national format ("06 12 34 56 78")
for French numbers and in international format otherwise.
"""

import re
from functools import lru_cache

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

DEFAULT_REGION = "FR"
MAX_INPUT_LENGTH = 40


@lru_cache(maxsize=1)
def french_patterns():
    """The national numbers `phonenumbers` holds valid in France, and the
    mobile ones, as two regular expressions: what `is_valid_number` and
    `number_type` check, without parsing each number (imports and bulk
    writes meet 100,000 of them)."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region("FR")
    descriptions = (
        metadata.fixed_line,
        metadata.mobile,
        metadata.toll_free,
        metadata.premium_rate,
        metadata.shared_cost,
        metadata.personal_number,
        metadata.voip,
        metadata.pager,
        metadata.uan,
        metadata.voicemail,
    )
    patterns = [d.national_number_pattern for d in descriptions if d and d.national_number_pattern]
    return (
        re.compile("(?:" + "|".join(patterns) + ")"),
        re.compile(metadata.mobile.national_number_pattern),
    )


def normalise_phone(value: str, region: str = DEFAULT_REGION) -> str:
    """Return the E.164 form of `value`, or raise ValidationError."""
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) == 12 and value.startswith("+33") and french_patterns()[0].fullmatch(value[3:]):
        return value  # already stored form
    if len(value) > MAX_INPUT_LENGTH:
        raise ValidationError(_("This phone number is too long."), code="invalid_phone")
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        raise ValidationError(
            _("Enter a valid phone number, for example 06 12 34 56 78 or +33 6 12 34 56 78."),
            code="invalid_phone",
        ) from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("Enter a valid phone number, for example 06 12 34 56 78 or +33 6 12 34 56 78."),
            code="invalid_phone",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


MOBILE_TYPES = frozenset(
    {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
)


def is_mobile(value: str) -> bool:
    """Whether a stored (E.164) number can receive SMS: a mobile number."""
    try:
        number = phonenumbers.parse(value or "", DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.number_type(number) in MOBILE_TYPES


def validate_mobile(value: str) -> None:
    """Refuse a number that is not a mobile one (SMS go to mobiles only)."""
    if value and not is_mobile(normalise_phone(value)):
        raise ValidationError(
            _(
                "This is not a mobile number: SMS can only be sent to a mobile "
                "(in France, 06 or 07). Put a landline in the phone field."
            ),
            code="not_mobile",
        )


def format_phone(value: str) -> str:
    """Display form: national for French numbers, international otherwise."""
    if not value:
        return ""
    if len(value) == 12 and value.startswith("+33") and value[3:].isdigit() and value[3] != "8":
        # What phonenumbers gives for French numbers ("+33612345678" -> "06 12 34
        # 56 78"; 08 numbers are grouped "0 800 ..."), without parsing: exports
        # format thousands of them.
        national = value[3:]
        return f"0{national[0]} {national[1:3]} {national[3:5]} {national[5:7]} {national[7:9]}"
    try:
        number = phonenumbers.parse(value, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return value
    if phonenumbers.region_code_for_number(number) == DEFAULT_REGION:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


class PhoneNumberFormField(forms.CharField):
    def __init__(self, *args, **kwargs):
        # Length is checked by normalise_phone, with a message about phones.
        kwargs["max_length"] = None
        super().__init__(*args, **kwargs)
        self.widget.input_type = "tel"
        self.widget.attrs.update({"autocomplete": "tel", "maxlength": str(MAX_INPUT_LENGTH)})

    def prepare_value(self, value):
        if value and isinstance(value, str) and value.startswith("+"):
            return format_phone(value)
        return value

    def clean(self, value):
        return normalise_phone(super().clean(value))

    def has_changed(self, initial, data):
        """The number shown ("01 42 74 22 77") is the one stored ("+33142742277"):
        an untouched phone is not a change."""
        try:
            return normalise_phone(data or "") != (initial or "")
        except forms.ValidationError:
            return True


class MobileNumberFormField(PhoneNumberFormField):
    def clean(self, value):
        value = super().clean(value)
        validate_mobile(value)
        return value


class PhoneNumberField(models.CharField):
    """A CharField that only ever holds E.164 numbers (or "")."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 20)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("max_length") == 20:
            del kwargs["max_length"]
        return name, path, args, kwargs

    def to_python(self, value):
        value = super().to_python(value)
        return normalise_phone(value) if value else ""

    def pre_save(self, model_instance, add):
        value = normalise_phone(getattr(model_instance, self.attname) or "")
        setattr(model_instance, self.attname, value)
        return value

    form_class = PhoneNumberFormField

    def formfield(self, **kwargs):
        return super().formfield(**{**kwargs, "form_class": self.form_class})


class MobileNumberField(PhoneNumberField):
    """A phone field for mobile numbers only: SMS are sent to it."""

    default_validators = [validate_mobile]
    form_class = MobileNumberFormField
