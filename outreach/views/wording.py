"""How a campaign reads on the screens, decided when it is shown.

The statuses stored are the same for every channel, but a postal campaign
is never "sent": once its recipients are frozen its labels are ready to
print, each of its deliveries is a label prepared, and the date of its
report is the date they were prepared. A cancelled campaign ended on the
day it was cancelled, not "finished" then. A moment reads as a person
says it, « le 15/12/2026 à 10 h 00 » (the words come from the catalogue).

* `status_label(campaign)`: « Étiquettes prêtes » for a postal campaign
  whose labels are ready, else the campaign's status;
* `delivery_status_label(campaign, delivery)`: « Préparée » for a label,
  else the delivery's status (a `Delivery` or its status value);
* `finished_label(campaign)`: « Annulée le », « Préparée le » or
  « Terminée le »;
* `date_heading(campaign)`: « Date de préparation » or « Date d’envoi »;
* `counts_label(campaign, done, total)`: the listing's "12 sent of 40";
* `moment(value)`: a date and time in the user's language and time zone.
"""

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from ..models import CampaignStatus, Channel, DeliveryStatus


def is_postal(campaign) -> bool:
    return campaign.channel == Channel.POST


def status_label(campaign) -> str:
    if is_postal(campaign) and campaign.status == CampaignStatus.SENT:
        return pgettext("campaign", "Labels ready")
    return str(CampaignStatus(campaign.status).label)


def delivery_status_label(campaign, delivery) -> str:
    status = getattr(delivery, "status", delivery)
    if is_postal(campaign) and status == DeliveryStatus.SENT:
        return pgettext("delivery", "Prepared")
    try:
        return str(DeliveryStatus(status).label)
    except ValueError:
        return str(status)


def finished_label(campaign) -> str:
    if campaign.status == CampaignStatus.CANCELLED:
        return pgettext("campaign", "Cancelled on")
    if is_postal(campaign):
        return pgettext("campaign", "Prepared on")
    return _("Finished")


def date_heading(campaign) -> str:
    return _("Date prepared") if is_postal(campaign) else _("Date sent")


def counts_label(campaign, done: int, total: int) -> str:
    if is_postal(campaign):
        return ngettext("%(count)s label prepared", "%(count)s labels prepared", total) % {
            "count": total
        }
    return ngettext("%(done)s sent of %(total)s", "%(done)s sent of %(total)s", done) % {
        "done": done,
        "total": total,
    }


def moment(value) -> str:
    """« 15/12/2026 à 10 h 00 » in French, "12/15/2026 at 10:00" in English."""
    if value is None:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return _("%(date)s at %(hour)s:%(minute)s") % {
        "date": formats.date_format(local, "SHORT_DATE_FORMAT"),
        "hour": f"{local:%H}",
        "minute": f"{local:%M}",
    }
