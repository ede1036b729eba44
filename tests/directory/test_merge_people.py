"""Merging two people (`directory.actions.merge_people`): the fields picked,
every related row moved to the kept person (positions, comments,
activities, basket rows, snapshot rows, campaign deliveries, suppressions,
tickets, tasks, an account), duplicates that unique rules forbid left
behind without a crash, refusals kept, one log entry, the merged person
in the trash with a link to the kept one, and undo by restoring it."""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone
from wagtail.models import ModelLogEntry

from directory import actions
from directory.merging import version_of
from directory.models import Activity, Comment, Consent, Merge, Person, Position
from helpdesk.models import Ticket
from outreach.models import Campaign, Delivery, Suppression
from planner.models import Task
from selections.models import Basket, BasketEntry, Snapshot, SnapshotRow
from tests import activity_factories, factories

pytestmark = pytest.mark.django_db


def _links(person, organisation, basket, campaign, staff, tag):
    position = factories.PositionFactory(
        person=person, organisation=organisation, email=f"{tag}@lac.fr", is_primary=True
    )
    comment = Comment.objects.create(person=person, author=staff, body=f"Appeler {tag}")
    activity = activity_factories.activity(person, external_reference=f"CMD-{tag}")
    entry = BasketEntry.objects.create(basket=basket, action="add", person=person, added_by=staff)
    position_entry = BasketEntry.objects.create(
        basket=basket, action="add", position=position, added_by=staff
    )
    snapshot = Snapshot.objects.create(basket=basket, label=f"Gel {tag}", row_count=1)
    row = SnapshotRow.objects.create(
        snapshot=snapshot, kind="personal", person=person, name=tag, position=position
    )
    delivery = Delivery.objects.create(
        campaign=campaign,
        kind="position",
        person=person,
        position=position,
        name=tag,
        capacity="Directrice",
        coordinate=f"{tag}@lac.fr",
    )
    suppression = Suppression.objects.create(
        channel="email", coordinate=f"{tag}@lac.fr", reason="unsubscribed", person=person
    )
    ticket = Ticket.objects.create(subject=f"Question {tag}", person=person, author=staff)
    task = Task.objects.create(owner=staff, title=f"Rappeler {tag}", person=person)
    return SimpleNamespace(
        position=position,
        comment=comment,
        activity=activity,
        entry=entry,
        position_entry=position_entry,
        row=row,
        delivery=delivery,
        suppression=suppression,
        ticket=ticket,
        task=task,
    )


@pytest.fixture
def pair(staff_user, other_staff_user):
    theatre = factories.OrganisationFactory(name="Théâtre du Lac")
    opera = factories.OrganisationFactory(name="Opéra de Metz")
    basket = Basket.objects.create(owner=staff_user, name="Invités")
    campaign = Campaign.objects.create(name="Saison", channel="email", status="sent")
    kept = factories.PersonFactory(
        first_name="Élise",
        last_name="Vasseur",
        email="elise@perso.fr",
        city="Metz",
        postcode="57000",
        address_line1="1 rue du Lac",
        email_consent=Consent.CONSENTED,
        email_consent_date=datetime.date(2024, 1, 1),
        email_consent_source="formulaire",
        sms_consent=Consent.REFUSED,
        sms_consent_date=datetime.date(2023, 5, 2),
        sms_consent_source="appel",
    )
    merged = factories.PersonFactory(
        first_name="Elise",
        last_name="VASSEUR",
        email="",
        phone="+33387000000",
        city="Nancy",
        postcode="54000",
        address_line1="2 rue de l'Opéra",
        notes="Vue au festival",
        email_consent=Consent.REFUSED,
        email_consent_date=datetime.date(2025, 2, 3),
        email_consent_source="lien de désinscription",
        post_consent=Consent.CONSENTED,
    )
    # The merged record is the more recent one.
    Person.objects.filter(pk=merged.pk).update(updated_at=timezone.now() + datetime.timedelta(1))
    merged.refresh_from_db()
    return SimpleNamespace(
        kept=kept,
        merged=merged,
        kept_links=_links(kept, theatre, basket, campaign, staff_user, "kept"),
        merged_links=_links(merged, opera, basket, campaign, other_staff_user, "merged"),
        theatre=theatre,
        opera=opera,
        basket=basket,
    )


def seen(*records):
    return {record.pk: version_of(record) for record in records}


