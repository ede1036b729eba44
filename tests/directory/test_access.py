"""Clients and anonymous visitors reach no directory URL; staff reach them all."""

import pytest

from directory.models import Comment
from tests.factories import OrganisationFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def urls():
    organisation = OrganisationFactory(name="Théâtre secret")
    person = PersonFactory(last_name="Secrète")
    comment = Comment.objects.create(organisation=organisation, body="confidentiel")
    o, p = organisation.pk, person.pk
    return [
        "/admin/directory/organisations/",
        "/admin/directory/organisations/?q=secret",
        "/admin/directory/organisations/?export=csv",
        "/admin/directory/organisations/?export=xlsx",
        "/admin/directory/organisations/add/",
        f"/admin/directory/organisations/edit/{o}/",
        f"/admin/directory/organisations/inspect/{o}/",
        f"/admin/directory/organisations/history/{o}/",
        f"/admin/directory/organisations/delete/{o}/",
        "/admin/directory/people/",
        "/admin/directory/people/?export=csv",
        f"/admin/directory/people/edit/{p}/",
        f"/admin/directory/people/inspect/{p}/",
        f"/admin/directory/people/history/{p}/",
        "/admin/snippets/choose/directory/person/",
        "/admin/snippets/choose/directory/person/results/?q=secr",
        f"/admin/snippets/choose/directory/person/chosen/{p}/",
        "/admin/snippets/choose/directory/organisation/results/?q=secret",
        "/admin/directory/search/?q=secret",
        f"/admin/directory/comments/{comment.pk}/edit/",
        "/admin/directory/kinds/",
        "/admin/directory/functions/",
    ]


def leaks(response) -> bool:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return "secr" in body.decode("utf-8", "replace").lower()


def test_clients_reach_no_directory_url(as_client, urls):
    for url in urls:
        response = as_client.get(url)
        assert response.status_code in (302, 403, 404), url
        if response.status_code == 302:
            assert "/directory/" not in response["Location"], url
        assert not leaks(response), url


def test_anonymous_visitors_are_sent_to_sign_in(client, urls):
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/"), url


def test_staff_reach_the_directory(as_staff, urls):
    for url in urls:
        if "/comments/" in url or "/delete/" in url:
            continue
        response = as_staff.get(url)
        assert response.status_code == 200, url


def test_staff_do_not_manage_the_lists(as_staff):
    assert as_staff.get("/admin/directory/kinds/add/").status_code == 403
    assert as_staff.get("/admin/directory/functions/add/").status_code == 403


def test_administrators_manage_kinds_and_functions(as_admin):
    response = as_admin.post("/admin/directory/kinds/add/", {"name": "Tiers-lieu"})
    assert response.status_code == 302
    response = as_admin.post("/admin/directory/kinds/add/", {"name": "TIERS LIEU"})
    assert response.status_code == 302  # hyphen differs: a different name
    response = as_admin.post("/admin/directory/kinds/add/", {"name": "tiers-lieu"})
    assert response.status_code == 200
    assert "name" in response.context["form"].errors


def test_an_oversized_chooser_search_finds_nothing_rather_than_everything(as_staff):
    PersonFactory(last_name="Martin")
    response = as_staff.get("/admin/snippets/choose/directory/person/results/", {"q": "z" * 10_000})
    assert response.status_code == 200
    assert "Martin" not in response.content.decode()
