"""Activity criteria: what organisations and people did elsewhere (orders,
rentals… recorded by the agency's other applications) as rules of the
field registry (`selections.fields`).

Two fields, each with four operators, whose value is a small object:

* ``person.activity`` is a **person rule** (the person's own activities):
  it yields personal rows, and meets the person's positions in an `all`;
* ``organisation.activity`` is a **position rule** through the position's
  organisation (the organisation's activities), and the rule of an
  organisation search: "directors of venues that ordered this year" are the
  directors' positions, reached as directors.

Operators and values (``kind`` is an activity kind's id, or null for any):

* ``had_activity``: ``{"kind", "months"}``, at least one activity dated
  within the last N months (1 to 600);
* ``total_above`` / ``total_below``: ``{"kind", "period", "amount",
  "currency"}``, the sum of the amounts in that currency over the period
  (this year, last year, the last 12 months) greater or less than the
  amount. "Less than" only counts records with at least one such activity
  in the period: a search for small customers must not reach everyone who
  never ordered (a `none` group of `had_activity` says that);
* ``none_for_years``: ``{"kind", "years"}``, customers who lapsed: at least
  one activity, and none dated within the last N years (1 to 100).

Each compiles to one EXISTS subquery on the activities (a GROUP BY and
HAVING for the totals), so saved searches, baskets and campaigns resolve
them in the database, on the day they are used. Records in the trash are
left out by the rows' own querysets.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db.models import DecimalField, Exists, OuterRef, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from directory.activities import format_amount
from directory.models import Activity, ActivityKind

from .fields import MAX_ID, ORGANISATION, PERSON, RuleValueError, SearchField

ACTIVITY = "activity"
MAX_MONTHS = 600
MAX_YEARS = 100
MAX_AMOUNT = Decimal(10) ** 12
PERIODS = {
    "this_year": pgettext_lazy("activity period", "this year"),
    "last_year": pgettext_lazy("activity period", "last year"),
    "last_12_months": pgettext_lazy("activity period", "the last 12 months"),
}
DEFAULT_CURRENCY = "EUR"
# From a base model, the column of the outer row that names the record.
OUTER = {
    ("person", PERSON): "pk",
    ("position", PERSON): "person_id",
    ("position", ORGANISATION): "organisation_id",
    ("organisation", ORGANISATION): "pk",
}


def months_before(today: datetime.date, months: int) -> datetime.date:
    """The same day `months` months earlier (the month's last day when shorter)."""
    month_index = today.year * 12 + today.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for day in (today.day, 30, 29, 28):
        try:
            return datetime.date(year, month, day)
        except ValueError:
            continue
    raise AssertionError(today)


def period_bounds(period: str, today: datetime.date) -> tuple[datetime.date, datetime.date | None]:
    """(first day, day after the last or None) of a period."""
    if period == "this_year":
        return datetime.date(today.year, 1, 1), datetime.date(today.year + 1, 1, 1)
    if period == "last_year":
        return datetime.date(today.year - 1, 1, 1), datetime.date(today.year, 1, 1)
    return months_before(today, 12), None


def _kind_choices():
    return [(kind.pk, kind.name) for kind in ActivityKind.objects.order_by("name_key")]


def currency_choices() -> list[str]:
    used = (
        Activity.objects.exclude(currency="")
        .order_by()
        .values_list("currency", flat=True)
        .distinct()[:50]
    )
    return sorted({DEFAULT_CURRENCY, *used})


def _whole_number(value, low: int, high: int, message) -> int:
    if isinstance(value, bool):
        raise RuleValueError(message)
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError, OverflowError):
        raise RuleValueError(message) from None
    if not low <= number <= high:
        raise RuleValueError(message)
    return number


def clean_amount(value) -> str:
    """ "1 234,50", 1234.5 or "1234.50 €" as "1234.50"."""
    message = _("give an amount, e.g. 1000 or 1 234,50")
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise RuleValueError(message)
    text = re.sub(r"[\s\u00a0\u202f€]", "", str(value)).replace(",", ".")
    if not re.fullmatch(r"\d{1,13}(\.\d{1,2})?", text):
        raise RuleValueError(message)
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise RuleValueError(message) from None
    if amount >= MAX_AMOUNT:
        raise RuleValueError(message)
    return str(amount.quantize(Decimal("0.01")))


