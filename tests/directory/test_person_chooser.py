"""The person chooser of an organisation's inline positions: its list tells
homonyms apart (organisation, function, city, e-mail) in a constant number
of queries; creating a person from it goes through the person form's
validation, its likely-duplicate notice ("Créer quand même") and the audit
log."""

import datetime
import html
import json
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import ModelLogEntry

from directory import actions
from directory.models import Person
from tests.factories import FunctionFactory, OrganisationFactory, PersonFactory, PositionFactory

pytestmark = pytest.mark.django_db

CHOOSE = "/admin/snippets/choose/directory/person/"
CREATE = f"{CHOOSE}create/"


def new_person(**fields):
    return {
        "civility": "",
        "first_name": "Élodie",
        "last_name": "Lefèvre",
        "email": "elodie.lefevre@courriel.fr",
        "phone": "",
        "mobile": "06 12 34 56 78",
        **fields,
    }


def modal(response):
    assert response.status_code == 200
    return json.loads(response.content)


def test_a_person_created_from_the_chooser_is_chosen_and_logged(as_staff, staff_user):
    data = modal(as_staff.post(CREATE, new_person()))
    person = Person.objects.get()
    assert data["step"] == "chosen"
    assert data["result"]["id"] == str(person.pk)
    assert person.mobile == "+33612345678"
    assert "lefevre" in person.search_text
    entry = ModelLogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(Person), object_id=str(person.pk)
    )
    assert entry.action == "wagtail.create"
    assert entry.user == staff_user


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", "pas un email"),
        ("mobile", "06 12"),
        ("last_name", ""),
        ("first_name", "x" * 500),
        ("email", "a@" + "b" * 300 + ".fr"),
    ],
)
def test_bad_input_is_shown_again_with_a_message_and_creates_nobody(as_staff, field, value):
    data = modal(as_staff.post(CREATE, new_person(**{field: value})))
    assert data["step"] == "reshow_creation_form"
    assert re.search(rf'w-field--error"[^>]*data-contentpath="{field}"', data["htmlFragment"])
    assert Person.objects.count() == 0


def test_a_likely_duplicate_is_a_notice_then_create_anyway_creates(as_staff):
    existing = PersonFactory(first_name="Elodie", last_name="LEFEVRE", mobile="0612345678")
    data = modal(as_staff.post(CREATE, new_person(email="")))
    assert data["step"] == "reshow_creation_form"
    page = data["htmlFragment"]
    assert "help-warning" in page and "data-likely-duplicates" in page
    assert "Cette personne existe peut-être déjà" in page
    link = f'<a href="/admin/directory/people/inspect/{existing.pk}/" target="_blank"'
    assert link in page
    assert "même téléphone" in page and "même nom" in page
    assert "w-field--error" not in page and "error-message" not in page  # not a form in error
    assert Person.objects.count() == 1

    # "Créer quand même" is a form of its own that sends the values again.
    anyway = create_anyway_form(page)
    assert anyway["action"] == CREATE
    assert anyway["data"]["create_anyway"] == "on"
    assert anyway["data"]["last_name"] == "Lefèvre"
    assert anyway["data"]["mobile"] == "06 12 34 56 78"
    data = modal(as_staff.post(CREATE, anyway["data"]))
    assert data["step"] == "chosen"
    assert Person.objects.count() == 2
    created = Person.objects.exclude(pk=existing.pk).get()
    assert data["result"]["id"] == str(created.pk)
    assert created.mobile == "+33612345678" and created.last_name == "Lefèvre"


def test_an_email_known_as_professional_is_a_duplicate_in_the_chooser(as_staff):
    position = PositionFactory(
        person=PersonFactory(first_name="Jean", last_name="Autre"), email="Elodie@Courriel.fr"
    )
    page = modal(as_staff.post(CREATE, new_person(email="ELODIE@courriel.fr", mobile="")))[
        "htmlFragment"
    ]
    assert f"/admin/directory/people/inspect/{position.person_id}/" in page
    assert "même e-mail" in page
    assert f"{position.label}, {position.organisation}" in page  # who they are
    assert Person.objects.count() == 1


def test_a_person_in_the_trash_is_marked_and_cannot_be_chosen(as_staff, staff_user):
    trashed = PersonFactory(first_name="Élodie", last_name="Lefèvre")
    actions.trash_person(staff_user, trashed)
    page = modal(as_staff.post(CREATE, new_person(email="", mobile="")))["htmlFragment"]
    assert "dans la corbeille" in page
    assert f"{CHOOSE}chosen/{trashed.pk}/" not in page
    assert "/admin/directory/trash/?kind=person" in page
    assert create_anyway_form(page)["data"]["create_anyway"] == "on"


def test_a_likely_duplicate_can_be_chosen_instead_of_created(as_staff):
    existing = PersonFactory(first_name="Elodie", last_name="LEFEVRE", mobile="0612345678")
    page = modal(as_staff.post(CREATE, new_person(email="")))["htmlFragment"]
    chosen = f"{CHOOSE}chosen/{existing.pk}/"
    assert f'action="{chosen}"' in page
    assert "Choisir Elodie LEFEVRE" in page
    data = modal(as_staff.post(chosen))
    assert data["step"] == "chosen"
    assert data["result"]["id"] == str(existing.pk)
    assert Person.objects.count() == 1


def test_the_creation_tab_asks_nothing_about_duplicates_before_there_are_any(as_staff):
    PersonFactory(first_name="Élodie", last_name="Lefèvre")
    page = modal(as_staff.get(CHOOSE))["html"]
    assert 'name="last_name"' in page
    assert 'name="create_anyway"' not in page
    assert "data-likely-duplicates" not in page


