"""The textarea of an SMS text, with its live counter of characters and SMS.

The counting is done in the browser by ``outreach/sms_counter.js`` (the same
rules as segments.py); this widget plugs that controller on the textarea and
hands it its texts, translated here so that the script holds none.
"""

from django import forms

from . import segments


def _placeholders(text: str) -> str:
    """ "%(characters)s" (gettext) -> "{characters}" (the script's templates)."""
    for name in ("characters", "segments", "remaining", "character"):
        text = text.replace(f"%({name})s", "{" + name + "}")
    return text


def counter_attrs() -> dict[str, str]:
    """The data attributes that start the counter on a textarea."""
    return {
        "data-controller": "sms-counter",
        "data-action": "input->sms-counter#update",
        "data-sms-counter-summary-value": _placeholders(segments.summary_template()),
        "data-sms-counter-unicode-one-value": _placeholders(segments.unicode_warning_template(1)),
        "data-sms-counter-unicode-many-value": _placeholders(segments.unicode_warning_template(2)),
        "data-sms-counter-quote-value": _placeholders(segments.quote_template()),
    }


class SmsTextarea(forms.Textarea):
    """A textarea that shows, as one types, the characters, SMS and room left."""

    class Media:
        js = ["outreach/sms_counter.js"]

    def get_context(self, name, value, attrs):
        attrs = {**(attrs or {}), **counter_attrs()}
        return super().get_context(name, value, attrs)
