"""`directory.actions.record_activity`: once per source and reference,
updated when it changed, validated, refused for a record in the trash and
for those not allowed; and how the audit log tells it, in French."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from wagtail.models import ModelLogEntry

from directory import actions
from directory.models import Activity, ActivityKind
from tests.activity_factories import kind
from tests.factories import OrganisationFactory, PersonFactory, administrator, client, staff

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 12)
NBSP = "\u00a0"


@pytest.fixture
def recorder():
    """An account allowed to record activities (the API's clients have their own)."""
    return administrator(username="ariane")


@pytest.fixture
def theatre():
    return OrganisationFactory(name="Théâtre des Lilas")


def record(user, target, **changes):
    fields = {
        "source": "api-client:7",
        "source_name": "Location de matériel",
        "external_reference": "CMD-123",
        "kind": kind("order"),
        "date": DAY,
        "amount": Decimal("1234.50"),
        "currency": "EUR",
        "details": {"articles": 3},
    }
    fields.update(changes)
    return actions.record_activity(user, target, **fields)


def entries(target):
    return list(
        ModelLogEntry.objects.for_instance(target).order_by("pk").values_list("action", "data")
    )


def test_an_activity_is_recorded_once_per_source_and_reference(recorder, theatre):
    activity, outcome = record(recorder, theatre)
    assert outcome == "created"
    assert (activity.organisation, activity.kind.code, activity.amount) == (
        theatre,
        "order",
        Decimal("1234.50"),
    )
    again, outcome = record(recorder, theatre)
    assert outcome == "unchanged" and again.pk == activity.pk
    assert Activity.objects.count() == 1
    assert [action for action, _data in entries(theatre)] == ["directory.activity.record"]


def test_a_changed_payload_updates_the_activity_and_says_what_changed(recorder, theatre):
    activity, _outcome = record(recorder, theatre)
    updated, outcome = record(recorder, theatre, amount="1300", date=DAY.replace(day=13))
    assert outcome == "updated" and updated.pk == activity.pk
    activity.refresh_from_db()
    assert activity.amount == Decimal("1300.00") and activity.date == DAY.replace(day=13)
    action, data = entries(theatre)[-1]
    assert action == "directory.activity.update"
    assert sorted(data["changed"]) == ["amount", "date"]


def test_the_same_reference_from_another_source_is_another_activity(recorder, theatre):
    record(recorder, theatre)
    _activity, outcome = record(recorder, theatre, source="api-client:8")
    assert outcome == "created" and Activity.objects.count() == 2


def test_a_reference_recorded_for_one_record_is_refused_for_another(recorder, theatre):
    record(recorder, theatre)
    with pytest.raises(ValidationError) as error:
        record(recorder, PersonFactory())
    assert "external_reference" in error.value.message_dict


def test_a_person_can_have_activities_too(recorder):
    person = PersonFactory()
    activity, outcome = record(
        recorder, person, kind=kind("registration"), amount=None, currency=""
    )
    assert outcome == "created" and activity.person == person and activity.currency == ""


def test_an_amount_without_currency_is_in_euros(recorder, theatre):
    activity, _outcome = record(recorder, theatre, currency="")
    assert activity.currency == "EUR"


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"kind": "order"}, "kind"),
        ({"kind": None}, "kind"),
        ({"date": "2026-03-12"}, "date"),
        ({"date": datetime.date(1899, 12, 31)}, "date"),
        ({"date": datetime.date(2201, 1, 1)}, "date"),
        ({"amount": "12.345"}, "amount"),
        ({"amount": "NaN"}, "amount"),
        ({"amount": "Infinity"}, "amount"),
        ({"amount": "1e20"}, "amount"),
        ({"amount": "douze"}, "amount"),
        ({"currency": "EURO"}, "currency"),
        ({"currency": "€"}, "currency"),
        ({"currency": "E1R"}, "currency"),
        ({"details": ["a", "list"]}, "details"),
        ({"details": "text"}, "details"),
        ({"details": {"note": "x" * 10_001}}, "details"),
        ({"details": {"not json": object()}}, "details"),
        ({"external_reference": ""}, "external_reference"),
        ({"external_reference": "   "}, "external_reference"),
        ({"external_reference": "R" * 201}, "external_reference"),
    ],
)
def test_bad_input_is_refused_with_a_clear_french_message_and_nothing_written(
    recorder, theatre, changes, field
):
    with pytest.raises(ValidationError) as error:
        record(recorder, theatre, **changes)
    assert field in error.value.message_dict
    message = " ".join(error.value.message_dict[field])
    assert message.startswith(("Type", "Indiquez", "Un montant", "Les détails")), message
    assert Activity.objects.count() == 0
    assert entries(theatre) == []


def test_the_refusals_read_in_french(recorder, theatre):
    with pytest.raises(ValidationError) as error:
        record(recorder, theatre, kind=None, amount="1.234", currency="euros")
    messages = error.value.message_dict
    assert messages["kind"] == ["Type d’activité inconnu."]
    assert messages["amount"] == ["Un montant a au plus deux décimales."]
    assert "trois lettres" in messages["currency"][0]


def test_a_record_in_the_trash_gets_no_activity(recorder, theatre):
    actions.trash_records(recorder, [theatre])
    with pytest.raises(ValidationError):
        record(recorder, theatre)
    assert Activity.objects.count() == 0


@pytest.mark.parametrize("make", [staff, client])
def test_only_those_allowed_record_activities(theatre, make):
    with pytest.raises(PermissionDenied):
        record(make(), theatre)
    assert Activity.objects.count() == 0


def test_a_kind_in_use_cannot_be_deleted_by_the_action(recorder, theatre):
    record(recorder, theatre)
    with pytest.raises(ValidationError):
        actions.delete_list_item(recorder, kind("order"))
    assert ActivityKind.objects.filter(code="order").exists()


# The audit log, as the record's history shows it -----------------------------------


def history_text(browser, target) -> str:
    from bs4 import BeautifulSoup

    model = "organisations" if target._meta.model_name == "organisation" else "people"
    response = browser.get(f"/admin/directory/{model}/history/{target.pk}/")
    assert response.status_code == 200
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    return re.sub(r"[ \t\r\n]+", " ", soup.get_text(" "))


def test_the_history_says_what_was_recorded_in_french(recorder, theatre, as_staff):
    record(recorder, theatre)
    record(recorder, theatre, amount="1300", details={"articles": 4})
    text = history_text(as_staff, theatre)
    assert (
        f"Activité enregistrée{NBSP}: Commande CMD-123 du 12/03/2026, "
        f"1{NBSP}234,50{NBSP}€ (Location de matériel)"
    ) in text
    assert (
        f"Activité mise à jour{NBSP}: Commande CMD-123 du 12/03/2026, "
        f"1{NBSP}300,00{NBSP}€ (Location de matériel){NBSP}; modifié{NBSP}: montant, détails"
    ) in text


def test_the_history_of_an_activity_without_amount_says_none(recorder, as_staff):
    person = PersonFactory()
    record(recorder, person, kind=kind("registration"), amount=None, source_name="")
    text = history_text(as_staff, person)
    assert f"Activité enregistrée{NBSP}: Inscription CMD-123 du 12/03/2026" in text
    assert "€" not in text.split("Inscription CMD-123")[1][:40]


def test_the_history_filter_offers_the_activity_actions_in_french(recorder, theatre, as_staff):
    record(recorder, theatre)
    response = as_staff.get(f"/admin/directory/organisations/history/{theatre.pk}/")
    assert "Enregistrer une activité" in response.content.decode()
