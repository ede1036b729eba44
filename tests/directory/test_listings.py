"""Listings: filters, page-only counts, constant query count, safe exports."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from directory.models import InterestCentre, Person
from directory.views.listing import DirectoryPaginator
from tests.factories import (
    InterestCentreFactory,
    OrganisationFactory,
    OrganisationKindFactory,
    PersonFactory,
    PositionFactory,
)

pytestmark = pytest.mark.django_db
ORGS = "/admin/directory/organisations/"
PEOPLE = "/admin/directory/people/"


def names(response):
    return [str(obj) for obj in response.context["object_list"]]


def test_filters_on_kind_interest_centres_region_and_active(as_staff):
    festival_kind = OrganisationKindFactory(name="Festival")
    danse = InterestCentreFactory(name="Danse")
    metz = OrganisationFactory(name="Festival de Metz", kind=festival_kind, postcode="57000")
    metz.interest_centres.add(danse)
    metz.save()
    OrganisationFactory(name="Théâtre de Lyon", postcode="69001")
    OrganisationFactory(name="Ancien lieu", postcode="69001", is_active=False)
    assert names(as_staff.get(ORGS, {"kind": festival_kind.pk})) == ["Festival de Metz"]
    assert names(as_staff.get(ORGS, {"interest_centres": danse.pk})) == ["Festival de Metz"]
    assert names(as_staff.get(ORGS, {"region": "44"})) == ["Festival de Metz"]
    assert names(as_staff.get(ORGS, {"department": "69"})) == ["Ancien lieu", "Théâtre de Lyon"]
    assert names(as_staff.get(ORGS, {"is_active": "false"})) == ["Ancien lieu"]
    assert names(as_staff.get(ORGS, {"q": "THEATRE"})) == ["Théâtre de Lyon"]


def test_bad_filter_values_are_ignored_with_the_full_listing(as_staff):
    OrganisationFactory(name="Théâtre")
    for params in ({"kind": "abc"}, {"region": "999"}, {"interest_centres": "-1"}, {"p": "zzz"}):
        response = as_staff.get(ORGS, params)
        assert response.status_code == 200, params


def test_number_of_current_people_per_organisation(as_staff):
    organisation = OrganisationFactory(name="Opéra")
    PositionFactory(organisation=organisation)
    PositionFactory(organisation=organisation, end_date=datetime.date(2020, 1, 1))
    response = as_staff.get(ORGS)
    assert response.context["object_list"][0].current_people_count == 1


def test_people_listing_shows_the_primary_position_and_independents(as_staff):
    person = PersonFactory(first_name="Ariane", last_name="Zola")
    PositionFactory(person=person, title="Directrice", email="a@opera.fr", is_primary=True)
    PersonFactory(first_name="Indé", last_name="Pendante")
    page = as_staff.get(PEOPLE).content.decode()
    assert "a@opera.fr" in page
    assert "Sans poste actuel" in page and "Indépendant" not in page
    assert names(as_staff.get(PEOPLE, {"situation": "independent"})) == ["Indé Pendante"]
    assert names(as_staff.get(PEOPLE, {"situation": "with_position"})) == ["Ariane Zola"]


@pytest.mark.parametrize("url", [ORGS, PEOPLE])
def test_query_count_does_not_grow_with_the_page_size(as_staff, url):
    centres = [InterestCentreFactory() for _ in range(3)]
    for _number in range(60):
        organisation = OrganisationFactory()
        organisation.interest_centres.set(centres)
        organisation.save()
        PositionFactory(organisation=organisation)
        PositionFactory(organisation=organisation)
    counts = []
    for per_page in (25, 50, 100):
        with CaptureQueriesContext(connection) as queries:
            assert as_staff.get(url, {"per_page": per_page}).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] == counts[2]
    assert not any("_updated_at" in q["sql"] for q in queries.captured_queries)


def test_count_is_capped_for_huge_results(monkeypatch):
    monkeypatch.setattr("directory.views.listing.COUNT_CAP", 3)
    for _ in range(5):
        PersonFactory()
    paginator = DirectoryPaginator(Person.objects.order_by("pk"), 2)
    assert paginator.count == 3
    assert paginator.count_is_capped
    assert "plus de 3" in paginator.items_count_label


def test_export_escapes_spreadsheet_formulae(as_staff):
    OrganisationFactory(name='=HYPERLINK("http://evil.example","clic")', city="@SUM(A1)")
    response = as_staff.get(ORGS, {"export": "csv"})
    body = b"".join(response.streaming_content).decode()
    assert "'=HYPERLINK" in body
    assert "'@SUM(A1)" in body
    assert "\n=HYPERLINK" not in body and ";=HYPERLINK" not in body and ";@SUM" not in body


def test_export_follows_the_filters(as_staff):
    InterestCentre.objects.all().delete()
    OrganisationFactory(name="Festival de Metz", postcode="57000")
    OrganisationFactory(name="Théâtre de Lyon", postcode="69001")
    response = as_staff.get(ORGS, {"export": "csv", "region": "44"})
    body = b"".join(response.streaming_content).decode()
    assert "Festival de Metz" in body and "Lyon" not in body
    response = as_staff.get(ORGS, {"export": "xlsx", "q": "lyon"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def table_body(response):
    html = response.content.decode()
    html = html[html.index('<table class="listing') :]
    return html[html.index("<tbody") : html.index("</tbody>")]


def odd_buttons(snippet, user, next_url=None):
    """An extra menu item on some rows and a top-level button on others: three shapes of row."""
    from wagtail.admin.widgets.button import Button, HeaderButton

    name = str(snippet)
    if "Zoé" in name:
        return [Button("Étiquette", url=f"/etiquette/{snippet.pk}/?a=1&b=2", priority=50)]
    if "Brien" in name:
        return [HeaderButton("Appeler", url=f"/appeler/{snippet.pk}/")]
    return []


@pytest.mark.parametrize("url", [ORGS, PEOPLE])
def test_stamped_title_cells_are_wagtails_own_rendering(as_staff, monkeypatch, url):
    from wagtail import hooks

    from directory.views import columns

    hostile = ["Zoé « Test »", "<b>O'Brien & Fils</b>", 'Dupont "le Grand"', "Ève", "Abel"]
    for name in hostile:
        OrganisationFactory(name=name)
        PersonFactory(first_name="Anne", last_name=name)
    stamped_rows = []
    apply = columns._Stamp.apply
    monkeypatch.setattr(
        columns._Stamp, "apply", lambda stamp, html: stamped_rows.append(1) or apply(stamp, html)
    )
    with hooks.register_temporarily("register_snippet_listing_buttons", odd_buttons):
        stamped = table_body(as_staff.get(url))
        assert len(stamped_rows) == 4  # the row with a top-level button is rendered as usual
        monkeypatch.setattr(columns._Stamp, "of", classmethod(lambda cls, context: None))
        assert table_body(as_staff.get(url)) == stamped  # what Wagtail's template gives
    assert "<b>" not in stamped
    # The menu names the record as the product does, not Wagtail's "Inspect".
    assert "Fiche" in stamped and "Inspecter" not in stamped
    assert "&lt;b&gt;O&#x27;Brien &amp; Fils&lt;/b&gt;" in stamped
    assert "/etiquette/" in stamped and "a=1&amp;b=2" in stamped and "/appeler/" in stamped
    # Each row's checkbox describes itself with its title, which exists.
    for described in __import__("re").findall(r'aria-describedby="([^"]+)"', stamped):
        assert f'id="{described}"' in stamped


def cell_context(buttons, title="Anne", url="/fiche/1/", aria="Plus d’options"):
    from wagtail.admin.widgets.button import ButtonWithDropdown

    for button in buttons:
        if isinstance(button, ButtonWithDropdown):
            button.attrs["aria-label"] = aria
    return {
        "value": title,
        "link_url": url,
        "link_attrs": {"href": url},
        "title_id": "snippet_1_title",
        "label_id": None,
        "buttons": buttons,
    }


def test_stamp_shapes_tell_nested_menus_and_empty_values_apart():
    from wagtail.admin.widgets.button import Button, ButtonWithDropdown

    from directory.views.columns import _Stamp

    def a():
        return Button("A", url="/a/")

    def b():
        return Button("B", url="/b/")

    outside = _Stamp.of(cell_context([a(), ButtonWithDropdown(buttons=[b()])]))
    inside = _Stamp.of(cell_context([ButtonWithDropdown(buttons=[a(), b()])]))
    assert outside.key != inside.key
    # An empty value may be tested by the template, and a marker never is empty.
    assert _Stamp.of(cell_context([ButtonWithDropdown(buttons=[a()])], aria="")) is None
    assert _Stamp.of(cell_context([], url="")) is None
    assert _Stamp.of(cell_context([], title="")) is None


def test_a_template_that_alters_values_is_never_stamped():
    from django.template import engines

    from directory.views.columns import StampedTitleColumn

    column = StampedTitleColumn("name", get_url=lambda row: f"/fiche/{row.pk}/")
    column.__dict__["cell_template"] = engines["django"].from_string(
        '<td><a href="{{ link_url }}">{{ value|upper }}</a></td>'
    )
    rows = [type("Row", (), {"pk": pk, "name": name}) for pk, name in [(1, "Anne"), (2, "Zoé")]]
    cells = [column.render_cell_html(row, {"row": None, "table": None}) for row in rows]
    assert cells == [
        '<td><a href="/fiche/1/">ANNE</a></td>',
        '<td><a href="/fiche/2/">ZOÉ</a></td>',
    ]
