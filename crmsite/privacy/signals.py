"""An erased person, or a record given an erased coordinate, stays out of reach.

Connected in `crmsite.apps`. Every write that goes through a model's
`save()` (the admin's forms, the directory's actions, the API, merges):

* an erased person (`Erasure`) keeps « ne pas contacter » and every channel
  refused, whatever the form or the API sends;
* a person saved with an e-mail, phone or mobile that an erasure removed
  (`ErasedCoordinate`), or a position saved with one, marks the person
  « ne pas contacter » with every channel refused: an erased person who
  comes back through a form or the API is never contacted again.

The spreadsheet import writes in bulk (`bulk_create`, COPY) without
`save()`: it names the people it wrote (`people_written`), and the same
rule is applied to them.
"""

from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone

from directory.models import Consent, Person, Position
from directory.models.people import CHANNELS

from . import ERASED_SOURCE

ERASED_COORDINATE_SOURCE = "coordonnée d’une personne effacée"


def _digests(record) -> list[tuple[str, str]]:
    from .erasure import coordinate_digest

    found = []
    if record.email:
        found.append(("email", coordinate_digest("email", record.email)))
    for name in ("phone", "mobile"):
        if getattr(record, name):
            found.append(("phone", coordinate_digest("phone", getattr(record, name))))
    return found


def has_erased_coordinate(record) -> bool:
    from django.db.models import Q

    from crmsite.models import ErasedCoordinate

    digests = _digests(record)
    if not digests:
        return False
    query = Q(pk__in=[])
    for kind, digest in digests:
        query |= Q(kind=kind, digest=digest)
    return ErasedCoordinate.objects.filter(query).exists()


def refuse_everything(person, source: str) -> None:
    today = timezone.localdate()
    person.do_not_contact = True
    for channel in CHANNELS:
        if getattr(person, f"{channel}_consent") != Consent.REFUSED:
            setattr(person, f"{channel}_consent", Consent.REFUSED)
            setattr(person, f"{channel}_consent_date", today)
            setattr(person, f"{channel}_consent_source", source)


@receiver(pre_save, sender=Person, dispatch_uid="privacy_person_refusals")
def keep_refusals(sender, instance, raw=False, **kwargs):
    if raw:
        return
    from crmsite.models import Erasure

    if instance.pk and Erasure.objects.filter(person_id=instance.pk).exists():
        refuse_everything(instance, ERASED_SOURCE)
        instance._consent_source = ("erasure", "")
    elif has_erased_coordinate(instance):
        refuse_everything(instance, ERASED_COORDINATE_SOURCE)
        instance._consent_source = ("erasure", ERASED_COORDINATE_SOURCE)


@receiver(post_save, sender=Position, dispatch_uid="privacy_position_refusals")
def position_with_erased_coordinate(sender, instance, raw=False, **kwargs):
    if raw or not has_erased_coordinate(instance):
        return
    person = Person.all_objects.get(pk=instance.person_id)
    if person.do_not_contact and all(
        getattr(person, f"{channel}_consent") == Consent.REFUSED for channel in CHANNELS
    ):
        return
    refuse_everything(person, ERASED_COORDINATE_SOURCE)
    person._consent_source = ("erasure", ERASED_COORDINATE_SOURCE)
    person.save()


def _imported(sender, people, **kwargs):
    """The import's bulk writes (`directory.imports.signals.people_written`):
    the same rule as on save, for the people it wrote."""
    from crmsite.models import ErasedCoordinate

    if not people or not ErasedCoordinate.objects.exists():
        return
    ids = sorted(people)
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        positions = {}
        for position in Position.all_objects.filter(person_id__in=chunk).only(
            "person_id", "email", "phone", "mobile"
        ):
            positions.setdefault(position.person_id, []).append(position)
        for person in Person.all_objects.filter(pk__in=chunk):
            if not (
                has_erased_coordinate(person)
                or any(has_erased_coordinate(p) for p in positions.get(person.pk, ()))
            ):
                continue
            refuse_everything(person, ERASED_COORDINATE_SOURCE)
            person._consent_source = ("erasure", ERASED_COORDINATE_SOURCE)
            person.save()


def connect_imports():
    from directory.imports.signals import people_written

    people_written.connect(_imported, dispatch_uid="privacy_imported_people")


connect_imports()


# Outreach's opt-outs go into the person's consent history.
SUPPRESSION_SOURCES = {"unsubscribed": "unsubscribe", "complained": "complaint", "stop": "stop"}


def _record_suppression(sender, instance, created=False, raw=False, **kwargs):
    from directory.models.consents import record_consent_change

    kind = SUPPRESSION_SOURCES.get(instance.reason)
    if raw or not created or not instance.person_id or kind is None:
        return
    if instance.channel not in ("email", "sms"):
        return
    person = Person.all_objects.filter(pk=instance.person_id).first()
    if person is not None:
        record_consent_change(person, instance.channel, Consent.REFUSED, kind, instance.coordinate)


def connect_outreach():
    from outreach.models import Suppression

    post_save.connect(
        _record_suppression, sender=Suppression, dispatch_uid="privacy_suppression_history"
    )


connect_outreach()