def test_merge_moves_every_related_row_to_the_kept_person(staff_user, pair):
    links = pair.merged_links
    merge = actions.merge_people(
        staff_user, pair.kept, pair.merged, seen=seen(pair.kept, pair.merged)
    )
    kept = pair.kept
    assert set(Position.objects.filter(person=kept).values_list("organisation", flat=True)) == {
        pair.theatre.pk,
        pair.opera.pk,
    }
    assert Comment.objects.get(pk=links.comment.pk).person_id == kept.pk
    assert Activity.objects.get(pk=links.activity.pk).person_id == kept.pk
    assert SnapshotRow.objects.get(pk=links.row.pk).person_id == kept.pk
    assert Delivery.objects.get(pk=links.delivery.pk).person_id == kept.pk
    assert Suppression.objects.get(pk=links.suppression.pk).person_id == kept.pk
    assert Ticket.objects.get(pk=links.ticket.pk).person_id == kept.pk
    assert Task.objects.get(pk=links.task.pk).person_id == kept.pk
    # The same basket held both by hand: one row is enough (the other stays behind).
    assert BasketEntry.objects.filter(basket=pair.basket, person=kept).count() == 1
    # The position's own basket row moved with it (a different position).
    assert BasketEntry.objects.get(pk=links.position_entry.pk).position_id == links.position.pk
    # Still one primary position: the kept person's.
    assert list(
        Position.objects.filter(person=kept, is_primary=True).values_list("pk", flat=True)
    ) == [pair.kept_links.position.pk]
    # The merged person is in the trash, linked to the kept one.
    merged = Person.all_objects.get(pk=pair.merged.pk)
    assert merged.is_trashed
    assert merge.kept_person == kept and merge.merged_person == merged
    # The kept person is found by what moved.
    kept.refresh_from_db()
    assert "opera de metz" in kept.search_text


def test_fields_picked_and_defaults(staff_user, pair):
    actions.merge_people(
        staff_user, pair.kept, pair.merged, choices={"first_name": "kept", "address": "merged"}
    )
    kept = Person.objects.get(pk=pair.kept.pk)
    assert kept.first_name == "Élise"  # picked
    # Both filled: the more recent record's by default.
    assert kept.last_name == "VASSEUR"
    # Filled on one side only: that one.
    assert kept.email == "elise@perso.fr"
    assert kept.phone == "+33387000000"
    assert kept.notes == "Vue au festival"
    # The address goes as a whole.
    assert (kept.address_line1, kept.postcode, kept.city) == ("2 rue de l'Opéra", "54000", "Nancy")


def test_a_refusal_survives_the_merge_with_its_date_and_source(staff_user, pair):
    actions.merge_people(staff_user, pair.kept, pair.merged)
    kept = Person.objects.get(pk=pair.kept.pk)
    # E-mail: consented on the kept record, refused on the merged one.
    assert kept.email_consent == Consent.REFUSED
    assert kept.email_consent_date == datetime.date(2025, 2, 3)
    assert kept.email_consent_source == "lien de désinscription"
    # SMS: refused on the kept record.
    assert kept.sms_consent == Consent.REFUSED
    assert kept.sms_consent_source == "appel"
    # Post: consented on one side, not asked on the other.
    assert kept.post_consent == Consent.CONSENTED
    assert not kept.may_be_contacted_by("email")


def test_a_refusal_wins_whichever_record_is_kept(staff_user, pair):
    actions.merge_people(staff_user, pair.merged, pair.kept, choices={"first_name": "kept"})
    kept = Person.objects.get(pk=pair.merged.pk)
    assert kept.email_consent == Consent.REFUSED
    assert kept.sms_consent == Consent.REFUSED
    assert kept.sms_consent_date == datetime.date(2023, 5, 2)


def test_do_not_contact_is_kept(staff_user, pair):
    Person.objects.filter(pk=pair.merged.pk).update(do_not_contact=True)
    pair.merged.refresh_from_db()
    actions.merge_people(staff_user, pair.kept, pair.merged)
    assert Person.objects.get(pk=pair.kept.pk).do_not_contact


