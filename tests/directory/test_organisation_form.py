"""The organisation form: coordinates and positions inline, likely duplicates, audit log."""

import pytest
from wagtail.models import ModelLogEntry
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from directory.models import Organisation, Person, Position
from tests.factories import FunctionFactory, OrganisationFactory, PersonFactory, PositionFactory

pytestmark = pytest.mark.django_db

URL = "/admin/directory/organisations/"


def organisation_data(positions=(), **fields):
    data = {
        "name": "Théâtre du Soleil",
        "email": "contact@soleil.fr",
        "phone": "01 43 74 24 08",
        "postcode": "75012",
        "city": "Paris",
        "country": "FR",
        "is_active": "on",
        "positions": inline_formset(list(positions)),
        **fields,
    }
    return nested_form_data(data)


def position_row(person, **fields):
    return {
        "person": person.pk,
        "function": "",
        "title": "",
        "email": "",
        "phone": "",
        "mobile": "",
        "start_date": "",
        "end_date": "",
        "address_line1": "",
        "address_line2": "",
        "postcode": "",
        "city": "",
        "country": "FR",
        **fields,
    }


def test_create_an_organisation_with_two_people_inline(as_staff, staff_user):
    director = FunctionFactory(name="Directrice")
    ariane = PersonFactory(first_name="Ariane", last_name="Mnouchkine")
    jean = PersonFactory(first_name="Jean", last_name="Dupré")
    response = as_staff.post(
        f"{URL}add/",
        organisation_data(
            [
                position_row(
                    ariane, function=director.pk, email="Ariane@Soleil.FR", is_primary="on"
                ),
                position_row(jean, title="Attaché de presse", phone="06 11 22 33 44"),
            ]
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    organisation = Organisation.objects.get()
    positions = {p.person: p for p in organisation.positions.all()}
    assert positions[ariane].email == "Ariane@soleil.fr"
    assert positions[ariane].is_primary
    assert positions[jean].phone == "+33611223344"
    # The people are found by the organisation's name.
    assert set(Person.objects.filter(search_text__contains="soleil")) == {ariane, jean}
    # The creation is in the audit log, by its author.
    entry = ModelLogEntry.objects.get(object_id=str(organisation.pk), action="wagtail.create")
    assert entry.user == staff_user


def test_edit_professional_coordinates_inline_and_remove_a_position(as_staff, staff_user):
    organisation = OrganisationFactory(name="Opéra de Metz")
    kept = PositionFactory(organisation=organisation, email="old@opera.fr")
    removed = PositionFactory(organisation=organisation)
    data = organisation_data(
        name="Opéra-Théâtre de Metz",
        postcode="57000",
        city="Metz",
        positions=[
            {**position_row(kept.person, email="new@opera.fr"), "id": kept.pk},
            {**position_row(removed.person), "id": removed.pk, "DELETE": "on"},
        ],
    )
    data["positions-INITIAL_FORMS"] = "2"
    response = as_staff.post(f"{URL}edit/{organisation.pk}/", data)
    assert response.status_code == 302, response.context["form"].errors
    kept.refresh_from_db()
    assert kept.email == "new@opera.fr"
    assert not Position.objects.filter(pk=removed.pk).exists()
    assert Person.objects.filter(pk=removed.person_id).exists()  # the person stays
    assert ModelLogEntry.objects.filter(
        object_id=str(organisation.pk), action="wagtail.edit", user=staff_user
    ).exists()
    history = as_staff.get(f"{URL}history/{organisation.pk}/")
    assert history.status_code == 200
    assert staff_user.get_full_name() in history.content.decode()


def test_inline_row_with_a_bad_email_saves_nothing(as_staff):
    person = PersonFactory()
    response = as_staff.post(
        f"{URL}add/", organisation_data([position_row(person, email="pas un email")])
    )
    assert response.status_code == 200
    assert Organisation.objects.count() == 0
    assert Position.objects.count() == 0


def test_inline_row_pointing_at_a_missing_person_saves_nothing(as_staff):
    response = as_staff.post(
        f"{URL}add/",
        organisation_data([{**position_row(PersonFactory()), "person": "999999"}]),
    )
    assert response.status_code == 200
    assert Organisation.objects.count() == 0


def test_likely_duplicate_is_shown_before_saving_and_can_be_overridden(as_staff):
    existing = OrganisationFactory(name="THEATRE DU SOLEIL", city="Paris", postcode="75012")
    response = as_staff.post(f"{URL}add/", organisation_data())
    assert response.status_code == 200
    page = response.content.decode()
    assert f"{URL}inspect/{existing.pk}/" in page
    assert "Cette organisation existe peut-être déjà" in page
    assert "même nom et même ville" in page
    assert Organisation.objects.count() == 1
    response = as_staff.post(f"{URL}add/", organisation_data(create_anyway="on"))
    assert response.status_code == 302
    assert Organisation.objects.count() == 2


def test_same_siret_is_a_likely_duplicate_then_refused_as_unique(as_staff):
    OrganisationFactory(name="Autre nom", siret="73282932000074", city="Lyon", postcode="69001")
    response = as_staff.post(f"{URL}add/", organisation_data(siret="732 829 320 00074"))
    assert "Autre nom" in response.content.decode()
    response = as_staff.post(
        f"{URL}add/", organisation_data(siret="73282932000074", create_anyway="on")
    )
    assert response.status_code == 200
    assert "siret" in response.context["form"].errors
    assert Organisation.objects.count() == 1


def test_different_city_and_coordinates_is_not_a_duplicate(as_staff):
    OrganisationFactory(name="Théâtre du Soleil", city="Lyon", postcode="69001")
    response = as_staff.post(f"{URL}add/", organisation_data())
    assert response.status_code == 302


def test_editing_never_asks_about_duplicates(as_staff):
    OrganisationFactory(name="Théâtre du Soleil", city="Paris", postcode="75012")
    twin = OrganisationFactory(name="Théâtre du Soleil", city="Paris", postcode="75012")
    response = as_staff.post(f"{URL}edit/{twin.pk}/", organisation_data())
    assert response.status_code == 302


def test_person_likely_duplicate(as_staff):
    existing = PersonFactory(first_name="Élodie", last_name="Lefèvre", mobile="0612345678")
    data = nested_form_data(
        {
            "first_name": "elodie",
            "last_name": "LEFEVRE",
            "mobile": "+33 6 12 34 56 78",
            "language": "fr",
            "country": "FR",
            "positions": inline_formset([]),
        }
    )
    response = as_staff.post("/admin/directory/people/add/", data)
    assert response.status_code == 200
    page = response.content.decode()
    assert f"/admin/directory/people/inspect/{existing.pk}/" in page
    assert "même nom" in page and "même téléphone" in page
    data["create_anyway"] = "on"
    assert as_staff.post("/admin/directory/people/add/", data).status_code == 302
    assert Person.objects.count() == 2


def test_a_tampered_row_count_is_refused_at_once(as_staff):
    organisation = OrganisationFactory(name="Opéra")
    data = organisation_data()
    data["positions-TOTAL_FORMS"] = "100000"
    response = as_staff.post(f"{URL}edit/{organisation.pk}/", data)
    assert response.status_code == 200
    formset = response.context["form"].formsets["positions"]
    assert len(formset.forms) <= 200
    assert formset.non_form_errors()
    organisation.refresh_from_db()
    assert organisation.name == "Opéra"


def test_names_that_grow_when_folded_still_save(as_staff):
    response = as_staff.post(f"{URL}add/", organisation_data(name="ß" * 200))
    assert response.status_code == 302
    assert len(Organisation.objects.get().name_key) <= 200


def test_the_organisation_chooser_creates_nothing(as_staff):
    response = as_staff.post(
        "/admin/snippets/choose/directory/organisation/create/", {"name": "Intrus"}
    )
    assert response.status_code == 404
    assert Organisation.objects.count() == 0


@pytest.mark.parametrize("row_id", ["foreign", "999999", "abc", "1 OR 1=1", "-1", "9" * 40, None])
def test_a_row_that_is_not_one_of_this_organisations_positions_is_refused(as_staff, row_id):
    other = OrganisationFactory(name="Autre scène")
    foreign = PositionFactory(organisation=other, person=PersonFactory(), email="a@autre.fr")
    organisation = OrganisationFactory(name="Opéra", city="Lyon", postcode="69001")
    row = position_row(foreign.person, email="pirate@opera.fr")
    if row_id is not None:
        row["id"] = str(foreign.pk) if row_id == "foreign" else row_id
    data = organisation_data([row], name="Opéra renommé")
    data["positions-INITIAL_FORMS"] = "1"
    response = as_staff.post(f"{URL}edit/{organisation.pk}/", data)
    assert response.status_code == 200
    formset = response.context["form"].formsets["positions"]
    assert "rechargez la page" in " ".join(formset.non_form_errors())
    assert "rechargez la page" in response.content.decode()
    organisation.refresh_from_db()
    assert organisation.name == "Opéra"
    assert list(Position.objects.values_list("pk", "organisation_id", "email")) == [
        (foreign.pk, other.pk, "a@autre.fr")
    ]
