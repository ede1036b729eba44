"""A campaign's report, read from its deliveries: the rows frozen when the
sending started, so it shows who was targeted whatever happened to the
directory afterwards.

* `totals(campaign)`: (status, label, count) for each status that has
  deliveries, in the order of `DeliveryStatus`;
* the table: each delivery's name, capacity, the coordinate used and where
  it comes from (« coordonnée de la fonction », « personnelle », « générique
  de la structure »; nothing for a row left out without a coordinate), its
  status and reason, `PER_PAGE` a page (`?p=`), filtered by one status
  (`?status=`);
* `report_csv`: the same rows for a spreadsheet, streamed.

A postal campaign's labels read as prepared, not sent (`wording`).
"""

from django.core.paginator import Paginator
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst, slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from directory.streaming import StreamingExportResponse
from selections.exports import csv_chunks

from .. import actions
from ..models import Delivery, DeliveryStatus
from .campaigns import visible_campaign
from .wording import date_heading, delivery_status_label

PER_PAGE = 50
SOURCES = {
    "position": gettext_lazy("the position's coordinate"),
    "personal": gettext_lazy("personal coordinate"),
    "organisation": gettext_lazy("the organisation's generic coordinate"),
}


def file_stem(name: str) -> str:
    """A campaign's name for a file name: « Vœux 2027 » -> "voeux-2027"."""
    for letter, letters in (("œ", "oe"), ("Œ", "Oe"), ("æ", "ae"), ("Æ", "Ae"), ("ß", "ss")):
        name = name.replace(letter, letters)
    return slugify(name) or "campagne"


def source_label(source: str, coordinate: str | None = None) -> str:
    """Where a coordinate comes from; nothing when there is no coordinate
    (`coordinate=""`: a row left out for want of one)."""
    if coordinate is not None and not coordinate.strip():
        return ""
    return str(SOURCES.get(source, ""))


def totals(campaign) -> list[tuple[str, str, int]]:
    found = dict(
        Delivery.objects.filter(campaign=campaign)
        .order_by()
        .values_list("status")
        .annotate(count=Count("pk"))
    )
    return [
        (status, delivery_status_label(campaign, status), found[status])
        for status in DeliveryStatus.values
        if found.get(status)
    ]


def chosen_status(request) -> str:
    value = request.GET.get("status", "")
    return value if value in DeliveryStatus.values else ""


def report_context(request, campaign) -> dict:
    counts = totals(campaign)
    status = chosen_status(request)
    deliveries = Delivery.objects.filter(campaign=campaign).order_by("pk")
    if status:
        deliveries = deliveries.filter(status=status)
    paginator = Paginator(
        deliveries.only(
            "pk", "name", "capacity", "coordinate", "source", "status", "reason", "sent_at"
        ),
        PER_PAGE,
    )
    page = paginator.get_page(request.GET.get("p"))
    for delivery in page.object_list:
        delivery.source_label = source_label(delivery.source, delivery.coordinate)
        delivery.status_label = delivery_status_label(campaign, delivery)
    return {
        "totals": counts,
        "total": sum(count for _status, _label, count in counts),
        "status_filter": status,
        "status_choices": [(value, label) for value, label, _count in counts],
        "deliveries": page,
        "elided_page_range": paginator.get_elided_page_range(page.number),
        "report_csv_url": reverse("outreach_campaigns:report_csv", args=(campaign.pk,)),
    }


def report_rows(campaign):
    labels = {status: delivery_status_label(campaign, status) for status in DeliveryStatus.values}
    for name, capacity, coordinate, source, status, reason, sent_at in (
        Delivery.objects.filter(campaign=campaign)
        .order_by("pk")
        .values_list("name", "capacity", "coordinate", "source", "status", "reason", "sent_at")
        .iterator(chunk_size=2000)
    ):
        yield [
            name,
            capacity,
            " / ".join(coordinate.splitlines()),
            capfirst(source_label(source, coordinate)),
            labels.get(status, status),
            reason,
            timezone.localtime(sent_at).strftime("%d/%m/%Y %H:%M") if sent_at else "",
        ]


def report_csv(request, pk):
    """Every delivery of the campaign, for a spreadsheet (French Excel's CSV)."""
    campaign = visible_campaign(request, pk)
    actions.record_download(request.user, campaign, "report_csv")
    headings = [
        _("Name"),
        _("Capacity"),
        _("Coordinate"),
        _("Whose coordinate"),
        _("Status"),
        _("Reason"),
        date_heading(campaign),
    ]
    response = StreamingExportResponse(
        csv_chunks(headings, report_rows(campaign)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="rapport-{file_stem(campaign.name)}.csv"'
    )
    return response
