"""Without the OIDC_* variables, single sign-on is not there at all."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import PASSWORD

from .provider import CALLBACK, LOGIN_PAGE, START

ROOT = Path(__file__).resolve().parents[3]


def test_the_login_page_has_no_button(client):
    page = client.get(LOGIN_PAGE).content.decode()
    assert "Se connecter avec" not in page
    assert START not in page
    assert 'name="password"' in page


@pytest.mark.parametrize("url", [START, CALLBACK, CALLBACK + "?code=a&state=b"])
def test_its_addresses_answer_404(client, url):
    assert client.get(url).status_code == 404


def test_staff_sign_in_with_their_password(client, staff_user):
    response = client.post(LOGIN_PAGE, {"username": staff_user.username, "password": PASSWORD})
    assert response.status_code == 302


def _python(code: str, **env) -> subprocess.CompletedProcess:
    unwanted = {"OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "DJANGO_SETTINGS_MODULE"}
    clean = {k: v for k, v in os.environ.items() if k not in unwanted}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "crmsite.settings.test", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


PROBE = """
import sys
import django
django.setup()
from django.conf import settings
from django.urls import Resolver404, resolve
import crmsite.forms, crmsite.urls, crmsite.wagtail_hooks
try:
    resolve("/sso/callback/")
    routed = True
except Resolver404:
    routed = False
print(settings.SSO_ENABLED, routed, "mozilla_django_oidc" in sys.modules)
"""


def test_the_environment_alone_turns_it_on_and_off():
    off = _python(PROBE)
    assert off.returncode == 0, off.stderr
    assert off.stdout.split() == ["False", "False", "False"]

    # Half a configuration is refused at start-up, naming what is missing.
    partial = _python(PROBE, OIDC_ISSUER="https://idp.example", OIDC_CLIENT_ID="crm")
    assert partial.returncode != 0
    assert "The environment variable OIDC_CLIENT_SECRET is required." in partial.stderr

    on = _python(
        PROBE,
        OIDC_ISSUER="https://idp.example/",
        OIDC_CLIENT_ID="crm",
        OIDC_CLIENT_SECRET="secret",
    )
    assert on.returncode == 0, on.stderr
    assert on.stdout.split() == ["True", "True", "True"]
