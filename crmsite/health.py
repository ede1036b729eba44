"""/healthz: is this instance fit to take traffic?

Answers 200 with {"status": "ok", "checks": {...}} when the database answers,
every migration is applied and Redis (when configured) answers; 503 otherwise.
No login needed and nothing about the configuration is disclosed.
"""

import logging

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


def check_database() -> str:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def check_migrations() -> str:
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return "pending" if plan else "ok"


def check_redis() -> str:
    if not settings.REDIS_URL:
        return "not configured"
    import redis

    client = redis.Redis.from_url(
        settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1, retry_on_timeout=False
    )
    try:
        return "ok" if client.ping() else "error"
    finally:
        client.close()


CHECKS = {"database": check_database, "migrations": check_migrations, "redis": check_redis}
HEALTHY = {"ok", "not configured"}


@never_cache
@require_safe
def healthz(request):
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception:  # a health check reports failures, it does not raise them
            logger.warning("Health check %s failed", name, exc_info=True)
            results[name] = "error"
        if name == "database" and results[name] != "ok":
            results["migrations"] = "unknown"
            break
    healthy = all(results.get(name) in HEALTHY for name in CHECKS)
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": results},
        status=200 if healthy else 503,
    )
