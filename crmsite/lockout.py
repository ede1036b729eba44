"""The page shown when django-axes locks an account out from an address."""

from django.contrib import messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from wagtail.admin.views.account import get_user_login_form


def lockout_response(request, original_response=None, credentials=None):
    """Our French login page, with the lockout explained, answered as 429.

    django-axes calls this with (request, response, credentials) in sync mode
    and (request, credentials) in async mode; only the request is used.
    """
    username = request.POST.get("username", "")[:150] if request.method == "POST" else ""
    messages.error(
        request,
        _(
            "Too many failed sign-in attempts: this account is locked from your address. "
            "Try again later or ask an administrator to unlock it."
        ),
    )
    form = get_user_login_form()(request, initial={"username": username})
    response = TemplateResponse(
        request,
        "wagtailadmin/login.html",
        {"form": form, "show_password_reset": True, "next": ""},
        status=429,
    )
    return response.render()
