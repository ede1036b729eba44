"""Settings shared by every environment.

The environment is read only through `crmsite.settings.env`. Without any
variable set, the workspace runs on the embedded defaults: SQLite, an
in-memory channel layer and eager Celery.
"""

from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_int, env_list, env_required, env_str

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent

SECRET_KEY = env_str("SECRET_KEY")
DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # daphne first: its runserver serves HTTP and websockets.
    "daphne",
    "crmsite.apps.CrmSiteConfig",
    "directory",
    "selections",
    "outreach",
    "helpdesk",
    "planner",
    # django-ninja's own copy of Swagger UI for /api/v1/docs (no CDN: the CSP allows 'self').
    "ninja",
    "crmsite.apps.CrmUsersAppConfig",
    "wagtail.snippets",
    # Settings that administrators edit in the workspace (crmsite.models_sso).
    "wagtail.contrib.settings",
    # Every admin page reverses the admin API's document and image URLs, so
    # these two stay, hidden (crmsite/workspace.py); wagtail.sites is gone.
    # See the README, "What is left of the CMS".
    "wagtail.documents",
    "wagtail.images",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_tables2",
    "import_export",
    "channels",
    "axes",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "crmsite.middleware.ClientAreaMiddleware",
    "crmsite.middleware.AdminPermissionDeniedMiddleware",
    "crmsite.middleware.LastAdministratorMiddleware",
    "crmsite.middleware.HostileInputMiddleware",
    "crmsite.dashboard.RecentlyViewedMiddleware",
    # Last, as django-axes asks: it turns a lockout into our French page.
    "axes.middleware.AxesMiddleware",
]

# Content-Security-Policy (django-csp): scripts, styles, fonts and images come
# from the workspace itself, never from another origin; no plugin, no framing,
# forms post only here. Inline scripts and styles stay allowed: Wagtail 8's
# widgets (date pickers, choosers, inline panels) write an inline <script>
# per field, without a nonce, and its templates use style attributes.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", "'unsafe-inline'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Sessions: a sign-in lasts this many hours (SESSION_HOURS, 10 by default: a
# working day), then the user signs in again. Not renewed on every request,
# which would write the session row on each one (and race between the
# parallel requests of one page).
SESSION_COOKIE_AGE = env_int("SESSION_HOURS", 10) * 3600

ROOT_URLCONF = "crmsite.urls"
WSGI_APPLICATION = "crmsite.wsgi.application"
ASGI_APPLICATION = "crmsite.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: SQLite by default, anything dj-database-url understands otherwise
# (postgres://user@host:5432/name in production and in CI's services suite).
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
# On PostgreSQL, each process keeps its connections in psycopg's pool
# (DATABASE_POOL, on by default; DATABASE_POOL_MIN_SIZE / _MAX_SIZE
# connections): under ASGI, Django and Channels close the connection after
# every request and every `database_sync_to_async` call, which without a
# pool opens a new server connection each time. Django refuses persistent
# connections (DATABASE_CONN_MAX_AGE) beside a pool: choose one.
_POSTGRESQL = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
if env_bool("DATABASE_POOL", _POSTGRESQL):
    if not _POSTGRESQL:
        raise ImproperlyConfigured("DATABASE_POOL needs PostgreSQL (DATABASE_URL=postgres://…).")
    if DATABASES["default"]["CONN_MAX_AGE"]:
        raise ImproperlyConfigured(
            "DATABASE_CONN_MAX_AGE and the connection pool exclude each other: "
            "unset DATABASE_CONN_MAX_AGE, or set DATABASE_POOL=0."
        )
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env_int("DATABASE_POOL_MIN_SIZE", 2),
        "max_size": env_int("DATABASE_POOL_MAX_SIZE", 10),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: optional. When set, it carries the channel layer, the cache and the
# Celery broker; when absent, each falls back to its in-process default.
REDIS_URL = env_str("REDIS_URL")

