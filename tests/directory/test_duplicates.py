"""Likely duplicates before creating a person or an organisation: what counts
(e-mail anywhere, phone, folded name without or with a city, SIRET), the
trash, and the notice on the creation pages (a warning with links and a
"Créer quand même" button, not a red form error)."""

import re

import pytest
from django.contrib.messages import constants, get_messages
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from directory import actions
from directory.duplicates import (
    SAME_EMAIL,
    SAME_NAME,
    SAME_NAME_AND_CITY,
    SAME_PHONE,
    SAME_SIRET,
    likely_organisations,
    likely_people,
)
from directory.models import Organisation, Person
from tests.factories import OrganisationFactory, PersonFactory, PositionFactory

pytestmark = pytest.mark.django_db

PEOPLE = "/admin/directory/people/"
ORGANISATIONS = "/admin/directory/organisations/"


def found(candidates):
    return {candidate.record.pk: set(candidate.reasons) for candidate in candidates}


# People ---------------------------------------------------------------------------------------


def test_a_personal_email_matches_another_personal_email_whatever_the_case_and_name():
    existing = PersonFactory(
        first_name="Élodie", last_name="Martin", email="Elodie.Martin@Opera.fr"
    )
    candidates = likely_people(
        first_name="Jean", last_name="Dupont", emails=["ELODIE.MARTIN@opera.FR"]
    )
    assert found(candidates) == {existing.pk: {SAME_EMAIL}}


def test_a_personal_email_matches_a_professional_one():
    position = PositionFactory(email="direction@theatre-lune.fr")
    candidates = likely_people(last_name="Autre", emails=["Direction@Theatre-Lune.FR"])
    assert found(candidates) == {position.person_id: {SAME_EMAIL}}


def test_a_professional_email_matches_a_personal_one(as_staff):
    existing = PersonFactory(last_name="Martin", email="e.martin@courriel.fr")
    organisation = OrganisationFactory()
    data = person_data(
        first_name="Paul",
        last_name="Nouveau",
        positions=[position_row(organisation, email="E.Martin@Courriel.FR")],
    )
    page = as_staff.post(f"{PEOPLE}add/", data).content.decode()
    assert f"{PEOPLE}inspect/{existing.pk}/" in page
    assert "même e-mail" in page
    assert Person.objects.count() == 1


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        ({"phone": "01 23 45 67 89"}, "+33123456789"),
        ({"phone": "+33 1 23 45 67 89"}, "01.23.45.67.89"),
        ({"mobile": "06 12 34 56 78"}, "0033 6 12 34 56 78"),
    ],
)
def test_the_same_phone_typed_differently_matches(stored, typed):
    existing = PersonFactory(last_name="Quelquun", **stored)
    assert found(likely_people(last_name="Autre", phones=[typed])) == {existing.pk: {SAME_PHONE}}


def test_a_phone_matches_a_position_phone_or_mobile():
    by_phone = PositionFactory(phone="01 43 74 24 08")
    by_mobile = PositionFactory(mobile="07 81 22 33 44")
    candidates = likely_people(last_name="X", phones=["+33 1 43 74 24 08", "+33781223344"])
    assert found(candidates) == {
        by_phone.person_id: {SAME_PHONE},
        by_mobile.person_id: {SAME_PHONE},
    }


def test_the_same_name_without_accents_and_case_matches_when_no_city_is_given():
    existing = PersonFactory(first_name="Élodie", last_name="MARTIN", city="Lyon")
    candidates = likely_people(first_name="elodie", last_name="martin")
    assert found(candidates) == {existing.pk: {SAME_NAME}}
    assert not likely_people(first_name="Élodie", last_name="Martinez")
    assert not likely_people(first_name="Mélodie", last_name="Martin")


