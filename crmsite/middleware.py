"""Request-level guards of the workspace.

* `ClientAreaMiddleware`: clients only reach their account and the
  helpdesk (`helpdesk:*`); their home is their tickets (the dashboard
  redirects them there, so that signing in lands on them). Every other
  workspace URL answers 403 to them.
* `AdminPermissionDeniedMiddleware`: Wagtail answers a refused admin URL by
  redirecting to the dashboard; we answer 403 instead, so that a URL typed by
  hand is refused plainly.
* `LastAdministratorMiddleware`: turns the model layer's refusal to remove the
  last administrator (from any admin path, bulk actions included) into a
  message and a redirect back, with nothing changed.
* `HostileInputMiddleware`: refuses, with a translated 400 page, any request
  that carries a NUL character (PostgreSQL cannot store or compare one) in its
  path, its query string, its form fields (names and values) or the names of
  its uploaded files: once, here, rather than in every form and search. It
  also answers 404 to Wagtail's editing-sessions URLs when their ids cannot
  be ids, which Wagtail would hand to the database as they are.
"""

import json

from django.apps import apps
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db import DatabaseError, models
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve, reverse
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, get_language_from_request, gettext, override

from directory.ids import is_record_id

from .roles import (
    LastAdministratorError,
    RoleGroupProtectedError,
    is_client,
    translated_guard_errors,
)

# URL names (namespace:name) of the workspace that a client may open.
# The helpdesk adds its own names here through CLIENT_URL_NAMESPACES.
CLIENT_URL_NAMES = {
    "wagtailadmin_home",
    "wagtailadmin_account",
    "wagtailadmin_logout",
    "wagtailadmin_login",
    "wagtailadmin_javascript_catalog",
    "wagtailadmin_sprite",
    "wagtailadmin_dismissibles",
    "crm_dismissibles",
    "wagtailadmin_password_reset",
    "wagtailadmin_password_reset_done",
    "wagtailadmin_password_reset_confirm",
    "wagtailadmin_password_reset_complete",
}
CLIENT_URL_NAMESPACES: set[str] = {"helpdesk"}
# Where a client lands: the dashboard is theirs no more.
CLIENT_HOME = "helpdesk:index"
ADMIN_PREFIX = "/admin/"


def client_may_open(path: str) -> bool:
    try:
        match = resolve(path)
    except Resolver404:
        return False
    if match.url_name in CLIENT_URL_NAMES and not match.namespace:
        return True
    return bool(match.namespace) and match.namespace.split(":")[0] in CLIENT_URL_NAMESPACES


class ClientAreaMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if path.startswith(ADMIN_PREFIX) and is_client(request.user):
            if path == reverse("wagtailadmin_home"):
                return redirect(CLIENT_HOME)
            if not client_may_open(path):
                raise PermissionDenied
        return self.get_response(request)


