"""kill -9 of a worker in the middle of a batch of imports: after a restart every paper is ready, and none twice.

Delivery is at least once (tasks are acknowledged late), so "none twice" means what the code can promise:
- a paper that was ready before the kill is not imported again: the redelivered task finds it ready and
  `paper_claim_for_import` refuses it, so Crossref is not asked again and its rows and `fetched_at` stay;
- a paper whose import was cut off is imported again from the start, so Crossref may be asked twice for it, but
  its rows are written once, in one transaction keyed on natural keys: no duplicate papers, authors, references;
- a paper whose task was queued but not started is fetched exactly once.
"""

import json
import time

import pytest

from papers import normalize, services
from papers.models import Author, Enrichment, Paper, PaperTopic
from tests.fake_upstream.server import TEMPLATE_DOI
from tests.workers import wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

PREFIX = "10.5555/drill."
PAPERS = 30
FAST_LIMITS = {"CROSSREF_RATE_LIMIT": "200", "OPENALEX_RATE_LIMIT": "200", "NCBI_RATE_LIMIT": "200"}


def test_killed_worker_mid_batch_loses_no_paper_and_imports_none_twice(fake_upstream, start_worker):
    template = normalize.crossref_work(json.loads(fake_upstream.crossref[TEMPLATE_DOI].read_bytes()))
    fake_upstream.serve_template(PREFIX)
    fake_upstream.set_latency(0.5)  # each import is in flight for 0.5 s or more (its Crossref call)
    dois = [f"{PREFIX}{n}" for n in range(1, PAPERS + 1)]
    worker = start_worker(concurrency=4, **FAST_LIMITS)
    for doi in dois:
        services.paper_request_import(doi=doi)

    def mid_batch():
        states = list(Paper.objects.filter(doi__startswith=PREFIX).values_list("fetch_state", flat=True))
        return states.count("ready") >= 3 and states.count("fetching") >= 2

    wait_until(mid_batch, 60, "a few papers ready and others in flight", interval=0.05)
    worker.kill()
    at_kill = Paper.objects.filter(doi__startswith=PREFIX)
    ready_at_kill = dict(at_kill.filter(fetch_state="ready").values_list("doi", "fetched_at"))
    cut_off = set(at_kill.filter(fetch_state="fetching").values_list("doi", flat=True))
    not_started = set(at_kill.filter(fetch_state="pending").values_list("doi", flat=True))
    assert cut_off, "the kill came while imports were in flight"
    assert len(ready_at_kill) + len(cut_off) + len(not_started) == PAPERS

    # Redis hands unacknowledged tasks out again once the visibility timeout (5 s here) has passed.
    time.sleep(6)
    fake_upstream.set_latency(0.05)
    second = start_worker(concurrency=4, **FAST_LIMITS)
    try:
        wait_until(
            lambda: Paper.objects.filter(doi__startswith=PREFIX, fetch_state="ready").count() == PAPERS,
            120,
            "every paper to be ready",
        )
    except AssertionError:
        states = list(Paper.objects.filter(doi__startswith=PREFIX).values_list("doi", "fetch_state", "fetch_error"))
        raise AssertionError(f"{states}\nfirst worker:\n{worker.output()[-2000:]}\n{second.output()[-3000:]}") from None

    # Topics follow in batches (OpenAlex), also those whose batch the kill cut off: a redelivered batch claims
    # its own rows again.
    wait_until(
        lambda: Enrichment.objects.filter(paper__doi__startswith=PREFIX, kind="topics", state="done").count() == PAPERS,
        120,
        "every paper's topics",
    )
    # Every paper, once, complete.
    papers = Paper.objects.filter(doi__startswith=PREFIX)
    assert sorted(papers.values_list("doi", flat=True)) == sorted(dois)
    for paper in papers:
        assert paper.references.count() == len(template.references), paper.doi
        assert paper.authorships.count() == len(template.authors), paper.doi
        assert PaperTopic.objects.filter(paper=paper).count() == 2, paper.doi
    # The recording's authors have no ORCID iD, so each paper has its own rows: a second write would add more.
    assert Author.objects.count() == PAPERS * len(template.authors)

    fetches = {doi: 0 for doi in dois}
    for call in fake_upstream.calls("crossref"):
        if call.status == 200:
            fetches[call.path.removeprefix("works/")] += 1
    # Ready before the kill: not fetched again, not written again.
    assert {doi: fetches[doi] for doi in ready_at_kill} == dict.fromkeys(ready_at_kill, 1)
    assert dict(Paper.objects.filter(doi__in=ready_at_kill).values_list("doi", "fetched_at")) == ready_at_kill
    # Cut off by the kill: imported again from the start after the restart, so Crossref answered at most twice.
    assert all(1 <= fetches[doi] <= 2 for doi in cut_off), {doi: fetches[doi] for doi in cut_off}
    # Not started before the kill (queued, or reserved by the killed worker): fetched once.
    assert {doi: fetches[doi] for doi in not_started} == dict.fromkeys(not_started, 1)