def test_the_same_position_held_by_both_does_not_crash(staff_user):
    theatre = factories.OrganisationFactory()
    function = factories.FunctionFactory(name="Directrice")
    kept = factories.PersonFactory(last_name="Vasseur")
    merged = factories.PersonFactory(last_name="Vasseur")
    kept_position = factories.PositionFactory(
        person=kept, organisation=theatre, function=function, is_primary=True
    )
    twin = factories.PositionFactory(
        person=merged, organisation=theatre, function=function, is_primary=True
    )
    basket = Basket.objects.create(owner=staff_user, name="Invités")
    entry = BasketEntry.objects.create(basket=basket, action="add", position=twin)
    campaign = Campaign.objects.create(name="Saison", channel="email", status="sent")
    delivery = Delivery.objects.create(
        campaign=campaign, kind="position", person=merged, position=twin, name="V", capacity="D"
    )
    actions.merge_people(staff_user, kept, merged)
    # One position, the kept one; the twin stayed with the merged person, in the trash.
    assert list(Position.objects.filter(person=kept)) == [kept_position]
    assert Position.all_objects.get(pk=twin.pk).in_trash
    # Its links went to the kept person's equal position.
    assert BasketEntry.objects.get(pk=entry.pk).position_id == kept_position.pk
    assert Delivery.objects.get(pk=delivery.pk).position_id == kept_position.pk


def test_an_account_moves_unless_the_kept_person_has_one(staff_user):
    kept = factories.PersonFactory(last_name="Vasseur")
    merged = factories.PersonFactory(last_name="Vasseur")
    account = factories.client(username="elise")
    account.person = merged
    account.save()
    actions.merge_people(staff_user, kept, merged)
    account.refresh_from_db()
    assert account.person_id == kept.pk

    other = factories.PersonFactory(last_name="Vasseur")
    second = factories.client(username="elise2")
    second.person = other
    second.save()
    actions.merge_people(staff_user, kept, other)  # kept already has an account
    second.refresh_from_db()
    assert second.person_id == other.pk


def test_one_log_entry_that_says_what_moved(staff_user, pair):
    before = ModelLogEntry.objects.count()
    actions.merge_people(staff_user, pair.kept, pair.merged)
    entries = ModelLogEntry.objects.order_by("pk")[before:]
    assert len(entries) == 1
    entry = entries[0]
    assert entry.action == "directory.merge"
    assert entry.object_id == str(pair.kept.pk)
    assert entry.data["merged"]["id"] == pair.merged.pk
    assert entry.data["moved"]["positions"] == 1
    assert entry.data["moved"]["tickets"] == 1
    message = entry.message
    assert message.startswith("Fiche «\u00a0Elise VASSEUR\u00a0» (n°")
    assert "fusionnée dans celle-ci et mise à la corbeille" in message
    assert "postes\u00a0: 1" in message and "billets\u00a0: 1" in message


def test_restoring_the_merged_person_undoes_the_merge(staff_user, pair):
    links = pair.merged_links
    actions.merge_people(staff_user, pair.kept, pair.merged)
    merged = Person.all_objects.get(pk=pair.merged.pk)
    actions.restore_person(staff_user, merged)
    merged.refresh_from_db()
    kept = Person.objects.get(pk=pair.kept.pk)
    assert not merged.is_trashed
    # Every row is back.
    assert list(Position.objects.filter(person=merged)) == [links.position]
    assert Position.objects.get(pk=links.position.pk).is_primary
    assert Comment.objects.get(pk=links.comment.pk).person_id == merged.pk
    assert Activity.objects.get(pk=links.activity.pk).person_id == merged.pk
    assert BasketEntry.objects.get(pk=links.entry.pk).person_id == merged.pk
    assert SnapshotRow.objects.get(pk=links.row.pk).person_id == merged.pk
    assert Delivery.objects.get(pk=links.delivery.pk).person_id == merged.pk
    assert Ticket.objects.get(pk=links.ticket.pk).person_id == merged.pk
    assert Task.objects.get(pk=links.task.pk).person_id == merged.pk
    assert list(Position.objects.filter(person=kept)) == [pair.kept_links.position]
    # The kept person's values are back.
    assert (kept.last_name, kept.phone, kept.city) == ("Vasseur", "", "Metz")
    assert kept.email_consent == Consent.CONSENTED
    assert Merge.objects.get().undone_at is not None
    assert "opera de metz" not in kept.search_text
    assert "opera de metz" in merged.search_text


def test_undo_keeps_a_value_changed_after_the_merge(staff_user, pair):
    actions.merge_people(staff_user, pair.kept, pair.merged)
    kept = Person.objects.get(pk=pair.kept.pk)
    actions.update_person(staff_user, kept, phone="+33387111111")
    actions.restore_person(staff_user, Person.all_objects.get(pk=pair.merged.pk))
    kept.refresh_from_db()
    assert kept.phone == "+33387111111"
    assert kept.city == "Metz"  # not changed since: back


