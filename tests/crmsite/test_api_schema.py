"""Schemathesis, in process, against the API's own OpenAPI schema: for every
operation, generated requests (valid and not) never cause a server error,
and every answer keeps to the schema (declared status, JSON, its shape).

Business refusals of data the schema allows (a SIRET with a wrong check
digit, an unknown activity kind) are 404/409/422 by design: the check that
valid-looking data is accepted is left out, the others all run."""

import datetime

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from crmsite import actions
from crmsite.models import ApiScope
from tests.factories import OrganisationFactory, PersonFactory, PositionFactory

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def connection_kept():
    """Schemathesis calls the WSGI application as a server would: at the end of
    each request Django closes the database connection, which here holds the
    test's transaction. Django's own test client disconnects that, as here."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def token(db, admin_user, settings, connection_kept):
    settings.API_RATE_LIMIT = "100000/m"
    cache.clear()
    organisation = OrganisationFactory(name="Théâtre de la Manufacture", siret="73282932000074")
    PositionFactory(person=PersonFactory(email="alice@perso.fr"), organisation=organisation)
    _client, plaintext = actions.create_api_client(
        admin_user,
        name="Schemathesis",
        scopes=list(ApiScope.values),
        expires_at=timezone.now() + datetime.timedelta(days=30),
    )
    return plaintext


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
def test_no_request_breaks_the_api(case, token):
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
