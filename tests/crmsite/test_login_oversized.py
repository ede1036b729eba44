"""Oversized and hostile sign-in input is refused plainly, never a server error."""

import pytest


@pytest.mark.parametrize(
    "username",
    ["x" * 5000, "<script>alert(1)</script>", "'; DROP TABLE crmsite_user; --", "é\u0000"],
)
def test_hostile_usernames_get_the_login_page_back(client, username):
    response = client.post("/admin/login/", {"username": username, "password": "wrong"})
    assert response.status_code in (200, 400)
    assert "<script>alert(1)</script>" not in response.content.decode()
