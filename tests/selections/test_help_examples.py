"""The help page "Comment ça marche" says what the code does, and each of its
examples finds rows on the demo directory (`make demo`)."""

import html
import json
import re

import pytest
from django.urls import reverse

from crmsite.demo.directory import seed_directory
from directory.models import Function, OrganisationKind
from selections import resolution
from selections.criteria import compile_rows, parse
from selections.disclosure import Disclosure
from selections.models import Basket, BasketStep, SavedSearch
from tests.factories import staff

pytestmark = pytest.mark.django_db


def rule(field, operator, value=None):
    return {"field": field, "operator": operator, "value": value}


def group(match, *rules):
    return {"match": match, "rules": list(rules)}


def functions(*names):
    return sorted(Function.objects.filter(name__in=names).values_list("pk", flat=True))


def kinds(*names):
    return sorted(OrganisationKind.objects.filter(name__in=names).values_list("pk", flat=True))


GRAND_EST, OCCITANIE = "44", "76"
TITLES = [
    "Les directeurs et directrices de lieux du Grand Est",
    "Les directeurs et directrices à Lyon",
    "Les francophones",
    "Les anglophones, ou les directeurs et directrices de lieux",
    "Direction ou presse, sauf les personnes qui ont demandé à ne pas être contactées",
    "Tout le monde en Occitanie, sauf dans les festivals",
    "Les anciens directeurs et directrices",
    "Tous les festivals d’Occitanie, pour la brochure de saison",
]


def examples():
    """Each example of the help page, by its French title, as a tree."""
    director = rule("position.function", "in", functions("Directeur·rice"))
    venue = rule("organisation.kind", "in", kinds("Lieu de spectacle"))
    festival = rule("organisation.kind", "in", kinds("Festival"))
    return {
        TITLES[0]: (
            "people",
            group("all", director, venue, rule("organisation.region", "in", [GRAND_EST])),
        ),
        TITLES[1]: (
            "people",
            group("all", director, rule("organisation.city", "contains", "lyon")),
        ),
        TITLES[2]: ("people", group("all", rule("person.language", "in", ["fr"]))),
        TITLES[3]: (
            "people",
            group("any", rule("person.language", "in", ["en"]), group("all", director, venue)),
        ),
        TITLES[4]: (
            "people",
            group(
                "all",
                rule("position.function", "in", functions("Directeur·rice", "Attaché·e de presse")),
                group("none", rule("person.do_not_contact", "is_true")),
            ),
        ),
        TITLES[5]: (
            "people",
            group(
                "all",
                rule("organisation.region", "in", [OCCITANIE]),
                group("none", festival),
            ),
        ),
        TITLES[6]: (
            "people",
            group("all", director, rule("position.current", "is_false")),
        ),
        TITLES[7]: (
            "organisations",
            group("all", festival, rule("organisation.region", "in", [OCCITANIE])),
        ),
    }


@pytest.fixture
def demo(db):
    seed_directory()


@pytest.fixture
def help_page(db):
    from django.test import Client

    client = Client()
    client.force_login(staff(username="lecteur"))
    response = client.get(reverse("selections_searches:help"))
    assert response.status_code == 200
    return response.content.decode()


def test_every_example_of_the_help_page_is_tested_here(help_page):
    for title in TITLES:
        assert f">{title}</h3>" in help_page, title


@pytest.mark.parametrize("title", TITLES)
def test_each_example_of_the_help_page_finds_rows_on_the_demo_directory(demo, title):
    target, tree = examples()[title]
    rows = compile_rows(parse(tree, target), target)
    assert resolution.count(rows) > 0, title


