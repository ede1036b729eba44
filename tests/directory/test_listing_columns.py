"""Listings: columns each user chooses (remembered), sorting on them, rows per
page, the « Tous / Oui / Non » filters, and hostile parameters."""

import html as htmllib
import re

import pytest
from django.test import Client

from directory.models import Organisation, Person
from directory.views.listing import COLUMNS_SESSION_KEY
from tests.factories import (
    InterestCentreFactory,
    OrganisationFactory,
    OrganisationKindFactory,
    PersonFactory,
    PositionFactory,
    staff,
)

pytestmark = pytest.mark.django_db
ORGS = "/admin/directory/organisations/"
ORGS_RESULTS = "/admin/directory/organisations/results/"
PEOPLE = "/admin/directory/people/"


def names(response):
    return [str(obj) for obj in response.context["object_list"]]


def headings(response) -> list[str]:
    html = response.content.decode()
    html = html[html.index('<table class="listing') :]
    head = html[html.index("<thead") : html.index("</thead>")]
    cells = re.findall(r"<th\b[^>]*>(.*?)</th>", head, flags=re.S)
    texts = [htmllib.unescape(" ".join(re.sub(r"<[^>]+>", " ", cell).split())) for cell in cells]
    return [text for text in texts if text]  # not the selection checkbox's


def table(response) -> str:
    html = response.content.decode()
    html = html[html.index('<table class="listing') :]
    return html[: html.index("</table>")]


@pytest.fixture
def organisations():
    festival = OrganisationKindFactory(name="Festival")
    salle = OrganisationKindFactory(name="Salle")
    danse = InterestCentreFactory(name="Danse")
    a = OrganisationFactory(
        name="Arsenal", kind=salle, email="z@arsenal.fr", phone="0387000001", city="Metz"
    )
    b = OrganisationFactory(
        name="Bonlieu",
        kind=festival,
        email="a@bonlieu.fr",
        phone="0450000002",
        city="Annecy",
        postcode="74000",
    )
    c = OrganisationFactory(
        name="Comédie", kind=salle, email="m@comedie.fr", city="Reims", postcode="51100"
    )
    b.interest_centres.add(danse)
    b.save()
    return a, b, c


def test_default_columns_then_the_chosen_ones_are_shown(as_staff, organisations):
    response = as_staff.get(ORGS)
    assert headings(response)[1:] == ["Type", "Ville", "Centres d’intérêt", "Personnes actuelles"]
    assert "a@bonlieu.fr" not in response.content.decode()

    response = as_staff.get(ORGS, {"columns": "email,phone"})
    assert headings(response)[1:] == ["E-mail", "Téléphone", "Personnes actuelles"]
    page = response.content.decode()
    assert "a@bonlieu.fr" in page
    assert "04 50 00 00 02" in page
    assert "Danse" not in table(response)  # interest centres hidden


def test_the_choice_is_remembered_per_user_and_per_listing(as_staff, organisations):
    PersonFactory()
    as_staff.get(ORGS, {"columns": ["email", "city"]})
    assert headings(as_staff.get(ORGS))[1:] == ["E-mail", "Ville", "Personnes actuelles"]
    assert as_staff.session[f"{COLUMNS_SESSION_KEY}.directory.organisation"] == ["email", "city"]
    # The people's listing keeps its own columns.
    assert headings(as_staff.get(PEOPLE))[1:] == ["Poste et organisation", "E-mail", "Ville"]
    # Another staff member still sees the default columns.
    colleague = Client()
    colleague.force_login(staff(username="colleague"))
    assert "Type" in headings(colleague.get(ORGS))
    # An empty choice (every box unticked) is a choice too.
    as_staff.get(ORGS, {"columns": ""})
    assert headings(as_staff.get(ORGS))[1:] == ["Personnes actuelles"]


def test_the_results_only_view_follows_the_columns_too(as_staff, organisations):
    response = as_staff.get(ORGS_RESULTS, {"columns": ["", "phone"]})
    assert response.status_code == 200
    assert headings(response)[1:] == ["Téléphone", "Personnes actuelles"]


def test_the_columns_menu_ticks_the_shown_columns(as_staff, organisations):
    page = as_staff.get(ORGS, {"columns": "kind,email"}).content.decode()
    boxes = dict(
        re.findall(r'<input type="checkbox" name="columns" value="(\w+)"( checked)?>', page)
    )
    assert boxes == {
        "kind": " checked",
        "email": " checked",
        "phone": "",
        "city": "",
        "interest_centres": "",
    }
    assert "Choisir les colonnes" in page
    assert '<input type="hidden" name="columns" value="">' in page


@pytest.mark.parametrize(
    "columns",
    ["../../", "email'--", "<script>", "__str__", "name,pk,password", "x" * 5000, "\u202e"],
)
def test_unknown_column_names_are_ignored(as_staff, organisations, columns):
    response = as_staff.get(ORGS, {"columns": columns})
    assert response.status_code == 200
    assert headings(response)[1:] == ["Personnes actuelles"]
    assert "<script>" not in headings(response)


