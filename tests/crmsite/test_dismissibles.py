"""What a user dismissed (banners, tips): only a small JSON object is stored."""

import json

import pytest


@pytest.mark.parametrize("body", ["[1]", '"x"', "null", "1", "{", '{"a": [1, 2]}'])
def test_a_body_that_is_not_a_small_object_is_refused(as_client, body):
    response = as_client.patch("/admin/dismissibles/", body, content_type="application/json")
    assert response.status_code == 400


def test_a_nul_in_a_key_or_a_value_is_refused(as_staff):
    for body in ({"a\u0000b": 1}, {"k": "v\u0000"}):
        response = as_staff.patch(
            "/admin/dismissibles/", json.dumps(body), content_type="application/json"
        )
        assert response.status_code == 400
    assert as_staff.get("/admin/dismissibles/").json() == {}


def test_the_profile_keeps_at_most_a_hundred_entries(as_staff):
    many = {f"tip-{n}": True for n in range(100)}
    response = as_staff.patch("/admin/dismissibles/", json.dumps(many), "application/json")
    assert response.status_code == 200
    response = as_staff.patch("/admin/dismissibles/", '{"one-more": true}', "application/json")
    assert response.status_code == 400


def test_a_dismissed_tip_is_remembered(as_client):
    response = as_client.patch(
        "/admin/dismissibles/", '{"whats-new": true}', content_type="application/json"
    )
    assert response.status_code == 200
    assert as_client.get("/admin/dismissibles/").json() == {"whats-new": True}
