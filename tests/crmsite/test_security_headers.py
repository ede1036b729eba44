"""Headers every workspace page carries: a Content-Security-Policy, no gravatar."""

import re


def policy_of(response):
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_every_page_sends_a_content_security_policy(client, as_staff):
    for browser, url in ((client, "/admin/login/"), (as_staff, "/admin/")):
        policy = policy_of(browser.get(url))
        assert policy["default-src"] == ["'self'"], url
        # Wagtail's widgets need inline scripts; no other origin may serve one.
        assert policy["script-src"] == ["'self'", "'unsafe-inline'"], url
        assert policy["frame-ancestors"] == ["'none'"], url
        assert policy["object-src"] == ["'none'"], url


def test_avatars_never_ask_gravatar(as_staff, staff_user):
    staff_user.email = "marie@agence.fr"
    staff_user.save()
    body = as_staff.get("/admin/account/").content.decode()
    assert "gravatar" not in body
    assert not re.search(r"[0-9a-f]{32}\?", body)
