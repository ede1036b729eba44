"""Two panels of the dashboard (`crmsite.dashboard.shape_dashboard`) about
the agency's other applications.

* « Activité par mois » (staff and administrators): the activities they
  recorded over the last 12 months, one bar a month stacked by kind, as an
  SVG drawn here on the server (no chart library). The image has a title
  and a description that say what it shows in words, each bar segment its
  own tooltip, and the figures are in a table that screen readers read
  (visually hidden); the legend is plain HTML. Records in the trash do not
  count (`directory.activities.monthly_counts`).
* « Clients de l’API » (administrators): each client with its last use
  (« Jamais utilisé », « il y a 3 jours »), revoked and expired clients
  flagged, linked to the API clients' listing.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy
from wagtail.admin.ui.components import Component

from directory.activities import monthly_counts

MONTHS = 12
# Okabe–Ito colours, told apart by colour-blind readers, legible on light and dark.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#8C8C8C")
OTHER_COLOUR = PALETTE[-1]
MAX_SERIES = len(PALETTE)  # beyond, the smallest kinds are drawn together as « Autres »

# Geometry of the drawing (the SVG scales to its box; these are its units).
WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 16, 46
EXPIRES_SOON = datetime.timedelta(days=14)


def nice_ceiling(value: int) -> int:
    """The axis' top, four round steps (1, 2, 2.5 or 5 times a power of ten,
    never below 1) at least as high as `value`."""
    raw = max(value, 1) / 4
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * power
        if step >= raw and step >= 1 and step == int(step):
            return int(step) * 4
    return int(10 * power) * 4


@dataclass
class Series:
    name: str
    colour: str
    counts: list[int]

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass
class Chart:
    months: list[datetime.date]
    series: list[Series]
    width: int = WIDTH
    height: int = HEIGHT
    bars: list[dict] = field(default_factory=list)
    ticks: list[dict] = field(default_factory=list)
    labels: list[dict] = field(default_factory=list)

    @property
    def totals(self) -> list[int]:
        return [sum(s.counts[index] for s in self.series) for index in range(len(self.months))]

    @property
    def total(self) -> int:
        return sum(self.totals)


# Short month names under the bars, as French typography abbreviates them
# (« janv. », « févr. », « juil. »), not as Django's "N" does (« jan. », « fév. »).
SHORT_MONTHS = (
    pgettext_lazy("month under a chart's bar", "Jan"),
    pgettext_lazy("month under a chart's bar", "Feb"),
    pgettext_lazy("month under a chart's bar", "Mar"),
    pgettext_lazy("month under a chart's bar", "Apr"),
    pgettext_lazy("month under a chart's bar", "May"),
    pgettext_lazy("month under a chart's bar", "Jun"),
    pgettext_lazy("month under a chart's bar", "Jul"),
    pgettext_lazy("month under a chart's bar", "Aug"),
    pgettext_lazy("month under a chart's bar", "Sep"),
    pgettext_lazy("month under a chart's bar", "Oct"),
    pgettext_lazy("month under a chart's bar", "Nov"),
    pgettext_lazy("month under a chart's bar", "Dec"),
)


def month_label(month: datetime.date) -> str:
    """ "mars 2026" """
    return dateformat.format(month, "F Y")


def _series(months, kinds, counts) -> list[Series]:
    series = [
        Series(name, "", [counts.get((month, pk), 0) for month in months]) for pk, name in kinds
    ]
    series.sort(key=lambda s: (-s.total, s.name))
    if len(series) > MAX_SERIES:
        kept, rest = series[: MAX_SERIES - 1], series[MAX_SERIES - 1 :]
        others = Series(
            _("Other kinds"), "", [sum(s.counts[i] for s in rest) for i in range(len(months))]
        )
        series = [*kept, others]
    for index, item in enumerate(series):
        item.colour = OTHER_COLOUR if index == MAX_SERIES - 1 else PALETTE[index]
    return series


def build_chart(today: datetime.date | None = None) -> Chart:
    """The last 12 months' activities, laid out for the template."""
    months, kinds, counts = monthly_counts(MONTHS, today)
    chart = Chart(months, _series(months, kinds, counts))
    top = nice_ceiling(max(chart.totals, default=0))
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    slot = plot_width / len(months)
    bar_width = slot * 0.64
    for step in range(5):
        value = top * step // 4
        y = TOP + plot_height - plot_height * value / top
        chart.ticks.append({"y": round(y, 2), "label_y": round(y + 4, 2), "value": value})
    for index, month in enumerate(months):
        x = LEFT + slot * index + (slot - bar_width) / 2
        base = TOP + plot_height
        segments = []
        for item in chart.series:
            count = item.counts[index]
            if not count:
                continue
            height = plot_height * count / top
            base -= height
            segments.append(
                {
                    "x": round(x, 2),
                    "y": round(base, 2),
                    "width": round(bar_width, 2),
                    "height": round(height, 2),
                    "colour": item.colour,
                    "title": _("%(kind)s, %(month)s: %(count)s")
                    % {"kind": item.name, "month": month_label(month), "count": count},
                }
            )
        chart.bars.append({"month": month, "segments": segments})
        first_of_year = index == 0 or month.month == 1
        chart.labels.append(
            {
                "x": round(LEFT + slot * index + slot / 2, 2),
                "month": str(SHORT_MONTHS[month.month - 1]),
                "year": month.year if first_of_year else None,
            }
        )
    return chart