def test_people_columns(as_staff):
    person = PersonFactory(first_name="Ariane", last_name="Zola", city="Lyon", phone="0478000001")
    PositionFactory(person=person, title="Directrice", email="a@opera.fr", is_primary=True)
    response = as_staff.get(PEOPLE, {"columns": "phone,city"})
    assert headings(response)[1:] == ["Téléphone", "Ville"]
    page = response.content.decode()
    assert "04 78 00 00 01" in page and "Lyon" in page and "a@opera.fr" not in page


# Sorting ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("email", ["Bonlieu", "Comédie", "Arsenal"]),
        ("-email", ["Arsenal", "Comédie", "Bonlieu"]),
        ("city", ["Bonlieu", "Arsenal", "Comédie"]),
        ("-city", ["Comédie", "Arsenal", "Bonlieu"]),
        ("kind__name_key", ["Bonlieu", "Arsenal", "Comédie"]),
        ("-name_key", ["Comédie", "Bonlieu", "Arsenal"]),
    ],
)
def test_organisations_sort_on_their_columns(as_staff, organisations, ordering, expected):
    response = as_staff.get(ORGS, {"columns": "kind,email,city", "ordering": ordering})
    assert names(response) == expected


def test_sorting_on_a_hidden_column_keeps_the_default_order(as_staff, organisations):
    response = as_staff.get(ORGS, {"columns": "city", "ordering": "-email"})
    assert names(response) == ["Arsenal", "Bonlieu", "Comédie"]


@pytest.mark.parametrize(
    "ordering",
    [
        ";DROP TABLE directory_organisation",
        "name_key;DROP",
        "password",
        "trashed_by__password",
        "-",
        "--email",
        "pk,email",
        "x" * 10_000,
        "interest_centres",
    ],
)
def test_hostile_ordering_falls_back_to_the_default_order(as_staff, organisations, ordering):
    response = as_staff.get(ORGS, {"columns": "email,interest_centres", "ordering": ordering})
    assert response.status_code == 200
    assert names(response) == ["Arsenal", "Bonlieu", "Comédie"]


def test_a_city_sort_is_stable_across_pages(as_staff):
    for number in range(30):
        OrganisationFactory(name=f"Lieu {number:02d}", city="Metz" if number % 2 else "Nancy")
    seen = []
    for page in (1, 2):
        seen += names(as_staff.get(ORGS, {"ordering": "city", "p": page, "per_page": 25}))
    assert len(seen) == len(set(seen)) == 30
    assert seen[:15] == [f"Lieu {n:02d}" for n in range(1, 30, 2)]


def test_a_city_sort_uses_the_live_city_index():
    """The migration's partial index (city, name, id) matches the listing's order."""
    for model, name in ((Organisation, "org_live_city_name"), (Person, "person_live_city_name")):
        index = next(index for index in model._meta.indexes if index.name == name)
        assert index.fields == ["city", "name_key", "id"]


def test_people_sort_on_contact_email_organisation_and_phone(as_staff):
    zola = PersonFactory(first_name="Ariane", last_name="Zola", email="z@perso.fr")
    PositionFactory(
        person=zola,
        organisation=OrganisationFactory(name="Abbaye"),
        email="a@abbaye.fr",
        phone="0388000000",
        is_primary=True,
    )
    PersonFactory(first_name="Basile", last_name="Martin", email="b@perso.fr", mobile="0611223344")
    PersonFactory(first_name="Chloé", last_name="Adam", email="", phone="0144000000")
    columns = "position,email,phone"
    by = {}
    for ordering in ("contact_email", "-contact_email", "organisation", "contact_phone"):
        by[ordering] = names(as_staff.get(PEOPLE, {"columns": columns, "ordering": ordering}))
    # a@abbaye.fr (the position's e-mail, not z@perso.fr), b@perso.fr, then no e-mail.
    assert by["contact_email"] == ["Ariane Zola", "Basile Martin", "Chloé Adam"]
    assert by["-contact_email"] == ["Basile Martin", "Ariane Zola", "Chloé Adam"]
    # People without a position last, by name.
    assert by["organisation"] == ["Ariane Zola", "Chloé Adam", "Basile Martin"]
    assert by["contact_phone"] == ["Chloé Adam", "Ariane Zola", "Basile Martin"]


# Rows per page ---------------------------------------------------------------


def test_rows_per_page_selector_keeps_the_other_parameters(as_staff):
    for number in range(60):
        OrganisationFactory(name=f"Lieu {number:02d}")
    response = as_staff.get(ORGS, {"q": "lieu", "ordering": "-name_key", "p": "2"})
    page = response.content.decode()
    assert "Lignes par page\u00a0:" in page
    footer = page[page.index("data-per-page") :]
    footer = footer[: footer.index("</p>")]
    assert '<strong aria-current="true">25</strong>' in footer
    links = re.findall(r'href="([^"]+)"', footer)
    assert len(links) == 2
    for link, size in zip(links, ("50", "100"), strict=True):
        link = link.replace("&amp;", "&")
        assert link.startswith(ORGS + "?")
        assert "q=lieu" in link and "ordering=-name_key" in link and f"per_page={size}" in link
        assert "p=2" not in link  # back to the first page
    assert len(as_staff.get(ORGS, {"per_page": "50"}).context["object_list"]) == 50
    assert len(as_staff.get(ORGS, {"per_page": "100"}).context["object_list"]) == 60


