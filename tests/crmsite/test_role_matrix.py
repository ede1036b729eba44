"""Which workspace sections each role reaches: 200, or a plain 403/404."""

import pytest

from directory.models import InterestCentre

ALLOWED = 200
DENIED = {403, 404}

# (section, url) -> expected answer for administrator, staff, client
MATRIX = [
    ("dashboard", "/admin/", ALLOWED, ALLOWED, "account"),
    ("account", "/admin/account/", ALLOWED, ALLOWED, ALLOWED),
    ("users", "/admin/users/", ALLOWED, DENIED, DENIED),
    ("add user", "/admin/users/new/", ALLOWED, DENIED, DENIED),
    ("groups", "/admin/groups/", ALLOWED, DENIED, DENIED),
    ("lockouts", "/admin/lockouts/", ALLOWED, DENIED, DENIED),
    ("interest centres", "/admin/directory/interest-centres/", ALLOWED, ALLOWED, DENIED),
    ("add interest centre", "/admin/directory/interest-centres/add/", ALLOWED, DENIED, DENIED),
    ("snippets", "/admin/snippets/", ALLOWED, ALLOWED, DENIED),
    ("page search", "/admin/pages/search/?q=a", DENIED, DENIED, DENIED),
    ("pages", "/admin/pages/", DENIED, DENIED, DENIED),
    ("sites", "/admin/sites/", ALLOWED, DENIED, DENIED),
    ("unknown", "/admin/no-such-section/", {404}, {404}, DENIED),
]


def expected_codes(expected):
    return {ALLOWED} if expected == ALLOWED else expected


@pytest.mark.parametrize(("section", "url", "admin", "staff", "client"), MATRIX)
def test_it_answers_each_role_as_the_matrix_says(
    section, url, admin, staff, client, as_admin, as_staff, as_client
):
    for role, browser, expected in (
        ("administrator", as_admin, admin),
        ("staff", as_staff, staff),
        ("client", as_client, client),
    ):
        response = browser.get(url)
        if expected == "account":
            assert response.status_code == 302, (section, role)
            assert response["Location"] == "/admin/account/", (section, role)
            continue
        assert response.status_code in expected_codes(expected), (
            f"{section} as {role}: {response.status_code}"
        )


def test_it_refuses_a_client_on_an_object_url_typed_by_hand(as_client):
    centre = InterestCentre.objects.create(name="Théâtre", colour="#b3261e")
    for suffix in ("edit", "delete", "inspect", "history"):
        response = as_client.get(f"/admin/directory/interest-centres/{suffix}/{centre.pk}/")
        assert response.status_code in DENIED, suffix
        assert b"Th\xc3\xa9\xc3\xa2tre" not in response.content


def test_it_sends_anonymous_visitors_to_the_login_page(client):
    for url in ("/admin/", "/admin/users/", "/admin/directory/interest-centres/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_the_root_redirects_to_the_workspace(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_a_client_sees_no_menu_of_the_workspace(as_client):
    response = as_client.get("/admin/account/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "interest-centres" not in body
    assert "/admin/users/" not in body
