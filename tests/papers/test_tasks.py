"""Background import with a real Celery worker on the Redis broker, PostgreSQL and the fake upstream."""

import json
import threading
import time

import pytest
from django.db import connection

from papers import normalize, services
from papers.models import Author, Authorship, Funding, IdentifierLookup, Paper
from tests.fake_upstream.server import Fail, Garbage, Slow
from tests.workers import wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

PONE = "10.1371/journal.pone.0033693"
SIGMOD = "10.1145/3448016.3452841"


def settled(doi, timeout=30):
    """Wait until the paper leaves pending/fetching; return it."""
    return wait_until(
        lambda: Paper.objects.filter(doi=doi).exclude(fetch_state__in=["pending", "fetching"]).first(),
        timeout,
        f"{doi} to settle",
    )


def test_user_adds_a_doi_url_and_gets_the_complete_page(client, fake_upstream, celery_worker):
    response = client.post("/add", {"identifier": f"https://doi.org/{SIGMOD.upper()}"})
    assert response.status_code == 302 and response["Location"] == f"/doi/{SIGMOD}"
    pending_page = client.get(f"/doi/{SIGMOD}").content.decode()
    assert '<meta http-equiv="refresh" content="3">' in pending_page and "<progress" in pending_page
    paper = settled(SIGMOD)
    assert paper.fetch_state == "ready", paper.fetch_error
    html = client.get(f"/doi/{SIGMOD}").content.decode()
    assert "Vector Quotient Filters" in html and "http-equiv" not in html
    assert html.count('class="reference"') == paper.references.count() > 0
    # Topics follow in a batch with other papers' (OpenAlex's filter=doi:a|b|…).
    wait_until(lambda: paper.enrichments.filter(kind="topics", state="done").exists(), 30, "the topics")
    assert "Caching and Content Delivery" in client.get(f"/doi/{SIGMOD}").content.decode()
    [topics_call] = fake_upstream.calls("openalex")
    assert topics_call.path == "works" and topics_call.query["filter"] == [f"doi:{SIGMOD}"]


@pytest.mark.parametrize(
    ("script", "calls"),
    [([Fail(503), Fail(502)], 3), ([Fail(429, retry_after=1)], 2), ([Slow(3)], 2)],
    ids=["5xx-twice", "429-retry-after", "timeout"],
)
def test_transient_failures_are_retried_until_ready(client, fake_upstream, celery_worker, script, calls):
    fake_upstream.script("crossref", *script)
    client.post("/add", {"identifier": PONE})
    paper = settled(PONE)
    assert paper.fetch_state == "ready", paper.fetch_error
    assert len(fake_upstream.calls("crossref")) == calls


def test_retry_after_is_honoured(client, fake_upstream, celery_worker):
    fake_upstream.script("crossref", Fail(429, retry_after=2))
    client.post("/add", {"identifier": PONE})
    settled(PONE)
    first, second = fake_upstream.calls("crossref")[:2]
    assert second.at - first.at >= 1.9


def test_persistent_server_errors_end_failed_with_the_reason(client, fake_upstream, celery_worker):
    fake_upstream.always("crossref", Fail(500))
    client.post("/add", {"identifier": PONE})
    paper = settled(PONE)
    assert paper.fetch_state == "failed"
    assert "Crossref: server error (500)" in paper.fetch_error and "Gave up after 4 attempts" in paper.fetch_error
    assert len(fake_upstream.calls("crossref")) == 4
    html = client.get(f"/doi/{PONE}").content.decode()
    assert "Fetching the metadata failed." in html and "server error (500)" in html


@pytest.mark.parametrize(
    ("doi", "script", "reason"),
    [
        ("10.5555/nobody.knows", [], "neither knows the DOI"),
        (PONE, [Garbage()], "not valid JSON"),
        (PONE, [Fail(400)], "unexpected answer (400)"),
    ],
    ids=["unknown", "garbage", "4xx"],
)
def test_permanent_failures_are_not_retried(client, fake_upstream, celery_worker, doi, script, reason):
    fake_upstream.script("crossref", *script)
    client.post("/add", {"identifier": doi})
    paper = settled(doi)
    assert paper.fetch_state == "failed" and reason in paper.fetch_error
    assert len(fake_upstream.calls("crossref")) == 1


def test_staff_retry_refetches_a_failed_paper(admin_client, fake_upstream, celery_worker):
    fake_upstream.script("crossref", Garbage())
    admin_client.post("/add", {"identifier": PONE})
    assert settled(PONE).fetch_state == "failed"
    assert "Retry now" in admin_client.get(f"/doi/{PONE}").content.decode()
    response = admin_client.post(f"/doi/{PONE}/refresh")
    assert response.status_code == 302
    wait_until(lambda: Paper.objects.get(doi=PONE).fetch_state == "ready", 30, "the retry")