if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # No socket timeout: channels-redis waits up to 5 s for a message,
            # redis-py's default timeout is 5 s too, and an idle websocket's
            # read then fails and its connection is closed (redis-py #4091).
            # Room for every page of a process leaving at once (each leaves
            # two groups): redis-py's pool of 100 refuses the 101st call.
            "CONFIG": {
                "hosts": [{"address": REDIS_URL, "socket_timeout": None, "max_connections": 1000}]
            },
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "crm",
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: eager and in-process without a broker, Redis otherwise.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not (env_str("CELERY_BROKER_URL") or REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "Europe/Paris"
# Periodic tasks (`celery -A crmsite beat`): scheduled campaigns start on time;
# the planner's due reminders are e-mailed (each once: `planner.reminders`).
CELERY_BEAT_SCHEDULE = {
    "outreach-release-due-campaigns": {
        "task": "outreach.release_due_campaigns",
        "schedule": 60.0,
    },
    "planner-send-due-reminders": {
        "task": "planner.send_due_reminders",
        "schedule": 60.0,
    },
    # People's rights: administrators told monthly of the dormant contacts to review.
    "crmsite-notify-dormant-contacts": {
        "task": "crmsite.notify_dormant_contacts",
        "schedule": crontab(minute=0, hour=8, day_of_month=1),
    },
    # The likely duplicate pairs (« Doublons probables »), computed again nightly.
    "directory-refresh-duplicate-pairs": {
        "task": "directory.refresh_duplicate_pairs",
        "schedule": crontab(minute=30, hour=3),
    },
}
# A contact with no sign of life for this many months is dormant (crmsite.privacy):
# three years by default, the CNIL's guideline for prospects.
PRIVACY_DORMANT_MONTHS = env_int("PRIVACY_DORMANT_MONTHS", 36)

# Users and authentication. Nobody signs up: administrators create accounts.
AUTH_USER_MODEL = "crmsite.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend, with the role groups always holding their role's permissions.
    "crmsite.backends.RoleModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "wagtailadmin_login"
LOGIN_REDIRECT_URL = "wagtailadmin_home"

# Login throttling (django-axes, with crmsite/throttling.py): failed sign-ins
# lock an account from one address, an address on any accounts, and an
# account from any address, each at its own threshold (0 turns a lock off),
# until an administrator clears it or AXES_COOLOFF_HOURS have passed.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_ADDRESS_FAILURE_LIMIT = env_int("AXES_ADDRESS_FAILURE_LIMIT", 10)
AXES_ACCOUNT_FAILURE_LIMIT = env_int("AXES_ACCOUNT_FAILURE_LIMIT", 20)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_HOURS", 1) or None
AXES_HANDLER = "crmsite.throttling.ThrottlingHandler"
AXES_LOCKOUT_PARAMETERS = "crmsite.throttling.lockout_parameters"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "crmsite.lockout.lockout_response"
AXES_USERNAME_FORM_FIELD = "username"
# The client's address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT reverse
# proxies the X-Forwarded-For entry the outermost one wrote.
AXES_CLIENT_IP_CALLABLE = "crmsite.throttling.client_address"
TRUSTED_PROXY_COUNT = env_int("AXES_PROXY_COUNT", 0)
AXES_VERBOSE = False

# Single sign-on (OpenID Connect, crmsite/sso/): on when OIDC_ISSUER,
# OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are all set; off otherwise (no button,
# no URL, nothing of mozilla-django-oidc imported). The provider's endpoints
# and keys come from ISSUER/.well-known/openid-configuration, fetched on first
# use and cached for OIDC_CACHE_SECONDS (the keys again when a token names an
# unknown one). Only existing, active accounts sign in: nobody is created.
OIDC_ISSUER = env_str("OIDC_ISSUER").rstrip("/")
OIDC_RP_CLIENT_ID = env_str("OIDC_CLIENT_ID")
OIDC_RP_CLIENT_SECRET = env_str("OIDC_CLIENT_SECRET")
SSO_ENABLED = bool(OIDC_ISSUER or OIDC_RP_CLIENT_ID or OIDC_RP_CLIENT_SECRET)
if SSO_ENABLED:
    # Half a configuration is a mistake, not "off": say which variable is missing.
    for _name in ("OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"):
        env_required(_name)
SSO_PROVIDER_NAME = env_str("OIDC_PROVIDER_NAME", "SSO")
OIDC_RP_SCOPES = env_str("OIDC_SCOPES", "openid email")
OIDC_RP_SIGN_ALGO = env_str("OIDC_SIGN_ALGO", "RS256")
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT_SECONDS", 10)
OIDC_CACHE_SECONDS = env_int("OIDC_CACHE_SECONDS", 3600)
OIDC_USE_NONCE = True
OIDC_USE_PKCE = True
OIDC_PKCE_CODE_CHALLENGE_METHOD = "S256"
OIDC_CREATE_USER = False
OIDC_ALLOW_UNSECURED_JWT = False
OIDC_AUTHENTICATION_CALLBACK_URL = "crm_sso_callback"

# Internationalisation: French first, English on request (per user).
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
# Our catalogue first, then our overrides of Wagtail's own French (locale/overrides,
# which makemessages never writes to).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale" / "overrides"]
# English dates day first, as in British English (crmsite/formats/en).
FORMAT_MODULE_PATH = ["crmsite.formats"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "static_collected"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_URL = "/media/"
MEDIA_ROOT = BASE_DIR / "media"

# Email: console by default; a django-anymail provider in production.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "crm@localhost")
# django-anymail: the provider's keys, and the "user:password" its tracking
# webhooks must present (basic auth); without it they are not served at all
# (crmsite/urls.py). Only the keys that are set are given to anymail.
ANYMAIL = {
    name: value
    for name, value in {
        "WEBHOOK_SECRET": env_str("ANYMAIL_WEBHOOK_SECRET"),
        "BREVO_API_KEY": env_str("BREVO_API_KEY"),
        "MAILJET_API_KEY": env_str("MAILJET_API_KEY"),
        "MAILJET_SECRET_KEY": env_str("MAILJET_SECRET_KEY"),
        "SENDGRID_API_KEY": env_str("SENDGRID_API_KEY"),
    }.items()
    if value
}

# SMS: a backend like the e-mail ones (outreach.sms.backends): console by
# default, "outreach.sms.backends.brevo.SmsBackend" in production.
SMS_BACKEND = env_str("SMS_BACKEND", "outreach.sms.backends.console.SmsBackend")
SMS_SENDER = env_str("SMS_SENDER")
SMS_BREVO_API_KEY = env_str("SMS_BREVO_API_KEY") or env_str("BREVO_API_KEY")
# Where Brevo posts the SMS events and replies (BASE_URL/webhooks/sms/brevo/?secret=…).
SMS_BREVO_WEBHOOK_URL = env_str("SMS_BREVO_WEBHOOK_URL")
# The secret Brevo's SMS webhook must carry; without it every post is refused.
SMS_INBOUND_SECRET = env_str("SMS_INBOUND_SECRET")

# Campaign e-mails go in batches (one call for up to 100 personal messages)
# when EMAIL_BACKEND is anymail's Brevo or Mailjet backend; 0 sends one by one.
OUTREACH_EMAIL_BATCH = env_bool("OUTREACH_EMAIL_BATCH", True)

# Requests each client of the private API may make (crmsite.api): "120/m",
# "5/s", "10000/d".
API_RATE_LIMIT = env_str("API_RATE_LIMIT", "120/m")

# Messages handed to each provider per second, all workers together (0: no limit).
OUTREACH_RATE_LIMITS = {
    "email": env_int("OUTREACH_EMAIL_RATE_LIMIT", 0),
    "sms": env_int("OUTREACH_SMS_RATE_LIMIT", 10),
}

# Wagtail
WAGTAIL_SITE_NAME = env_str("SITE_NAME", "CRM Culture")
WAGTAILADMIN_BASE_URL = env_str("BASE_URL", "http://127.0.0.1:8000")
WAGTAIL_ENABLE_UPDATE_CHECK = False
# Avatars are initials or uploaded pictures: staff e-mail hashes never leave
# the workspace for gravatar.com.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
# No pages, hence no workflows (nor their permissions, menus and reports).
WAGTAIL_WORKFLOW_ENABLED = False
WAGTAILADMIN_LOGIN_URL = "wagtailadmin_login"
WAGTAIL_PASSWORD_RESET_ENABLED = True
WAGTAILADMIN_USER_LOGIN_FORM = "crmsite.forms.CrmLoginForm"
# Dates are typed and shown as JJ/MM/AAAA, with Wagtail's date picker.
WAGTAIL_DATE_FORMAT = "%d/%m/%Y"
WAGTAIL_DATETIME_FORMAT = "%d/%m/%Y %H:%M"
WAGTAIL_TIME_FORMAT = "%H:%M"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # Wagtail's reference-index tasks log each run at INFO: noise in a terminal.
    "loggers": {"axes": {"level": "WARNING"}, "django_tasks": {"level": "WARNING"}},
}

SITE_DISPLAY_NAME = _("CRM Culture")
