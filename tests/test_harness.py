"""The test harness itself: one test's background work does not run on into the next."""

import pytest

from papers import tasks
from tests import conftest
from tests.workers import broker_idle, wait_until


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_work_still_scheduled_after_a_test_is_dropped_with_a_fresh_worker(celery_worker):
    url = celery_worker.env["CELERY_BROKER_URL"]
    tasks.reference_lookups_fetch_batch.apply_async(countdown=120)  # a retry due long after this test
    wait_until(lambda: not broker_idle(url), 10, "the task to reach the broker")
    pid = celery_worker.process.pid
    conftest._settle(celery_worker, "this test", seconds=0.5)
    assert broker_idle(url)
    assert celery_worker.process.pid != pid and celery_worker.process.poll() is None
    assert conftest._restarted_after.pop() == "this test"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_work_that_ends_soon_is_waited_for_without_a_restart(celery_worker):
    url = celery_worker.env["CELERY_BROKER_URL"]
    tasks.reference_lookups_fetch_batch.apply_async(countdown=1)
    wait_until(lambda: not broker_idle(url), 10, "the task to reach the broker")
    pid = celery_worker.process.pid
    conftest._settle(celery_worker, "this test", seconds=10)
    assert broker_idle(url) and celery_worker.process.pid == pid
