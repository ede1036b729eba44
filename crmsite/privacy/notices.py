"""The monthly notice of dormant contacts (`crmsite.tasks`, run by beat).

Each active administrator with an e-mail address receives, in their
language, how many contacts have shown no sign of life for the period
(`crmsite.privacy.dormant`) and the address of the screen to review them.
Nothing is sent when there is none.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..roles import active_administrator_ids
from .dormant import count_dormant, period_months

logger = logging.getLogger(__name__)


def _language_of(user) -> str:
    profile = getattr(user, "wagtail_userprofile", None)
    return (profile and profile.get_preferred_language()) or settings.LANGUAGE_CODE


def dormant_url() -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("crmsite_privacy:dormant")


def notice_email(user, count: int, months: int) -> EmailMessage:
    with translation.override(_language_of(user)):
        site = str(getattr(settings, "WAGTAIL_SITE_NAME", "CRM"))
        subject = ngettext(
            "[%(site)s] %(count)d dormant contact to review",
            "[%(site)s] %(count)d dormant contacts to review",
            count,
        ) % {"site": site, "count": count}
        body = "\n\n".join(
            [
                ngettext(
                    "%(count)d person of the directory has shown no sign of life for "
                    "%(months)d months (no change, comment, activity, campaign, ticket or task).",
                    "%(count)d people of the directory have shown no sign of life for "
                    "%(months)d months (no change, comment, activity, campaign, ticket or task).",
                    count,
                )
                % {"count": count, "months": months},
                _(
                    "Review them: erase those you no longer need, or keep them with a reason. "
                    "The CNIL advises keeping a prospect’s data at most three years after "
                    "the last contact."
                ),
                _("Dormant contacts: %(url)s") % {"url": dormant_url()},
                _("You receive this e-mail once a month because you are an administrator."),
            ]
        )
    return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])


def notify_dormant() -> int:
    """E-mail the count to every active administrator; return how many were sent."""
    from ..models import User

    months = period_months()
    count = count_dormant(months)
    if not count:
        return 0
    administrators = User.objects.filter(pk__in=active_administrator_ids()).exclude(email="")
    sent = 0
    for user in administrators.order_by("pk"):
        try:
            sent += notice_email(user, count, months).send(fail_silently=False)
        except Exception:  # one address failing does not stop the others
            logger.exception("dormant contacts notice to user %s failed", user.pk)
    return sent
