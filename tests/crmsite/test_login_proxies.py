"""The client's address behind reverse proxies (X-Forwarded-For), for login throttling."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client, RequestFactory, override_settings

from crmsite.throttling import client_address
from tests.factories import PASSWORD

LOGIN = "/admin/login/"
PROXY = "127.0.0.1"
LOCK_MESSAGE = "ce compte est bloqué depuis votre adresse"


def attempt(username, password, forwarded=None, remote=PROXY):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return Client().post(LOGIN, {"username": username, "password": password}, **headers)


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_one_proxy_two_clients_are_told_apart(staff_user):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt("marie", "wrong-password", "203.0.113.5").status_code == 200
    response = attempt("marie", "wrong-password", "203.0.113.5")
    assert response.status_code == 429
    assert LOCK_MESSAGE in response.content.decode()

    # The lock hits that client, not the proxy every client comes through.
    assert attempt("marie", PASSWORD, "203.0.113.5").status_code == 429
    assert attempt("marie", PASSWORD, "198.51.100.7").status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.5"}


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_one_proxy_a_client_cannot_choose_its_address(staff_user):
    # The client sends its own X-Forwarded-For; the proxy appends the real address.
    for number in range(settings.AXES_FAILURE_LIMIT):
        response = attempt("marie", "wrong-password", f"192.0.2.{number}, 203.0.113.5")
    assert response.status_code == 429
    assert attempt("marie", PASSWORD, '", 203.0.113.5').status_code == 429
    assert attempt("marie", PASSWORD, "garbage, 203.0.113.5").status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.5"}


@override_settings(TRUSTED_PROXY_COUNT=0)
def test_without_a_proxy_the_header_is_ignored(staff_user):
    for number in range(settings.AXES_FAILURE_LIMIT):
        response = attempt("marie", "wrong-password", f"198.51.100.{number}", remote="10.0.0.1")
    assert response.status_code == 429
    response = attempt("marie", PASSWORD, "198.51.100.200", remote="10.0.0.1")
    assert response.status_code == 429
    assert LOCK_MESSAGE in response.content.decode()
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"10.0.0.1"}


def test_the_default_is_no_proxy():
    assert settings.TRUSTED_PROXY_COUNT == 0


@pytest.mark.parametrize(
    ("proxies", "forwarded", "remote", "expected"),
    [
        (0, "203.0.113.5", "10.0.0.1", "10.0.0.1"),
        (1, "203.0.113.5", PROXY, "203.0.113.5"),
        (1, "192.0.2.1,203.0.113.5", PROXY, "203.0.113.5"),
        (2, "192.0.2.1, 203.0.113.5, 10.0.0.2", PROXY, "203.0.113.5"),
        (1, " ::ffff:203.0.113.5 ", PROXY, "203.0.113.5"),
        # An IPv6 client counts as its /64: rotating within it changes nothing.
        (1, "2001:db8::1", PROXY, "2001:db8::"),
        (1, "2001:db8:0:0:ffff:1:2:3", PROXY, "2001:db8::"),
        (0, None, "2001:db8:0:1::7", "2001:db8:0:1::"),
        # Reached without the proxy, or through fewer proxies than configured.
        (1, None, "203.0.113.9", "203.0.113.9"),
        (2, "203.0.113.5", PROXY, PROXY),
        # A proxy that wrote no address: the peer, never a guess.
        (1, "unknown", PROXY, PROXY),
    ],
)
def test_the_client_address(proxies, forwarded, remote, expected):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    request = RequestFactory().get("/", **headers)
    with override_settings(TRUSTED_PROXY_COUNT=proxies):
        assert client_address(request) == expected
