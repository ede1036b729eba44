import pytest
import responses
from django.core.cache import cache
from django.test import Client, override_settings

from tests import factories

from .provider import SSO_SETTINGS, FakeProvider


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test discovers the provider afresh (the cache is shared, Redis included)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def sso_on():
    with override_settings(**SSO_SETTINGS, ROOT_URLCONF="tests.crmsite.sso.urls_with_sso"):
        yield


@pytest.fixture
def provider(sso_on):
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield FakeProvider(mock)


@pytest.fixture
def browser():
    return Client()


@pytest.fixture
def marie(staff_user):
    """A staff member, known to the provider by her address (another case)."""
    staff_user.email = "Marie.Dupont@agence-culture.fr"
    staff_user.save(update_fields=["email"])
    return staff_user


@pytest.fixture
def marie_at_provider(provider, marie):
    provider.identity = {
        "sub": "f3c1a9e0-agence-0001",
        "email": "marie.dupont@agence-culture.fr",
        "email_verified": True,
    }
    return provider


@pytest.fixture
def another_staff():
    return factories.staff(username="paul", email="paul.martin@agence-culture.fr")