class AdminPermissionDeniedMiddleware:
    """Answer 403 where Wagtail would redirect a refused user to the dashboard."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code == 302
            and request.path_info.startswith(ADMIN_PREFIX)
            and request.user.is_authenticated
            and response.get("Location") == reverse("wagtailadmin_home")
            and request.path_info != reverse("wagtailadmin_home")
            and self._pop_permission_message(request)
        ):
            raise PermissionDenied
        return response

    @staticmethod
    def _pop_permission_message(request) -> bool:
        storage = getattr(request, "_messages", None)
        queued = getattr(storage, "_queued_messages", None)
        if not queued:
            return False
        refused = gettext("Sorry, you do not have permission to access this area.")
        forms = (refused, str(escape(refused)))
        kept = [m for m in queued if not any(form in str(m.message) for form in forms)]
        if len(kept) == len(queued):
            return False
        storage._queued_messages = kept
        return True


class LastAdministratorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DatabaseError):
            # A refusal of the database triggers on a path Python did not guard.
            try:
                with translated_guard_errors():
                    raise exception
            except (LastAdministratorError, RoleGroupProtectedError) as translated:
                exception = translated
            except DatabaseError:
                return None
        if not isinstance(exception, LastAdministratorError | RoleGroupProtectedError):
            return None
        for message in exception.messages:
            messages.error(request, message)
        back = request.META.get("HTTP_REFERER", "")
        if not url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            back = reverse("wagtailadmin_home")
        return redirect(back)


NUL = "\x00"
EDITING_SESSION_URLS = {
    "wagtailadmin_editing_sessions:ping",
    "wagtailadmin_editing_sessions:release",
}


def carries_nul(request) -> bool:
    if NUL in request.path or NUL in request.META.get("QUERY_STRING", ""):
        return True
    fields = [request.GET]
    if request.method == "POST":
        fields.append(request.POST)
    for data in fields:
        for name, values in data.lists():
            if NUL in name or any(NUL in value for value in values):
                return True
    if request.method == "POST":
        for name, files in request.FILES.lists():
            if NUL in name or any(NUL in (upload.name or "") for upload in files):
                return True
    if request.content_type == "application/json" and request.method not in ("GET", "HEAD"):
        return json_carries_nul(request.body)
    return False


def json_carries_nul(body: bytes) -> bool:
    """A JSON body whose text or keys hold NUL (written `\\u0000`): PostgreSQL
    refuses it in text and jsonb. A body that is not JSON is the view's to refuse."""
    if b"\\u0000" not in body and NUL.encode() not in body:
        return False
    try:
        document = json.loads(body)
    except ValueError:
        return NUL.encode() in body
    except RecursionError:  # nested beyond reason: refused with the NUL it holds
        return True
    pending = [document]
    while pending:
        item = pending.pop()
        if isinstance(item, str) and NUL in item:
            return True
        if isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def _preferred_language(request) -> str:
    """The user's language, as Wagtail's views would speak it (French by default)."""
    user = getattr(request, "user", None)
    profile = getattr(user, "wagtail_userprofile", None) if user and user.is_authenticated else None
    return (profile and profile.get_preferred_language()) or get_language()


class HostileInputMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            refused = self.refuse_api_body(request)
            if refused is not None:
                return refused
        if carries_nul(request):
            return self.refuse_nul(request)
        return self.get_response(request)

    @staticmethod
    def refuse_api_body(request):
        """The API reads JSON only: any other body is a 415, a body past
        DATA_UPLOAD_MAX_MEMORY_SIZE a 413, both in JSON, before anything reads it."""
        has_body = request.method in ("POST", "PUT", "PATCH", "DELETE") and (
            request.META.get("CONTENT_LENGTH") not in (None, "", "0")
            or request.META.get("HTTP_TRANSFER_ENCODING")
        )
        if not has_body:
            return None
        with override(get_language_from_request(request)):
            if request.content_type != "application/json":
                return JsonResponse(
                    {
                        "detail": gettext(
                            "The API reads JSON only (Content-Type: application/json)."
                        )
                    },
                    status=415,
                )
            try:
                request.body  # noqa: B018  (read once, here, within the size limit)
            except RequestDataTooBig:
                return JsonResponse(
                    {"detail": gettext("The request is too large.")},
                    status=413,
                )
        return None

    @staticmethod
    def refuse_nul(request):
        with override(_preferred_language(request)):
            message = gettext(
                "The request contains a null character, which is not accepted. "
                "Remove it and try again."
            )
            if request.path.startswith("/api/"):  # the API answers JSON, always
                return JsonResponse({"detail": message}, status=400)
            html = render_to_string("400.html", {"message": message}, request)
        return HttpResponseBadRequest(html)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        in_editing_session = match is not None and match.view_name in EDITING_SESSION_URLS
        if in_editing_session and not editing_session_ids_are_ids(view_kwargs):
            raise Http404
        return None


def editing_session_ids_are_ids(kwargs) -> bool:
    if not is_record_id(kwargs.get("session_id")):
        return False
    if "object_id" not in kwargs:
        return True
    try:
        model = apps.get_model(kwargs["app_label"], kwargs["model_name"])
    except (LookupError, ValueError):
        return False
    if isinstance(model._meta.pk, models.IntegerField):
        return is_record_id(unquote(kwargs["object_id"]))
    return True
