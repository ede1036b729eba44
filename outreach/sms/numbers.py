"""The numbers an SMS can go to: valid, in E.164, and mobile.

Numbers are read as directory.phones reads them (France by default, so
"06 12 34 56 78" and "+33 6 12 34 56 78" are the same "+33612345678"; a
number in international form keeps its country). Only mobile numbers receive
SMS: a landline, a toll-free or a VoIP (09) number is left out with the
reason `not_mobile`, something that is no valid number with `invalid`, an
empty coordinate with `missing`. The reason is a code, stored on the
delivery; `REASONS` gives its translated label.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from directory.phones import DEFAULT_REGION, is_mobile, normalise_phone

MISSING = "missing"
INVALID = "invalid"
NOT_MOBILE = "not_mobile"

REASONS = {
    MISSING: _("No mobile number"),
    INVALID: _("Invalid phone number"),
    NOT_MOBILE: _("Not a mobile number: SMS can only be sent to a mobile"),
}


@dataclass(frozen=True)
class SmsNumber:
    original: str  # as stored or typed
    number: str  # E.164 when it can receive SMS, else ""
    reason: str = ""  # "" when kept, else MISSING, INVALID or NOT_MOBILE

    @property
    def ok(self) -> bool:
        return not self.reason

    @property
    def reason_label(self) -> str:
        return str(REASONS[self.reason]) if self.reason else ""


def sms_number(value: str, region: str = DEFAULT_REGION) -> SmsNumber:
    """The E.164 mobile number of `value`, or why it cannot receive an SMS."""
    original = value or ""
    if not original.strip():
        return SmsNumber(original, "", MISSING)
    try:
        number = normalise_phone(original, region)
    except ValidationError:
        return SmsNumber(original, "", INVALID)
    if not is_mobile(number):
        return SmsNumber(original, "", NOT_MOBILE)
    return SmsNumber(original, number)


def sms_numbers(values: Iterable[str], region: str = DEFAULT_REGION) -> list[SmsNumber]:
    """`sms_number` for each value, in order."""
    return [sms_number(value, region) for value in values]
