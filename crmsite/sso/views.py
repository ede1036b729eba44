"""The two addresses of single sign-on: to the provider, and back from it.

* `/sso/login/` (the login page's button) sends the browser to the provider's
  authorisation endpoint with a fresh `state`, `nonce` and PKCE challenge
  (S256), kept in the session (mozilla-django-oidc's request view, given the
  endpoint from discovery). A safe `next` is kept for the return.
* `/sso/callback/` (the redirect URI registered at the provider) takes the
  `state` out of the session (so that it serves once, and only within
  STATE_MAX_AGE), exchanges the code, checks the ID token and finds the
  account (`backend`, `accounts`), then signs it in with the workspace's
  own backend, exactly like a password sign-in without « Se souvenir de moi ».

Every refusal comes back to the login page with a French message, signs
nobody in and leaves any session already open as it was.
"""

import logging
import time
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from django.conf import settings
from django.contrib import auth, messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.generic import View
from mozilla_django_oidc.views import OIDCAuthenticationRequestView

from . import is_enabled
from .discovery import provider_metadata
from .errors import ProviderUnavailable, SignInRefused

logger = logging.getLogger(__name__)

# How long the provider may take to send the browser back.
STATE_MAX_AGE = 15 * 60
# The session is the workspace's ordinary one.
SESSION_BACKEND = "crmsite.backends.RoleModelBackend"
NEXT_KEY = "oidc_login_next"


def _safe_next(request, url) -> str | None:
    if isinstance(url, str) and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return None


def _back_to_login(request, refusal: SignInRefused, next_url=None):
    logger.info("Single sign-on: back to the login page (%s)", refusal.reason)
    messages.error(request, refusal.message)
    login_url = reverse("wagtailadmin_login")
    if next_url:
        login_url += "?" + urlencode({"next": next_url})
    return redirect(login_url)


class SignInStartView(OIDCAuthenticationRequestView):
    http_method_names = ["get"]

    def __init__(self, **kwargs):
        # Not the library's __init__, which reads the endpoint from settings.
        View.__init__(self, **kwargs)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID

    def get(self, request):
        if not is_enabled():
            raise Http404
        try:
            endpoint = urlsplit(provider_metadata()["authorization_endpoint"])
        except ProviderUnavailable:
            return _back_to_login(
                request, SignInRefused("unavailable"), _safe_next(request, request.GET.get("next"))
            )
        # The library appends "?query" to the endpoint: a query the provider
        # put in its endpoint (`?p=policy`) goes with ours instead.
        self.OIDC_OP_AUTH_ENDPOINT = urlunsplit(endpoint._replace(query="", fragment=""))
        self.endpoint_params = dict(parse_qsl(endpoint.query))
        return super().get(request)

    def get_extra_params(self, request):
        return {**self.endpoint_params, **super().get_extra_params(request)}


class SignInCallbackView(View):
    http_method_names = ["get"]

    def get(self, request):
        if not is_enabled():
            raise Http404
        next_url = _safe_next(request, request.session.get(NEXT_KEY))
        try:
            user = self.sign_in(request)
        except SignInRefused as refusal:
            if refusal.reason == "request_expired" and request.user.is_authenticated:
                # The provider's answer came twice (a double click, the back
                # button) and the first one signed this browser in.
                return redirect(next_url or reverse("wagtailadmin_home"))
            return _back_to_login(request, refusal, next_url)
        except ProviderUnavailable:
            return _back_to_login(request, SignInRefused("unavailable"), next_url)
        auth.login(request, user, backend=SESSION_BACKEND)
        request.session.set_expiry(0)
        request.session.pop(NEXT_KEY, None)
        return redirect(next_url or reverse("wagtailadmin_home"))

    def sign_in(self, request):
        from .backend import TokenVerifier

        entry = self.take_state(request)
        if request.GET.get("error"):
            # The provider's own words are not shown: anyone can craft this link.
            logger.info("Single sign-on: the provider answered an error")
            raise SignInRefused("provider_refused")
        if entry is None:
            raise SignInRefused("request_expired")
        nonce = entry.get("nonce")
        if not isinstance(nonce, str) or not nonce:
            raise SignInRefused("request_expired")
        code = request.GET.get("code")
        return TokenVerifier().sign_in(request, code, nonce, entry.get("code_verifier"))

    @staticmethod
    def take_state(request) -> dict | None:
        """This sign-in's entry in the session, removed from it at once, so
        that the same answer of the provider cannot serve twice."""
        state = request.GET.get("state")
        states = request.session.get("oidc_states")
        if not isinstance(state, str) or not isinstance(states, dict) or state not in states:
            return None
        entry = states.pop(state)
        request.session["oidc_states"] = states
        # Saved now, before the slow exchange with the provider, so that a
        # second request with this state, even a concurrent one, finds nothing.
        request.session.save()
        if not isinstance(entry, dict):
            return None
        added_on = entry.get("added_on")
        if not isinstance(added_on, int | float) or time.time() - added_on > STATE_MAX_AGE:
            return None
        return entry
