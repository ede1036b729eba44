"""Demo activities for `manage.py seed_demo`: what the agency's other
applications would have sent through the API over the last fourteen months
(rentals of stage equipment, orders from the shop, subscriptions to the
review, registrations to training courses), so that the records' « Activité »
section, the dashboard's chart and the activity criteria of the advanced
search show something.

A few named ones on the showcase's records (La Comète rents its equipment
often and ordered this year; Scène des Tanneurs last rented three years
ago; Jérôme Lefèvre registered to a course), and some more, drawn with a
fixed seed, on the first organisations and people of the demo directory.
Recorded through `directory.actions.record_activity` by the demo
administrator, each under the name of the application that would have sent
it. Idempotent: a reference already recorded is left as it is (its date,
counted from the day the seed first ran, does not move).
"""

import datetime
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from directory import actions
from directory.models import Activity, ActivityKind, Organisation, Person

from ..roles import ADMINISTRATORS

# kind code: (source key, application name, reference prefix, amounts from, to)
APPLICATIONS = {
    "rental": ("demo:location", "Location de matériel scénique", "LOC", 150, 4500),
    "order": ("demo:boutique", "Boutique de l’agence", "CMD", 20, 900),
    "subscription": ("demo:revue", "Revue « Scènes d’ici »", "ABO", 35, 35),
    "registration": ("demo:formations", "Formations professionnelles", "INS", 0, 480),
}
# (organisation name or (first name, last name)), kind, reference, days ago, amount, details
NAMED = [
    ("La Comète", "rental", "LOC-0412", 12, "2480.00", {"matériel": "console, 24 projecteurs"}),
    ("La Comète", "rental", "LOC-1187", 160, "1320.50", {"matériel": "praticables"}),
    ("La Comète", "order", "CMD-0077", 30, "184.90", {"articles": 6}),
    ("La Comète", "subscription", "ABO-0015", 95, "35.00", {}),
    ("Scène des Tanneurs", "rental", "LOC-0301", 3 * 365 + 40, "960.00", {}),
    (("Jérôme", "Lefèvre"), "registration", "INS-0042", 21, "240.00", {"stage": "Régie"}),
]
GENERATED = 48
ORGANISATIONS_USED = 20
PEOPLE_USED = 12


def _target(name):
    if isinstance(name, tuple):
        return Person.objects.filter(first_name=name[0], last_name=name[1]).first()
    return Organisation.objects.filter(name=name).first()


def _record(user, target, code, reference, day, amount, details) -> int:
    source, application, _prefix, _low, _high = APPLICATIONS[code]
    kind = ActivityKind.objects.filter(code=code).first()
    if target is None or kind is None:
        return 0
    if Activity.objects.filter(source=source, external_reference=reference).exists():
        return 0
    actions.record_activity(
        user,
        target,
        source=source,
        source_name=application,
        external_reference=reference,
        kind=kind,
        date=day,
        amount=Decimal(amount) if amount is not None else None,
        currency="EUR" if amount is not None else "",
        details=details,
    )
    return 1


def add_activities(usernames: dict[str, str]) -> int:
    """`usernames`: {role group: username}; the activities are recorded by the
    demo administrator. Returns how many are new."""
    username = usernames.get(ADMINISTRATORS)
    user = get_user_model().objects.filter(username=username).first() if username else None
    if user is None:
        return 0
    today = timezone.localdate()
    made = 0
    for name, code, reference, days, amount, details in NAMED:
        day = today - datetime.timedelta(days=days)
        made += _record(user, _target(name), code, reference, day, amount, details)
    organisations = list(Organisation.objects.order_by("pk")[:ORGANISATIONS_USED])
    people = list(Person.objects.order_by("pk")[:PEOPLE_USED])
    rng = random.Random(2026)
    codes = ["rental", "rental", "order", "order", "order", "subscription", "registration"]
    for number in range(1, GENERATED + 1):
        code = rng.choice(codes)
        pool = people if code == "registration" and people else organisations
        days = rng.randint(0, 420)
        low, high = APPLICATIONS[code][3:]
        amount = f"{rng.randint(low * 100, high * 100) / 100:.2f}"
        if not pool:
            continue
        target = rng.choice(pool)
        reference = f"{APPLICATIONS[code][2]}-DEMO-{number:04d}"
        day = today - datetime.timedelta(days=days)
        made += _record(user, target, code, reference, day, amount, {})
    return made
