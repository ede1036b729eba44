"""On PostgreSQL, each process keeps its database connections in psycopg's pool
(`crmsite.settings.base`): Django and Channels close the connection after
every request and every `database_sync_to_async` call, which hands it back
to the pool instead of ending a server session."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from channels.db import database_sync_to_async
from django.db import connection, transaction

from helpdesk.models import Ticket

ROOT = Path(__file__).resolve().parents[2]
POSTGRESQL = "postgres://crm:password@db.internal:5432/crm"
PRINT_DATABASE = (
    "from django.conf import settings; d = settings.DATABASES['default']; "
    "print(d['ENGINE'], d['CONN_MAX_AGE'], d.get('OPTIONS', {}).get('pool'))"
)


def database_settings(**env):
    """What the test settings make of these variables (no connection is opened)."""
    unwanted = {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    unwanted |= {name for name in os.environ if name.startswith("DATABASE_")}
    clean = {k: v for k, v in os.environ.items() if k not in unwanted}
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", PRINT_DATABASE],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "crmsite.settings.test", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_postgresql_connections_come_from_a_pool():
    result = database_settings(DATABASE_URL=POSTGRESQL)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == (
        "django.db.backends.postgresql 0 {'min_size': 2, 'max_size': 10}"
    )


def test_the_pool_sizes_are_settings():
    result = database_settings(
        DATABASE_URL=POSTGRESQL, DATABASE_POOL_MIN_SIZE="1", DATABASE_POOL_MAX_SIZE="4"
    )
    assert result.stdout.splitlines()[-1].endswith("{'min_size': 1, 'max_size': 4}")


def test_persistent_connections_instead_of_the_pool():
    result = database_settings(
        DATABASE_URL=POSTGRESQL, DATABASE_POOL="0", DATABASE_CONN_MAX_AGE="60"
    )
    assert result.stdout.splitlines()[-1] == "django.db.backends.postgresql 60 None"


def test_persistent_connections_beside_the_pool_are_refused():
    result = database_settings(DATABASE_URL=POSTGRESQL, DATABASE_CONN_MAX_AGE="60")
    assert result.returncode != 0
    assert "DATABASE_CONN_MAX_AGE and the connection pool exclude each other" in result.stderr


def test_sqlite_has_no_pool_and_refuses_one():
    result = database_settings()
    assert result.stdout.splitlines()[-1] == "django.db.backends.sqlite3 0 None"
    result = database_settings(DATABASE_POOL="1")
    assert result.returncode != 0
    assert "DATABASE_POOL needs PostgreSQL" in result.stderr


on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the pool: run with DATABASE_URL=postgres://…"
)


@database_sync_to_async
def server_session() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


@on_postgresql
@pytest.mark.django_db(transaction=True)
async def test_channels_calls_reuse_the_pools_server_sessions():
    sessions = {await server_session() for _call in range(20)}
    assert connection.settings_dict["CONN_MAX_AGE"] == 0
    assert len(sessions) <= connection.settings_dict["OPTIONS"]["pool"]["max_size"]


@on_postgresql
@pytest.mark.django_db(transaction=True)
async def test_a_connection_handed_back_mid_failure_is_clean_for_the_next_call():
    @database_sync_to_async
    def fail_in_a_transaction():
        with transaction.atomic():
            Ticket.objects.create(subject="Annulé")
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 / 0")

    @database_sync_to_async
    def tickets() -> list[str]:
        return list(Ticket.objects.values_list("subject", flat=True))

    for _attempt in range(5):
        with pytest.raises(Exception, match="division by zero"):
            await fail_in_a_transaction()
        assert await tickets() == []
