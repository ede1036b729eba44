"""The private API (`/api/v1/`), for the agency's other applications.

Built with django-ninja (which Wagtail 8 already uses for its own API): the
OpenAPI schema at `/api/v1/openapi.json`, its documentation page at
`/api/v1/docs`. Each app adds its endpoints in its `api.py` (a ninja
`Router`); this module holds what they share:

* **Authentication**: `Authorization: Bearer <token>` of an API client
  (`crmsite.models.ApiClient`, managed by administrators in the workspace):
  a Wagtail `APIToken` held by the client's service account, looked up by
  its keyed digest. A revoked or expired client, a person's own token, a
  malformed header: 401. No session cookie ever authenticates here.
* **Scopes**: each endpoint checks its own (`directory.api`), 403 without it.
* **Rate limit** per client (`settings.API_RATE_LIMIT`, e.g. "120/m"): 429
  with `Retry-After`.
* **Errors** are JSON, `{"detail": "…"}` (and `"errors"` by field for 422),
  in French by default (`Accept-Language: en` for English), with the status
  that says what happened (400, 401, 403, 404, 409, 422, 429); anything
  unexpected is logged and answered 500 with the same shape, never an HTML
  page.
"""

from __future__ import annotations

import functools
import logging

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.urls import re_path
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.throttling import SimpleRateThrottle
from wagtail.api.v3.auth import BearerTokenAuth
from wagtail.models import APIToken

from directory.api import Conflict

from .models import ApiClient

logger = logging.getLogger(__name__)

MAX_TOKEN_LENGTH = 100


class ClientAuth(BearerTokenAuth):
    """A bearer token of an API client that is neither revoked nor expired."""

    openapi_description = "Jeton d’un client de l’API (créé par un administrateur)."

    def authenticate(self, request, token: str):
        request.user = AnonymousUser()
        if not token or len(token) > MAX_TOKEN_LENGTH or not APIToken.validate_token_format(token):
            return None
        client = (
            ApiClient.objects.select_related("token", "user")
            .filter(
                token__key_hash__in=APIToken.candidate_key_hashes(token),
                token__revoked_at__isnull=True,
                revoked_at__isnull=True,
                expires_at__gt=timezone.now(),
                user__is_active=True,
            )
            .first()
        )
        if client is None:
            return None
        request.user = client.user
        request.api_client = client
        self._touch_last_used(client.token)
        return client


class ClientThrottle(SimpleRateThrottle):
    """Requests per client (its service account), all endpoints together."""

    scope = "api-client"

    def get_rate(self):
        return getattr(settings, "API_RATE_LIMIT", "120/m")

    def allow_request(self, request):
        self.rate = self.get_rate()  # read at each request: the setting may change
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_cache_key(self, request):
        client = getattr(request, "api_client", None)
        ident = f"client-{client.pk}" if client else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


api = NinjaAPI(
    title="CRM Culture — API privée",
    version="1",
    description=(
        "API privée pour les applications de l’agence : annuaire (organisations, "
        "personnes) et activités (commandes, locations, abonnements, inscriptions)."
    ),
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
    auth=ClientAuth(),
    throttle=[ClientThrottle()],
)


def _error(request, status: int, detail, **extra):
    return api.create_response(request, {"detail": str(detail), **extra}, status=status)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    response = _error(request, 401, _("A valid API token is needed (Authorization: Bearer …)."))
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return _error(request, 403, exc or _("Not allowed."))


@api.exception_handler(Http404)
def _not_found(request, exc):
    return _error(request, 404, _("Not found."))


@api.exception_handler(Conflict)
def _conflict(request, exc):
    client = getattr(request, "api_client", None)
    # The ids of the records in question, to a client that may read the directory only.
    may_read = client is not None and client.has_scope("directory:read")
    return _error(request, 409, exc.message, candidates=exc.candidates if may_read else [])


@api.exception_handler(DjangoValidationError)
def _invalid(request, exc):
    if hasattr(exc, "error_dict"):
        errors = {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}
    else:
        errors = {"__all__": [str(m) for m in exc.messages]}
    first = next(iter(errors.values()))[0]
    return _error(request, 422, first, errors=errors)


@api.exception_handler(ValidationError)
def _malformed(request, exc):
    errors = {}
    for error in exc.errors:
        # ("body", "data", "kind") -> "kind": the caller knows no "data".
        parts = list(error.get("loc", ()))
        if parts[:1] == ["body"]:
            parts = parts[2:] if len(parts) > 2 else parts[1:]
        elif parts[:1] in (["query"], ["path"]):
            parts = parts[1:]
        location = ".".join(str(part) for part in parts)
        errors.setdefault(location or "__all__", []).append(_validation_message(error))
    return _error(request, 422, _("The request’s data is not valid."), errors=errors)


