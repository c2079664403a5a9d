"""An upstream that sends garbage, a gigabyte, or one byte per second: bounded memory and time, a clear failure."""

import subprocess
from pathlib import Path

import pytest

from papers.models import Paper
from tests.fake_upstream.server import Drip, Garbage, Huge
from tests.workers import wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

PONE = "10.1371/journal.pone.0033693"


def peak_rss_mb(worker) -> float:
    """Highest resident memory (VmHWM) among the worker and its pool processes."""
    pids = [str(worker.process.pid)] + subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(worker.process.pid)], capture_output=True, text=True
    ).stdout.split()
    peaks = []
    for pid in pids:
        status = Path(f"/proc/{pid}/status")
        if status.exists():
            line = next((row for row in status.read_text().splitlines() if row.startswith("VmHWM:")), "VmHWM: 0 kB")
            peaks.append(int(line.split()[1]) / 1024)
    return max(peaks)


@pytest.mark.parametrize(
    ("behaviour", "reason", "attempts"),
    [
        (Garbage(), "not valid JSON", 1),
        (Huge(1024), "larger than the 2,097,152-byte limit", 1),  # a 1 GB body, cut off at the cap
        # One byte per second: every attempt stops at its deadline (twice the timeout), then retries run out.
        (Drip(1.0), "too slow to arrive", 4),
    ],
    ids=["garbage", "1GB", "1-byte-per-second"],
)
def test_hostile_upstream_ends_in_a_clear_failed_state(
    client, fake_upstream, start_worker, behaviour, reason, attempts
):
    worker = start_worker()
    fake_upstream.always("crossref", behaviour)
    client.post("/add", {"identifier": PONE})
    paper = wait_until(lambda: Paper.objects.filter(doi=PONE, fetch_state="failed").first(), 90, "the failure")
    assert reason in paper.fetch_error
    assert len(fake_upstream.calls("crossref")) == attempts
    assert peak_rss_mb(worker) < 200, "the worker's memory stayed bounded"
