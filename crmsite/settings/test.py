"""The test suite: embedded defaults unless DATABASE_URL / REDIS_URL are set."""

from .base import *  # noqa: F403
from .env import env_str

DEBUG = False
SECRET_KEY = env_str("SECRET_KEY", "test-only-key-not-secret-0123456789-abcdefghijklmnopqrstuvwxyz")
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SMS_BACKEND = "outreach.sms.backends.locmem.SmsBackend"
ANYMAIL = {**ANYMAIL, "WEBHOOK_SECRET": "anymail:test-webhook-secret"}  # noqa: F405
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True

# The suite's PostgreSQL database is thrown away at the end: its commits need
# not wait for the disk (transactional tests commit and truncate often).
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"  # noqa: F405
