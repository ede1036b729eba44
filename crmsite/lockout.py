"""The page shown when django-axes refuses a sign-in: which lock, in French."""

from axes.handlers.proxy import AxesProxyHandler
from django.contrib import messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from wagtail.admin.views.account import get_user_login_form

from .throttling import ACCOUNT, ADDRESS, ThrottlingHandler


def lockout_message(request, credentials=None) -> str:
    """Say what is locked: the account everywhere, the address, or the account there."""
    AxesProxyHandler.update_request(request)  # axes' view of the request; once only
    handler = AxesProxyHandler.get_implementation()
    exhausted = (
        handler.exhausted_locks(request, credentials)
        if isinstance(handler, ThrottlingHandler)
        else []
    )
    if ACCOUNT in exhausted:
        return _(
            "Too many failed sign-in attempts on this account: it is locked from every "
            "address for now. Try again later or ask an administrator to unlock it."
        )
    if ADDRESS in exhausted:
        return _(
            "Too many failed sign-in attempts from your address: signing in from it is "
            "blocked for now. Try again later or ask an administrator to unblock it."
        )
    return _(
        "Too many failed sign-in attempts: this account is locked from your address. "
        "Try again later or ask an administrator to unlock it."
    )


def lockout_response(request, original_response=None, credentials=None):
    """Our French login page, with the lockout explained, answered as 429.

    django-axes calls this with (request, response, credentials) in sync mode
    and (request, credentials) in async mode, where the credentials arrive
    as `original_response`; without them the posted username is used.
    """
    if not isinstance(credentials, dict):
        credentials = original_response if isinstance(original_response, dict) else None
    username = request.POST.get("username", "")[:150] if request.method == "POST" else ""
    messages.error(request, lockout_message(request, credentials))
    form = get_user_login_form()(request, initial={"username": username})
    response = TemplateResponse(
        request,
        "wagtailadmin/login.html",
        {"form": form, "show_password_reset": True, "next": ""},
        status=429,
    )
    return response.render()
