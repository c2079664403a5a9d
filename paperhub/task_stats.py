"""Per-task CPU time and database queries, summed in the shared cache for every worker (PAPERHUB_TASK_STATS=true).

The ingest benchmark reads them to say what each stage costs per paper (bench/ingest_bench.py). CPU is the
thread's own (time.thread_time), so tasks running side by side on a threads pool are measured apart.
"""

from __future__ import annotations

import threading
import time

from celery.signals import task_postrun, task_prerun
from django.conf import settings
from django.core.cache import cache
from django.db import connection

PREFIX = "taskstats"
_running = threading.local()


def _count_query(execute, sql, params, many, context):
    _running.queries = getattr(_running, "queries", 0) + 1
    return execute(sql, params, many, context)


@task_prerun.connect
def _started(task=None, **_):
    if not settings.PAPERHUB_TASK_STATS:
        return
    _running.cpu, _running.queries = time.thread_time(), 0
    connection.execute_wrappers.append(_count_query)


@task_postrun.connect
def _finished(task=None, **_):
    if not settings.PAPERHUB_TASK_STATS or not hasattr(_running, "cpu"):
        return
    if _count_query in connection.execute_wrappers:
        connection.execute_wrappers.remove(_count_query)
    cpu_us = int((time.thread_time() - _running.cpu) * 1_000_000)
    for field, value in (("runs", 1), ("cpu_us", cpu_us), ("queries", _running.queries)):
        key = f"{PREFIX}:{task.name}:{field}"
        cache.add(key, 0, timeout=None)
        cache.incr(key, value)
    del _running.cpu


def task_stats(names: list[str]) -> dict[str, dict[str, int]]:
    """{task name: {"runs", "cpu_us", "queries"}} as summed so far, for the names asked."""
    keys = {f"{PREFIX}:{name}:{field}": (name, field) for name in names for field in ("runs", "cpu_us", "queries")}
    found = cache.get_many(list(keys))
    stats: dict[str, dict[str, int]] = {}
    for key, (name, field) in keys.items():
        stats.setdefault(name, {})[field] = int(found.get(key) or 0)
    return stats