def test_with_a_city_the_same_name_matches_only_in_the_same_or_an_unknown_city():
    in_lyon = PersonFactory(first_name="Élodie", last_name="Martin", city="Évry")
    PersonFactory(first_name="Élodie", last_name="Martin", city="Brest")
    unknown = PersonFactory(first_name="Élodie", last_name="Martin", city="")
    candidates = likely_people(first_name="elodie", last_name="martin", city="EVRY")
    assert found(candidates) == {in_lyon.pk: {SAME_NAME_AND_CITY}, unknown.pk: {SAME_NAME}}


def test_a_name_in_another_city_is_not_a_duplicate(as_staff):
    PersonFactory(first_name="Élodie", last_name="Martin", city="Brest")
    data = person_data(first_name="elodie", last_name="MARTIN", city="Nancy", postcode="54000")
    response = as_staff.post(f"{PEOPLE}add/", data)
    assert response.status_code == 302
    assert Person.objects.count() == 2


def test_several_reasons_are_all_said_and_stronger_candidates_come_first():
    weak = PersonFactory(first_name="Élodie", last_name="Martin")
    strong = PersonFactory(
        first_name="Elodie", last_name="Martin", email="em@courriel.fr", mobile="0612345678"
    )
    candidates = likely_people(
        first_name="Élodie", last_name="Martin", emails=["em@courriel.fr"], phones=["0612345678"]
    )
    assert [c.record.pk for c in candidates] == [strong.pk, weak.pk]
    assert [str(label) for label in candidates[0].reason_labels] == [
        "même e-mail",
        "même téléphone",
        "même nom",
    ]


def test_invalid_or_empty_values_find_nothing_and_do_not_fail():
    PersonFactory(last_name="Martin", email="a@b.fr", phone="0123456789")
    assert likely_people() == []
    assert likely_people(emails=["pas un email", "x" * 10_000], phones=["abc", "1" * 10_000]) == []
    assert likely_people(last_name="   ", first_name="Jean") == []
    assert likely_people(last_name="é" * 10_000) == []


# Organisations --------------------------------------------------------------------------------


def test_organisations_by_siret_email_phone_and_name():
    by_siret = OrganisationFactory(name="Un", siret="73282932000074", city="Lyon")
    by_email = OrganisationFactory(name="Deux", email="Contact@Deux.fr", city="Lyon")
    by_phone = OrganisationFactory(name="Trois", phone="01 43 74 24 08", city="Lyon")
    by_name = OrganisationFactory(name="Théâtre de l'Œuvre", city="Lyon")
    OrganisationFactory(name="Sans rapport", city="Lyon")
    assert found(likely_organisations(siret="732 829 320 00074")) == {by_siret.pk: {SAME_SIRET}}
    assert found(likely_organisations(email="CONTACT@deux.FR")) == {by_email.pk: {SAME_EMAIL}}
    assert found(likely_organisations(phone="+33143742408")) == {by_phone.pk: {SAME_PHONE}}
    assert found(likely_organisations(name="THEATRE DE L'OEUVRE")) == {by_name.pk: {SAME_NAME}}
    assert found(likely_organisations(name="theatre de l'oeuvre", city="lyon")) == {
        by_name.pk: {SAME_NAME_AND_CITY}
    }
    assert likely_organisations(name="Théâtre de l'Œuvre", city="Marseille") == []


def test_an_organisation_duplicate_is_a_notice_then_created_anyway(as_staff):
    existing = OrganisationFactory(name="Autre nom", email="contact@soleil.fr", city="Lyon")
    data = organisation_data()
    response = as_staff.post(f"{ORGANISATIONS}add/", data)
    page = assert_notice(response, "Cette organisation existe peut-être déjà")
    assert f'href="{ORGANISATIONS}inspect/{existing.pk}/" target="_blank"' in page
    assert "même e-mail" in page
    assert Organisation.objects.count() == 1

    response = as_staff.post(f"{ORGANISATIONS}add/", {**data, "create_anyway": "on"})
    assert response.status_code == 302
    assert Organisation.objects.count() == 2


