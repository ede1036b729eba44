"""Positions inline in the organisation and person forms: one line each,
opened on demand, the ended ones apart, a constant number of queries."""

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from directory.models import Position
from tests import factories
from tests.factories import (
    FunctionFactory,
    OrganisationFactory,
    PersonFactory,
    PositionFactory,
)

pytestmark = pytest.mark.django_db

ORGANISATIONS = "/admin/directory/organisations/"
PEOPLE = "/admin/directory/people/"
TODAY = datetime.date.today()


class EditorForm(HTMLParser):
    """The values the edit form would send as it is: inputs, selects, textareas."""

    def __init__(self, html):
        super().__init__()
        self.inside = False
        self.data = []
        self.select = None
        self.textarea = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == "w-editor-form":
            self.inside = True
        if not self.inside or tag == "template":
            return
        name = attrs.get("name")
        if tag == "input" and name and "__prefix__" not in name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.data.append((name, attrs.get("value", "on")))
            elif kind not in ("submit", "button"):
                self.data.append((name, attrs.get("value") or ""))
        elif tag == "select" and name and "__prefix__" not in name:
            self.select = [name, None, None]
        elif tag == "option" and self.select:
            value = attrs.get("value", "")
            if self.select[1] is None:
                self.select[1] = value
            if "selected" in attrs:
                self.select[2] = value
        elif tag == "textarea" and name and "__prefix__" not in name:
            self.textarea = [name, ""]

    def handle_data(self, data):
        if self.textarea:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "select" and self.select:
            name, first, selected = self.select
            self.data.append((name, selected if selected is not None else first or ""))
            self.select = None
        elif tag == "textarea" and self.textarea:
            self.data.append((self.textarea[0], self.textarea[1].lstrip("\n")))
            self.textarea = None

    def as_dict(self):
        return dict(self.data)


def row_html(page, index):
    """The HTML of row `index` (its panel, from its opening tag to the next row's)."""
    start = page.index(f'id="inline_child_positions-{index}"')
    following = re.compile(r'id="inline_child_positions-(\d+|__prefix__)"')
    match = following.search(page, start + 1)
    end = match.start() if match else len(page)
    return page[start:end]