# Bad input: a clear message, nothing changed -------------------------------------------------


def assert_nothing_changed(pair, log_count):
    assert not Person.all_objects.get(pk=pair.merged.pk).is_trashed
    assert Position.objects.filter(person=pair.merged).count() == 1
    assert not Merge.objects.exists()
    assert ModelLogEntry.objects.count() == log_count


def test_merging_a_record_with_itself_is_refused(staff_user, pair):
    count = ModelLogEntry.objects.count()
    with pytest.raises(actions.ValidationError, match="avec elle-même"):
        actions.merge_people(staff_user, pair.merged, pair.merged)
    assert_nothing_changed(pair, count)


def test_merging_with_a_record_in_the_trash_is_refused(staff_user, pair):
    actions.trash_person(staff_user, pair.kept)
    count = ModelLogEntry.objects.count()
    with pytest.raises(actions.ValidationError, match="dans la corbeille"):
        actions.merge_people(staff_user, pair.kept, pair.merged)
    assert_nothing_changed(pair, count)


def test_merging_two_kinds_of_records_is_refused(staff_user, pair):
    count = ModelLogEntry.objects.count()
    with pytest.raises(actions.ValidationError, match="Une personne et une organisation"):
        actions.merge_people(staff_user, pair.theatre, pair.merged)
    assert_nothing_changed(pair, count)


def test_a_record_changed_since_the_comparison_is_refused(staff_user, pair):
    versions = seen(pair.kept, pair.merged)
    actions.update_person(staff_user, Person.objects.get(pk=pair.merged.pk), city="Reims")
    count = ModelLogEntry.objects.count()
    with pytest.raises(actions.ValidationError, match="a été modifié"):
        actions.merge_people(staff_user, pair.kept, pair.merged, seen=versions)
    assert_nothing_changed(pair, count)


def test_a_position_changed_since_the_comparison_is_refused(staff_user, pair):
    versions = seen(pair.kept, pair.merged)
    actions.update_position(staff_user, pair.kept_links.position, phone="+33387000001")
    with pytest.raises(actions.ValidationError, match="a été modifié"):
        actions.merge_people(staff_user, pair.kept, pair.merged, seen=versions)
    assert not Merge.objects.exists()


def test_unknown_choices_are_refused(staff_user, pair):
    with pytest.raises(actions.ValidationError, match="pour chaque champ"):
        actions.merge_people(staff_user, pair.kept, pair.merged, choices={"last_name": "both"})
    with pytest.raises(actions.ValidationError, match="pour chaque champ"):
        actions.merge_people(staff_user, pair.kept, pair.merged, choices={"trashed_at": "merged"})
    assert not Merge.objects.exists()


# Permissions --------------------------------------------------------------------------------


def test_administrators_merge(admin_user, pair):
    actions.merge_people(admin_user, pair.kept, pair.merged)
    assert Merge.objects.count() == 1


def test_clients_never_merge(client_user, pair):
    with pytest.raises(actions.PermissionDenied):
        actions.merge_people(client_user, pair.kept, pair.merged)
    with pytest.raises(actions.PermissionDenied):
        actions.mark_not_duplicate(client_user, pair.kept, pair.merged)
    assert not Merge.objects.exists()
    assert not Person.all_objects.get(pk=pair.merged.pk).is_trashed


def test_staff_merge_records_other_staff_linked(staff_user, pair):
    # The merged person's comment and task are another staff member's: they move.
    actions.merge_people(staff_user, pair.kept, pair.merged)
    assert Task.objects.get(pk=pair.merged_links.task.pk).owner.username == "paul"
    assert Task.objects.get(pk=pair.merged_links.task.pk).person_id == pair.kept.pk


def test_bulk_merge_of_pairs_keeps_the_older_record(staff_user):
    a = factories.PersonFactory(last_name="Martin", email="x@lac.fr")
    b = factories.PersonFactory(last_name="Martin", email="x@lac.fr")
    c = factories.PersonFactory(last_name="Durand", email="y@lac.fr")
    d = factories.PersonFactory(last_name="Durand", email="y@lac.fr")
    count, refused = actions.merge_pairs(
        staff_user, "person", [(b.pk, a.pk), (c.pk, d.pk), (a.pk, b.pk)]
    )
    assert count == 2
    assert len(refused) == 1 and "corbeille" in refused[0]
    assert set(Person.objects.values_list("pk", flat=True)) == {a.pk, c.pk}
