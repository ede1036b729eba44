"""Single sign-on's addresses, included by `crmsite.urls` only when it is on.

Give the provider BASE_URL/sso/callback/ as the redirect URI."""

from django.urls import path
from django.views.decorators.cache import never_cache

from .views import SignInCallbackView, SignInStartView

urlpatterns = [
    path("login/", never_cache(SignInStartView.as_view()), name="crm_sso_login"),
    path("callback/", never_cache(SignInCallbackView.as_view()), name="crm_sso_callback"),
]