def heading(row):
    """The row's summary line, as read."""
    text = row.split("data-panel-heading>", 1)[1].split("</h3>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)).strip()


def index_of(page, position):
    match = re.search(rf'name="positions-(\d+)-id" value="{position.pk}"', page) or re.search(
        rf'name="positions-(\d+)-id"[^>]*value="{position.pk}"', page
    )
    assert match, f"no row for position {position.pk}"
    return match.group(1)


@pytest.fixture
def theatre():
    organisation = OrganisationFactory(name="Théâtre de la Ville")
    director = FunctionFactory(name="Directrice")
    current = PositionFactory(
        organisation=organisation,
        person=PersonFactory(first_name="Ariane", last_name="Zola"),
        function=director,
        email="ariane@theatre.fr",
        phone="01 42 74 22 77",
        start_date=datetime.date(2019, 9, 1),
        is_primary=True,
    )
    second = PositionFactory(
        organisation=organisation,
        person=PersonFactory(first_name="Bruno", last_name="Arnaud"),
        function=None,
        title="Régisseur",
        email="bruno@theatre.fr",
    )
    ended = PositionFactory(
        organisation=organisation,
        person=PersonFactory(first_name="Claire", last_name="Martin"),
        function=FunctionFactory(name="Administratrice"),
        email="claire@theatre.fr",
        end_date=datetime.date(2024, 1, 15),
    )
    return organisation, current, second, ended


def test_each_position_is_one_closed_summary_line(as_staff, theatre):
    organisation, current, second, ended = theatre
    page = as_staff.get(f"{ORGANISATIONS}edit/{organisation.pk}/").content.decode()
    row = row_html(page, index_of(page, current))
    assert heading(row) == "Ariane Zola Directrice ariane@theatre.fr En poste · principal"
    # Closed: Wagtail's toggle says so, and the row's fields are not rendered,
    # only sent back as they are.
    assert 'aria-expanded="false"' in row
    assert "data-position-lazy" in row and "hidden" in row
    assert f'id="id_positions-{index_of(page, current)}-email"' not in row
    assert 'value="ariane@theatre.fr"' in row
    assert heading(row_html(page, index_of(page, second))).startswith(
        "Bruno Arnaud Régisseur bruno@theatre.fr En poste"
    )
    ended_row = row_html(page, index_of(page, ended))
    assert heading(ended_row) == (
        "Claire Martin Administratrice claire@theatre.fr Terminé le 15/01/2024"
    )


def test_ended_positions_come_after_the_current_ones_under_their_heading(as_staff, theatre):
    organisation, current, second, ended = theatre
    page = as_staff.get(f"{ORGANISATIONS}edit/{organisation.pk}/").content.decode()
    ended_heading = page.index("Postes terminés")
    # Current ones sorted by name (Arnaud, Zola), all before the heading.
    assert (
        page.index(f'id="inline_child_positions-{index_of(page, second)}"')
        < page.index(f'id="inline_child_positions-{index_of(page, current)}"')
        < ended_heading
        < page.index(f'id="inline_child_positions-{index_of(page, ended)}"')
    )
    # No heading when nothing has ended.
    ended.delete()
    page = as_staff.get(f"{ORGANISATIONS}edit/{organisation.pk}/").content.decode()
    assert "Postes terminés" not in page


def test_a_position_starting_later_says_so(as_staff):
    organisation = OrganisationFactory()
    upcoming = PositionFactory(
        organisation=organisation, start_date=TODAY + datetime.timedelta(days=10)
    )
    page = as_staff.get(f"{ORGANISATIONS}edit/{organisation.pk}/").content.decode()
    expected = (TODAY + datetime.timedelta(days=10)).strftime("%d/%m/%Y")
    assert f"À partir du {expected}" in heading(row_html(page, index_of(page, upcoming)))


def test_the_blank_row_for_adding_opens_expanded(as_staff, theatre):
    organisation = theatre[0]
    page = as_staff.get(f"{ORGANISATIONS}edit/{organisation.pk}/").content.decode()
    start = page.index("EMPTY_FORM_TEMPLATE")
    template = page[start : page.index("</template>", start)]
    assert 'aria-expanded="true"' in template
    assert "Nouveau poste" in template
    assert 'id="id_positions-__prefix__-email"' in template
    assert "Ajouter une personne" in page


def test_the_person_form_summarises_organisation_function_and_email(as_staff):
    person = PersonFactory(first_name="Élodie", last_name="Lefèvre")
    position = PositionFactory(
        person=person,
        organisation=OrganisationFactory(name="Opéra de Lyon"),
        function=FunctionFactory(name="Chargée de production"),
        email="elodie@opera-lyon.fr",
    )
    page = as_staff.get(f"{PEOPLE}edit/{person.pk}/").content.decode()
    assert heading(row_html(page, index_of(page, position))) == (
        "Opéra de Lyon Chargée de production elodie@opera-lyon.fr En poste"
    )
    assert "Ajouter un poste" in page


def test_closed_rows_send_their_values_back_unchanged(as_staff, theatre):
    organisation, current, second, ended = theatre

    def values():
        return {
            p.pk: (
                p.person_id,
                p.function_id,
                p.title,
                p.email,
                p.phone,
                p.start_date,
                p.end_date,
                p.is_primary,
            )
            for p in Position.objects.all()
        }

    before = values()
    url = f"{ORGANISATIONS}edit/{organisation.pk}/"
    data = EditorForm(as_staff.get(url).content.decode()).as_dict()
    # Each closed row's values read as unchanged by its form.
    response = as_staff.post(url, {**data, "name": ""})
    assert response.status_code == 200
    rows = response.context["form"].formsets["positions"].forms
    assert len(rows) == 3
    # (Phones are shown formatted, "01 42 74 22 77", and their form field
    # compares that text with the stored "+33142742277", as it does for the
    # visible input of an open row: they save back the same number.)
    assert [set(row.changed_data) - {"phone", "mobile"} for row in rows] == [set()] * 3
    # And saving them changes nothing.
    response = as_staff.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    assert values() == before


def test_a_closed_rows_value_changed_is_saved(as_staff, theatre):
    organisation, current, *_ = theatre
    url = f"{ORGANISATIONS}edit/{organisation.pk}/"
    page = as_staff.get(url).content.decode()
    data = EditorForm(page).as_dict()
    data[f"positions-{index_of(page, current)}-email"] = "direction@theatre.fr"
    assert as_staff.post(url, data).status_code == 302
    current.refresh_from_db()
    assert current.email == "direction@theatre.fr"
    assert current.phone == "+33142742277"
    assert current.is_primary


def test_a_row_with_an_error_opens_and_the_others_stay_closed(as_staff, theatre):
    organisation, current, second, ended = theatre
    url = f"{ORGANISATIONS}edit/{organisation.pk}/"
    page = as_staff.get(url).content.decode()
    data = EditorForm(page).as_dict()
    bad = index_of(page, second)
    data[f"positions-{bad}-email"] = "pas une adresse"
    response = as_staff.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    row = row_html(page, bad)
    assert 'aria-expanded="true"' in row
    assert "data-position-lazy" not in row
    assert 'aria-invalid="true"' in row
    assert 'aria-expanded="false"' in row_html(page, index_of(page, current))
    second.refresh_from_db()
    assert second.email == "bruno@theatre.fr"


def test_a_new_row_comes_back_open_when_the_form_has_errors(as_staff, theatre):
    organisation = theatre[0]
    url = f"{ORGANISATIONS}edit/{organisation.pk}/"
    data = EditorForm(as_staff.get(url).content.decode()).as_dict()
    total = int(data["positions-TOTAL_FORMS"])
    newcomer = PersonFactory(first_name="Nina", last_name="Petit")
    data.update(
        {
            "positions-TOTAL_FORMS": str(total + 1),
            f"positions-{total}-id": "",
            f"positions-{total}-person": str(newcomer.pk),
            f"positions-{total}-email": "nina@theatre.fr",
            f"positions-{total}-country": "FR",
            "name": "",  # the organisation's own error
        }
    )
    response = as_staff.post(url, data)
    assert response.status_code == 200
    row = row_html(response.content.decode(), total)
    assert 'aria-expanded="true"' in row
    assert 'value="nina@theatre.fr"' in row
    assert not Position.objects.filter(person=newcomer).exists()


@pytest.mark.parametrize(
    "value", ["abc", "\x00", "-1", "9" * 40, "1 OR 1=1", "999999", "x" * 100_000]
)
def test_hostile_chosen_ids_are_refused_without_crashing(as_staff, theatre, value):
    organisation, current, *_ = theatre
    url = f"{ORGANISATIONS}edit/{organisation.pk}/"
    page = as_staff.get(url).content.decode()
    data = EditorForm(page).as_dict()
    index = index_of(page, current)
    data[f"positions-{index}-person"] = value
    data[f"positions-{index}-function"] = value
    response = as_staff.post(url, data)
    # Refused: at once for what cannot be text (400), by the form otherwise.
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert 'aria-expanded="true"' in row_html(response.content.decode(), index)
    current.refresh_from_db()
    assert current.person.last_name == "Zola"


def test_oversized_and_nul_values_in_a_row_are_refused(as_staff, theatre):
    organisation, current, *_ = theatre
    url = f"{ORGANISATIONS}edit/{organisation.pk}/"
    page = as_staff.get(url).content.decode()
    data = EditorForm(page).as_dict()
    index = index_of(page, current)
    data[f"positions-{index}-title"] = "T" * 10_000
    response = as_staff.post(url, data)
    assert response.status_code == 200
    assert 'aria-expanded="true"' in row_html(response.content.decode(), index)
    data[f"positions-{index}-title"] = ""
    data[f"positions-{index}-email"] = "a\x00@theatre.fr"
    assert as_staff.post(url, data).status_code in (200, 400)
    current.refresh_from_db()
    assert current.title == ""
    assert current.email == "ariane@theatre.fr"


def test_another_organisations_position_id_in_a_closed_row_is_refused(as_staff, theatre):
    organisation, current, *_ = theatre
    foreign = PositionFactory(email="autre@ailleurs.fr")
    url = f"{ORGANISATIONS}edit/{organisation.pk}/"
    page = as_staff.get(url).content.decode()
    data = EditorForm(page).as_dict()
    data[f"positions-{index_of(page, current)}-id"] = str(foreign.pk)
    response = as_staff.post(url, data)
    assert response.status_code == 200
    assert "rechargez la page" in response.content.decode()
    foreign.refresh_from_db()
    assert foreign.organisation_id != organisation.pk
    assert foreign.email == "autre@ailleurs.fr"


def edit_page_queries(client, organisation):
    url = f"{ORGANISATIONS}edit/{organisation.pk}/"
    client.get(url)  # caches warmed alike
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("path", [ORGANISATIONS, PEOPLE])
def test_the_number_of_queries_does_not_grow_with_the_positions(as_admin, path):
    functions = [FunctionFactory(name=f"Fonction {n}") for n in range(3)]
    counts = {}
    for size in (2, 14):
        if path == ORGANISATIONS:
            record = OrganisationFactory()
            for n in range(size):
                PositionFactory(
                    organisation=record,
                    function=functions[n % 3],
                    end_date=datetime.date(2020, 1, 1) if n % 4 == 3 else None,
                )
        else:
            record = PersonFactory()
            for n in range(size):
                PositionFactory(person=record, function=functions[n % 3])
        url = f"{path}edit/{record.pk}/"
        as_admin.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert as_admin.get(url).status_code == 200
        counts[size] = len(captured)
    assert counts[14] == counts[2], counts


@pytest.mark.parametrize("path", [ORGANISATIONS, PEOPLE])
def test_a_client_cannot_open_the_forms(as_client, path):
    position = PositionFactory()
    record = position.organisation if path == ORGANISATIONS else position.person
    response = as_client.get(f"{path}edit/{record.pk}/")
    assert response.status_code in (302, 403, 404)
    assert position.email not in response.content.decode() or not position.email


def test_a_reader_without_the_change_permission_cannot_open_the_form(client):
    readers = Group.objects.create(name="Lecteurs")
    readers.permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="view_organisation"),
    )
    reader = factories.UserFactory()
    reader.groups.add(readers)
    client.force_login(reader)
    organisation = OrganisationFactory()
    assert client.get(f"{ORGANISATIONS}edit/{organisation.pk}/").status_code in (302, 403)
