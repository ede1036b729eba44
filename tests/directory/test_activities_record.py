"""« Activité » on the records: the timeline, the totals per year and kind,
who sees them (staff and administrators, never clients), and a record in
the trash taking its activities with it."""

import datetime
import re
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup

from directory import actions
from directory.activities import format_amount, totals
from tests.activity_factories import activity
from tests.factories import OrganisationFactory, PersonFactory, logged_in, staff

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"


def org_url(organisation):
    return f"/admin/directory/organisations/inspect/{organisation.pk}/"


def person_url(person):
    return f"/admin/directory/people/inspect/{person.pk}/"


def section(response):
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    return soup.select_one("[data-record-activities]")


def words(node) -> str:
    """The text, spaces collapsed (non-breaking ones kept)."""
    return re.sub(r"[ \t\r\n]+", " ", node.get_text(" ")).strip() if node else ""


@pytest.fixture
def theatre():
    organisation = OrganisationFactory(name="Théâtre des Lilas")
    activity(
        organisation,
        "order",
        datetime.date(2026, 3, 12),
        "1234.50",
        external_reference="CMD-123",
        details={"articles": 3, "note": "<script>alert(1)</script>"},
    )
    activity(organisation, "rental", datetime.date(2026, 5, 2), "200", external_reference="LOC-9")
    activity(organisation, "order", datetime.date(2026, 6, 1), "10.25", currency="USD")
    activity(organisation, "order", datetime.date(2025, 1, 20), "99.99")
    activity(organisation, "subscription", datetime.date(2025, 2, 1))  # no amount
    return organisation


def test_staff_see_the_timeline_latest_first_with_french_amounts(as_staff, theatre):
    response = as_staff.get(org_url(theatre))
    assert response.status_code == 200
    found = section(response)
    items = found.select(".crm-timeline > li")
    dates = [item.select_one("time")["datetime"] for item in items]
    assert dates == ["2026-06-01", "2026-05-02", "2026-03-12", "2025-02-01", "2025-01-20"]
    third = words(items[2])
    assert "12/03/2026" in third and "Commande" in third and "CMD-123" in third
    assert f"1{NBSP}234,50{NBSP}€" in items[2].get_text()
    assert "Location de matériel" in third  # recorded by
    assert f"10,25{NBSP}$" in items[0].get_text()
    # The details are shown as text, never as markup.
    assert found.select_one("script") is None
    assert "<script>alert(1)</script>" in items[2].get_text()


def test_the_totals_are_per_year_and_kind_with_one_amount_per_currency(as_staff, theatre):
    table = section(as_staff.get(org_url(theatre))).select_one("[data-activity-totals]")
    rows = [words(row) for row in table.select("tbody tr")]
    assert rows == [
        f"2026 Commande 2 1{NBSP}234,50{NBSP}€ 10,25{NBSP}$",
        f"Location 1 200,00{NBSP}€",
        "2025 Abonnement 1 —",
        f"Commande 1 99,99{NBSP}€",
    ]


def test_totals_add_up_in_the_database(theatre):
    activity(theatre, "order", datetime.date(2026, 12, 31), "0.75")
    years = totals(theatre)
    assert [year.year for year in years] == [2026, 2025]
    orders = years[0].rows[0]
    assert orders["kind"] == "Commande" and orders["count"] == 3
    assert orders["by_currency"] == {"EUR": Decimal("1235.25"), "USD": Decimal("10.25")}
    assert years[0].count == 4


def test_a_record_without_activity_says_so(as_staff):
    person = PersonFactory(first_name="Inès", last_name="Sansachat")
    found = section(as_staff.get(person_url(person)))
    assert "Aucune activité" in words(found)
    assert found.select_one("[data-activity-totals]") is None


def test_a_person_s_record_shows_their_own_activities_only(as_staff, theatre):
    person = PersonFactory(first_name="Jules", last_name="Acheteur")
    activity(person, "registration", datetime.date(2026, 4, 4), external_reference="INS-1")
    text = words(section(as_staff.get(person_url(person))))
    assert "INS-1" in text and "Inscription" in text
    assert "CMD-123" not in text


def test_another_staff_member_sees_the_same_activities(theatre):
    """The directory is shared by the whole team: so are its activities."""
    other = logged_in(staff(username="lucie"))
    assert "CMD-123" in words(section(other.get(org_url(theatre))))


def test_administrators_see_them_too(as_admin, theatre):
    assert "CMD-123" in words(section(as_admin.get(org_url(theatre))))


def test_clients_never_see_a_record_or_its_activities(as_client, theatre):
    response = as_client.get(org_url(theatre))
    assert response.status_code in (302, 403, 404)
    assert "CMD-123" not in response.content.decode()


def test_a_record_in_the_trash_takes_its_activities_with_it(as_staff, admin_user, theatre):
    actions.trash_records(admin_user, [theatre])
    assert as_staff.get(org_url(theatre)).status_code == 404
    theatre.refresh_from_db()
    assert totals(theatre) == []
    actions.restore_records(admin_user, [theatre])
    assert "CMD-123" in words(section(as_staff.get(org_url(theatre))))


def test_only_the_latest_activities_are_listed_and_the_others_counted(as_staff):
    organisation = OrganisationFactory(name="Grand client")
    for day in range(1, 29):
        activity(organisation, "order", datetime.date(2026, 2, day), "1")
    found = section(as_staff.get(org_url(organisation)))
    assert len(found.select(".crm-timeline > li")) == 25
    assert "Et 3 activités plus anciennes." in words(found)


@pytest.mark.parametrize(
    "amount, currency, expected",
    [
        ("1234.5", "EUR", f"1{NBSP}234,50{NBSP}€"),
        ("0", "EUR", f"0,00{NBSP}€"),
        ("-15", "EUR", f"\u221215,00{NBSP}€"),
        ("1000000", "CHF", f"1{NBSP}000{NBSP}000,00{NBSP}CHF"),
        ("12.3", "", "12,30"),
        (None, "EUR", ""),
    ],
)
def test_amounts_are_written_the_french_way(amount, currency, expected):
    assert format_amount(amount, currency) == expected


def test_amounts_are_written_the_english_way_in_english():
    from django.utils import translation

    with translation.override("en"):
        assert format_amount("1234.5", "EUR") == "€1,234.50"
        assert format_amount("3", "CHF") == "3.00 CHF"


def test_nested_or_odd_details_are_shown_as_text(as_staff):
    organisation = OrganisationFactory(name="Détails")
    nested = []
    for _level in range(200):
        nested = [nested]
    activity(
        organisation,
        "order",
        datetime.date(2026, 1, 5),
        details={"lignes": [{"ref": "A", "qté": 2}], "profond": nested, "vide": None, "ok": True},
    )
    found = section(as_staff.get(org_url(organisation)))
    text = words(found.select_one(".crm-timeline__details"))
    assert '[{"ref": "A", "qté": 2}]' in text
    assert "vide —" in text and "ok oui" in text
