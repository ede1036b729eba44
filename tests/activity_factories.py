"""Activities for tests: the kinds the migration seeds, and activities made
directly (`record_activity` has its own tests)."""

import datetime
import importlib
import itertools
from decimal import Decimal

from directory.models import Activity, ActivityKind

_references = itertools.count(1)
# The names the migration seeds, so that a test whose database was flushed
# (transactional tests empty every table) gets "Commande" back, not "Order".
SEEDED = dict(importlib.import_module("directory.migrations.0010_activities").KINDS)


def kind(code: str = "order") -> ActivityKind:
    """One of the seeded kinds (order, rental, subscription, registration), or a new one."""
    found = ActivityKind.objects.filter(code=code).first()
    if found is None:
        name = SEEDED.get(code, code.capitalize())
        found = ActivityKind.objects.create(
            code=code, name=name, name_key=ActivityKind.key_for(name)
        )
    return found


def activity(target, code: str = "order", date=None, amount=None, currency=None, **fields):
    """An activity of `target` (an organisation or a person)."""
    from directory.models import Organisation

    field = "organisation" if isinstance(target, Organisation) else "person"
    if amount is not None:
        amount = Decimal(str(amount))
    return Activity.objects.create(
        kind=kind(code),
        source=fields.pop("source", "api-client:1"),
        source_name=fields.pop("source_name", "Location de matériel"),
        external_reference=fields.pop("external_reference", f"REF-{next(_references)}"),
        date=date or datetime.date.today(),
        amount=amount,
        currency=currency if currency is not None else ("EUR" if amount is not None else ""),
        **{field: target},
        **fields,
    )


def months_ago(months: int, today=None) -> datetime.date:
    """The same day `months` months before `today` (the month's last day when shorter)."""
    today = today or datetime.date.today()
    month = today.month - months
    year = today.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    for day in (today.day, 30, 29, 28):
        try:
            return datetime.date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")