def test_the_showcase_rows_of_the_examples(demo):
    """What each example says of its rows holds on the demo directory."""
    every = examples()

    def capacities(title):
        target, tree = every[title]
        rows = compile_rows(parse(tree, target), target)
        return {(row.name, row.capacity) for row in resolution.page(rows, 0, 10_000)}

    assert ("Jérôme Lefèvre", "Directeur·rice (Directeur général) – La Comète") in capacities(
        TITLES[0]
    )
    lyon = capacities(TITLES[1])
    assert ("Paul Girard", "Directeur·rice – Théâtre des Pentes") in lyon
    assert not any(name == "Sarah Mitchell" for name, _capacity in lyon)
    either = capacities(TITLES[3])
    assert ("Sarah Mitchell", "personnel") in either
    assert ("Sarah Mitchell", "Directeur·rice – Scène des Tanneurs") in either
    assert not any(name == "Nadia Benali" for name, _capacity in capacities(TITLES[4]))
    occitanie = capacities(TITLES[5])
    assert ("Inès Roux", "Chargé·e de production – Scène de la Garonne") in occitanie
    assert ("Inès Roux", "Attaché·e de presse – Festival des Garrigues") not in occitanie
    assert ("Michel Bernard", "Directeur·rice – La Comète") in capacities(TITLES[6])
    festivals = capacities(TITLES[7])
    assert {"Festival des Garrigues", "Les Nuits du Canal"} <= {name for name, _ in festivals}


def test_the_basket_example_of_the_help_page(demo):
    owner = staff(username="camille")
    every = examples()
    directors = SavedSearch.objects.create(
        owner=owner, name="Directeurs Grand Est", criteria=every[TITLES[0]][1]
    )
    english = SavedSearch.objects.create(
        owner=owner,
        name="Anglophones",
        criteria=group("all", rule("person.language", "in", ["en"])),
    )
    basket = Basket.objects.create(owner=owner, name="Directeurs anglophones")
    BasketStep.objects.create(basket=basket, search=directors, operation="union", sort_order=0)
    BasketStep.objects.create(basket=basket, search=english, operation="intersect", sort_order=1)
    rows = resolution.page(resolution.basket_rows(basket, Disclosure(None)), 0, 1000)
    assert rows
    assert all(row.kind == "position" and row.person.language == "en" for row in rows)
    assert "Sarah Mitchell" in {row.name for row in rows}


def test_the_help_page_says_current_no_finds_only_positions_that_are_not_current(help_page):
    assert "ne trouve <strong>que</strong> les postes qui ne sont pas en cours" in help_page
    assert "aussi" not in help_page.split(TITLES[6])[1].split("</p>")[0]


# Each example opens in the builder ---------------------------------------------------------


def example_links(page: str) -> dict:
    """{title: the href of its « Ouvrir dans le générateur » link, or None}."""
    links = {}
    for title in TITLES:
        section = page.split(f">{title}</h3>")[1].split("<h3")[0].split("<h2")[0]
        found = re.search(r'<a [^>]*href="([^"]+)"[^>]*data-crm-example[^>]*>', section)
        links[title] = html.unescape(found.group(1)) if found else None
        if found:
            assert "Ouvrir dans le générateur" in section, title
    return links


@pytest.fixture
def demo_help_page(demo):
    from django.test import Client

    client = Client()
    client.force_login(staff(username="lectrice"))
    response = client.get(reverse("selections_searches:help"))
    assert response.status_code == 200
    return client, response.content.decode()


@pytest.mark.parametrize("title", TITLES)
def test_each_example_opens_in_the_builder_with_its_criteria_and_its_count(demo_help_page, title):
    client, page = demo_help_page
    url = example_links(page)[title]
    assert url is not None, title
    assert url.startswith(reverse("selections_searches:add") + "?")
    response = client.get(url)
    assert response.status_code == 200
    target, tree = examples()[title]
    expected = parse(tree, target)
    builder = response.context["builder"]
    assert builder["target"] == target
    assert builder["criteria"] == expected  # pre-filled, validated as a saved search is
    assert not response.context["preview_errors"]
    count = resolution.count(compile_rows(expected, target))
    assert count > 0
    assert response.context["row_count"] == count, title
    # What the builder's live count would say for them, too.
    answer = client.post(
        reverse("selections_searches:count"),
        {"criteria": json.dumps(builder["criteria"]), "target": target},
    )
    assert answer.status_code == 200 and answer.json()["count"] == count


