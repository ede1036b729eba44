"""The site's URLs: the health probe and the workspace (Wagtail's admin).

Wagtail's admin brings the URLs of a content-management system (pages,
images, documents, collections, workflows, sites, link choosers, page
reports, editing sessions) that this product does not use. They are answered with a plain 404
before Wagtail sees them (`UNUSED_ADMIN_URLS`), while their names stay
reversible for Wagtail's own templates. The site-history report is our
subclass, which escapes spreadsheet formulae in its exports, and bulk actions
pass through `crmsite.views.bulk`, which checks ids and permissions first.
The edit page of a setting (wagtail.contrib.settings) is ours too, for its
French title (`crmsite.views.settings`).

Outside /admin/, the addresses reached without signing in: the personal
unsubscribe link of e-mails (`/desinscription/<token>/`) and the SMS
provider's webhook (`outreach.public_urls`), each user's private calendar
feed (`/calendrier/<token>.ics`, `planner.public_urls`), and django-anymail's tracking
webhooks under `/webhooks/anymail/` (`/webhooks/anymail/brevo/tracking/`,
`.../mailjet/tracking/`, ...: `ANYMAIL_TRACKING`). Those are served only when
ANYMAIL_WEBHOOK_SECRET is set: without a secret anymail would accept any
post, and anyone could report bounces and complaints. The private API for
the agency's applications is under `/api/v1/` (`crmsite.api`, bearer tokens).
With single sign-on configured, `/sso/login/` and `/sso/callback/`
(`crmsite.sso.urls`).
"""

from django.conf import settings
from django.http import Http404
from django.urls import include, path, re_path
from django.views.decorators.cache import never_cache
from django.views.generic import RedirectView
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.admin.auth import require_admin_access

from .api import urls as api_urls
from .health import healthz
from .views.bulk import bulk_action
from .views.dismissibles import GuardedDismissiblesView
from .views.settings import SettingEditView
from .views.site_history import SiteHistoryView

UNUSED_ADMIN_URLS = (
    r"api",
    r"block-preview",
    r"bulk/(wagtailcore|wagtaildocs|wagtailimages)",
    r"choose-(page|external-link|email-link|phone-link|anchor-link)",
    r"collections",
    r"documents",
    # Who else is editing: the product does not show it, and no edit form
    # pings it (crmsite/templates/wagtailadmin/shared/editing_sessions/).
    r"editing-sessions",
    r"failwhale",
    r"images",
    r"pages",
    r"reports/(aging-pages|locked|page-types-usage|workflow|workflow_tasks)",
    r"sites",
    r"tag-autocomplete",
    r"test404",
    r"workflows",
)


def not_used_here(request, *args, **kwargs):
    raise Http404


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api_urls()),
    re_path(rf"^admin/({'|'.join(UNUSED_ADMIN_URLS)})(/|$)", not_used_here),
    # Wagtail's index of every snippet model ("Fragments"): our records have
    # their own menus; the snippet URLs below it (choosers) stay.
    re_path(r"^admin/snippets/$", not_used_here),
    path(
        "admin/reports/site-history/",
        never_cache(require_admin_access(SiteHistoryView.as_view())),
        name="crm_site_history",
    ),
    path(
        "admin/reports/site-history/results/",
        never_cache(require_admin_access(SiteHistoryView.as_view(results_only=True))),
        name="crm_site_history_results",
    ),
    path(
        "admin/bulk/<str:app_label>/<str:model_name>/<str:action>/",
        never_cache(require_admin_access(bulk_action)),
        name="crm_bulk_action",
    ),
    path(
        "admin/settings/<slug:app_name>/<slug:model_name>/<int:pk>/",
        never_cache(require_admin_access(SettingEditView.as_view())),
        name="crm_setting_edit",
    ),
    path(
        "admin/dismissibles/",
        never_cache(require_admin_access(GuardedDismissiblesView.as_view())),
        name="crm_dismissibles",
    ),
    path("admin/", include(wagtailadmin_urls)),
    path("", include("outreach.public_urls")),
    path("", include("planner.public_urls")),
    path("", RedirectView.as_view(pattern_name="wagtailadmin_home", permanent=False)),
]

# The tracking webhooks of the providers whose posts the shared basic-auth
# secret authenticates (the others need a signing key of their own: add them
# here with it). Anymail's inbound-mail webhooks are not served.
ANYMAIL_TRACKING = ("brevo", "mailjet", "mailtrap", "postmark", "sendgrid", "sparkpost")

if getattr(settings, "ANYMAIL", {}).get("WEBHOOK_SECRET"):
    from anymail import urls as anymail_urls

    tracking = [
        pattern
        for pattern in anymail_urls.urlpatterns
        if pattern.name in {f"{provider}_tracking_webhook" for provider in ANYMAIL_TRACKING}
    ]
    urlpatterns.insert(-1, path("webhooks/anymail/", include((tracking, "anymail"))))

# Single sign-on (`crmsite.sso`): only when the environment names a provider;
# otherwise these addresses answer 404 and mozilla-django-oidc is not imported.
if settings.SSO_ENABLED:
    from .sso import urls as sso_urls

    urlpatterns.insert(-1, path("sso/", include(sso_urls)))

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns = staticfiles_urlpatterns() + urlpatterns
