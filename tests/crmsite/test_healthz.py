"""/healthz: for load balancers, no login, no leak of settings."""

import json

from django.test import override_settings


def test_it_answers_200_when_everything_is_in_order(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    report = json.loads(response.content)
    assert report["status"] == "ok"
    assert report["checks"]["database"] == "ok"
    assert report["checks"]["migrations"] == "ok"


@override_settings(REDIS_URL="redis://:s3cret-password@127.0.0.1:1/0")
def test_it_answers_503_when_redis_is_configured_but_unreachable(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    report = json.loads(response.content)
    assert report == {
        "status": "error",
        "checks": {"database": "ok", "migrations": "ok", "redis": "error"},
    }
    assert b"s3cret" not in response.content
    assert b"127.0.0.1" not in response.content


def test_it_answers_503_when_migrations_are_pending(client, monkeypatch):
    from django.db.migrations.executor import MigrationExecutor

    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: ["pending"])
    response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content)["checks"]["migrations"] == "pending"


def test_it_refuses_other_methods_without_changing_anything(client):
    assert client.post("/healthz").status_code == 405


def test_it_is_never_cached(client):
    assert "no-cache" in client.get("/healthz")["Cache-Control"]


def test_load_balancers_may_probe_with_head(client):
    response = client.head("/healthz")
    assert response.status_code == 200
    assert response.content == b""
