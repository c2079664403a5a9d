"""The per-upstream cap on requests in flight holds across processes, survives a killed holder, and is given back."""

import json
import os
import re
import signal
import subprocess
import sys
from io import StringIO
from pathlib import Path

import httpx
import pytest
from django.conf import settings
from django.core.management import call_command

from paperhub import concurrency, http
from papers import services
from papers.clients import crossref
from papers.models import Paper
from tests.fake_upstream.server import Fail, Huge, Slow
from tests.workers import wait_until

ROOT = Path(__file__).resolve().parents[2]
PONE = "10.1371/journal.pone.0033693"
PREFIX = "10.5555/capped."


@pytest.fixture(autouse=True)
def _shared_cache():
    if not settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
        pytest.fail("Needs the shared Redis cache (CACHE_URL=redis://...): use `make test`.")


@pytest.fixture
def capped(settings):
    """Crossref capped at `cap` in this process, a request that finds no slot failing at once."""

    def cap(value: int, *, wait: float = 0.0):
        settings.UPSTREAM_CONCURRENCY = {**settings.UPSTREAM_CONCURRENCY, "crossref": value}
        settings.UPSTREAM_SLOT_WAIT_SECONDS = wait

    return cap


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_cap_holds_across_worker_processes(fake_upstream, start_worker, capped):
    capped(2)  # as the workers have it, so that this process counts the same slots
    fake_upstream.serve_template(PREFIX)
    fake_upstream.set_latency(0.3)  # each call in flight long enough for the six pool processes to pile up
    # The session's shared worker (other tests' fixture, cap 8) may take some of these tasks from the same queue;
    # an advertised limit, which every process reads from the cache, holds it to the same cap.
    fake_upstream.advertise_concurrency(2)
    concurrency.learn_from_headers("Crossref", httpx.Headers({"X-Concurrency-Limit": "2"}))
    limits = {"CROSSREF_CONCURRENCY": "2", "CROSSREF_RATE_LIMIT": "1000", "OPENALEX_RATE_LIMIT": "1000"}
    workers = [start_worker(concurrency=3, **limits) for _ in range(2)]
    dois = [f"{PREFIX}{n}" for n in range(1, 13)]
    for doi in dois:
        services.paper_request_import(doi=doi)
    try:
        wait_until(
            lambda: Paper.objects.filter(doi__startswith=PREFIX, fetch_state="ready").count() == len(dois),
            120,
            "every paper to be ready",
        )
    except AssertionError:
        states = list(Paper.objects.filter(doi__startswith=PREFIX).values_list("doi", "fetch_state", "fetch_error"))
        raise AssertionError(f"{states}\n{workers[0].output()[-3000:]}") from None

    # Six processes on two hosts' worth of workers, yet never more than two Crossref requests at once: and two
    # at times, so the cap was reached (not a cap of one).
    assert fake_upstream.max_in_flight["crossref*"] == 2  # works, and the reference lookups' lists
    answered = [call.path for call in fake_upstream.calls("crossref") if call.status == 200]
    assert sorted(answered) == sorted(f"works/{doi}" for doi in dois)  # each DOI fetched once, none lost
    assert fake_upstream.rate_limited == {}
    # Every slot given back (reference lookups may still be running a moment after the imports end).
    wait_until(lambda: concurrency.in_flight("Crossref") == 0, 30, "the workers' Crossref slots to be free")


HOLDER = """
import sys, time, django
django.setup()
from django.conf import settings
settings.UPSTREAM_CONCURRENCY = {"probe": 1}
from paperhub import concurrency
with concurrency.slot("probe"):
    print("held", flush=True)
    time.sleep(120)
"""