@pytest.mark.parametrize("per_page", [str(10**30), "-1", "0", "abc", "25.0", "1e3", "10"])
def test_hostile_page_sizes_give_the_default_25(as_staff, per_page):
    for number in range(30):
        OrganisationFactory(name=f"Lieu {number:02d}")
    response = as_staff.get(ORGS, {"per_page": per_page})
    assert response.status_code == 200
    assert len(response.context["object_list"]) == 25


# The yes/no filters ----------------------------------------------------------


def test_active_filter_offers_all_yes_no(as_staff, organisations):
    Organisation.objects.filter(name="Comédie").update(is_active=False)
    page = as_staff.get(ORGS).content.decode()
    field = page[page.index('name="is_active"') - 2000 : page.index('name="is_active"') + 2000]
    labels = re.findall(r'<input type="radio" name="is_active" value="(\w*)"[^>]*>\s*([^<]+)', page)
    assert [(value, label.strip()) for value, label in labels] == [
        ("", "Tous"),
        ("true", "Oui"),
        ("false", "Non"),
    ]
    assert "Inconnu" not in field
    assert names(as_staff.get(ORGS, {"is_active": "false"})) == ["Comédie"]
    assert names(as_staff.get(ORGS, {"is_active": "true"})) == ["Arsenal", "Bonlieu"]
    assert len(names(as_staff.get(ORGS, {"is_active": ""}))) == 3
    assert len(names(as_staff.get(ORGS, {"is_active": "unknown"}))) == 3


def test_an_active_yes_no_filter_reads_oui_or_non(as_staff, organisations):
    for value, word in (("false", "Non"), ("true", "Oui")):
        text = as_staff.get(ORGS, {"is_active": value}).content.decode()
        pill = r'data-w-active-filter-id="id_is_active".*?<b[^>]*>(.*?)</b>'
        pills = re.findall(pill, text, re.S)
        assert [pill.strip() for pill in pills] == [word]


def test_do_not_contact_filter_offers_all_yes_no(as_staff):
    PersonFactory(first_name="Ne", last_name="Pas", do_not_contact=True)
    PersonFactory(first_name="Oui", last_name="Volontiers")
    page = as_staff.get(PEOPLE).content.decode()
    labels = re.findall(
        r'<input type="radio" name="do_not_contact" value="(\w*)"[^>]*>\s*([^<]+)', page
    )
    assert [label.strip() for _value, label in labels] == ["Tous", "Oui", "Non"]
    assert names(as_staff.get(PEOPLE, {"do_not_contact": "true"})) == ["Ne Pas"]
    assert names(as_staff.get(PEOPLE, {"do_not_contact": "false"})) == ["Oui Volontiers"]


def test_every_boolean_filter_of_the_directory_says_all_yes_no():
    import django_filters

    from directory.filters import YesNoFilter
    from directory.views.organisations import OrganisationFilterSet
    from directory.views.people import PersonFilterSet

    for filterset in (OrganisationFilterSet, PersonFilterSet):
        for name, declared in filterset.base_filters.items():
            if isinstance(declared, django_filters.BooleanFilter):
                assert isinstance(declared, YesNoFilter), f"{filterset.__name__}.{name}"


# Roles -----------------------------------------------------------------------


@pytest.mark.parametrize("url", [ORGS, PEOPLE])
def test_a_client_gets_no_listing_whatever_the_parameters(as_client, url):
    response = as_client.get(url, {"columns": "email,phone", "ordering": "email", "per_page": 100})
    assert response.status_code in (302, 403, 404)
    assert not [key for key in as_client.session.keys() if key.startswith(COLUMNS_SESSION_KEY)]  # noqa: SIM118 (a session is no dict)


def test_the_search_form_keeps_the_chosen_sort(as_staff, organisations):
    page = as_staff.get(ORGS, {"ordering": "-city"}).content.decode()
    assert '<input type="hidden" name="ordering" value="-city">' in page
    page = as_staff.get(ORGS).content.decode()
    assert 'name="ordering"' not in page
    page = as_staff.get(ORGS, {"ordering": '"><script>'}).content.decode()
    assert '<script>"' not in page and '"><script>' not in page


@pytest.mark.parametrize("ordering", ["contact_email", "-organisation", "city", "-contact_phone"])
def test_a_search_sorted_on_any_column_pages_without_overlap(as_staff, ordering):
    for number in range(30):
        person = PersonFactory(first_name="Lucie", last_name=f"Martin{number:02d}")
        if number % 3:
            PositionFactory(person=person, email=f"l{number:02d}@lieu.fr", is_primary=True)
    seen = []
    for page in (1, 2):
        params = {"q": "lucie", "ordering": ordering, "p": page, "columns": "position,email,phone"}
        response = as_staff.get(PEOPLE, params)
        assert response.status_code == 200
        seen += names(response)
    assert len(seen) == len(set(seen)) == 30
