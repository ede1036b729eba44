"""Finding the existing record one incoming record is, by the spreadsheet
import's rules, for one record at a time (the API).

The import loads every key of the directory once (`imports.plan.KeyMaps`)
and matches its rows in memory with `imports.plan.Matcher`. Here the same
`Matcher` decides, on maps holding only the candidates: the organisations
with that SIRET or that name, the people with that e-mail (personal or of a
position) or that name. So the rules are one: a SIRET names its
organisation; else the name with the postcode (a postcode on one side only
still matches a name held once); an e-mail names its person unless shared
or the name says otherwise; else the name within the organisation; else the
one person of that name. Several candidates and nothing to choose: a 409
(`directory.api.Conflict`), never a guess. Records in the trash are never
matched (restore them first).
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from .imports.plan import Ambiguous, KeyMaps, Matcher, _fold_name, _name_key, _org_key
from .models import Organisation, Person, Position


def _conflict(message, candidates):
    from .api import Conflict

    raise Conflict(message, candidates=sorted(candidates))


def _maps(organisations, people) -> KeyMaps:
    """KeyMaps (the import's structure) of these records only."""
    maps = KeyMaps()
    for pk, siret, name, name_key, postcode in organisations.values_list(
        "pk", "siret", "name", "name_key", "postcode"
    ).order_by("pk"):
        if siret:
            maps.org_by_siret[siret] = pk
        maps.org_by_name_postcode.setdefault((name_key, postcode), pk)
        maps.org_by_name[name_key].append(pk)
        maps.postcode_of[pk] = postcode
        maps.names["organisation", pk] = name
    name_keys = {}
    for pk, email, first, last, name_key in people.values_list(
        "pk", "email", "first_name", "last_name", "name_key"
    ).order_by("pk"):
        if email:
            maps.add_email(email, pk)
        name_keys[pk] = name_key
        maps.name_parts[pk] = (_fold_name(first), _fold_name(last))
    for person, org, email in (
        Position.objects.filter(person_id__in=name_keys)
        .values_list("person_id", "organisation_id", "email")
        .order_by("pk")
    ):
        maps.person_orgs[person].add(org)
        if email:
            maps.add_email(email, person)
        maps.person_by_name_org.setdefault((name_keys.get(person), org), person)
    for pk, name_key in name_keys.items():
        maps.people_by_name[name_key].append(pk)
    return maps


def find_organisation(*, siret=None, name="", postcode=None) -> Organisation | None:
    """The live organisation this one is, or None (a new one)."""
    name = " ".join((name or "").split())
    condition = Q(name_key=_org_key(name)) if name else Q(pk__in=[])
    if siret:
        condition |= Q(siret=siret)
    found = Matcher(_maps(Organisation.objects.filter(condition), Person.objects.none())).find_org(
        {"siret": siret or "", "name": name, "postcode": postcode or ""}
    )
    if isinstance(found, Ambiguous):
        _conflict(
            _("Several organisations have this name: give the SIRET or the postcode."),
            found.candidates,
        )
    return Organisation.objects.get(pk=found) if found is not None else None


def find_person(
    *, email=None, professional_email=None, first_name="", last_name="", organisation=None
) -> Person | None:
    """The live person this one is, or None (a new one)."""
    values = {"email": (email or "").strip(), "first_name": first_name, "last_name": last_name}
    position = {"email": (professional_email or "").strip()}
    condition = Q(name_key=_name_key(values))
    for address in (values["email"], position["email"]):
        if address:
            condition |= Q(email__iexact=address) | Q(
                pk__in=Position.objects.filter(email__iexact=address).values("person_id")
            )
    maps = _maps(Organisation.objects.none(), Person.objects.filter(condition))
    found = Matcher(maps).find_person(
        values, position, organisation.pk if organisation is not None else None
    )
    if isinstance(found, Ambiguous):
        _conflict(
            _("Several people have this name: give their e-mail or their organisation."),
            found.candidates,
        )
    return Person.objects.get(pk=found) if found is not None else None


__all__ = ["find_organisation", "find_person"]
