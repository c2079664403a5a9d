"""The Celery app: `celery -A paperhub worker` starts a worker, `celery -A paperhub beat` the scheduler."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperhub.settings")

app = Celery("paperhub")
# Every CELERY_* Django setting configures Celery, so all configuration lives in settings.py.
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


# Per-task CPU and queries, off unless PAPERHUB_TASK_STATS (the ingest benchmark turns it on).
import paperhub.task_stats  # noqa: E402, F401
