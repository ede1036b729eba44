from django.conf import settings
from django.urls import include, path
from django.views.generic import RedirectView
from wagtail.admin import urls as wagtailadmin_urls

from .health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", include(wagtailadmin_urls)),
    path("", RedirectView.as_view(pattern_name="wagtailadmin_home", permanent=False)),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns = staticfiles_urlpatterns() + urlpatterns
