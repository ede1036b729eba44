"""The workspace shows none of the content-management system underneath."""

import re

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group, Permission
from wagtail.admin.models import EditingSession

from crmsite.roles import STAFF
from tests import factories

# "Tâche" is the planner's own model now; the workflows' tasks are checked by
# their permissions (test_the_group_form_offers_no_…_permission).
CMS_WORDS = ("Pages", "Images", "Documents", "Workflow", "Wagtail", "Collections")


def visible_text(response) -> str:
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    for hidden in soup(["script", "style", "template"]):
        hidden.decompose()
    return " ".join(soup.get_text(" ").split())


def assert_no_cms(response, url):
    assert response.status_code == 200, url
    text = visible_text(response)
    for word in CMS_WORDS:
        assert not re.search(rf"\b{word}\b", text), f"{word!r} on {url}"
    assert "gravatar" not in response.content.decode(), url


def test_a_staff_member_sees_no_cms_on_their_pages(as_staff):
    for url in ("/admin/", "/admin/account/"):
        assert_no_cms(as_staff.get(url), url)


def test_an_administrator_sees_no_cms_on_the_settings_pages(as_admin):
    staff_group = Group.objects.get(name=STAFF)
    other_group = Group.objects.create(name="Billetterie")
    for url in (
        "/admin/",
        "/admin/account/",
        "/admin/users/",
        "/admin/groups/",
        f"/admin/groups/edit/{staff_group.pk}/",
        f"/admin/groups/edit/{other_group.pk}/",
        "/admin/groups/new/",
        "/admin/lockouts/",
    ):
        assert_no_cms(as_admin.get(url), url)


def test_the_group_form_offers_no_page_image_document_or_collection_permission(as_admin):
    group = Group.objects.create(name="Billetterie")
    body = as_admin.get(f"/admin/groups/edit/{group.pk}/").content.decode()
    for prefix in ("page_permissions", "collection_permissions", "image_permissions"):
        assert f'name="{prefix}-TOTAL_FORMS"' not in body
    assert 'name="document_permissions-TOTAL_FORMS"' not in body
    workflow_tasks = Permission.objects.filter(
        content_type__app_label="wagtailcore", content_type__model__in=("task", "workflow")
    )
    for permission in workflow_tasks:
        assert f'name="permissions" value="{permission.pk}"' not in body


def test_the_menus_hold_no_cms_entry(as_admin):
    body = as_admin.get("/admin/").content.decode()
    for name in ("explorer", "images", "documents", "snippets", "sites", "collections"):
        assert f'"name": "{name}"' not in body
    for name in ("editor-guide", "whats-new-in-wagtail", "workflows", "locked-pages"):
        assert name not in body
    assert "Wagtail v" not in body  # the settings menu's foot


def test_the_404_page_points_back_to_the_workspace(as_staff):
    response = as_staff.get("/admin/no-such-section/")
    assert response.status_code == 404
    text = visible_text(response)
    assert "Retour à l’espace de travail" in text
    assert "Wagtail" not in text


def test_the_login_page_bears_the_product_name_and_logo(client):
    body = client.get("/admin/login/").content.decode()
    assert "CRM Culture" in body
    assert "crmsite/logo.svg" in body
    assert "Wagtail" not in visible_text(client.get("/admin/login/"))


@pytest.mark.parametrize("url", ["/admin/", "/admin/account/"])
def test_the_sidebar_bears_the_product_logo(as_staff, url):
    assert "crmsite/logo.svg" in as_staff.get(url).content.decode()


def test_the_sidebar_search_opens_the_directory_search(as_staff):
    body = as_staff.get("/admin/").content.decode()
    assert "/admin/directory/search/" in body
    assert "/admin/pages/search/" not in body


def test_edit_forms_open_no_editing_session_and_its_urls_are_gone(as_staff, staff_user):
    person = factories.PersonFactory()
    body = as_staff.get(f"/admin/directory/people/edit/{person.pk}/").content.decode()
    assert "editing-sessions" not in body
    assert not EditingSession.objects.exists()
    assert as_staff.post("/admin/editing-sessions/release/1/").status_code == 404
