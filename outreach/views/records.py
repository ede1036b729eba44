"""« Campagnes » on a person's or an organisation's record: the campaigns
that reached them, and through which coordinate.

Added to the record by the directory's extension point, the Wagtail hook
`directory_record_panels` (`directory.views.records`). A person's record
lists the deliveries to that person, in whatever capacity; an
organisation's, those to the organisation itself (its generic
coordinate) and to the people who held a position there. Only deliveries
that went out count (not the rows left out, pending or cancelled), and
only from campaigns the reader may see (`actions.visible_campaigns`); the
others are counted, not named: how many campaigns, not how many messages
(a campaign that reached three people of an organisation counts once). A
label reads as prepared, not sent (`wording`).
"""

from django.db.models import Q
from wagtail.admin.ui.components import Component

from directory.models import Organisation, Person

from .. import actions
from ..models import Delivery, DeliveryStatus, Suppression
from .report import source_label
from .wording import delivery_status_label

SHOWN = 20
NOT_REACHED = (DeliveryStatus.LEFT_OUT, DeliveryStatus.PENDING, DeliveryStatus.CANCELLED)


def deliveries_to(record):
    """The deliveries that reached `record` (a Person or an Organisation), newest first."""
    if isinstance(record, Person):
        found = Delivery.objects.filter(person=record)
    elif isinstance(record, Organisation):
        found = Delivery.objects.filter(Q(organisation=record) | Q(position__organisation=record))
    else:
        return Delivery.objects.none()
    return found.exclude(status__in=NOT_REACHED).order_by("-campaign__created_at", "-pk")


def campaigns_reaching(user, record) -> tuple[list, int]:
    """(the first SHOWN deliveries to `record` of campaigns `user` may see,
    how many other campaigns, that they may not see, reached it)."""
    reached = deliveries_to(record)
    visible = actions.visible_campaigns(user).values("pk")
    shown = list(reached.filter(campaign__in=visible).select_related("campaign")[:SHOWN])
    for delivery in shown:
        delivery.source_label = source_label(delivery.source, delivery.coordinate)
        delivery.status_label = delivery_status_label(delivery.campaign, delivery)
    hidden = (
        reached.exclude(campaign__in=visible).order_by().values("campaign_id").distinct().count()
    )
    return shown, hidden


def suppressions_of(record) -> list:
    """The coordinates of `record` that campaigns leave out: unsubscribed,
    complained, bounced (invalid) or answered STOP."""
    if isinstance(record, Person):
        found = Suppression.objects.filter(person=record)
    elif isinstance(record, Organisation) and record.email:
        found = Suppression.objects.filter(
            channel="email", coordinate=Suppression.key("email", record.email)
        )
    else:
        return []
    return list(found.order_by("-created_at")[:SHOWN])


class RecordCampaignsPanel(Component):
    template_name = "outreach/admin/panels/record_campaigns.html"

    def __init__(self, deliveries, total, hidden, suppressions=()):
        self.deliveries = deliveries
        self.total = total
        self.hidden = hidden
        self.suppressions = list(suppressions)

    @classmethod
    def for_record(cls, request, record):
        if not request.user.has_perm("outreach.view_campaign"):
            return None
        if not isinstance(record, Person | Organisation):
            return None
        deliveries, hidden = campaigns_reaching(request.user, record)
        total = (
            deliveries_to(record)
            .filter(campaign__in=actions.visible_campaigns(request.user).values("pk"))
            .count()
            if len(deliveries) == SHOWN
            else len(deliveries)
        )
        return cls(deliveries, total, hidden, suppressions_of(record))

    def get_context_data(self, parent_context=None):
        return {
            "deliveries": self.deliveries,
            "total": self.total,
            "more": self.total - len(self.deliveries),
            "hidden": self.hidden,
            "suppressions": self.suppressions,
        }