def test_slot_of_a_killed_holder_comes_back_after_its_lease(settings):
    settings.UPSTREAM_CONCURRENCY = {"probe": 1}
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "paperhub.settings", "UPSTREAM_SLOT_LEASE_SECONDS": "2"}
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        os.kill(holder.pid, signal.SIGKILL)  # no finally runs: the slot is not given back
        holder.wait(timeout=10)
        assert concurrency.in_flight("probe") == 1
        with (
            pytest.raises(concurrency.NoSlot, match="all 1 of its concurrent-request slots stayed taken"),
            concurrency.slot("probe", max_wait=0),
        ):
            pass
        wait_until(lambda: concurrency.in_flight("probe") == 0, 30, "the dead holder's lease to run out")
        with concurrency.slot("probe", max_wait=0):
            assert concurrency.in_flight("probe") == 1
        assert concurrency.in_flight("probe") == 0
    finally:
        if holder.poll() is None:
            holder.kill()


@pytest.mark.parametrize(
    ("behaviour", "error"),
    [
        (Fail(503), http.UpstreamUnavailable),
        (Fail(429), http.UpstreamUnavailable),
        (Fail(404), http.UpstreamNotFound),
        (Slow(5), http.UpstreamUnavailable),  # longer than the 2 s timeout
        (Huge(5), http.UpstreamBadResponse),  # over the 2 MB cap
    ],
)
def test_slot_is_given_back_when_the_request_fails(fake_upstream, capped, behaviour, error):
    capped(1)
    fake_upstream.script("crossref", behaviour)
    with pytest.raises(error):
        crossref.get_work(PONE)
    assert concurrency.in_flight("Crossref") == 0
    # With a cap of one and no wait, a slot kept by the failure would make this fail.
    assert crossref.get_work(PONE).doi == PONE


def test_request_that_finds_no_slot_in_time_is_unavailable_with_the_reason(fake_upstream, capped):
    capped(1, wait=0.3)
    with concurrency.slot("Crossref"), pytest.raises(http.UpstreamUnavailable) as caught:
        crossref.get_work(PONE)
    assert re.fullmatch(
        r"Crossref: all 1 of its concurrent-request slots stayed taken for \d s \(the cap\)", str(caught.value)
    )
    assert fake_upstream.calls("crossref") == []  # it never left


def test_advertised_concurrency_limit_shrinks_the_cap(fake_upstream, capped):
    capped(5)
    fake_upstream.advertise_concurrency(2)
    assert concurrency.current_cap("Crossref") == 5
    crossref.get_work(PONE)
    assert concurrency.current_cap("Crossref") == 2
    with (
        concurrency.slot("Crossref"),
        concurrency.slot("Crossref"),
        pytest.raises(http.UpstreamUnavailable, match="all 2 of its concurrent-request slots"),
    ):
        crossref.get_work(PONE)


def test_advertised_limit_never_raises_the_configured_cap(capped):
    capped(2)
    concurrency.learn_from_headers("Crossref", httpx.Headers({"X-Concurrency-Limit": "3, 3"}))
    assert concurrency.current_cap("Crossref") == 2
    concurrency.learn_from_headers("Crossref", httpx.Headers({"X-Concurrency-Limit": "1, 1"}))
    assert concurrency.current_cap("Crossref") == 1
    for nonsense in ("0", "-1", "many", ""):
        concurrency.learn_from_headers("Crossref", httpx.Headers({"X-Concurrency-Limit": nonsense}))
        assert concurrency.current_cap("Crossref") == 1


def test_429s_are_counted_per_upstream_where_any_process_reads_them(fake_upstream):
    fake_upstream.script("crossref", Fail(429, retry_after=1), Fail(429), Fail(503))
    for _ in range(3):
        with pytest.raises(http.UpstreamUnavailable):
            crossref.get_work(PONE)
    assert concurrency.rate_limited_count("Crossref") == 2  # the 503 is no 429
    assert concurrency.rate_limited_count("OpenAlex") == 0

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "paperhub.settings"}
    answer = subprocess.run(
        [sys.executable, "manage.py", "upstream_stats", "--json", "crossref", "openalex"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    stats = json.loads(answer.stdout)
    assert (stats["crossref"]["429s"], stats["openalex"]["429s"]) == (2, 0)

    out = StringIO()
    call_command("upstream_stats", "crossref", "--reset", stdout=out)
    assert re.search(r"^crossref\s+\S+\s+\S+\s+0\s+2$", out.getvalue(), re.M), out.getvalue()
    assert concurrency.rate_limited_count("Crossref") == 0