def test_an_example_whose_values_the_directory_lacks_has_no_link(help_page):
    """No demo directory: no function "Directeur·rice", no kind "Festival"."""
    links = example_links(help_page)
    assert links[TITLES[0]] is None
    assert links[TITLES[7]] is None
    assert links[TITLES[2]] is not None  # languages are codes: always there
    assert "Cet exemple nomme des valeurs absentes de votre annuaire" in help_page


HOSTILE_CRITERIA = [
    "{",
    "[]",
    '"text"',
    "null",
    '{"match": "all", "rules": [{"field": "person.name", "operator": "contains", '
    '"value": "a\\u0000b"}]}',
    '{"match": "all", "rules": [{"field": "person.password", "operator": "equals", "value": "x"}]}',
    '{"match": "all", "rules": [{"field": "organisation.interest_centres", "operator": "in", '
    '"value": [99999999999999999999]}]}',
    '{"match": "all", "rules": [{"field": "organisation.interest_centres", "operator": "in", '
    '"value": []}]}',
    '{"match": "xor", "rules": []}',
    "[" * 5000 + "]" * 5000,
    '{"match": "all", "rules": ['
    + ",".join(['{"field": "person.name", "operator": "contains", "value": "a"}'] * 100)
    + "]}",
    "x" * 200_000,
]


@pytest.mark.parametrize("raw", HOSTILE_CRITERIA, ids=range(len(HOSTILE_CRITERIA)))
def test_criteria_in_the_url_that_do_not_hold_open_an_empty_builder_with_a_french_message(raw):
    from django.test import Client

    client = Client()
    client.force_login(staff(username="lectrice"))
    response = client.get(reverse("selections_searches:add"), {"criteria": raw, "target": "people"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ces critères ne peuvent pas être utilisés tels quels" in page
    assert response.context["preview_errors"]
    assert not response.context["builder"]["criteria"].get("rules")  # an empty builder
    assert "show_results" not in response.context


def test_an_unknown_target_in_the_url_is_refused_in_french(db):
    from django.test import Client

    client = Client()
    client.force_login(staff(username="lectrice"))
    response = client.get(
        reverse("selections_searches:add"),
        {"criteria": '{"match": "all", "rules": []}', "target": "<script>"},
    )
    assert response.status_code == 200
    assert "Type de recherche inconnu" in response.content.decode()
    assert "<script>" not in response.content.decode().split("crm-builder-data")[0][-2000:]


# The help page is in the Help menu ---------------------------------------------------------


def help_menu_urls(user) -> dict[str, str]:
    from django.test import RequestFactory
    from wagtail.admin.menu import help_menu

    request = RequestFactory().get("/admin/")
    request.user = user
    return {str(item.url): str(item.label) for item in help_menu.menu_items_for_request(request)}


def test_the_help_page_is_in_the_help_menu_of_staff(db):
    from django.test import Client

    menu = help_menu_urls(staff(username="lectrice"))
    assert menu[reverse("selections_searches:help")] == "Comment fonctionne la recherche avancée"
    client = Client()
    client.force_login(staff(username="lecteur"))
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("selections_searches:help") in home  # in the sidebar's menu


def test_clients_see_neither_the_menu_item_nor_the_page(db):
    from django.test import Client

    from tests.factories import client as client_user

    user = client_user(username="cliente")
    assert reverse("selections_searches:help") not in help_menu_urls(user)
    browser = Client()
    browser.force_login(user)
    assert browser.get(reverse("selections_searches:help")).status_code in (403, 404)
    home = browser.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("selections_searches:help") not in home
