"""Bad values are refused with a translated message naming the field, and change nothing."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from directory.models import Organisation, Person, Position
from tests.factories import OrganisationFactory, PersonFactory

pytestmark = pytest.mark.django_db

ORG_URL = "/admin/directory/organisations/"
PERSON_URL = "/admin/directory/people/"


def errors_of(instance):
    with pytest.raises(ValidationError) as raised:
        instance.full_clean()
    return raised.value.message_dict


@pytest.mark.parametrize(
    "siret", ["1234", "73282932000075", "7328293200007A", "732829320000741234"]
)
def test_bad_siret_is_refused(siret):
    errors = errors_of(Organisation(name="Théâtre", siret=siret))
    assert "siret" in errors


def test_good_siret_is_stored_compact_and_unique():
    organisation = Organisation(name="Théâtre", siret="732 829 320 00074")
    organisation.full_clean()
    organisation.save()
    assert organisation.siret == "73282932000074"
    assert organisation.siret_display == "732 829 320 00074"
    errors = errors_of(Organisation(name="Autre", siret="73282932000074"))
    assert errors["siret"] == ["Une organisation avec ce SIRET existe déjà."]


@pytest.mark.parametrize("postcode", ["7500", "750011", "ABCDE", "00100", "96000", "98000"])
def test_bad_french_postcode_is_refused(postcode):
    errors = errors_of(Organisation(name="Théâtre", postcode=postcode, country="FR"))
    assert "postcode" in errors
    assert "code postal" in errors["postcode"][0]


def test_foreign_postcode_is_free_and_derives_nothing():
    organisation = Organisation(name="Théâtre", postcode="B-1000", country="BE")
    organisation.full_clean()
    organisation.save()
    assert organisation.department == "" and organisation.region == ""


@pytest.mark.parametrize(
    "postcode,department,region",
    [("57000", "57", "44"), ("75011", "75", "11"), ("20000", "2A", "94"), ("97400", "974", "04")],
)
def test_department_and_region_come_from_the_postcode(postcode, department, region):
    organisation = OrganisationFactory(postcode=postcode)
    assert (organisation.department, organisation.region) == (department, region)


@pytest.mark.parametrize(
    "email", ["marie", "marie@", "@theatre.fr", "marie@@theatre.fr", "a" * 250 + "@x.fr"]
)
def test_bad_email_is_refused(email):
    assert "email" in errors_of(Person(last_name="Dupont", email=email))
    assert "email" in errors_of(Organisation(name="Théâtre", email=email))


def test_email_domain_is_lower_cased():
    person = PersonFactory(email="  Marie.Dupont@Théâtre-Exemple.FR ")
    person.refresh_from_db()
    assert person.email == "Marie.Dupont@théâtre-exemple.fr"


@pytest.mark.parametrize("phone", ["123", "06 12", "bonjour", "+33 6 12 34 56 78 90 12", "9" * 50])
def test_bad_phone_is_refused(phone):
    assert "phone" in errors_of(Person(last_name="Dupont", phone=phone))
    assert "mobile" in errors_of(Person(last_name="Dupont", mobile=phone))


def test_phone_is_stored_in_e164_and_shown_in_french_format():
    person = PersonFactory(mobile="06 12 34 56 78", phone="+41 44 668 18 00")
    person.refresh_from_db()
    assert person.mobile == "+33612345678"
    assert person.mobile_display == "06 12 34 56 78"
    assert person.phone_display == "+41 44 668 18 00"


@pytest.mark.parametrize("first", "123456789")
def test_french_numbers_are_shown_as_phonenumbers_formats_them(first):
    import phonenumbers

    from directory.phones import format_phone

    for rest in ("00000000", "12345678", "99999999", "43742408"):
        number = f"+33{first}{rest}"
        expected = phonenumbers.format_number(
            phonenumbers.parse(number, "FR"), phonenumbers.PhoneNumberFormat.NATIONAL
        )
        assert format_phone(number) == expected


def test_position_end_before_start_is_refused():
    position = Position(
        person=PersonFactory(),
        organisation=OrganisationFactory(),
        start_date=datetime.date(2026, 5, 1),
        end_date=datetime.date(2026, 4, 1),
    )
    assert "end_date" in errors_of(position)


def test_position_is_current_until_its_end_date_passes():
    today = datetime.date(2026, 11, 22)
    assert Position(end_date=None).is_current(today)
    assert Position(end_date=today).is_current(today)
    assert Position(end_date=today + datetime.timedelta(days=1)).is_current(today)
    assert not Position(end_date=today - datetime.timedelta(days=1)).is_current(today)


def test_the_admin_form_names_each_bad_field_and_saves_nothing(as_staff):
    response = as_staff.post(
        f"{ORG_URL}add/",
        {
            "name": "Théâtre",
            "siret": "123",
            "email": "pas-un-email",
            "phone": "12",
            "website": "javascript:alert(1)",
            "postcode": "1234",
            "country": "FR",
            "is_active": "on",
            "positions-TOTAL_FORMS": "0",
            "positions-INITIAL_FORMS": "0",
            "positions-MIN_NUM_FORMS": "0",
            "positions-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) >= {"siret", "email", "phone", "website", "postcode"}
    assert "valide" in form.errors["email"][0]
    assert Organisation.objects.count() == 0


def test_person_form_refuses_oversized_input(as_staff):
    response = as_staff.post(
        f"{PERSON_URL}add/",
        {
            "last_name": "x" * 5000,
            "first_name": "y" * 5000,
            "language": "fr",
            "positions-TOTAL_FORMS": "0",
            "positions-INITIAL_FORMS": "0",
            "positions-MIN_NUM_FORMS": "0",
            "positions-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 200
    assert {"last_name", "first_name"} <= set(response.context["form"].errors)
    assert Person.objects.count() == 0


def test_malformed_inline_management_data_changes_nothing(as_staff):
    response = as_staff.post(
        f"{ORG_URL}add/",
        {"name": "Théâtre", "country": "FR", "positions-TOTAL_FORMS": "abc"},
    )
    assert response.status_code in (200, 400)
    assert Organisation.objects.count() == 0


def test_a_position_that_starts_in_the_future_is_not_current_yet(db):
    import datetime

    from directory.models import Position
    from tests.factories import PositionFactory

    today = datetime.date(2026, 11, 28)
    upcoming = PositionFactory(start_date=today + datetime.timedelta(days=30))
    held = PositionFactory(start_date=today)
    ended = PositionFactory(end_date=today - datetime.timedelta(days=1))
    assert not upcoming.is_current(today) and not upcoming.has_ended(today)
    assert held.is_current(today)
    assert not ended.is_current(today) and ended.has_ended(today)
    assert set(Position.objects.current(today)) == {held}


def test_the_record_says_when_an_upcoming_position_starts(as_staff):
    import datetime

    from django.utils import timezone

    from tests.factories import PositionFactory

    start = timezone.localdate() + datetime.timedelta(days=30)
    position = PositionFactory(start_date=start)
    page = as_staff.get(f"/admin/directory/people/inspect/{position.person.pk}/")
    assert f"à partir du {start:%d/%m/%Y}" in page.content.decode()


def test_an_untouched_phone_shown_formatted_is_not_a_change():
    from directory.phones import PhoneNumberFormField

    field = PhoneNumberFormField(required=False)
    assert not field.has_changed("+33142742277", "01 42 74 22 77")
    assert not field.has_changed("", "")
    assert field.has_changed("+33142742277", "01 42 74 22 78")
    assert field.has_changed("+33142742277", "not a phone")
