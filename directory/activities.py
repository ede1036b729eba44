"""Reading the activities of organisations and people (orders, rentals…
recorded by the agency's other applications through
`directory.actions.record_activity`): what a record's « Activité » section,
the audit log and the dashboard show.

* `format_amount` writes an amount with its currency the way the reader's
  language does: « 1 234,50 € » in French (a non-breaking space between
  thousands and before the symbol), "€1,234.50" in English.
* `timeline(record)` is the record's activities, latest first;
  `totals(record)` adds them up per year and kind in the database (one
  GROUP BY), an amount per currency, never euros and dollars together.
* `monthly_counts(months)` counts the activities of every record not in the
  trash per month and kind, for the dashboard's chart.
* `describe_logged(data)` reads an audit-log entry of an activity back as
  a sentence: « Commande CMD-123 du 12/03/2026, 1 234,50 € (Location de
  matériel) ».

Activities of a record in the trash are left out everywhere
(`Activity.objects.live()`): they come back with it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db.models import Count, Sum
from django.db.models.functions import ExtractYear, TruncMonth
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from .models import Activity, Organisation, Person

SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥"}


def format_amount(amount, currency: str = "") -> str:
    """ "1 234,50 €" (French), "€1,234.50" (English); "" without an amount."""
    if amount is None or amount == "":
        return ""
    try:
        amount = Decimal(str(amount))
    except InvalidOperation:
        return str(amount)
    number = formats.number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)
    if number.startswith("-"):
        number = "\u2212" + number[1:]  # the minus sign, not a hyphen
    currency = (currency or "").upper()
    if not currency:
        return number
    symbol = SYMBOLS.get(currency)
    if symbol is None:
        # Translators: an amount followed by its currency code, e.g. "1 234,50 CHF".
        pattern = pgettext("money with a currency code", "%(amount)s %(currency)s")
        return pattern % {"amount": number, "currency": currency}
    # Translators: an amount and its currency symbol; French puts the symbol
    # after a non-breaking space: "%(amount)s\u00a0%(symbol)s".
    pattern = pgettext("money with a currency symbol", "%(symbol)s%(amount)s")
    return pattern % {"amount": number, "symbol": symbol}


def format_date(value) -> str:
    """dd/mm/yyyy in both languages of the workspace."""
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value)
        except ValueError:
            return value
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def activities_of(record):
    """The activities of an organisation or a person (none when it is in the trash)."""
    if isinstance(record, Organisation):
        found = Activity.objects.filter(organisation=record)
    elif isinstance(record, Person):
        found = Activity.objects.filter(person=record)
    else:
        return Activity.objects.none()
    if record.is_trashed:
        return Activity.objects.none()
    return found.live()


def timeline(record, limit: int | None = None) -> list[Activity]:
    """The record's activities, latest first (by date, then as recorded)."""
    found = activities_of(record).select_related("kind").order_by("-date", "-created_at", "-pk")
    return list(found[:limit] if limit else found)


@dataclass
class YearTotals:
    year: int
    rows: list[dict] = field(default_factory=list)  # one per kind
    count: int = 0


def _amounts(by_currency: dict) -> list[str]:
    return [format_amount(total, currency) for currency, total in sorted(by_currency.items())]


def totals(record) -> list[YearTotals]:
    """Per year (latest first) and kind (by name): how many activities, and
    their amounts per currency (["1 234,50 €", "200,00 $"])."""
    grouped = (
        activities_of(record)
        .annotate(year=ExtractYear("date"))
        .values("year", "kind__name", "kind__name_key", "currency")
        .annotate(count=Count("pk"), total=Sum("amount"))
        .order_by("-year", "kind__name_key", "currency")
    )
    years: dict[int, YearTotals] = {}
    kinds: dict[tuple, dict] = {}
    for row in grouped:
        year = years.setdefault(row["year"], YearTotals(row["year"]))
        key = (row["year"], row["kind__name_key"])
        kind = kinds.get(key)
        if kind is None:
            kind = kinds[key] = {"kind": row["kind__name"], "count": 0, "by_currency": {}}
            year.rows.append(kind)
        kind["count"] += row["count"]
        year.count += row["count"]
        if row["total"] is not None:
            currency = row["currency"] or ""
            kind["by_currency"][currency] = kind["by_currency"].get(currency, 0) + Decimal(
                str(row["total"])
            ).quantize(Decimal("0.01"))
    for kind in kinds.values():
        kind["amounts"] = _amounts(kind["by_currency"])
    return list(years.values())


def month_starts(count: int, today: datetime.date | None = None) -> list[datetime.date]:
    """The first days of the last `count` months, the current one last."""
    today = today or timezone.localdate()
    year, month = today.year, today.month
    starts = []
    for _index in range(count):
        starts.append(datetime.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return starts[::-1]


def monthly_counts(months: int = 12, today: datetime.date | None = None):
    """(month starts, kinds [(pk, name)], {(month start, kind pk): count}) of
    the activities of the last `months` months, records in the trash left out."""
    starts = month_starts(months, today)
    first = starts[0]
    last = starts[-1]
    end = datetime.date(last.year + (last.month == 12), last.month % 12 + 1, 1)
    rows = (
        Activity.objects.live()
        .filter(date__gte=first, date__lt=end)
        .annotate(month=TruncMonth("date"))
        .values("month", "kind", "kind__name", "kind__name_key")
        .annotate(count=Count("pk"))
        .order_by("kind__name_key")
    )
    counts: dict[tuple, int] = {}
    kinds: dict[int, str] = {}
    for row in rows:
        month = row["month"]
        if isinstance(month, datetime.datetime):
            month = month.date()
        counts[(month, row["kind"])] = counts.get((month, row["kind"]), 0) + row["count"]
        kinds[row["kind"]] = row["kind__name"]
    return starts, list(kinds.items()), counts


# The audit log --------------------------------------------------------------------

CHANGED_LABELS = {
    "kind": lambda: _("kind"),
    "date": lambda: _("date"),
    "amount": lambda: _("amount"),
    "currency": lambda: _("currency"),
    "details": lambda: _("details"),
}


def describe_logged(data: dict) -> str:
    """An activity as its log entry recorded it: « Commande CMD-123 du
    12/03/2026, 1 234,50 € (Location de matériel) »."""
    data = data if isinstance(data, dict) else {}
    text = _("%(kind)s %(reference)s of %(date)s") % {
        "kind": data.get("kind") or _("Activity"),
        "reference": data.get("reference") or "",
        "date": format_date(data.get("date") or ""),
    }
    amount = format_amount(data.get("amount"), data.get("currency") or "")
    if amount:
        text = f"{text}, {amount}"
    if data.get("source"):
        text = f"{text} ({data['source']})"
    return text


def describe_changed(names) -> str:
    """ "amount, date": what an update changed, in words."""
    if not isinstance(names, list | tuple):
        return ""
    known = [name for name in names if isinstance(name, str) and name in CHANGED_LABELS]
    return ", ".join(str(CHANGED_LABELS[name]()) for name in known)
