"""Exported listings as a French user opens them: CSV separated by ";" in
UTF-8 with a byte order mark, « Oui »/« Non » (« Yes »/« No » in English),
dates JJ/MM/AAAA, choices as their labels; a workbook with a frozen header
row, filters on it and column widths; formulae still escaped."""

import csv
import datetime
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from directory.exports import csv_value, xlsx_value
from directory.models import Person
from tests.factories import OrganisationFactory, PersonFactory, staff

pytestmark = pytest.mark.django_db
ORGS = "/admin/directory/organisations/"
PEOPLE = "/admin/directory/people/"


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body[:3] == b"\xef\xbb\xbf"  # UTF-8 byte order mark, for Excel
    return list(csv.reader(io.StringIO(body[3:].decode("utf-8")), delimiter=";"))


def read_xlsx(response):
    body = b"".join(response.streaming_content)
    return load_workbook(io.BytesIO(body)).active


@pytest.fixture
def people():
    PersonFactory(
        first_name="Zoé",
        last_name="Ancel",
        do_not_contact=True,
        email_consent="consented",
        language="en",
    )
    PersonFactory(first_name="Léo", last_name="Brun", do_not_contact=False)


def test_people_csv_is_french(as_staff, people):
    response = as_staff.get(PEOPLE, {"export": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = read_csv(response)
    heading = rows[0]
    assert heading[:3] == ["Civilité", "Prénom", "Nom de famille"]
    assert all(len(row) == len(heading) for row in rows)
    by_name = {row[2]: dict(zip(heading, row, strict=True)) for row in rows[1:]}
    assert by_name["Ancel"]["Ne pas contacter"] == "Oui"
    assert by_name["Brun"]["Ne pas contacter"] == "Non"
    assert by_name["Ancel"]["Langue préférée"] == "Anglais"  # the label, not "en"
    assert by_name["Ancel"]["Consentement e-mail"] == "Accepté"  # the label, not "consented"
    body = "\n".join(";".join(row) for row in rows)
    assert "True" not in body and "False" not in body


def test_organisations_csv_says_oui_non_for_active(as_staff):
    OrganisationFactory(name="Ouverte")
    OrganisationFactory(name="Fermée", is_active=False)
    rows = read_csv(as_staff.get(ORGS, {"export": "csv"}))
    active = rows[0].index("Active")
    assert {row[0]: row[active] for row in rows[1:]} == {"Fermée": "Non", "Ouverte": "Oui"}


def test_english_profile_language_gives_yes_and_no(people):
    from wagtail.users.models import UserProfile

    user = staff(username="jane")
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    browser = Client()
    browser.force_login(user)
    rows = read_csv(browser.get(PEOPLE, {"export": "csv"}))
    assert rows[0][:3] == ["Title", "First name", "Last name"]
    column = rows[0].index("Do not contact")
    assert sorted(row[column] for row in rows[1:]) == ["No", "Yes"]


def test_dates_are_written_jj_mm_aaaa():
    assert csv_value(datetime.date(2026, 3, 7)) == "07/03/2026"
    assert csv_value(True) == "Oui" and csv_value(False) == "Non"
    assert csv_value(None) == ""
    assert xlsx_value(True) == "Oui"
    moment = datetime.datetime(2026, 3, 7, 23, 30, tzinfo=datetime.UTC)
    assert csv_value(moment) == "08/03/2026 00:30"  # Europe/Paris
    assert xlsx_value(moment).tzinfo is None


def test_workbook_has_a_frozen_filtered_header_and_widths(as_staff, people):
    sheet = read_xlsx(as_staff.get(PEOPLE, {"export": "xlsx"}))
    assert sheet.freeze_panes == "A2"
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Civilité", "Prénom", "Nom de famille")
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, len(rows[0])).column_letter}{len(rows)}"
    widths = [sheet.column_dimensions[cell.column_letter].width for cell in sheet[1]]
    assert all(width and width >= 8 for width in widths)
    assert widths[rows[0].index("E-mail personnel")] >= 30
    column = rows[0].index("Ne pas contacter")
    assert sorted(row[column] for row in rows[1:]) == ["Non", "Oui"]


