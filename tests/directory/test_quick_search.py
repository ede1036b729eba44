"""The quick directory search: people and organisations together, one box."""

import pytest

from tests.factories import OrganisationFactory, PersonFactory, PositionFactory

pytestmark = pytest.mark.django_db
URL = "/admin/directory/search/"


@pytest.fixture
def directory():
    venue = OrganisationFactory(name="Théâtre de Saint-Étienne", city="Saint-Étienne")
    elodie = PersonFactory(first_name="Élodie", last_name="Lefèvre")
    PositionFactory(person=elodie, organisation=venue)
    PersonFactory(first_name="Jérôme", last_name="Guérin", city="Nîmes")


def test_finds_people_and_organisations_without_accents(as_staff, directory):
    page = as_staff.get(URL, {"q": "saint etienne"}).content.decode()
    assert "Théâtre de Saint-Étienne" in page and "Élodie Lefèvre" in page
    assert "Guérin" not in page
    assert 'Organisations <span class="crm-muted">(1)' in page


def test_the_header_names_the_page(as_staff, directory):
    page = as_staff.get(URL).content.decode()
    breadcrumbs = page[page.index('aria-label="Fil d') :]
    breadcrumbs = breadcrumbs[: breadcrumbs.index("</ol>")]
    assert "Recherche dans l’annuaire" in breadcrumbs  # not "Accueil" alone


def test_empty_punctuation_hostile_and_oversized_queries(as_staff, directory):
    empty = as_staff.get(URL).content.decode()
    assert "Aucune organisation" not in empty  # the form alone
    for query in ("--", "« »", "%"):
        page = as_staff.get(URL, {"q": query}).content.decode()
        assert "Lefèvre" not in page and "Guérin" not in page, query
    hostile = as_staff.get(URL, {"q": "<script>alert(1)</script>"}).content.decode()
    assert "<script>alert(1)" not in hostile
    oversized = as_staff.get(URL, {"q": "lefevre " + "x" * 5000})
    assert oversized.status_code == 200
    assert 'value="lefevre xxx' in oversized.content.decode()
