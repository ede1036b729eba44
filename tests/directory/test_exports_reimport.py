"""The people and organisations listings export under the headings the
spreadsheet import recognises (`directory.imports.columns`), so that an
export re-imports as is; and a phone number in international form stays
readable while anything else that starts like a formula is escaped."""

import csv
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from directory.exports import escape_formula
from directory.imports.columns import IGNORED, guess_target
from tests.factories import OrganisationFactory, PersonFactory, PositionFactory, staff

pytestmark = pytest.mark.django_db
ORGS = "/admin/directory/organisations/"
PEOPLE = "/admin/directory/people/"

PEOPLE_TARGETS = [
    "person.civility",
    "person.first_name",
    "person.last_name",
    "organisation.name",
    "position.function",
    "position.title",
    "position.email",
    "position.phone",
    "position.mobile",
    "person.email",
    "person.phone",
    "person.mobile",
    "person.address_line1",
    "person.address_line2",
    "person.postcode",
    "person.city",
    "person.language",
    "person.email_consent",
    "person.sms_consent",
    "person.post_consent",
    "person.do_not_contact",
]
ORGANISATION_TARGETS = [
    "organisation.name",
    "organisation.kind",
    "organisation.siret",
    "contact.email",
    "contact.phone",
    "organisation.website",
    "contact.address_line1",
    "contact.address_line2",
    "contact.postcode",
    "contact.city",
    IGNORED,  # department
    IGNORED,  # region
    "organisation.interest_centres",
    "organisation.is_active",
]


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def read_xlsx(response) -> list[tuple]:
    body = b"".join(response.streaming_content)
    return list(load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True))


def browser_in(language: str) -> Client:
    from wagtail.users.models import UserProfile

    user = staff(username=f"staff_{language}")
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = language
    profile.save()
    browser = Client()
    browser.force_login(user)
    return browser


@pytest.mark.parametrize("language", ["fr", "en"])
def test_people_export_headings_are_the_import_columns(language):
    PersonFactory()
    headings = read_csv(browser_in(language).get(PEOPLE, {"export": "csv"}))[0]
    assert [guess_target(heading) for heading in headings] == PEOPLE_TARGETS


@pytest.mark.parametrize("language", ["fr", "en"])
def test_organisation_export_headings_are_the_import_columns(language):
    OrganisationFactory()
    headings = read_csv(browser_in(language).get(ORGS, {"export": "csv"}))[0]
    assert [guess_target(heading) for heading in headings] == ORGANISATION_TARGETS


def test_people_export_headings_in_french(as_staff):
    PersonFactory()
    headings = read_csv(as_staff.get(PEOPLE, {"export": "csv"}))[0]
    assert headings[:9] == [
        "Civilité",
        "Prénom",
        "Nom de famille",
        "Organisation",
        "Fonction",
        "Intitulé du poste",
        "E-mail professionnel",
        "Téléphone professionnel",
        "Mobile professionnel",
    ]
    assert headings[9:16] == [
        "E-mail personnel",
        "Téléphone personnel",
        "Mobile personnel",
        "Adresse personnelle",
        "Complément d’adresse personnelle",
        "Code postal personnel",
        "Ville personnelle",
    ]


def test_organisation_export_in_french(as_staff):
    OrganisationFactory(
        name="Opéra de Lyon",
        email="info@opera-lyon.fr",
        address_line1="1 place de la Comédie",
        postcode="69001",
        city="Lyon",
    )
    rows = read_csv(as_staff.get(ORGS, {"export": "csv"}))
    opera = dict(zip(rows[0], rows[1], strict=True))
    assert opera["Organisation"] == "Opéra de Lyon"
    assert opera["Type d’organisation"] == "Lieu de spectacle"
    assert opera["E-mail"] == "info@opera-lyon.fr"
    assert opera["Adresse"] == "1 place de la Comédie"
    assert opera["Code postal"] == "69001" and opera["Ville"] == "Lyon"


def test_people_export_reads_positions_in_one_query_per_chunk(
    as_staff, django_assert_max_num_queries
):
    for number in range(30):
        PositionFactory(person=PersonFactory(last_name=f"Nom{number}"))
    with django_assert_max_num_queries(12):
        rows = read_csv(as_staff.get(PEOPLE, {"export": "csv"}))
    assert len(rows) == 31
    assert all(row[3].startswith("Théâtre numéro") for row in rows[1:])


# Formulae and phone numbers ---------------------------------------------------------


@pytest.mark.parametrize(
    "phone",
    [
        "+33 6 12 34 56 78",
        "+33612345678",
        "+44 20 7946 0958",
        "+1 212-555-0100",
        "+33 (0)1 42 74 22 77",
        "+49.30.1234567",
        "+33\u00a06\u00a012\u00a034\u00a056\u00a078",
    ],
)
def test_a_phone_in_international_form_is_not_escaped(phone):
    assert escape_formula(phone) == phone


@pytest.mark.parametrize(
    "formula",
    [
        "+SUM(A1)",
        "-2+3",
        "@cmd",
        '=HYPERLINK("http://evil.example","clic")',
        "+1-2",  # too few digits for a phone
        "+33 6 12\t34 56 78",
        "+33 6 12 34 56 78\n=1+1",
        "+33612345678+A1",
        "-33612345678",
        "\t+33612345678",
        "\r+33612345678",
        "+",
    ],
)
def test_anything_else_that_starts_like_a_formula_is_escaped(formula):
    assert escape_formula(formula) == "'" + formula


@pytest.fixture
def tricky():
    OrganisationFactory(name="+SUM(A1)", phone="+44 20 7946 0958", city="-2+3")
    PersonFactory(first_name="@cmd", last_name="Zorn", phone="+44 20 7946 0958")


def test_listing_csv_keeps_international_phones_and_escapes_formulae(as_staff, tricky):
    organisations = read_csv(as_staff.get(ORGS, {"export": "csv"}))
    organisation = dict(zip(organisations[0], organisations[1], strict=True))
    assert organisation["Organisation"] == "'+SUM(A1)"
    assert organisation["Téléphone"] == "+44 20 7946 0958"
    assert organisation["Ville"] == "'-2+3"
    people = read_csv(as_staff.get(PEOPLE, {"export": "csv"}))
    person = dict(zip(people[0], people[1], strict=True))
    assert person["Prénom"] == "'@cmd"
    assert person["Téléphone personnel"] == "+44 20 7946 0958"


def test_listing_workbook_keeps_international_phones_and_escapes_formulae(as_staff, tricky):
    organisations = read_xlsx(as_staff.get(ORGS, {"export": "xlsx"}))
    organisation = dict(zip(organisations[0], organisations[1], strict=True))
    assert organisation["Organisation"] == "'+SUM(A1)"
    assert organisation["Téléphone"] == "+44 20 7946 0958"
    assert organisation["Ville"] == "'-2+3"
    people = read_xlsx(as_staff.get(PEOPLE, {"export": "xlsx"}))
    person = dict(zip(people[0], people[1], strict=True))
    assert person["Prénom"] == "'@cmd"
    assert person["Téléphone personnel"] == "+44 20 7946 0958"
