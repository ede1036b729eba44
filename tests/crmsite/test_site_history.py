"""The site history report names only what its reader may see, in any order
of Wagtail's log models (a set, walked in a different order by each process)."""

import csv
import io

import pytest
from django.contrib.contenttypes.models import ContentType
from wagtail.log_actions import log, registry

from selections.models import SavedSearch, SelectionLogEntry
from tests.factories import OrganisationFactory

PRIVATE = "Mécènes confidentiels"
SHARED = "Lieux partagés"
ORGANISATION = "Théâtre du Peuple"
CRITERIA = {
    "target": "people",
    "all": [{"field": "person.language", "operator": "in", "value": ["en"]}],
}


@pytest.fixture(params=["selections first", "wagtail first"])
def log_models_order(request, monkeypatch):
    ContentType.objects.clear_cache()
    models = sorted(
        registry.get_log_entry_models(),
        key=lambda model: (model is not SelectionLogEntry) == (request.param == "selections first"),
    )
    monkeypatch.setattr(registry, "get_log_entry_models", lambda: list(models))
    return models


@pytest.fixture
def history(staff_user, other_staff_user, admin_user):
    private = SavedSearch.objects.create(owner=staff_user, name=PRIVATE, criteria=CRITERIA)
    shared = SavedSearch.objects.create(owner=staff_user, name=SHARED, criteria=CRITERIA)
    shared.shared_with_users.add(other_staff_user)
    for search in (private, shared):
        log(search, "wagtail.create", user=staff_user)
    organisation = OrganisationFactory(name=ORGANISATION)
    log(organisation, "wagtail.edit", user=staff_user)


def names_on(browser, url):
    return browser.get(url).content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/admin/reports/site-history/",
        "/admin/reports/site-history/results/",
    ],
)
def test_a_colleague_reads_the_directory_history_but_not_private_names(
    log_models_order, history, url, as_staff, as_admin, client, other_staff_user
):
    client.force_login(other_staff_user)
    colleague = names_on(client, url)
    owner = names_on(as_staff, url)
    administrator = names_on(as_admin, url)
    assert PRIVATE not in colleague and PRIVATE not in administrator
    assert PRIVATE in owner
    for page in (colleague, owner):
        assert ORGANISATION in page and SHARED in page
    assert ORGANISATION in administrator


def test_filtering_on_a_private_name_finds_nothing_for_others(
    log_models_order, history, as_staff, as_admin, client, other_staff_user
):
    client.force_login(other_staff_user)
    url = "/admin/reports/site-history/results/?label=" + PRIVATE
    for browser, expected in ((client, []), (as_admin, []), (as_staff, [PRIVATE])):
        labels = [entry.label for entry in browser.get(url).context["object_list"]]
        assert labels == expected


def test_the_csv_export_names_nothing_private_and_escapes_formulae(
    log_models_order, history, client, other_staff_user, staff_user
):
    OrganisationFactory(name='=HYPERLINK("http://evil.example")')
    log(OrganisationFactory(name="=1+1"), "wagtail.create", user=staff_user)
    client.force_login(other_staff_user)
    response = client.get("/admin/reports/site-history/?export=csv")
    assert response.status_code == 200
    content = b"".join(response.streaming_content).decode()
    names = [row[1] for row in csv.reader(io.StringIO(content))][1:]
    assert PRIVATE not in names
    assert SHARED in names and ORGANISATION in names
    assert "'=1+1" in names and "=1+1" not in names


def test_the_report_works_without_any_page(history, as_staff):
    from wagtail.models import Page

    Page.objects.all().delete()
    response = as_staff.get("/admin/reports/site-history/")
    assert response.status_code == 200
    assert ORGANISATION in response.content.decode()
