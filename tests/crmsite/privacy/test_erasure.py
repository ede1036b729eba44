"""Erasure: every identifying value gone (search texts, frozen copies, the
audit log included), statistics kept, refusals kept, confirmed by the name,
logged without the data."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from wagtail.models import ModelLogEntry

from crmsite import actions
from crmsite.models import Erasure, User
from crmsite.privacy import ERASED_NAME
from crmsite.privacy.erasure import ERASE_ACTION
from directory.models import Activity, Comment, Consent, Person, Position
from directory.search import search
from helpdesk.models import Message, Ticket, user_label
from outreach.models import Delivery, TrackingEvent
from planner.models import Task
from selections.models import BasketEntry, SnapshotRow
from tests import factories

pytestmark = pytest.mark.django_db


def _identifying(someone):
    return [
        someone.first,
        someone.last,
        someone.email,
        someone.work_email,
        someone.phone,
        someone.phone.replace("+33", "0"),
        f"rue {someone.last}",
    ]


def _every_text_about(person_id, someone):
    """Every text column the product keeps about the person, as one string."""
    person = Person.all_objects.get(pk=person_id)
    positions = Position.all_objects.filter(person_id=person_id)
    parts = [
        json.dumps(
            {f.attname: str(getattr(person, f.attname)) for f in Person._meta.concrete_fields}
        )
    ]
    for position in positions:
        parts.append(
            json.dumps(
                {
                    f.attname: str(getattr(position, f.attname))
                    for f in Position._meta.concrete_fields
                }
            )
        )
    parts += [c.body for c in Comment.all_objects.filter(person_id=person_id)]
    for delivery in Delivery.objects.filter(person_id=person_id):
        parts += [delivery.name, delivery.capacity, delivery.coordinate]
    for row in SnapshotRow.objects.filter(person_id=person_id):
        parts += [row.name, row.capacity, row.email, row.phone, row.address]
    account = User._base_manager.get(pk=someone.account.pk)
    parts += [account.username, account.first_name, account.last_name, account.email]
    for ticket in Ticket.objects.all():
        parts.append(ticket.subject)
    parts += [m.text for m in Message.objects.all()]
    for task in Task.objects.filter(person_id=person_id):
        parts += [task.title, task.description, task.place]
    parts += [
        json.dumps(a.details, ensure_ascii=False)
        for a in Activity.objects.filter(person_id=person_id)
    ]
    for entry in ModelLogEntry.objects.all():
        parts += [entry.label, json.dumps(entry.data, ensure_ascii=False)]
    return "\n".join(parts)


def test_erasure_removes_every_identifying_value(world):
    elise = world.elise
    before = _every_text_about(elise.person.pk, elise)
    assert all(value in before for value in _identifying(elise))

    actions.erase_person(world.admin, elise.person, "élise  VASSEUR")

    after = _every_text_about(elise.person.pk, elise)
    for value in _identifying(elise):
        assert value.lower() not in after.lower(), value
    person = Person.all_objects.get(pk=elise.person.pk)
    assert str(person) == ERASED_NAME
    assert (person.email, person.mobile, person.address_line1, person.notes) == ("", "", "", "")
    assert not Comment.all_objects.filter(person=person).exists()
    # The search text is computed again: nothing finds her by her old values.
    for query in ("Vasseur", "elise.vasseur", "0612345678", "theatre-exemple"):
        assert not search(Person.objects.filter(pk=person.pk), query).exists(), query


def test_erasure_keeps_octave_untouched(world):
    octave = world.octave
    before = _every_text_about(octave.person.pk, octave)
    actions.erase_person(world.admin, world.elise.person, "Élise Vasseur")
    after = _every_text_about(octave.person.pk, octave)
    for value in _identifying(octave):
        assert value in after, value
    person = Person.objects.get(pk=octave.person.pk)
    assert person.email == octave.email and not person.do_not_contact
    # Octave's ticket keeps his messages; Élise's message there is now the erased person's.
    texts = list(Message.objects.filter(ticket=octave.ticket).values_list("text", flat=True))
    assert f"Bonjour, ici Octave ({octave.phone})" in texts
    assert before.count("Octave") <= after.count("Octave") + 0


def test_erasure_keeps_the_statistics(world):
    campaign = world.campaign
    deliveries = campaign.deliveries.count()
    delivered = campaign.deliveries.filter(status="delivered").count()
    amounts = Activity.objects.aggregate(total=Sum("amount"))["total"]
    tickets = Ticket.objects.count()
    messages = Message.objects.count()
    positions = world.organisation.positions.count()
    tasks = Task.objects.count()
    events = TrackingEvent.objects.count()

    actions.erase_person(world.admin, world.elise.person, "Élise Vasseur")

    assert campaign.deliveries.count() == deliveries
    assert campaign.deliveries.filter(status="delivered").count() == delivered
    assert Activity.objects.aggregate(total=Sum("amount"))["total"] == amounts
    assert Ticket.objects.count() == tickets and Message.objects.count() == messages
    assert world.organisation.positions.count() == positions
    assert Task.objects.count() == tasks and TrackingEvent.objects.count() == events
    delivery = Delivery.objects.get(pk=world.elise.delivery.pk)
    assert (delivery.name, delivery.coordinate, delivery.person_id) == (
        ERASED_NAME,
        "",
        world.elise.person.pk,
    )


def test_message_authorship_reads_erased_person_and_the_account_is_closed(world):
    actions.erase_person(world.admin, world.elise.person, "Élise Vasseur")
    account = User._base_manager.get(pk=world.elise.account.pk)
    assert not account.is_active and not account.has_usable_password()
    assert account.email == "" and account.person_id == world.elise.person.pk
    message = Message.objects.get(ticket=world.octave.ticket, author=account)
    assert user_label(message.author) == ERASED_NAME


def test_refusals_are_set_and_kept(world):
    actions.erase_person(world.admin, world.elise.person, "Élise Vasseur")
    person = Person.objects.get(pk=world.elise.person.pk)
    assert person.do_not_contact
    for channel in ("email", "sms", "post"):
        assert person.consent_for(channel) == Consent.REFUSED
        assert not person.may_be_contacted_by(channel)
    # Someone edits the record afterwards: the refusals stay.
    from directory import actions as directory_actions

    directory_actions.update_person(
        world.staff, person, email_consent=Consent.CONSENTED, do_not_contact=False
    )
    person.refresh_from_db()
    assert person.do_not_contact and person.email_consent == Consent.REFUSED


def test_erasure_is_logged_without_the_erased_data(world):
    person = world.elise.person
    actions.erase_person(world.admin, person, "Élise Vasseur")
    entry = ModelLogEntry.objects.get(action=ERASE_ACTION)
    assert entry.label == ERASED_NAME and entry.user == world.admin
    text = json.dumps(entry.data, ensure_ascii=False) + str(entry.message)
    assert "Vasseur" not in text and "Élise" not in text
    assert entry.data["erased"]["comments"] == 1
    assert str(entry.message) == "Données personnelles effacées"
    # Every earlier entry about her now reads « Personne effacée ».
    labels = set(
        ModelLogEntry.objects.filter(
            object_id=str(person.pk), content_type__model="person"
        ).values_list("label", flat=True)
    )
    assert labels == {ERASED_NAME}


@pytest.mark.parametrize(
    "typed",
    ["", "   ", "Élise", "Octave Brunel", "Elise Vasseurr"],
)
def test_a_wrong_confirmation_changes_nothing(world, typed):
    person = world.elise.person
    before = _every_text_about(person.pk, world.elise)
    with pytest.raises(ValidationError) as error:
        actions.erase_person(world.admin, person, typed)
    assert "confirmation" in error.value.message_dict
    message = " ".join(error.value.message_dict["confirmation"])
    assert "nom" in message  # French: « Tapez le nom… » / « Le nom saisi… »
    assert _every_text_about(person.pk, world.elise) == before
    assert not Erasure.objects.exists()


def test_only_administrators_erase(world, staff_user, client_user):
    for user in (staff_user, client_user, factories.staff(is_superuser=False)):
        with pytest.raises(PermissionDenied):
            actions.erase_person(user, world.elise.person, "Élise Vasseur")
        with pytest.raises(PermissionDenied):
            actions.export_person_data(user, world.elise.person)
    assert not Erasure.objects.exists()


def test_erasing_twice_is_refused(world):
    actions.erase_person(world.admin, world.elise.person, "Élise Vasseur")
    person = Person.objects.get(pk=world.elise.person.pk)
    with pytest.raises(ValidationError):
        actions.erase_person(world.admin, person, ERASED_NAME)


def test_basket_rows_by_hand_go(world):
    actions.erase_person(world.admin, world.elise.person, "Élise Vasseur")
    assert not BasketEntry.objects.filter(person=world.elise.person).exists()
    assert BasketEntry.objects.filter(person=world.octave.person).exists()
