"""The words of single sign-on read as natural French: the login page with
its button, every refusal shown there, the password form's refusal for staff
and the administrators' setting (the rules of tests/crmsite/test_french_wording)."""

import pytest
from django.utils import translation

from crmsite.models import SignInSettings
from crmsite.sso.errors import REASONS, SignInRefused
from tests.crmsite.test_french_wording import offences, page_texts
from tests.factories import PASSWORD

from .provider import LOGIN_PAGE

# What the provider calls itself, and an address the user's provider gave.
ALLOWED = ("Agence Connect", "@")


def test_the_login_page_with_the_button_reads_as_french(sso_on, client):
    texts = page_texts(client.get(LOGIN_PAGE).content.decode())
    assert offences(texts, allowed=ALLOWED) == []


@pytest.mark.parametrize("reason", sorted(REASONS))
def test_each_refusal_reads_as_french(reason):
    with translation.override("fr"):
        message = SignInRefused(reason, email="marie.dupont@agence-culture.fr").message
    assert offences([message], allowed=ALLOWED) == []
    assert "’" in message or "'" not in message


def test_the_password_forms_refusal_reads_as_french(sso_on, client, staff_user):
    settings = SignInSettings.load()
    settings.sso_only_for_staff = True
    settings.save()
    response = client.post(LOGIN_PAGE, {"username": staff_user.username, "password": PASSWORD})
    texts = page_texts(response.content.decode())
    assert offences(texts, allowed=(*ALLOWED, staff_user.username)) == []


def test_the_setting_reads_as_french(sso_on, as_admin):
    response = as_admin.get("/admin/settings/crmsite/signinsettings/", follow=True)
    texts = page_texts(response.content.decode())
    assert offences(texts, allowed=("admin",)) == []
    assert "Connexion" in texts
