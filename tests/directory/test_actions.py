"""`directory.actions`, called directly: access, validation, writes, audit."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from wagtail.models import ModelLogEntry

from directory import actions
from directory.models import Comment, Function, Organisation, Person, Position
from directory.search import search
from tests import factories

pytestmark = pytest.mark.django_db


def entries(record, action=None):
    found = ModelLogEntry.objects.for_instance(record)
    return found.filter(action=action) if action else found


def test_staff_create_an_organisation_and_it_is_logged(staff_user):
    organisation = actions.create_organisation(staff_user, name="  La   Comète ", postcode="51000")
    assert organisation.name == "La Comète"
    assert organisation.department == "51"
    assert entries(organisation, "wagtail.create").get().user == staff_user


def test_a_client_may_not_create_anything(client_user):
    with pytest.raises(PermissionDenied, match="ajouter"):
        actions.create_person(client_user, last_name="Martin")
    assert not Person.objects.exists()


def test_siret_and_postcode_are_checked_on_every_write(staff_user):
    with pytest.raises(ValidationError) as error:
        actions.create_organisation(staff_user, name="X", siret="123", postcode="123")
    assert {"siret", "postcode"} <= set(error.value.message_dict)
    assert not Organisation.objects.exists()


def test_a_siret_held_by_an_organisation_in_the_trash_says_so(staff_user):
    first = actions.create_organisation(staff_user, name="A", siret="732 829 320 00074")
    actions.trash_organisation(staff_user, first)
    with pytest.raises(ValidationError, match="corbeille"):
        actions.create_organisation(staff_user, name="B", siret="73282932000074")


def test_an_edit_logs_each_changed_field_before_and_after(staff_user):
    person = factories.PersonFactory(last_name="Martin", city="Metz")
    actions.update_person(staff_user, person, last_name="Martin-Roux", city="Reims")
    entry = entries(person, "wagtail.edit").get()
    changes = {c["field"]: (c["before"], c["after"]) for c in entry.data["changes"]}
    assert changes == {"last_name": ("Martin", "Martin-Roux"), "city": ("Metz", "Reims")}


def test_an_edit_of_a_persons_positions_is_in_their_history(staff_user):
    position = factories.PositionFactory(title="")
    person = Person.objects.get(pk=position.person_id)
    other = factories.OrganisationFactory(name="La Filature")
    person.positions.add(Position(organisation=other, title="Programmateur"))
    actions.update_person(staff_user, person)
    (change,) = entries(person, "wagtail.edit").get().data["changes"]
    assert change["field"] == "positions"
    assert "Programmateur – La Filature" in change["after"]


def test_dates_of_a_position_are_checked(staff_user):
    position = factories.PositionFactory()
    with pytest.raises(ValidationError):
        actions.update_position(
            staff_user,
            position,
            start_date=datetime.date(2024, 1, 1),
            end_date=datetime.date(2023, 1, 1),
        )


def test_one_primary_position_per_person_in_a_form(staff_user):
    person = factories.PersonFactory()
    for name in ("A", "B"):
        person.positions.add(
            Position(organisation=factories.OrganisationFactory(name=name), is_primary=True)
        )
    with pytest.raises(ValidationError, match="un seul poste principal"):
        actions.update_person(staff_user, person)


def test_a_new_primary_position_takes_over(staff_user):
    first = factories.PositionFactory(is_primary=True)
    second = actions.add_position(
        staff_user, first.person, factories.OrganisationFactory(), is_primary=True
    )
    first.refresh_from_db()
    assert second.is_primary and not first.is_primary


def test_the_database_refuses_two_primary_positions():
    first = factories.PositionFactory(is_primary=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Position.objects.bulk_create(
            [Position(person=first.person, organisation=first.organisation, is_primary=True)]
        )


def test_end_and_remove_a_position(staff_user):
    position = factories.PositionFactory()
    actions.end_position(staff_user, position, datetime.date(2024, 6, 30))
    position.refresh_from_db()
    assert position.end_date == datetime.date(2024, 6, 30)
    assert entries(position.person, "directory.position.edit").exists()
    actions.remove_position(staff_user, position)
    assert not Position.all_objects.filter(pk=position.pk).exists()
    assert entries(position.person, "directory.position.remove").exists()


def test_comments_through_actions(staff_user, other_staff_user, admin_user):
    person = factories.PersonFactory()
    comment = actions.add_comment(staff_user, person, "  Rappeler en mai  ")
    assert comment.body == "Rappeler en mai"
    with pytest.raises(ValidationError):
        actions.add_comment(staff_user, person, "   ")
    with pytest.raises(PermissionDenied):
        actions.edit_comment(other_staff_user, comment, "Non")
    actions.edit_comment(staff_user, comment, "Rappeler en juin")
    with pytest.raises(PermissionDenied):
        actions.delete_comment(other_staff_user, comment)
    actions.delete_comment(admin_user, comment)
    assert not Comment.objects.exists()
    assert [e.action for e in entries(person).order_by("pk")] == [
        "directory.comment.add",
        "directory.comment.edit",
        "directory.comment.delete",
    ]


def test_lists_are_for_administrators(staff_user, admin_user):
    with pytest.raises(PermissionDenied):
        actions.create_function(staff_user, name="Régisseur")
    function = actions.create_function(admin_user, name="Régisseur")
    with pytest.raises(ValidationError):
        actions.create_function(admin_user, name="REGISSEUR")
    actions.update_function(admin_user, function, name="Régisseur général")
    assert entries(function, "wagtail.edit").get().data["changes"][0]["after"] == (
        "Régisseur général"
    )
    factories.PositionFactory(function=function)
    with pytest.raises(ValidationError, match="utilisé"):
        actions.delete_function(admin_user, function)
    centre = actions.create_interest_centre(admin_user, name="Danse", colour="#FF0000")
    actions.delete_interest_centre(admin_user, centre)
    assert Function.objects.filter(pk=function.pk).exists()


def test_renaming_a_function_refreshes_its_holders_search_text(admin_user):
    position = factories.PositionFactory(function=factories.FunctionFactory(name="Régisseur"))
    actions.update_function(admin_user, position.function, name="Éclairagiste")
    assert list(search(Person.objects.all(), "eclairagiste")) == [position.person]
    assert not search(Person.objects.all(), "regisseur").exists()


def test_bulk_renaming_of_functions_refreshes_search_texts():
    position = factories.PositionFactory(function=factories.FunctionFactory(name="Régisseur"))
    Function.objects.filter(pk=position.function_id).update(name="Éclairagiste")
    assert list(search(Person.objects.all(), "eclairagiste")) == [position.person]
