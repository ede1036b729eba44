"""Comments: every staff member reads and adds; only the author edits or deletes."""

import pytest
from wagtail.models import ModelLogEntry

from directory.models import Comment
from tests.factories import OrganisationFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation():
    return OrganisationFactory(name="Scène nationale de Metz")


def record(organisation):
    return f"/admin/directory/organisations/inspect/{organisation.pk}/"


def test_staff_adds_a_comment_that_others_read(
    as_staff, staff_user, other_staff_user, organisation, client
):
    response = as_staff.post(
        f"/admin/directory/comments/organisation/{organisation.pk}/add/",
        {"body": "Rencontrée au festival, <b>à rappeler</b>."},
    )
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert (comment.author, comment.organisation) == (staff_user, organisation)
    client.force_login(other_staff_user)
    page = client.get(record(organisation)).content.decode()
    assert "Rencontrée au festival, &lt;b&gt;à rappeler&lt;/b&gt;." in page
    # Only the author gets the edit link.
    assert f"/admin/directory/comments/{comment.pk}/edit/" not in page
    assert ModelLogEntry.objects.filter(
        object_id=str(organisation.pk), action="directory.comment.add", user=staff_user
    ).exists()


def test_comment_on_a_person(as_staff):
    person = PersonFactory()
    response = as_staff.post(
        f"/admin/directory/comments/person/{person.pk}/add/", {"body": "Préfère le téléphone."}
    )
    assert response.status_code == 302
    assert person.comments.get().body == "Préfère le téléphone."


@pytest.mark.parametrize("body", ["", "   ", "x" * 5001])
def test_empty_or_oversized_comment_is_refused(as_staff, organisation, body):
    response = as_staff.post(
        f"/admin/directory/comments/organisation/{organisation.pk}/add/",
        {"body": body},
        follow=True,
    )
    assert response.status_code == 200
    assert Comment.objects.count() == 0
    assert any(m.level_tag == "error" for m in response.context["messages"])


@pytest.mark.parametrize("target", ["user", "organisation/0", "person/999999", "comment/1"])
def test_comment_on_an_unknown_record_is_404(as_staff, target):
    kind, _, pk = target.partition("/")
    url = f"/admin/directory/comments/{kind}/{pk or 1}/add/"
    assert as_staff.post(url, {"body": "x"}).status_code == 404
    assert Comment.objects.count() == 0


def test_adding_needs_post(as_staff, organisation):
    assert (
        as_staff.get(f"/admin/directory/comments/organisation/{organisation.pk}/add/").status_code
        == 405
    )


def test_author_edits_and_deletes_their_comment(as_staff, staff_user, organisation):
    comment = Comment.objects.create(organisation=organisation, author=staff_user, body="Avant")
    assert as_staff.get(f"/admin/directory/comments/{comment.pk}/edit/").status_code == 200
    response = as_staff.post(f"/admin/directory/comments/{comment.pk}/edit/", {"body": "Après"})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.body == "Après"
    response = as_staff.post(f"/admin/directory/comments/{comment.pk}/delete/")
    assert response.status_code == 302
    assert not Comment.objects.exists()
    actions = set(
        ModelLogEntry.objects.filter(object_id=str(organisation.pk)).values_list(
            "action", flat=True
        )
    )
    assert {"directory.comment.edit", "directory.comment.delete"} <= actions


def test_another_staff_member_cannot_edit_or_delete(
    client, other_staff_user, staff_user, organisation
):
    comment = Comment.objects.create(organisation=organisation, author=staff_user, body="À moi")
    client.force_login(other_staff_user)
    for url in (
        f"/admin/directory/comments/{comment.pk}/edit/",
        f"/admin/directory/comments/{comment.pk}/delete/",
    ):
        assert client.get(url).status_code == 403
        assert client.post(url, {"body": "Piraté"}).status_code == 403
    comment.refresh_from_db()
    assert comment.body == "À moi"


def test_an_administrator_may_delete_but_not_edit_others_comments(
    as_admin, staff_user, organisation
):
    comment = Comment.objects.create(
        organisation=organisation, author=staff_user, body="Hors sujet"
    )
    assert (
        as_admin.post(f"/admin/directory/comments/{comment.pk}/edit/", {"body": "x"}).status_code
        == 403
    )
    assert as_admin.post(f"/admin/directory/comments/{comment.pk}/delete/").status_code == 302
    assert not Comment.objects.exists()


def test_clients_cannot_comment(as_client, organisation):
    response = as_client.post(
        f"/admin/directory/comments/organisation/{organisation.pk}/add/", {"body": "Bonjour"}
    )
    assert response.status_code in (302, 403)
    assert Comment.objects.count() == 0