def test_twenty_concurrent_adds_make_one_paper(live_server, fake_upstream, celery_worker):
    import httpx

    errors = []

    def add():
        try:
            with httpx.Client(base_url=live_server.url) as http:
                token = http.get("/add").cookies["csrftoken"]
                http.post("/add", data={"identifier": PONE, "csrfmiddlewaretoken": token})
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=add) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Paper.objects.filter(doi=PONE).count() == 1
    assert settled(PONE).fetch_state == "ready"
    assert len(fake_upstream.calls("crossref")) == 1


def test_pmid_is_mapped_to_its_doi_through_ncbi(client, fake_upstream, celery_worker):
    response = client.post("/add", {"identifier": "PMID: 26354291"})
    lookup = IdentifierLookup.objects.get()
    assert response["Location"] == f"/lookups/{lookup.id}"
    wait_until(lambda: IdentifierLookup.objects.get().state == "resolved", 30, "the lookup")
    assert client.get(f"/lookups/{lookup.id}")["Location"] == "/doi/10.7554/elife.09560"
    # No Crossref or DataCite record of this DOI was recorded, so the paper itself ends failed, clearly.
    assert "neither knows the DOI" in settled("10.7554/elife.09560").fetch_error


def test_killed_worker_loses_no_paper(client, fake_upstream, start_worker):
    worker = start_worker()
    fake_upstream.script("crossref", Slow(4))
    client.post("/add", {"identifier": PONE})
    wait_until(lambda: fake_upstream.calls("crossref"), 20, "the import to start")
    assert Paper.objects.get(doi=PONE).fetch_state == "fetching"
    worker.kill()
    assert Paper.objects.get(doi=PONE).fetch_state == "fetching"
    # Redis hands an unacknowledged task out again once the visibility timeout (5 s here) has passed; a worker
    # starting after that restores it. (In production the periodic requeue of stuck papers is a second net.)
    time.sleep(6)
    second = start_worker()
    try:
        paper = settled(PONE, timeout=60)
    except AssertionError:
        raise AssertionError(f"first worker:\n{worker.output()[-2000:]}\nsecond:\n{second.output()[-3000:]}") from None
    assert paper.fetch_state == "ready"
    assert paper.references.count() == 70


BIORXIV_FILE = "posted-content-preprint-biorxiv-group-author-10.1101_2025.04.10.647997.json"
SIGMOD_FILE = "proceedings-article-funder-awards-affiliations-unstructured-refs-10.1145_3448016.3452841.json"


def crossref_record(name):
    from tests.fake_upstream.server import FIXTURES

    return normalize.crossref_work(json.loads((FIXTURES / "crossref" / name).read_text(encoding="utf-8")))


def test_worker_imports_store_authors_with_orcids_references_in_order_and_funding(fake_upstream, celery_worker):
    # Two papers with the same nine ORCID iDs (the bioRxiv recording under two DOIs) and one with funders.
    biorxiv = "10.1101/2025.04.10.647997"
    fake_upstream.serve_template("10.5555/orcid.", doi=biorxiv)
    dois = [biorxiv, "10.5555/orcid.1", SIGMOD]
    for doi in dois:
        services.paper_request_import(doi=doi)
    papers = [settled(doi) for doi in dois]
    assert [p.fetch_state for p in papers] == ["ready"] * 3, [p.fetch_error for p in papers]
    expected = {
        biorxiv: crossref_record(BIORXIV_FILE),
        SIGMOD: crossref_record(SIGMOD_FILE),
    }
    expected["10.5555/orcid.1"] = expected[biorxiv]
    for paper in papers:
        record = expected[paper.doi]
        rows = list(
            Authorship.objects.filter(paper=paper, role="author")
            .order_by("position")
            .values_list("author__family_name", "author__orcid", "affiliations")
        )
        assert rows == [(a.family_name, a.orcid, a.affiliations) for a in record.authors]
        refs = list(paper.references.order_by("position").values_list("position", "doi", "raw", "title"))
        # In order, as deposited; a reference known only by its DOI may have been filled from its lookup since.
        assert [row[:3] for row in refs] == [(n, r.doi, r.raw) for n, r in enumerate(record.references, start=1)]
        assert [row[3] for row, r in zip(refs, record.references, strict=True) if r.title or r.raw] == [
            r.title for r in record.references if r.title or r.raw
        ]
        # Crossref's funders first, in order (OpenAlex's merged in: awards and funders of its own).
        funding = list(paper.fundings.order_by("position").values_list("funder_name", "awards"))
        assert [name for name, _ in funding[: len(record.funding)]] == [f.funder_name for f in record.funding]
        assert all(awards for _, awards in funding[: len(record.funding)])
    orcids = [a.orcid for a in expected[biorxiv].authors if a.orcid]
    assert len(orcids) == 9 and Author.objects.filter(orcid__in=orcids).count() == 9, "one row per ORCID iD"
    assert Funding.objects.filter(paper=papers[2]).count() >= 2
