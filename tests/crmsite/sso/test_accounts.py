"""Which account an identity opens: an existing, active one, found by its
verified address, once; never a new one."""

import pytest
from django.contrib.auth import get_user_model

from crmsite.models import SingleSignOnIdentity
from tests import factories

from .provider import (
    ISSUER,
    assert_refused,
    sign_in,
    signed_in_user_id,
    state_of_the_workspace,
)


def test_an_unknown_address_is_refused_and_no_account_is_created(
    provider, marie, another_staff, browser
):
    provider.identity = {
        "sub": "stranger-1",
        "email": "inconnu@agence-culture.fr",
        "email_verified": True,
    }
    before = state_of_the_workspace()
    assert_refused(
        browser,
        sign_in(browser, provider),
        "Aucun compte de l’espace de travail n’utilise l’adresse inconnu@agence-culture.fr.",
        before,
    )
    assert not get_user_model().objects.filter(email__iexact="inconnu@agence-culture.fr").exists()


@pytest.mark.parametrize("verified", [False, None, "false", "yes", 1])
def test_an_address_the_provider_has_not_verified_is_refused(
    marie_at_provider, marie, browser, verified
):
    marie_at_provider.identity["email_verified"] = verified
    if verified is None:
        del marie_at_provider.identity["email_verified"]
    before = state_of_the_workspace()
    assert_refused(
        browser,
        sign_in(browser, marie_at_provider),
        "Votre fournisseur d’identité n’a pas vérifié l’adresse marie.dupont@agence-culture.fr",
        before,
    )


def test_the_string_true_counts_as_verified(marie_at_provider, marie, browser):
    marie_at_provider.identity["email_verified"] = "true"
    sign_in(browser, marie_at_provider)
    assert signed_in_user_id(browser) == str(marie.pk)


def test_an_identity_without_an_address_is_refused(provider, marie, browser):
    provider.identity = {"sub": "no-mail-1", "email": ""}
    provider.userinfo = {"sub": "no-mail-1"}
    before = state_of_the_workspace()
    assert_refused(
        browser,
        sign_in(browser, provider),
        "Votre fournisseur d’identité n’a pas transmis d’adresse e-mail",
        before,
    )


def test_an_address_shared_by_two_accounts_is_refused(marie_at_provider, marie, browser):
    factories.staff(username="marie2", email="MARIE.dupont@agence-culture.fr")
    before = state_of_the_workspace()
    assert_refused(
        browser,
        sign_in(browser, marie_at_provider),
        "Plusieurs comptes de l’espace de travail utilisent l’adresse "
        "marie.dupont@agence-culture.fr.",
        before,
    )


def test_an_address_shared_with_a_deactivated_account_is_still_ambiguous(
    marie_at_provider, marie, browser
):
    factories.staff(username="old-marie", email="marie.dupont@agence-culture.fr", is_active=False)
    before = state_of_the_workspace()
    assert_refused(
        browser,
        sign_in(browser, marie_at_provider),
        "Plusieurs comptes de l’espace de travail utilisent l’adresse",
        before,
    )


def test_a_deactivated_account_is_refused(marie_at_provider, marie, browser):
    marie.is_active = False
    marie.save()
    before = state_of_the_workspace()
    assert_refused(
        browser,
        sign_in(browser, marie_at_provider),
        "Ce compte est désactivé. Adressez-vous à un administrateur.",
        before,
    )


def test_a_bound_account_deactivated_since_is_refused(marie_at_provider, marie, browser):
    sign_in(browser, marie_at_provider)
    browser.post("/admin/logout/")
    marie.is_active = False
    marie.save()
    before = state_of_the_workspace()
    assert_refused(browser, sign_in(browser, marie_at_provider), "Ce compte est désactivé.", before)


def test_an_account_without_a_role_is_refused(provider, browser):
    factories.UserFactory(username="nobody", email="sans-role@agence-culture.fr")
    provider.identity = {
        "sub": "no-role-1",
        "email": "sans-role@agence-culture.fr",
        "email_verified": True,
    }
    before = state_of_the_workspace()
    assert_refused(
        browser,
        sign_in(browser, provider),
        "Ce compte n’a pas accès à l’espace de travail.",
        before,
    )


def test_an_account_bound_to_another_identity_is_not_taken_by_its_address(
    marie_at_provider, marie, browser
):
    """The provider gave Marie's old address to someone else: that identity
    does not open Marie's account, which stays bound to hers."""
    sign_in(browser, marie_at_provider)
    browser.post("/admin/logout/")
    marie_at_provider.identity = {
        "sub": "someone-else-9",
        "email": "marie.dupont@agence-culture.fr",
        "email_verified": True,
    }
    before = state_of_the_workspace()
    assert_refused(
        browser,
        sign_in(browser, marie_at_provider),
        "Ce compte est déjà lié à une autre identité chez le fournisseur.",
        before,
    )
    assert SingleSignOnIdentity.objects.get(user=marie).subject == "f3c1a9e0-agence-0001"


def test_an_identity_of_another_issuer_is_another_identity(marie_at_provider, marie, browser):
    """A binding is per issuer: the same `sub` at another provider is not Marie."""
    SingleSignOnIdentity.objects.create(
        user=marie, issuer="https://old-idp.example", subject="f3c1a9e0-agence-0001"
    )
    sign_in(browser, marie_at_provider)
    assert signed_in_user_id(browser) == str(marie.pk)
    assert set(SingleSignOnIdentity.objects.values_list("issuer", flat=True)) == {
        "https://old-idp.example",
        ISSUER,
    }


@pytest.mark.parametrize(
    "identity",
    [
        {"sub": "nul\x00byte", "email": "marie.dupont@agence-culture.fr", "email_verified": True},
        {"sub": "s" * 300, "email": "marie.dupont@agence-culture.fr", "email_verified": True},
        {"sub": 12345, "email": "marie.dupont@agence-culture.fr", "email_verified": True},
        {"sub": "ok-1", "email": "marie.dupont@agence-culture.fr\x00", "email_verified": True},
        {"sub": "ok-2", "email": ["marie.dupont@agence-culture.fr"], "email_verified": True},
        {"sub": "ok-3", "email": "a" * 5000 + "@x.fr", "email_verified": True},
    ],
    ids=["nul-in-sub", "long-sub", "numeric-sub", "nul-in-email", "list-email", "long-email"],
)
def test_hostile_claims_are_refused_without_an_error(provider, marie, browser, identity):
    provider.identity = identity
    before = state_of_the_workspace()
    response = sign_in(browser, provider)
    assert response.status_code == 302
    assert signed_in_user_id(browser) is None
    page = browser.get(response["Location"])
    assert page.status_code == 200
    assert state_of_the_workspace() == before
