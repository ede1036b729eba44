"""The Celery app reads its configuration from Django settings."""

from crmsite.celery import app


def test_it_is_eager_without_a_broker_and_uses_redis_otherwise(settings):
    if settings.REDIS_URL:
        assert app.conf.broker_url == settings.REDIS_URL
        assert app.conf.task_always_eager is False
    else:
        assert app.conf.task_always_eager is True
        assert app.conf.task_eager_propagates is True


def test_it_acknowledges_late_so_that_a_lost_worker_does_not_lose_a_task():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
