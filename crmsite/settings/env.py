"""The one place where the environment is read.

Every setting that depends on the machine comes from an environment variable,
through these helpers, with an embedded default suitable for `make demo` and
`make test` (SQLite, in-memory channel layer, eager Celery).
"""

import os

from django.core.exceptions import ImproperlyConfigured

TRUE_VALUES = {"1", "true", "yes", "on"}
FALSE_VALUES = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE_VALUES:
        return True
    if value in FALSE_VALUES:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}.") from None


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_required(name: str) -> str:
    value = env_str(name)
    if not value:
        raise ImproperlyConfigured(f"The environment variable {name} is required.")
    return value


# Keys that are published in this repository or that repeat a short pattern.
KNOWN_WEAK_KEY_WORDS = ("insecure", "change-me", "not-secret", "test-only", "dev-only")
MIN_KEY_UNIQUE_CHARACTERS = 10


def secret_key_weakness(key: str, min_length: int, insecure_prefix: str) -> str | None:
    """Why `key` is not fit to sign production sessions, or None.

    Stricter than `check --deploy` (security.W009): besides its length and
    prefix, a key must not be one of the development or test keys of this
    repository, nor a short pattern repeated ("abcde" * 11), and must use at
    least ten different characters (a hexadecimal key has sixteen)."""
    if len(key) < min_length:
        return f"it is shorter than {min_length} characters"
    if key.startswith(insecure_prefix) or any(w in key.lower() for w in KNOWN_WEAK_KEY_WORDS):
        return "it is a published development or test key"
    if key in (key + key)[1:-1]:
        return "it repeats a shorter pattern"
    if len(set(key)) < MIN_KEY_UNIQUE_CHARACTERS:
        return f"it has fewer than {MIN_KEY_UNIQUE_CHARACTERS} different characters"
    return None