# The list: enough to tell homonyms apart ------------------------------------------------------


def homonyms():
    """Two Élodie Martin: one director at the Opéra de Lyon, one in Brest."""
    director = FunctionFactory(name="Directrice")
    opera = OrganisationFactory(name="Opéra de Lyon", city="Lyon", postcode="69001")
    in_lyon = PersonFactory(first_name="Élodie", last_name="Martin", email="perso@courriel.fr")
    PositionFactory(person=in_lyon, organisation=opera, function=director, email="em@opera.fr")
    PositionFactory(
        person=in_lyon,
        organisation=OrganisationFactory(name="Ancien lieu"),
        end_date=datetime.date(2020, 1, 1),
    )
    in_brest = PersonFactory(
        first_name="Élodie", last_name="MARTIN", city="Brest", email="elodie@brest.fr"
    )
    return in_lyon, in_brest


def rows(html):
    table = html[html.index("<table") : html.index("</table>")]
    header = [
        re.sub(r"\s+", " ", h).strip()
        for h in re.findall(r"<th(?:\s[^>]*)?>(.*?)</th>", table, re.S)
    ]
    body = []
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        body.append([re.sub(r"<[^>]+>|\s+", " ", cell).split() for cell in cells])
    return header, [[" ".join(cell) for cell in row] for row in body]


def test_the_chooser_shows_organisation_function_city_and_email(as_staff):
    in_lyon, in_brest = homonyms()
    header, body = rows(modal(as_staff.get(CHOOSE))["html"])
    assert header == ["Nom", "Organisation", "Fonction", "Ville", "E-mail"]
    assert "Titre" not in header
    assert body == [
        ["Élodie Martin", "Opéra de Lyon", "Directrice", "Lyon", "em@opera.fr, perso@courriel.fr"],
        ["Élodie MARTIN", "", "", "Brest", "elodie@brest.fr"],
    ]


def test_the_search_ignores_accents_and_case_and_keeps_the_columns(as_staff):
    homonyms()
    PersonFactory(first_name="Paul", last_name="Durand")
    response = as_staff.get(f"{CHOOSE}results/", {"q": "ELODIE martin"})
    assert response.status_code == 200
    header, body = rows(response.content.decode())
    assert header[0] == "Nom"
    assert [row[1] for row in body] == ["Opéra de Lyon", ""]
    response = as_staff.get(f"{CHOOSE}results/", {"q": "opera"})
    assert [row[0] for row in rows(response.content.decode())[1]] == ["Élodie Martin"]


def test_the_chooser_reads_the_positions_of_a_page_in_one_query(as_staff):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert as_staff.get(f"{CHOOSE}results/").status_code == 200
        return len(captured)

    homonyms()
    few = queries()
    for number in range(20):
        PositionFactory(
            person=PersonFactory(last_name=f"Zed{number}"),
            organisation=OrganisationFactory(),
            email=f"z{number}@x.fr",
        )
    assert queries() == few


def test_clients_and_strangers_cannot_open_the_chooser(as_client, client):
    homonyms()
    for browser in (as_client, client):
        for url in (CHOOSE, f"{CHOOSE}results/", f"{CHOOSE}results/?q=martin"):
            response = browser.get(url)
            assert response.status_code in (302, 403, 404)
            assert "Martin" not in response.content.decode()


# Hostile input in the creation tab ------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"last_name": "M" * 10_000},
        {"first_name": "É" * 10_000, "last_name": "Lefèvre"},
        {"phone": "12"},
        {"phone": "9" * 10_000},
        {"mobile": "+33 1 23 45 67 89"},
    ],
)
def test_hostile_input_is_a_form_message_even_with_a_duplicate(as_staff, fields):
    PersonFactory(first_name="Élodie", last_name="Lefèvre")
    data = modal(as_staff.post(CREATE, new_person(**fields, create_anyway="on")))
    assert data["step"] == "reshow_creation_form"
    assert "error" in data["htmlFragment"]
    assert Person.objects.count() == 1


def test_a_nul_character_is_refused(as_staff):
    response = as_staff.post(CREATE, new_person(last_name="Le\x00fèvre"))
    assert response.status_code == 400
    assert Person.objects.count() == 0


def create_anyway_form(page):
    """The action and the values of the notice's "Créer quand même" form."""
    forms = re.findall(r"<form ([^>]*)>(.*?)</form>", page, re.S)
    for attrs, body in forms:
        if 'name="create_anyway"' in body:
            action = re.search(r'action="([^"]*)"', attrs).group(1)
            values = {
                html.unescape(name): html.unescape(value)
                for name, value in re.findall(
                    r'<input type="hidden" name="([^"]*)" value="([^"]*)"', body
                )
            }
            values.pop("csrfmiddlewaretoken", None)
            return {"action": action, "data": values}
    raise AssertionError("no Créer quand même form")


def test_clients_and_strangers_cannot_create_or_choose_people_from_the_chooser(as_client, client):
    someone = PersonFactory(last_name="Secrète")
    chosen = f"{CHOOSE}chosen/{someone.pk}/"
    for browser in (as_client, client):
        assert browser.post(CREATE, new_person()).status_code in (302, 403)
        response = browser.post(chosen)
        assert response.status_code in (302, 403)
        assert "Secr" not in response.content.decode()
    assert Person.objects.count() == 1
