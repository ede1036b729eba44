"""A test of a campaign's message, sent to the person preparing it.

An e-mail goes to the user's own address, an SMS to the mobile number they
give; the merge fields are filled with the first recipient's values (or
sample values when the basket has none), and the subject says it is a
test. A test leaves no delivery and reaches no one else.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import get_connection
from django.utils.translation import gettext as _

from .models import Channel


def _values(campaign) -> dict:
    from .email.merge import sample_values
    from .freezing import recipients
    from .models import Delivery
    from .sending import merge_values

    for row in recipients(campaign):
        if row.left_out:
            continue
        r = row.recipient
        delivery = Delivery(
            pk=0,
            kind=r.kind,
            person_id=r.person_id,
            position_id=r.position_id,
            organisation_id=r.organisation_id,
            name=r.name,
            coordinate=row.coordinate,
        )
        return merge_values([delivery])[0]
    return sample_values()


def send_test_message(user, campaign, to: str = "") -> str:
    template = campaign.template
    if campaign.channel == Channel.EMAIL:
        from .email.message import build_message, compile_email

        address = (user.email or "").strip()
        if not address:
            raise ValidationError(_("Your account has no e-mail address to send the test to."))
        rendered = compile_email(template.subject, template.html, template.text).render(
            _values(campaign)
        )
        message = build_message(
            _("[Test] %(subject)s") % {"subject": rendered.subject},
            rendered.text,
            rendered.html,
            settings.DEFAULT_FROM_EMAIL,
            address,
            settings.WAGTAILADMIN_BASE_URL.rstrip("/") + "/",
        )
        if not get_connection().send_messages([message]):
            raise ValidationError(_("The provider refused the test message."))
        return address
    if campaign.channel == Channel.SMS:
        from .email import merge
        from .sms.backends import SENT, RetryableSmsError, SmsMessage, get_backend
        from .sms.numbers import sms_number

        number = sms_number(to)
        if not number.ok:
            raise ValidationError({"to": number.reason_label})
        body = merge.compile(template.body).render(_values(campaign))
        try:
            with get_backend() as backend:
                [result] = backend.send_messages([SmsMessage(to=number.number, body=body)])
        except RetryableSmsError as error:
            raise ValidationError(_("The provider is busy, try again later.")) from error
        if result.status != SENT:
            raise ValidationError(
                _("The provider refused the test message: %(error)s") % {"error": result.error}
            )
        return number.number
    raise ValidationError(_("Download the labels to check them."))