# The notice on the person's creation page -----------------------------------------------------


def test_a_person_duplicate_is_a_notice_with_links_not_a_red_error(as_staff):
    existing = PersonFactory(first_name="Élodie", last_name="MARTIN")
    response = as_staff.post(f"{PEOPLE}add/", person_data())
    page = assert_notice(response, "Cette personne existe peut-être déjà")
    link = f'<a href="{PEOPLE}inspect/{existing.pk}/" target="_blank" rel="noopener">'
    assert link in page
    assert "même nom" in page
    assert "Élodie MARTIN" in page
    # The values typed are kept.
    assert 'value="elodie"' in page
    assert Person.objects.count() == 1


def test_create_anyway_creates_the_person(as_staff, staff_user):
    PersonFactory(first_name="Élodie", last_name="MARTIN")
    response = as_staff.post(f"{PEOPLE}add/", {**person_data(), "create_anyway": "on"})
    assert response.status_code == 302
    assert Person.objects.filter(name_key="martin elodie").count() == 2


def test_other_errors_are_shown_as_usual_with_the_candidates_but_no_create_anyway(as_staff):
    existing = PersonFactory(first_name="Élodie", last_name="MARTIN")
    response = as_staff.post(f"{PEOPLE}add/", person_data(email="pas un email"))
    assert response.status_code == 200
    page = response.content.decode()
    assert response.context["form"].errors["email"]
    assert error_messages(response)  # Wagtail's banner, for a real error
    assert "data-likely-duplicates" in page
    assert f"{PEOPLE}inspect/{existing.pk}/" in page
    assert 'name="create_anyway"' not in page  # the error comes first
    # Create anyway does not get past a real error either.
    response = as_staff.post(
        f"{PEOPLE}add/", {**person_data(email="pas un email"), "create_anyway": "on"}
    )
    assert response.status_code == 200 and response.context["form"].errors["email"]
    assert Person.objects.count() == 1


def test_the_notice_is_not_shown_before_anything_is_sent(as_staff):
    PersonFactory(first_name="Élodie", last_name="MARTIN")
    page = as_staff.get(f"{PEOPLE}add/").content.decode()
    assert "data-likely-duplicates" not in page
    assert 'name="create_anyway"' not in page


def test_editing_never_asks_about_duplicates(as_staff):
    PersonFactory(first_name="Élodie", last_name="MARTIN")
    twin = PersonFactory(first_name="Élodie", last_name="Martin")
    response = as_staff.post(f"{PEOPLE}edit/{twin.pk}/", person_data())
    assert response.status_code == 302


# The trash ------------------------------------------------------------------------------------


def test_a_person_in_the_trash_is_offered_marked_and_linked_to_the_trash(as_staff, staff_user):
    trashed = PersonFactory(first_name="Élodie", last_name="Martin", email="em@courriel.fr")
    live = PersonFactory(first_name="Elodie", last_name="MARTIN")
    actions.trash_person(staff_user, trashed)
    candidates = likely_people(first_name="Élodie", last_name="Martin", emails=["em@courriel.fr"])
    assert [(c.record.pk, c.trashed) for c in candidates] == [(live.pk, False), (trashed.pk, True)]

    page = as_staff.post(f"{PEOPLE}add/", person_data(email="em@courriel.fr")).content.decode()
    item = re.search(r"<li>((?:(?!</li>).)*em@courriel\.fr(?:(?!</li>).)*)</li>", page, re.S)
    assert item, page
    assert "dans la corbeille" in item.group(1)
    assert '/admin/directory/trash/?kind=person"' in item.group(1)
    assert f"{PEOPLE}inspect/{trashed.pk}/" not in page


