"""The workspace's own URLconf (crmsite/urls.py), loaded under the settings of
a workspace with single sign-on configured (`provider.SSO_SETTINGS`), as a
deployment with the OIDC_* variables would load it.

Loaded apart from `crmsite.urls` (which the test settings load without single
sign-on), so that neither changes the other; the tests point ROOT_URLCONF here.
"""

import importlib.util

from django.conf import settings

import crmsite.urls

assert settings.SSO_ENABLED, "load this URLconf only with single sign-on on"

_spec = importlib.util.spec_from_file_location("crmsite._urls_with_sso", crmsite.urls.__file__)
_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_module)

urlpatterns = _module.urlpatterns
