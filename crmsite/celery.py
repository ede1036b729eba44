"""The Celery application, configured from Django settings (CELERY_*).

Eager and in-process when no broker is configured; Redis otherwise.
Run a worker with `celery -A crmsite worker` and the scheduler with
`celery -A crmsite beat`.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crmsite.settings.dev")

app = Celery("crmsite")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
