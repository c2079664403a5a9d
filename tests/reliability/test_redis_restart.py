"""Redis restarted in the middle of an import run: the work resumes and no paper is lost or made twice.

Redis here keeps nothing on disk, so a restart drops queued tasks; the periodic requeue of stuck papers (Celery
beat's papers_requeue_stuck) is what brings them back. Restarting the machine's Redis is only done where that is
expected: in CI, or with PAPERHUB_RESTART_SERVICES=1.
"""

import datetime as dt
import os
import subprocess
import time

import pytest

from papers import services
from papers.models import Paper
from tests.fake_upstream.server import Slow
from tests.workers import wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

RECORDED = [
    "10.1371/journal.pone.0033693",
    "10.7554/elife.01567",
    "10.1145/3448016.3452841",
    "10.21203/rs.1.1/v2",
    "10.1101/2025.04.10.647997",
    "10.1126/science.280.5362.421",
    "10.1021/acs.orglett.7b03845",
    "10.1039/9781788019972",
    "10.1038/d41586-020-02761-z",
]
REDIS_START = [
    "redis-server",
    "--daemonize",
    "yes",
    "--bind",
    "127.0.0.1",
    "-::1",
    "--port",
    "6379",
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    "/var/lib/redis",
    "--logfile",
    "/var/log/redis/ci.log",
]


def restart_redis():
    subprocess.run(["redis-cli", "-p", "6379", "shutdown", "nosave"], capture_output=True, timeout=30)
    wait_until(lambda: subprocess.run(["redis-cli", "ping"], capture_output=True).returncode != 0, 15, "Redis to stop")
    os.makedirs("/var/lib/redis", exist_ok=True)
    os.makedirs("/var/log/redis", exist_ok=True)
    subprocess.run(REDIS_START, check=True, timeout=30)
    wait_until(
        lambda: subprocess.run(["redis-cli", "ping"], capture_output=True, text=True).stdout.strip() == "PONG",
        15,
        "Redis to start",
    )


@pytest.mark.skipif(
    not (os.environ.get("CI") or os.environ.get("PAPERHUB_RESTART_SERVICES")),
    reason="restarts the machine's Redis: runs in CI or with PAPERHUB_RESTART_SERVICES=1",
)
def test_imports_survive_a_redis_restart(client, fake_upstream, start_worker):
    worker = start_worker()
    fake_upstream.script("crossref", *[Slow(1.0)] * len(RECORDED))
    for doi in RECORDED:
        client.post("/add", {"identifier": doi})
    wait_until(lambda: fake_upstream.calls("crossref"), 20, "the first import to start")
    restart_redis()  # queued tasks are gone with it
    time.sleep(2)
    # What Celery beat's papers_requeue_stuck does every few minutes; here at once, for papers not done yet.
    services.papers_requeue_stuck(older_than=dt.timedelta(0))
    try:
        wait_until(
            lambda: Paper.objects.filter(doi__in=RECORDED, fetch_state="ready").count() == len(RECORDED),
            120,
            "every paper to be ready",
        )
    except AssertionError:
        states = list(Paper.objects.values_list("doi", "fetch_state", "fetch_error"))
        raise AssertionError(f"{states}\n{worker.output()[-3000:]}") from None
    assert Paper.objects.filter(doi__in=RECORDED).count() == len(RECORDED), "none made twice"
    for doi in RECORDED:
        paper = Paper.objects.get(doi=doi)
        assert paper.references.values("position").distinct().count() == paper.references.count()
