"""Creating a person from the chooser of an organisation's inline positions:
the person form's validation, its likely-duplicate check and the audit log."""

import json
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from wagtail.models import ModelLogEntry

from directory.models import Person
from tests.factories import PersonFactory

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


def test_a_likely_duplicate_is_shown_before_creating_then_can_be_overridden(as_staff):
    existing = PersonFactory(first_name="Elodie", last_name="LEFEVRE", mobile="0612345678")
    data = modal(as_staff.post(CREATE, new_person(email="")))
    assert data["step"] == "reshow_creation_form"
    page = data["htmlFragment"]
    assert f"/admin/directory/people/edit/{existing.pk}/" in page
    assert "probablement" in page  # the French message, not only the list
    assert 'name="create_anyway"' in page
    assert Person.objects.count() == 1

    data = modal(as_staff.post(CREATE, new_person(email="", create_anyway="on")))
    assert data["step"] == "chosen"
    assert Person.objects.count() == 2


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
    page = modal(as_staff.get(CHOOSE))["html"]
    assert 'name="last_name"' in page
    assert 'name="create_anyway"' not in page


def test_clients_and_strangers_cannot_create_or_choose_people_from_the_chooser(as_client, client):
    someone = PersonFactory(last_name="Secrète")
    chosen = f"{CHOOSE}chosen/{someone.pk}/"
    for browser in (as_client, client):
        assert browser.post(CREATE, new_person()).status_code in (302, 403)
        response = browser.post(chosen)
        assert response.status_code in (302, 403)
        assert "Secr" not in response.content.decode()
    assert Person.objects.count() == 1