def test_an_organisation_in_the_trash_with_the_same_siret_is_offered(as_staff, staff_user):
    trashed = OrganisationFactory(name="Ancien nom", siret="73282932000074")
    actions.trash_organisation(staff_user, trashed)
    assert found(likely_organisations(siret="73282932000074")) == {trashed.pk: {SAME_SIRET}}
    page = as_staff.post(
        f"{ORGANISATIONS}add/", organisation_data(siret="73282932000074")
    ).content.decode()
    assert "Ancien nom" in page and "dans la corbeille" in page


# Hostile input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"last_name": "M" * 10_000},
        {"first_name": "É" * 10_000},
        {"phone": "01 23"},
        {"mobile": "+33 1 23 45 67 89"},  # a landline
        {"phone": "9" * 10_000},
        {"email": "x@" + "y" * 10_000 + ".fr"},
    ],
)
def test_hostile_person_input_is_a_form_message(as_staff, fields):
    PersonFactory(first_name="Élodie", last_name="MARTIN")
    response = as_staff.post(f"{PEOPLE}add/", person_data(**fields))
    assert response.status_code == 200
    assert response.context["form"].errors
    assert Person.objects.count() == 1


def test_a_nul_character_is_refused_before_the_check(as_staff):
    response = as_staff.post(f"{PEOPLE}add/", person_data(last_name="Mar\x00tin"))
    assert response.status_code == 400
    response = as_staff.post(f"{ORGANISATIONS}add/", organisation_data(name="So\x00leil"))
    assert response.status_code == 400
    assert Person.objects.count() == 0 and Organisation.objects.count() == 0


def test_hostile_organisation_input_is_a_form_message(as_staff):
    OrganisationFactory(name="Théâtre du Soleil", city="")
    for fields in ({"name": "S" * 10_000}, {"phone": "abc"}, {"siret": "1" * 10_000}):
        response = as_staff.post(f"{ORGANISATIONS}add/", organisation_data(**fields))
        assert response.status_code == 200
        assert response.context["form"].errors
    assert Organisation.objects.count() == 1


def test_a_client_cannot_reach_the_creation_pages(as_client):
    PersonFactory(first_name="Élodie", last_name="MARTIN")
    for url, data in ((PEOPLE, person_data()), (ORGANISATIONS, organisation_data())):
        response = as_client.post(f"{url}add/", data)
        assert response.status_code in (302, 403, 404)
        assert "MARTIN" not in response.content.decode()


# Helpers --------------------------------------------------------------------------------------


def person_data(positions=(), **fields):
    return nested_form_data(
        {
            "civility": "",
            "first_name": "elodie",
            "last_name": "martin",
            "email": "",
            "phone": "",
            "mobile": "",
            "language": "fr",
            "country": "FR",
            "positions": inline_formset(list(positions)),
            **fields,
        }
    )


def position_row(organisation, **fields):
    return {
        "organisation": organisation.pk,
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


def organisation_data(**fields):
    return nested_form_data(
        {
            "name": "Théâtre du Soleil",
            "email": "contact@soleil.fr",
            "phone": "",
            "postcode": "75012",
            "city": "Paris",
            "country": "FR",
            "is_active": "on",
            "positions": inline_formset([]),
            **fields,
        }
    )


def error_messages(response):
    return [m for m in get_messages(response.wsgi_request) if m.level == constants.ERROR]


def assert_notice(response, title):
    """The form comes back with the warning notice and its button, and
    nothing in error: no red banner, no field in error."""
    assert response.status_code == 200
    page = response.content.decode()
    notice = re.search(
        r'<div class="help-block help-warning[^"]*"[^>]*data-likely-duplicates', page
    )
    assert notice, "no likely-duplicates notice"
    assert title in page
    assert '<button type="submit" name="create_anyway" value="on"' in page
    assert "Créer quand même" in page
    form = response.context["form"]
    assert not form.errors and form.needs_confirmation
    assert error_messages(response) == []
    assert "n’a pas pu" not in page and "n'a pas pu" not in page
    assert "w-field--error" not in page
    return page
