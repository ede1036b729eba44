"""SMS go to mobiles: a landline in a mobile field is refused with a clear
message; and an edit through the form shows, in the record's history, each
changed field with its value before and after."""

import pytest
from django.core.exceptions import ValidationError

from directory import actions
from directory.models import Organisation, Person
from directory.phones import is_mobile, validate_mobile
from tests import factories
from tests.directory.test_organisation_form import organisation_data, position_row

pytestmark = pytest.mark.django_db

PEOPLE = "/admin/directory/people/"
ORGS = "/admin/directory/organisations/"
NO_POSITIONS = {
    "positions-TOTAL_FORMS": "0",
    "positions-INITIAL_FORMS": "0",
    "positions-MIN_NUM_FORMS": "0",
    "positions-MAX_NUM_FORMS": "1000",
}


def test_mobile_numbers_are_told_from_landlines():
    assert is_mobile("+33612345678")
    assert not is_mobile("+33326473040")
    validate_mobile("06 12 34 56 78")
    validate_mobile("+44 7911 123456")
    with pytest.raises(ValidationError, match="pas un numéro de mobile"):
        validate_mobile("03 26 47 30 40")


def test_the_person_form_refuses_a_landline_in_the_mobile_field(as_staff):
    response = as_staff.post(
        f"{PEOPLE}add/",
        {"last_name": "Martin", "language": "fr", "mobile": "03 26 47 30 40", **NO_POSITIONS},
    )
    assert response.status_code == 200
    (error,) = response.context["form"].errors["mobile"]
    assert "pas un numéro de mobile" in error
    assert not Person.objects.exists()


def test_a_landline_in_a_positions_mobile_field_is_refused(as_staff):
    person = factories.PersonFactory()
    response = as_staff.post(
        f"{ORGS}add/", organisation_data([position_row(person, mobile="03 26 47 30 40")])
    )
    assert response.status_code == 200
    assert "pas un numéro de mobile" in response.content.decode()
    assert not Organisation.objects.exists()


def test_the_actions_refuse_a_landline_as_a_mobile(staff_user):
    with pytest.raises(ValidationError) as error:
        actions.create_person(staff_user, last_name="Martin", mobile="03 26 47 30 40")
    assert "mobile" in error.value.message_dict


def test_an_edit_through_the_form_is_in_the_history_with_before_and_after(as_staff):
    person = factories.PersonFactory(first_name="Anne", last_name="Aubry", city="Metz")
    response = as_staff.post(
        f"{PEOPLE}edit/{person.pk}/",
        {
            "first_name": "Anne",
            "last_name": "Aubry-Roux",
            "city": "Reims",
            "postcode": "51100",
            "country": "FR",
            "language": "fr",
            **NO_POSITIONS,
        },
    )
    assert response.status_code == 302
    history = as_staff.get(f"{PEOPLE}history/{person.pk}/").content.decode()
    assert "Nom\u00a0: «\u00a0Aubry\u00a0» → «\u00a0Aubry-Roux\u00a0»" in history
    assert "Ville\u00a0: «\u00a0Metz\u00a0» → «\u00a0Reims\u00a0»" in history


def test_two_primary_positions_in_a_form_are_refused(as_staff):
    first, second = factories.PersonFactory(), factories.PersonFactory()
    response = as_staff.post(
        f"{ORGS}add/",
        organisation_data(
            [position_row(first, is_primary="on"), position_row(first, is_primary="on")]
        ),
    )
    assert response.status_code == 200
    assert "un seul poste principal" in response.content.decode()
    assert not Organisation.objects.exists()
    assert second.pk