def _validation_message(error: dict) -> str:
    """Pydantic's message for one value, in the caller's language: by its
    type, with its figures; pydantic's own words for a type not listed."""
    context = error.get("ctx") or {}
    kind = error.get("type", "")
    messages = {
        "missing": _("This value is required."),
        "extra_forbidden": _("This name is not known here."),
        "string_type": _("Give a text."),
        "string_too_short": _("Give at least %(min_length)s characters."),
        "string_too_long": _("Give at most %(max_length)s characters."),
        "int_type": _("Give a whole number."),
        "int_parsing": _("Give a whole number."),
        "int_from_float": _("Give a whole number."),
        "bool_type": _("Give true or false."),
        "bool_parsing": _("Give true or false."),
        "greater_than_equal": _("Give a number of at least %(ge)s."),
        "greater_than": _("Give a number above %(gt)s."),
        "less_than_equal": _("Give a number of at most %(le)s."),
        "less_than": _("Give a number below %(lt)s."),
        "decimal_type": _("Give a number, e.g. 1234.50."),
        "decimal_parsing": _("Give a number, e.g. 1234.50."),
        "decimal_max_digits": _("Give at most %(max_digits)s digits."),
        "decimal_max_places": _("Give at most %(decimal_places)s decimals."),
        "decimal_whole_digits": _("Give a smaller number."),
        "date_type": _("Give a date as YYYY-MM-DD."),
        "date_parsing": _("Give a date as YYYY-MM-DD."),
        "date_from_datetime_parsing": _("Give a date as YYYY-MM-DD."),
        "date_from_datetime_inexact": _("Give a date as YYYY-MM-DD."),
        "dict_type": _("Give an object of names and values."),
        "model_type": _("Give an object of names and values."),
        "model_attributes_type": _("Give an object of names and values."),
        "list_type": _("Give a list."),
        "json_invalid": _("The body is not valid JSON."),
        "json_type": _("The body is not valid JSON."),
        "enum": _("Give one of: %(expected)s."),
        "literal_error": _("Give one of: %(expected)s."),
        "too_long": _("Give at most %(max_length)s items."),
        "too_short": _("Give at least %(min_length)s items."),
        "value_error": _("This value is not valid."),
    }
    if kind == "value_error" and context.get("error"):
        return str(context["error"])  # our own validators' words, translated
    message = messages.get(kind)
    if message is None:
        return str(error.get("msg", ""))
    try:
        return message % {key: str(value) for key, value in context.items()}
    except (KeyError, TypeError, ValueError):
        return str(error.get("msg", ""))


@api.exception_handler(HttpError)
def _http_error(request, exc):
    response = _error(request, exc.status_code, _status_message(exc.status_code, exc))
    return response


def _status_message(status: int, exc) -> str:
    messages = {
        400: _("The request is malformed."),
        429: _("Too many requests: wait before trying again."),
    }
    return messages.get(status) or str(exc)


@api.exception_handler(Exception)
def _unexpected(request, exc):
    logger.exception("API error on %s %s", request.method, request.path)
    return _error(request, 500, _("An unexpected error occurred; it has been logged."))


def _speaking(view):
    """French unless the caller asks otherwise (`Accept-Language: en`)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        with translation.override(translation.get_language_from_request(request)):
            try:
                response = view(request, *args, **kwargs)
            except Http404:  # django-ninja's root raises it: a JSON 404 as elsewhere
                return JsonResponse({"detail": _("Not found.")}, status=404)
            if response.status_code == 404 and "json" not in response.get("Content-Type", ""):
                return JsonResponse({"detail": _("Not found.")}, status=404)
            if response.status_code == 405:  # django-ninja's is plain text, in English
                allowed = response.get("Allow", "")
                response = JsonResponse(
                    {
                        "detail": _("This method is not allowed here (allowed: %(methods)s).")
                        % {"methods": allowed}
                    },
                    status=405,
                )
                response["Allow"] = allowed
            return response

    return wrapper


def not_found(request, *args, **kwargs):
    """Any other address under /api/: a JSON 404, not the site's page."""
    with translation.override(translation.get_language_from_request(request)):
        return JsonResponse({"detail": _("Not found.")}, status=404)


def urls():
    """`api.urls`, each view answering in the caller's language, and a JSON 404
    for any other address."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        pattern.callback = _speaking(pattern.callback)
    return [*patterns, re_path(r"", not_found)], app_name, namespace


def _routers() -> None:
    from directory.api import router as directory_router

    api.add_router("/", directory_router)


_routers()
