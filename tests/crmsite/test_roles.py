"""Roles in the workspace's chrome. Who reaches which URL: `test_every_url`."""


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
