"""`directory.audit`: what an edit changed, in the log and in the history."""

import datetime

import pytest
from wagtail.models import ModelLogEntry

from directory.audit import changes, log_change, values_of
from directory.models import Organisation, Person
from tests import factories

pytestmark = pytest.mark.django_db


def test_values_read_as_a_person_sees_them():
    kind = factories.OrganisationKindFactory(name="Lieu")
    centres = [factories.InterestCentreFactory(name=n) for n in ("Théâtre", "danse")]
    organisation = factories.OrganisationFactory(
        name="La Comète", kind=kind, phone="+33326473040", is_active=True
    )
    organisation.interest_centres.set(centres)
    values = values_of(organisation)
    assert values["name"] == "La Comète"
    assert values["kind"] == "Lieu"
    assert values["interest_centres"] == "danse, Théâtre"
    assert values["phone"] == "03 26 47 30 40"
    assert values["country"] == "France"
    assert values["is_active"] == "oui"
    assert "search_text" not in values and "updated_at" not in values


def test_dates_and_choices_are_formatted():
    person = factories.PersonFactory(
        sms_consent="refused", sms_consent_date=datetime.date(2024, 3, 5)
    )
    values = values_of(person)
    assert values["sms_consent"] == "Refusé"
    assert values["sms_consent_date"] == "05/03/2024"


def test_changes_list_each_changed_field_with_before_and_after():
    before = {"name": "A", "city": "", "notes": "x"}
    after = {"name": "B", "city": "Reims", "notes": "x"}
    assert changes(before, after, Organisation) == [
        {"field": "name", "label": "Nom", "before": "A", "after": "B"},
        {"field": "city", "label": "Ville", "before": "", "after": "Reims"},
    ]


def test_an_edit_is_logged_with_its_changes_and_nothing_when_nothing_changed(admin_user):
    person = factories.PersonFactory(last_name="Martin", city="")
    before = values_of(person)
    assert log_change(person, before, user=admin_user) is None
    person.last_name = "Martin-Durand"
    person.city = "Reims"
    person.save()
    entry = log_change(person, before, user=admin_user)
    assert entry.action == "wagtail.edit"
    assert {"field": "city", "label": "Ville", "before": "", "after": "Reims"} in entry.data[
        "changes"
    ]
    logged = ModelLogEntry.objects.get(pk=entry.pk)
    assert logged.message.startswith("Modifié\u00a0: ")
    assert "Nom\u00a0: «\u00a0Martin\u00a0» → «\u00a0Martin-Durand\u00a0»" in logged.message
    assert "\u00a0; " in logged.message
    assert "Ville\u00a0: «\u00a0vide\u00a0» → «\u00a0Reims\u00a0»" in logged.message
    assert Person.objects.filter(pk=person.pk).exists()