def describe(chart: Chart) -> str:
    """What the chart shows, in words, for its <desc>."""
    first, last = month_label(chart.months[0]), month_label(chart.months[-1])
    text = ngettext(
        "%(count)s activity recorded from %(first)s to %(last)s.",
        "%(count)s activities recorded from %(first)s to %(last)s.",
        chart.total,
    ) % {"count": chart.total, "first": first, "last": last}
    if chart.total:
        totals = chart.totals
        best = max(range(len(totals)), key=lambda index: (totals[index], index))
        text += " " + _("The busiest month was %(month)s, with %(count)s.") % {
            "month": month_label(chart.months[best]),
            "count": totals[best],
        }
        kinds = ", ".join(f"{item.name} ({item.total})" for item in chart.series)
        text += " " + _("By kind: %(kinds)s.") % {"kinds": kinds}
    return text


class ActivityChartPanel(Component):
    name = "activity_per_month"
    order = 40
    template_name = "crmsite/dashboard/activity_chart.html"

    class Media:
        css = {"all": ["crmsite/activity_dashboard.css"]}

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context=None):
        chart = build_chart()
        return {
            "chart": chart,
            "description": describe(chart),
            "rows": [
                {
                    "month": month_label(month),
                    "counts": [item.counts[index] for item in chart.series],
                    "total": chart.totals[index],
                }
                for index, month in enumerate(chart.months)
            ],
            "plot": {
                "left": LEFT,
                "right": WIDTH - RIGHT,
                "bottom": HEIGHT - BOTTOM,
                "month_y": HEIGHT - BOTTOM + 18,
                "year_y": HEIGHT - BOTTOM + 34,
                "axis_x": LEFT - 8,
            },
        }


def api_clients_url() -> str | None:
    """The API clients' listing, once it exists."""
    try:
        return reverse("crmsite_api_clients:index")
    except NoReverseMatch:
        return None


def client_rows(now=None) -> list[dict]:
    from .models import ApiClient

    now = now or timezone.now()
    rows = []
    for client in ApiClient.objects.select_related("token").order_by("name"):
        if client.is_revoked:
            state, label = "revoked", _("Revoked")
        elif client.is_expired(now):
            state, label = "expired", _("Expired")
        elif client.expires_at - now <= EXPIRES_SOON:
            state, label = "expires_soon", _("Expires soon")
        else:
            state, label = "active", ""
        rows.append(
            {
                "client": client,
                "last_used_at": client.last_used_at,
                "state": state,
                "state_label": label,
            }
        )
    return rows


class ApiClientsPanel(Component):
    name = "api_clients"
    order = 45
    template_name = "crmsite/dashboard/api_clients.html"

    class Media:
        css = {"all": ["crmsite/activity_dashboard.css"]}

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context=None):
        return {"rows": client_rows(), "index_url": api_clients_url()}


def activity_panels(request, panels) -> None:
    """The chart for staff and administrators; the API clients for administrators."""
    user = request.user
    if user.has_perm("directory.view_organisation") and user.has_perm("directory.view_person"):
        panels.append(ActivityChartPanel(request))
    if user.has_perm("crmsite.view_apiclient"):
        panels.append(ApiClientsPanel(request))
