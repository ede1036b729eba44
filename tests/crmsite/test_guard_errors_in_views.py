"""A refusal of the database's last-administrator triggers, met by a view,
reads as the French message and a way back, not as a 500."""

from django.contrib.messages import get_messages
from django.db import IntegrityError
from django.test import RequestFactory

from crmsite.middleware import LastAdministratorMiddleware
from crmsite.roles import LAST_ADMINISTRATOR_MARKER


def request_from(user):
    request = RequestFactory().post("/admin/users/", HTTP_REFERER="http://testserver/admin/users/")
    request.user = user
    request.session = {}
    from django.contrib.messages.storage.fallback import FallbackStorage

    request._messages = FallbackStorage(request)
    return request


def test_a_trigger_refusal_becomes_the_message_and_a_redirect(admin_user):
    request = request_from(admin_user)
    middleware = LastAdministratorMiddleware(lambda r: None)
    error = IntegrityError(f"{LAST_ADMINISTRATOR_MARKER}: no administrator would be left")
    response = middleware.process_exception(request, error)
    assert response.status_code == 302
    assert response["Location"] == "http://testserver/admin/users/"
    assert any("administrat" in str(m) for m in get_messages(request))


def test_other_database_errors_are_left_alone(admin_user):
    middleware = LastAdministratorMiddleware(lambda r: None)
    assert middleware.process_exception(request_from(admin_user), IntegrityError("other")) is None
