"""Likely duplicates, shown before an organisation or a person is created.

An organisation probably exists already when it has the same SIRET, or the
same name (whatever the case and accents) and the same e-mail, phone or
city. A person probably exists already when they have the same first and
last name and the same e-mail, phone (any of theirs) or city.
The user sees the candidates with links and may still go on.
"""

from django.db.models import Q

from .emails import normalise_email
from .phones import normalise_phone
from .text import fold

LIMIT = 10


def _safe(normalise, value):
    try:
        return normalise(value or "")
    except Exception:  # invalid values are reported by the form itself
        return ""


def likely_organisations(*, name="", siret="", email="", phone="", city="", exclude_pk=None):
    from .models import Organisation

    query = Q()
    if siret:
        query |= Q(siret="".join(c for c in siret if c.isdigit()))
    name_key = fold(name)[:200]
    if name_key:
        same_coordinates = Q()
        if email := _safe(normalise_email, email):
            same_coordinates |= Q(email__iexact=email)
        if phone := _safe(normalise_phone, phone):
            same_coordinates |= Q(phone=phone)
        if city := " ".join((city or "").split()):
            same_coordinates |= Q(city__iexact=city)
        if same_coordinates:
            query |= Q(name_key=name_key) & same_coordinates
    if not query:
        return Organisation.objects.none()
    queryset = Organisation.objects.filter(query)
    if exclude_pk:
        queryset = queryset.exclude(pk=exclude_pk)
    return queryset.select_related("kind")[:LIMIT]


def likely_people(
    *, first_name="", last_name="", email="", phone="", mobile="", city="", exclude_pk=None
):
    from .models import Person, Position

    name_key = fold(f"{last_name} {first_name}")[:201]
    if not fold(last_name):
        return Person.objects.none()
    same_coordinates = Q()
    if email := _safe(normalise_email, email):
        same_coordinates |= Q(email__iexact=email) | Q(
            pk__in=Position.objects.filter(email__iexact=email).values("person_id")
        )
    phones = {p for p in (_safe(normalise_phone, phone), _safe(normalise_phone, mobile)) if p}
    if phones:
        same_coordinates |= Q(phone__in=phones) | Q(mobile__in=phones)
    if city := " ".join((city or "").split()):
        same_coordinates |= Q(city__iexact=city)
    if not same_coordinates:
        return Person.objects.none()
    queryset = Person.objects.filter(Q(name_key=name_key) & same_coordinates)
    if exclude_pk:
        queryset = queryset.exclude(pk=exclude_pk)
    return queryset[:LIMIT]