def test_workbook_of_organisations_says_oui_non(as_staff):
    OrganisationFactory(name="Fermée", is_active=False)
    sheet = read_xlsx(as_staff.get(ORGS, {"export": "xlsx"}))
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][rows[0].index("Active")] == "Non"
    assert sheet.auto_filter.ref == f"A1:N{len(rows)}"


def test_formulae_stay_escaped_in_both_formats(as_staff):
    OrganisationFactory(name="=1+1", city="@SUM(A1)", email="")
    rows = read_csv(as_staff.get(ORGS, {"export": "csv"}))
    assert rows[1][0] == "'=1+1"
    assert "'@SUM(A1)" in rows[1]
    sheet = read_xlsx(as_staff.get(ORGS, {"export": "xlsx"}))
    cell = sheet.cell(2, 1)
    assert cell.value == "'=1+1" and cell.data_type == "s"


def test_text_with_separators_and_quotes_round_trips(as_staff):
    Person.objects.all().delete()
    PersonFactory(first_name='Jean; "le grand"', last_name="Dupont\nFils")
    rows = read_csv(as_staff.get(PEOPLE, {"export": "csv"}))
    assert rows[1][1:3] == ['Jean; "le grand"', "Dupont Fils"]


@pytest.mark.parametrize("bad", ["pdf", "CSV", "", "x" * 5000])
def test_an_unknown_export_format_shows_the_listing(as_staff, bad):
    OrganisationFactory()
    response = as_staff.get(ORGS, {"export": bad})
    assert response.status_code == 200
    assert not getattr(response, "streaming", False)


def test_a_client_cannot_export(as_client):
    OrganisationFactory(name="Secret")
    for url in (ORGS, PEOPLE):
        response = as_client.get(url, {"export": "csv"})
        assert response.status_code in (302, 403, 404)
        assert not getattr(response, "streaming", False)


def test_people_csv_says_where_each_person_works_as_the_listing_does(as_staff):
    from tests.factories import FunctionFactory, PositionFactory

    worker = PersonFactory(first_name="Ariane", last_name="Zola", email="ariane@perso.fr")
    PositionFactory(
        person=worker,
        function=FunctionFactory(name="Administrateur·rice"),
        title="Secrétaire générale",
        email="secretariat@festival.fr",
        organisation=OrganisationFactory(name="Festival d’été"),
    )
    PositionFactory(
        person=worker,
        function=FunctionFactory(name="Directeur·rice"),
        title="Directrice",
        email="a.zola@opera.fr",
        phone="03 20 00 00 01",
        mobile="+33 6 12 34 56 78",
        is_primary=True,
        organisation=OrganisationFactory(name="Opéra de Lille"),
    )
    PositionFactory(  # ended: not exported, though it was the primary one
        person=PersonFactory(first_name="Léo", last_name="Sanspost"),
        is_primary=True,
        email="ancien@theatre.fr",
        end_date=datetime.date(2020, 1, 1),
        organisation=OrganisationFactory(name="Ancien théâtre"),
    )
    rows = read_csv(as_staff.get(PEOPLE, {"export": "csv"}))
    assert "Poste et organisation" not in rows[0]
    by_name = {row[2]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    zola = by_name["Zola"]
    assert zola["Organisation"] == "Opéra de Lille"
    assert zola["Fonction"] == "Directeur·rice"  # the function's name only
    assert zola["Intitulé du poste"] == "Directrice"
    assert zola["E-mail professionnel"] == "a.zola@opera.fr"
    assert zola["Téléphone professionnel"] == "03 20 00 00 01"
    assert zola["Mobile professionnel"] == "06 12 34 56 78"
    assert zola["E-mail personnel"] == "ariane@perso.fr"
    sans = by_name["Sanspost"]
    assert [sans[heading] for heading in ("Organisation", "Fonction", "E-mail professionnel")] == [
        "",
        "",
        "",
    ]
