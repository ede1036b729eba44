"""Counting and paging search matches: every strategy of `directory.matches`
gives the pages a plain ORDER BY would give, and listings read deep pages by
their keys first."""

import pytest

from directory import matches as matches_module
from directory.matches import Matches
from directory.models import Person
from directory.search import search
from directory.views import listing
from tests.factories import OrganisationFactory, PersonFactory, PositionFactory

pytestmark = pytest.mark.django_db
PEOPLE = "/admin/directory/people/"


@pytest.fixture
def crowd():
    """Forty "Martin"s clustered in the alphabet, a few scattered matches before
    them (people of the Théâtre Martin), and others that do not match."""
    venue = OrganisationFactory(name="Théâtre Martin", city="Metz")
    for index in range(40):
        PersonFactory(last_name="Martin", first_name=f"Prénom{index:02d}", city="Lille")
    for last_name in ("Abadie", "Bernard", "Durand"):
        PositionFactory(person=PersonFactory(last_name=last_name, city="Nancy"), organisation=venue)
    for index in range(30):
        PersonFactory(last_name=f"Autre{index:02d}", city="Lyon")


def expected(ordering, query, start, stop):
    return list(search(Person.objects.order_by(*ordering), query)[start:stop])


@pytest.mark.parametrize("ordering", [("name_key",), ("-name_key",), ("city", "name_key")])
@pytest.mark.parametrize("cap", [1000, 43, 42, 10])
@pytest.mark.parametrize("window", [2000, 5])
def test_every_strategy_gives_the_pages_of_a_plain_order_by(
    crowd, monkeypatch, ordering, cap, window
):
    monkeypatch.setattr(matches_module, "WINDOW", window)
    found = Matches(Person.objects.order_by(*ordering, "pk"), "martin", cap)
    assert found.count == min(43, cap + 1)
    assert found.capped == (cap < 43)
    for start, stop in [(0, 10), (10, 20), (40, 50)]:
        assert found.rows(start, stop) == expected((*ordering, "pk"), "martin", start, stop)


def test_the_first_page_holds_the_scattered_matches_before_the_cluster(crowd, monkeypatch):
    monkeypatch.setattr(matches_module, "WINDOW", 5)  # the window misses the page
    found = Matches(Person.objects.order_by("name_key", "pk"), "martin", 10)
    first = [person.last_name for person in found.rows(0, 5)]
    assert first == ["Abadie", "Bernard", "Durand", "Martin", "Martin"]


def test_no_match_and_every_term(crowd):
    assert Matches(Person.objects.order_by("name_key"), "zzz", 10).rows(0, 25) == []
    assert Matches(Person.objects.order_by("name_key"), "zzz", 10).count == 0
    punctuation = Matches(Person.objects.order_by("name_key"), " -- ", 10)
    assert (punctuation.count, punctuation.rows(0, 25)) == (0, [])
    both = Matches(Person.objects.order_by("name_key"), "martin nancy", 10)
    assert both.count == 3
    assert [p.last_name for p in both.rows(0, 25)] == ["Abadie", "Bernard", "Durand"]


def test_a_capped_search_says_more_than_the_cap_in_the_listing(as_staff, crowd, monkeypatch):
    monkeypatch.setattr(listing, "SEARCH_COUNT_CAP", 30)
    response = as_staff.get(PEOPLE, {"q": "martin"})
    assert "Plus de 30 personnes" in response.content.decode()
    assert [str(p) for p in response.context["object_list"]][:3] == [
        str(p) for p in expected(("name_key", "pk"), "martin", 0, 3)
    ]


def test_a_capped_quick_search_says_more_than_the_cap(as_staff, crowd, monkeypatch):
    from directory.views import quick_search

    monkeypatch.setattr(quick_search, "SEARCH_COUNT_CAP", 30)
    page = as_staff.get("/admin/directory/search/", {"q": "martin"}).content.decode()
    assert "(plus de 30)" in page  # people: 43 matches
    assert "(1)" in page  # organisations: the Théâtre Martin


def test_deep_pages_read_their_keys_first_and_show_the_same_rows(as_staff, crowd, monkeypatch):
    plain = as_staff.get(PEOPLE, {"p": 3, "per_page": 25})
    monkeypatch.setattr(listing, "KEYS_FIRST_FROM", 0)
    keys_first = as_staff.get(PEOPLE, {"p": 3, "per_page": 25})
    rows = [str(p) for p in keys_first.context["object_list"]]
    assert rows == [str(p) for p in plain.context["object_list"]]
    assert rows == [str(p) for p in Person.objects.order_by("name_key", "pk")[50:75]]
