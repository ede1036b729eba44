"""Production settings: strict, and clean under `check --deploy`."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

REALISTIC_ENV = {
    "DJANGO_SETTINGS_MODULE": "crmsite.settings.production",
    "SECRET_KEY": "k8#Zq2!vXr9@Lp4$Wm7^Tn1&Yb6*Hc3(Jd5)Fg0_Ks8+Qe2=Ua4-Io6~Pl9",
    "ALLOWED_HOSTS": "crm.agence-culture.fr",
    "DATABASE_URL": "postgres://crm:password@db.internal:5432/crm",
    "REDIS_URL": "redis://redis.internal:6379/0",
}


def manage(*args, env):
    unwanted = set(REALISTIC_ENV) | {"DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in unwanted}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_a_realistic_environment():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=REALISTIC_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = {**REALISTIC_ENV, "SECRET_KEY": ""}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    env = {**REALISTIC_ENV, "ALLOWED_HOSTS": ""}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_production_refuses_a_short_secret_key():
    env = {**REALISTIC_ENV, "SECRET_KEY": "short"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_a_long_key_of_one_repeated_character():
    for weak, why in (
        ("a" * 64, "repeats a shorter pattern"),
        ("abab" * 16, "repeats a shorter pattern"),
        ("abcde" * 11, "repeats a shorter pattern"),
        ("django-insecure-" + "k8#Zq2!vXr9@Lp4$Wm7^Tn1&Yb6*Hc3(Jd5)Fg0", "published"),
        ("dev-only-insecure-key-change-me-in-production-0123456789", "published"),
        ("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaabcdefgh", "fewer than 10"),
    ):
        result = manage("check", env={**REALISTIC_ENV, "SECRET_KEY": weak})
        assert result.returncode != 0, weak
        assert why in result.stderr, weak


def test_the_session_length_is_a_setting_in_hours():
    env = {**REALISTIC_ENV, "SESSION_HOURS": "2"}
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SESSION_COOKIE_AGE)",
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "7200"
