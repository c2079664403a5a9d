"""Start and stop real Celery worker processes for end-to-end tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


class Worker:
    def __init__(
        self,
        env: dict[str, str],
        concurrency: int = 2,
        pool: str = "prefork",
        *,
        cwd: Path = ROOT,
        inherit: bool = True,
    ):
        """`inherit=False` gives the worker `env` alone (plus PATH), as a fresh terminal would."""
        self.log = Path(tempfile.mkstemp(prefix="paperhub-worker-", suffix=".log")[1])
        self.env = {**os.environ, **env} if inherit else {"PATH": os.environ.get("PATH", ""), **env}
        self.concurrency = concurrency
        self.pool = pool
        self.cwd = cwd
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> Worker:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "paperhub",
                    "worker",
                    "--loglevel=INFO",
                    f"--pool={self.pool}",
                    f"--concurrency={self.concurrency}",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    f"--hostname=test-{os.getpid()}-{time.monotonic_ns()}@%h",
                ],
                cwd=self.cwd,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_until(lambda: "ready." in self.output() or self.process.poll() is not None, timeout, "worker start")
        if self.process.poll() is not None:
            raise RuntimeError(f"the worker exited:\n{self.output()[-3000:]}")
        return self

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        """kill -9 the worker and its pool processes: nothing gets to clean up."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def restart(self) -> None:
        """A fresh worker on an empty broker: what an earlier test left queued or scheduled is gone."""
        self.stop()
        empty_broker(self.env["CELERY_BROKER_URL"])
        self.start()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


def empty_broker(broker_url: str) -> None:
    import redis

    redis.Redis.from_url(broker_url).flushdb()


def broker_idle(broker_url: str) -> bool:
    """Nothing waits in the broker's queue and no message is out unacknowledged. Every task acknowledges late
    (CELERY_TASK_ACKS_LATE), so this also says no task is running, reserved or waiting for its ETA."""
    import redis
    from django.conf import settings

    broker = redis.Redis.from_url(broker_url)
    queued = sum(broker.llen(queue.name) for queue in settings.CELERY_TASK_QUEUES)
    return not queued and not broker.hlen("unacked")


def wait_until(condition: Callable[[], object], timeout: float, what: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")
