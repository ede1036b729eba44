"""Local development and `make demo`: embedded defaults, debug on."""

from .base import *  # noqa: F403
from .env import env_list, env_str

DEBUG = True
SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-change-me-in-production-0123456789")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
