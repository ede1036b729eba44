"""E-mail addresses: validated and normalised (domain lower-cased) on every write."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

MAX_EMAIL_LENGTH = 254
# A subset of what Django's EmailValidator accepts (dot-atom local part,
# ASCII domain labels, a TLD of letters): checked first, much faster.
_PLAIN = re.compile(
    r"^[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\Z"
)
_validator = EmailValidator(message=_("Enter a valid e-mail address, for example nom@exemple.fr."))


def normalise_email(value: str) -> str:
    """Strip spaces and lower-case the domain ("Marie@Théâtre.FR" -> "Marie@théâtre.fr").

    The local part is kept as typed: some servers treat it as case-sensitive.
    Raises ValidationError when the address is not valid.
    """
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) > MAX_EMAIL_LENGTH:
        raise ValidationError(_("This e-mail address is too long."), code="invalid_email")
    local, sep, domain = value.rpartition("@")
    if sep:
        value = f"{local}@{domain.lower()}"
    if len(local) <= 64 and _PLAIN.match(value):
        return value  # a plain address, which the validator accepts: imports check 100,000
    _validator(value)
    return value


class NormalisedEmailFormField(forms.EmailField):
    default_validators = []

    def __init__(self, *args, **kwargs):
        kwargs["max_length"] = None
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("maxlength", str(MAX_EMAIL_LENGTH))

    def clean(self, value):
        return normalise_email(super().clean(value))


class NormalisedEmailField(models.EmailField):
    """An EmailField whose stored value is always normalised."""

    default_validators = []

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", MAX_EMAIL_LENGTH)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        return normalise_email(super().to_python(value) or "")

    def pre_save(self, model_instance, add):
        value = normalise_email(getattr(model_instance, self.attname) or "")
        setattr(model_instance, self.attname, value)
        return value

    def formfield(self, **kwargs):
        return super().formfield(**{**kwargs, "form_class": NormalisedEmailFormField})