@dataclass(frozen=True)
class ActivityField(SearchField):
    """A rule on the activities of a person or an organisation (see the module)."""

    group_label: object = None

    # Validation -----------------------------------------------------------

    def clean_value(self, operator: str, value):
        if not isinstance(value, dict):
            raise RuleValueError(_("the condition is incomplete"))
        cleaned = {"kind": self._clean_kind(value.get("kind"))}
        if operator == "had_activity":
            cleaned["months"] = _whole_number(
                value.get("months"),
                1,
                MAX_MONTHS,
                _("give a number of months between 1 and %(max)s") % {"max": MAX_MONTHS},
            )
        elif operator in ("total_above", "total_below"):
            period = value.get("period")
            if not isinstance(period, str) or period not in PERIODS:
                raise RuleValueError(_("choose a period"))
            cleaned["period"] = period
            cleaned["amount"] = clean_amount(value.get("amount"))
            currency = value.get("currency") or DEFAULT_CURRENCY
            if not isinstance(currency, str) or not re.fullmatch(r"[A-Za-z]{3}", currency):
                raise RuleValueError(_("give the currency as three letters, e.g. EUR"))
            cleaned["currency"] = currency.upper()
        else:
            cleaned["years"] = _whole_number(
                value.get("years"),
                1,
                MAX_YEARS,
                _("give a number of years between 1 and %(max)s") % {"max": MAX_YEARS},
            )
        return cleaned

    def _clean_kind(self, value):
        if value in (None, ""):
            return None
        invalid = _("“%(value)s” is not a valid choice") % {"value": str(value)[:50]}
        number = _whole_number(value, 1, MAX_ID - 1, invalid)
        if not ActivityKind.objects.filter(pk=number).exists():
            raise RuleValueError(
                _("%(model)s no longer exists (number %(ids)s): remove it from the rule")
                % {"model": ActivityKind._meta.verbose_name, "ids": number}
            )
        return number

    # Compilation ------------------------------------------------------------

    def condition(self, base: str, operator: str, value) -> Q:
        today = timezone.localdate()
        record = "person" if self.scope == PERSON else "organisation"
        activities = Activity.objects.filter(**{record: OuterRef(OUTER[(base, self.scope)])})
        if value["kind"]:
            activities = activities.filter(kind_id=value["kind"])
        if operator == "had_activity":
            since = months_before(today, value["months"])
            return Q(Exists(activities.filter(date__gte=since)))
        if operator == "none_for_years":
            since = months_before(today, 12 * value["years"])
            return Q(Exists(activities)) & ~Q(Exists(activities.filter(date__gte=since)))
        first, end = period_bounds(value["period"], today)
        in_period = activities.filter(date__gte=first, currency=value["currency"])
        if end is not None:
            in_period = in_period.filter(date__lt=end)
        zero = Value(Decimal("0"), output_field=DecimalField(max_digits=14, decimal_places=2))
        totals = in_period.order_by().values(record).annotate(total=Coalesce(Sum("amount"), zero))
        amount = Decimal(value["amount"])
        if operator == "total_above":
            return Q(Exists(totals.filter(total__gt=amount)))
        return Q(Exists(totals.filter(total__lt=amount)))

    # Words ------------------------------------------------------------------

    def describe(self, operator: str, value, names: dict | None = None) -> str:
        kind = value.get("kind")
        if kind:
            kind_name = (
                (names or {}).get((self.key, kind))
                or ActivityKind.objects.filter(pk=kind).values_list("name", flat=True).first()
                or f"#{kind}"
            )
        else:
            kind_name = _("any kind")
        words = {"field": self.label, "kind": kind_name}
        if operator == "had_activity":
            months = value["months"]
            return ngettext(
                "%(field)s: at least one (%(kind)s) within the last month",
                "%(field)s: at least one (%(kind)s) within the last %(months)s months",
                months,
            ) % {**words, "months": months}
        if operator == "none_for_years":
            years = value["years"]
            return ngettext(
                "%(field)s: none (%(kind)s) for a year, but at least one before",
                "%(field)s: none (%(kind)s) for %(years)s years, but at least one before",
                years,
            ) % {**words, "years": years}
        words.update(
            period=PERIODS.get(value.get("period"), ""),
            amount=format_amount(value.get("amount"), value.get("currency") or ""),
        )
        if operator == "total_above":
            return _("%(field)s: total (%(kind)s, %(period)s) greater than %(amount)s") % words
        return (
            _("%(field)s: total (%(kind)s, %(period)s) less than %(amount)s, with at least one")
            % words
        )

    # The builder ------------------------------------------------------------

    def schema_parts(self) -> dict:
        """What the builder draws for each operator: the value's parts, in order."""
        kind = {
            "name": "kind",
            "type": "select",
            "label": str(_("Activity kind")),
            "choices": [["", str(_("Any kind"))]]
            + [[str(pk), str(name)] for pk, name in _kind_choices()],
            "default": "",
        }
        period = {
            "name": "period",
            "type": "select",
            "label": str(_("Period")),
            "choices": [[key, str(label)] for key, label in PERIODS.items()],
            "default": "this_year",
        }
        amount = {"name": "amount", "type": "amount", "label": str(_("Amount")), "default": ""}
        currency = {
            "name": "currency",
            "type": "select",
            "label": str(_("Currency")),
            "choices": [[code, code] for code in currency_choices()],
            "default": DEFAULT_CURRENCY,
        }
        months = {
            "name": "months",
            "type": "number",
            "label": str(_("Number of months")),
            "min": 1,
            "max": MAX_MONTHS,
            "default": 12,
            "suffix": str(_("months")),
        }
        years = {
            "name": "years",
            "type": "number",
            "label": str(_("Number of years")),
            "min": 1,
            "max": MAX_YEARS,
            "default": 3,
            "suffix": str(_("years")),
        }
        totals = [kind, period, amount, currency]
        return {
            "had_activity": [kind, months],
            "total_above": totals,
            "total_below": totals,
            "none_for_years": [kind, years],
        }


ACTIVITY_GROUP = gettext_lazy("Activity")

ACTIVITY_FIELDS = [
    ActivityField(
        "person.activity",
        gettext_lazy("Activity of the person"),
        PERSON,
        ACTIVITY,
        "activities",
        widget=ACTIVITY,
        group_label=ACTIVITY_GROUP,
    ),
    ActivityField(
        "organisation.activity",
        gettext_lazy("Activity of the organisation"),
        ORGANISATION,
        ACTIVITY,
        "activities",
        widget=ACTIVITY,
        group_label=ACTIVITY_GROUP,
    ),
]
