"""The help page "Comment ça marche" says what the code does, and each of its
examples finds rows on the demo directory (`make demo`)."""

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
