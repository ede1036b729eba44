"""The dashboard's « Activité par mois » chart (an SVG drawn on the server,
read here as XML) and the administrators' « Clients de l’API » panel."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.utils import timezone
from wagtail.models import APIToken

from crmsite.activity_dashboard import build_chart, nice_ceiling
from crmsite.models import ApiClient
from directory import actions
from tests.activity_factories import activity, kind, months_ago
from tests.factories import OrganisationFactory, PersonFactory

pytestmark = pytest.mark.django_db

HOME = "/admin/"
SVG = "{http://www.w3.org/2000/svg}"
MONTHS = "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"
MONTHS = MONTHS.split()
SHORT_MONTHS = [
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
]


def panel(response, marker):
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    return soup.select_one(f"[{marker}]")


def svg_of(response) -> ET.Element:
    found = panel(response, "data-dashboard-activity-chart").select_one("svg")
    return ET.fromstring(str(found))


def bar_titles(svg) -> dict[str, list[str]]:
    """{"2026-03": ["Commande, mars 2026 : 2", …]} from the drawing."""
    bars = {}
    for group in svg.iter(f"{SVG}g"):
        month = group.get("data-month")
        if month:
            bars[month] = [rect.find(f"{SVG}title").text for rect in group.iter(f"{SVG}rect")]
    return bars


@pytest.fixture
def recorded():
    """Orders and rentals over the last months, one older than a year, one in the trash."""
    today = timezone.localdate()
    theatre = OrganisationFactory(name="Théâtre du Chart")
    person = PersonFactory()
    activity(theatre, "order", today, "100")
    activity(theatre, "order", today, "50")
    activity(person, "rental", today)
    activity(theatre, "rental", months_ago(2, today))
    activity(theatre, "order", months_ago(13, today))  # before the 12 months
    trashed = OrganisationFactory(name="Théâtre jeté")
    activity(trashed, "order", today)
    return theatre, trashed


def month_key(date):
    return date.strftime("%Y-%m")


def test_staff_see_activities_per_month_stacked_by_kind(as_staff, recorded, admin_user):
    actions.trash_records(admin_user, [recorded[1]])
    today = timezone.localdate()
    response = as_staff.get(HOME)
    assert response.status_code == 200
    svg = svg_of(response)
    assert svg.get("role") == "img"
    title = svg.find(f"{SVG}title")
    desc = svg.find(f"{SVG}desc")
    assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert "12 derniers mois" in title.text
    assert "4 activités" in desc.text  # the one in the trash and the old one left out
    bars = bar_titles(svg)
    assert len(bars) == 12
    assert list(bars)[-1] == month_key(today)
    current = sorted(bars[month_key(today)])
    assert current[0].startswith("Commande, ") and current[0].endswith("\u00a0: 2")
    assert current[1].startswith("Location, ") and current[1].endswith("\u00a0: 1")
    assert [t.split(",")[0] for t in bars[month_key(months_ago(2, today))]] == ["Location"]
    assert sum(len(titles) for titles in bars.values()) == 3


def test_the_bars_are_as_tall_as_their_counts(recorded, admin_user):
    actions.trash_records(admin_user, [recorded[1]])
    chart = build_chart()
    current = chart.bars[-1]["segments"]
    heights = {segment["title"].split(",")[0]: segment["height"] for segment in current}
    assert heights["Commande"] == pytest.approx(2 * heights["Location"])
    # Stacked: the second segment sits on the first.
    first, second = current
    assert second["y"] + second["height"] == pytest.approx(first["y"])


def test_the_figures_are_in_a_table_for_screen_readers(as_staff, recorded):
    table = panel(as_staff.get(HOME), "data-activity-figures")
    assert "w-sr-only" in table["class"]
    headings = [th.get_text(strip=True) for th in table.select("thead th")]
    assert headings[0] == "Mois" and headings[-1] == "Total"
    assert set(headings[1:-1]) == {"Commande", "Location"}
    rows = table.select("tbody tr")
    assert len(rows) == 12
    last = [cell.get_text(strip=True) for cell in rows[-1].select("th, td")]
    today = timezone.localdate()
    assert last[0] == f"{MONTHS[today.month - 1]} {today.year}"
    assert last[-1] == "4"  # the record not in the trash here: it counts


def test_the_month_labels_are_french_and_the_legend_names_each_kind(as_staff, recorded):
    svg = svg_of(as_staff.get(HOME))
    labels = [text.text for text in svg.iter(f"{SVG}text")]
    today = timezone.localdate()
    expected = [SHORT_MONTHS[(today.month - 12 + index) % 12] for index in range(12)]
    assert [label for label in labels if not label.isdigit()] == expected
    assert str(today.year) in labels  # under January, or under the first bar
    legend = panel(as_staff.get(HOME), "data-dashboard-activity-chart").select(
        ".crm-activity-chart__legend li"
    )
    assert [" ".join(li.get_text(" ").split()) for li in legend] == [
        "Commande (3)",
        "Location (2)",
    ]


def test_the_chart_says_when_nothing_was_recorded(as_staff):
    found = panel(as_staff.get(HOME), "data-dashboard-activity-chart")
    assert found.select_one("svg") is None
    assert "Aucune activité" in found.get_text()


def test_many_kinds_are_drawn_with_the_smallest_together():
    for index in range(9):
        for _count in range(index + 1):
            activity(OrganisationFactory(), kind(f"kind{index}").code)
    chart = build_chart()
    names = [series.name for series in chart.series]
    assert len(names) == 7 and names[-1] == "Autres types"
    assert chart.series[-1].total == 1 + 2 + 3
    assert len({series.colour for series in chart.series}) == 7


def test_the_vertical_axis_ends_on_a_round_number():
    assert [nice_ceiling(n) for n in (0, 3, 7, 11, 48, 130, 999, 1001)] == [
        4,
        4,
        8,
        20,
        80,
        200,
        1000,
        2000,
    ]


def test_clients_see_neither_the_chart_nor_the_api_clients(as_client, recorded):
    response = as_client.get(HOME)
    assert panel(response, "data-dashboard-activity-chart") is None
    assert panel(response, "data-dashboard-api-clients") is None


# API clients -----------------------------------------------------------------------


def api_client(name, **fields):
    user = get_user_model().objects.create(username=f"api-{name.lower().replace(' ', '-')}")
    token, _plaintext = APIToken.create_token(user=user, name=name)
    last_used_at = fields.pop("last_used_at", None)
    if last_used_at:
        token.last_used_at = last_used_at
        token.save()
    fields.setdefault("expires_at", timezone.now() + datetime.timedelta(days=365))
    return ApiClient.objects.create(
        name=name, scopes=["activity:write"], user=user, token=token, **fields
    )


def test_administrators_see_each_api_client_s_last_use(as_admin):
    now = timezone.now()
    api_client("Location de matériel", last_used_at=now - datetime.timedelta(days=3))
    api_client("Billetterie")
    api_client("Ancien site", revoked_at=now - datetime.timedelta(days=1))
    api_client("Boutique", expires_at=now - datetime.timedelta(hours=1))
    api_client("Adhésions", expires_at=now + datetime.timedelta(days=3))
    found = panel(as_admin.get(HOME), "data-dashboard-api-clients")
    rows = {
        li.select_one(".crm-api-client__name").get_text(strip=True): li for li in found.select("li")
    }
    assert list(rows) == [
        "Adhésions",
        "Ancien site",
        "Billetterie",
        "Boutique",
        "Location de matériel",
    ]

    def text(name):
        return " ".join(rows[name].get_text(" ").split())

    assert "il y a 3 jours" in text("Location de matériel").lower()
    assert "Jamais utilisé" in text("Billetterie")
    assert rows["Ancien site"]["data-state"] == "revoked" and "Révoqué" in text("Ancien site")
    assert rows["Boutique"]["data-state"] == "expired" and "Expiré" in text("Boutique")
    assert rows["Adhésions"]["data-state"] == "expires_soon"
    assert rows["Billetterie"]["data-state"] == "active"


def test_the_panel_links_to_the_api_clients_listing_once_it_exists(as_admin):
    from django.urls import NoReverseMatch, reverse

    found = panel(as_admin.get(HOME), "data-dashboard-api-clients")
    try:
        url = reverse("crmsite_api_clients:index")
    except NoReverseMatch:
        assert found.select_one("a") is None
    else:
        assert found.select_one("a")["href"] == url


def test_staff_do_not_see_the_api_clients(as_staff):
    api_client("Location de matériel")
    response = as_staff.get(HOME)
    assert panel(response, "data-dashboard-api-clients") is None
    assert "Location de matériel" not in response.content.decode()
    assert panel(response, "data-dashboard-activity-chart") is not None


# Demo data -------------------------------------------------------------------------


def test_the_demo_has_activities_on_the_showcase_and_in_the_chart(as_staff):
    import io

    from django.core.management import call_command

    from directory.models import Activity, Organisation

    call_command("seed_demo", stdout=io.StringIO())
    comete = Organisation.objects.get(name="La Comète")
    assert set(comete.activities.values_list("external_reference", flat=True)) >= {
        "LOC-0412",
        "CMD-0077",
    }
    assert Activity.objects.count() > 40
    assert len(bar_titles(svg_of(as_staff.get(HOME)))) == 12
    record = as_staff.get(f"/admin/directory/organisations/inspect/{comete.pk}/")
    assert "LOC-0412" in record.content.decode()
    count = Activity.objects.count()
    call_command("seed_demo", stdout=io.StringIO())
    assert Activity.objects.count() == count
