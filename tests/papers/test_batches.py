"""Topics (OpenAlex) and PubMed ids (NCBI) fetched in batches across papers: claims, outcomes and a real worker."""

import pytest
from django.db import transaction

from papers import enrichments, services, tasks
from papers.models import Enrichment, Paper, PaperTopic
from tests.claims import claims_side_by_side
from tests.fake_upstream.server import Fail, Garbage
from tests.papers.factories import PaperFactory
from tests.workers import wait_until

SIGMOD = "10.1145/3448016.3452841"
TEMPLATE = "10.5555/batch."


def queue(papers, kind):
    for paper in papers:
        enrichments.enrichments_queue(paper=paper, only=(kind,))


@pytest.mark.django_db
def test_one_openalex_call_serves_a_batch_of_papers_and_unknown_dois_end_none(fake_upstream):
    fake_upstream.serve_template(TEMPLATE)
    papers = [PaperFactory(doi=f"{TEMPLATE}{n}") for n in range(5)] + [PaperFactory(doi="10.5555/unknown.1")]
    queue(papers, services.TOPICS)
    paper_ids = enrichments.batch_claim(kind=services.TOPICS, limit=100)
    assert sorted(paper_ids) == sorted(p.id for p in papers)
    services.topics_fetch_batch(paper_ids=paper_ids)
    [call] = fake_upstream.calls("openalex")
    assert call.path == "works" and sorted(call.query["filter"][0].removeprefix("doi:").split("|")) == sorted(
        p.doi for p in papers
    )
    states = dict(Enrichment.objects.filter(kind="topics").values_list("paper__doi", "state"))
    assert states == {**{p.doi: "done" for p in papers[:5]}, "10.5555/unknown.1": "none"}
    assert all(Paper.objects.get(id=p.id).paper_topics.count() == 2 for p in papers[:5])
    assert Enrichment.objects.get(paper=papers[5], kind="topics").detail == "not in OpenAlex"


@pytest.mark.django_db
def test_a_doi_with_a_filter_separator_is_asked_alone(fake_upstream):
    odd = PaperFactory(doi="10.5555/a|b")
    plain = PaperFactory(doi=SIGMOD)
    queue([odd, plain], services.TOPICS)
    services.topics_fetch_batch(paper_ids=enrichments.batch_claim(kind=services.TOPICS, limit=100))
    paths = sorted(call.path for call in fake_upstream.calls("openalex"))
    assert paths == ["works", "works/doi:10.5555/a%7Cb"]
    assert Enrichment.objects.get(paper=plain, kind="topics").state == "done"


@pytest.mark.django_db
def test_a_batch_claims_at_most_its_limit_and_a_full_queue_goes_at_once(
    fake_upstream, django_capture_on_commit_callbacks
):
    papers = [PaperFactory(doi=f"10.5555/claim.{n}") for n in range(7)]
    queue(papers, services.PUBMED_IDS)
    first = enrichments.batch_claim(kind=services.PUBMED_IDS, limit=3)
    assert len(first) == 3
    assert Enrichment.objects.filter(kind="pubmed_ids", state="running").count() == 3
    second = enrichments.batch_claim(kind=services.PUBMED_IDS, limit=3)
    assert not set(first) & set(second)
    assert enrichments.batch_claim(kind=services.PUBMED_IDS, limit=3) == [papers[6].id]
    assert enrichments.batch_claim(kind=services.PUBMED_IDS, limit=3) == []


@pytest.mark.django_db(transaction=True)
def test_claims_do_not_overlap_between_two_concurrent_batches():
    papers = [PaperFactory(doi=f"10.5555/overlap.{n}") for n in range(15)]
    # Rows written directly: queueing would also send a batch task, which a session worker could run meanwhile.
    Enrichment.objects.bulk_create(
        [Enrichment(paper=paper, kind=services.TOPICS, input_key=paper.doi) for paper in papers]
    )
    first, second = claims_side_by_side(lambda: enrichments.batch_claim(kind=services.TOPICS, limit=10))
    assert len(first) == 10 and len(second) == 5 and not set(first) & set(second)


@pytest.mark.django_db
def test_garbage_from_openalex_raises_and_changes_no_paper(fake_upstream):
    fake_upstream.always("openalex", Garbage())
    paper = PaperFactory(doi=SIGMOD)
    queue([paper], services.TOPICS)
    with pytest.raises(Exception, match="OpenAlex: the response is not valid JSON"):
        services.topics_fetch_batch(paper_ids=enrichments.batch_claim(kind=services.TOPICS, limit=10))
    assert not paper.paper_topics.exists()


@pytest.mark.django_db
def test_a_json_answer_that_is_not_a_work_list_is_refused_with_the_reason(fake_upstream):
    from paperhub.http import UpstreamBadResponse

    fake_upstream.always("openalex", Garbage(body=b'{"meta": {"count": 0}}'))  # no "results"
    paper = PaperFactory(doi=SIGMOD)
    queue([paper], services.TOPICS)
    with pytest.raises(UpstreamBadResponse, match="OpenAlex: the answer is not a list of works"):
        services.topics_fetch_batch(paper_ids=enrichments.batch_claim(kind=services.TOPICS, limit=10))
    assert not paper.paper_topics.exists()


# ---------------------------------------------------------------- through a real worker


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_imports_share_openalex_and_ncbi_calls_and_each_doi_is_asked_once(client, fake_upstream, celery_worker):
    fake_upstream.serve_template(TEMPLATE)
    dois = [f"{TEMPLATE}{n}" for n in range(30)]
    for doi in dois:
        services.paper_request_import(doi=doi)  # autocommit: each queued on its own commit
    wait_until(
        lambda: Enrichment.objects.filter(kind__in=["topics", "pubmed_ids"], state="done").count() == 60,
        60,
        "every paper's topics and PubMed ids",
    )
    asked = [d for call in fake_upstream.calls("openalex") for d in call.query["filter"][0][4:].split("|")]
    assert sorted(asked) == sorted(dois), "each DOI asked of OpenAlex once"
    assert len(fake_upstream.calls("openalex")) < len(dois), "several papers share a call"
    ncbi_asked = [d for call in fake_upstream.calls("ncbi") for d in call.query["ids"][0].split(",")]
    assert sorted(d for d in ncbi_asked if d.startswith(TEMPLATE)) == sorted(dois)
    assert len(fake_upstream.calls("ncbi")) < len(dois)
    assert len(fake_upstream.calls("crossref")) == len(dois), "Crossref: one call per paper"
    assert all(p.paper_topics.count() == 2 for p in Paper.objects.filter(doi__in=dois))


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_batch_is_retried_after_429_and_503_and_garbage_fails_every_row_clearly(fake_upstream, celery_worker):
    fake_upstream.script("openalex", Fail(429, retry_after=1), Fail(503))
    paper = PaperFactory(doi=SIGMOD)
    with transaction.atomic():
        queue([paper], services.TOPICS)
    wait_until(lambda: paper.enrichments.filter(kind="topics", state="done").exists(), 60, "the topics")
    assert [c.status for c in fake_upstream.calls("openalex")] == [429, 503, 200]
    assert paper.paper_topics.count() == 2

    fake_upstream.always("ncbi", Garbage())
    with transaction.atomic():
        queue([paper], services.PUBMED_IDS)
    row = wait_until(lambda: paper.enrichments.filter(kind="pubmed_ids", state="failed").first(), 60, "the failure")
    assert row.detail == "NCBI: the response is not valid JSON"
    assert len(fake_upstream.calls("ncbi")) == 1, "a bad answer is not retried"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_partial_batch_due_again_within_the_wait_goes_back_to_waiting_and_then_runs(fake_upstream, celery_worker):
    # As when a batch task ran late behind busy workers and a second one was scheduled meanwhile.
    fake_upstream.serve_template(TEMPLATE)
    paper = PaperFactory(doi=f"{TEMPLATE}1")
    name, kind = tasks.topics_fetch_batch.name, services.TOPICS
    assert enrichments.batch_may_start(kind=kind, task=name, limit=100, wait=1.0)  # a batch starts
    Enrichment.objects.create(paper=paper, kind=kind, state="queued", input_key=paper.doi)  # sends no task
    assert enrichments.batch_may_start(kind=kind, task=name, limit=1, wait=1.0), "a full batch always goes"
    assert not enrichments.batch_may_start(kind=kind, task=name, limit=100, wait=1.0)  # within the second
    # It went back to waiting, rescheduled: the worker runs it when the second is over, and the row is fetched.
    wait_until(lambda: paper.enrichments.filter(kind=kind, state="done").exists(), 60, "the rescheduled batch")
    assert len(fake_upstream.calls("openalex")) == 1


# ---------------------------------------------------------------- queries per batch (exact, like the pages')


def claimed_template_papers(kind, count, prefix=TEMPLATE):
    papers = [PaperFactory(doi=f"{prefix}{n}", pmid="", pmcid="") for n in range(count)]
    queue(papers, kind)
    return enrichments.batch_claim(kind=kind, limit=1000)


@pytest.mark.django_db
@pytest.mark.parametrize("count", [5, 20])
def test_a_topics_batch_costs_a_few_queries_per_paper(fake_upstream, django_assert_num_queries, count):
    fake_upstream.serve_template(TEMPLATE)
    paper_ids = claimed_template_papers(services.TOPICS, count)
    # Per paper: its OpenAlex fields in one UPDATE, and its funders (SIGMOD's OpenAlex record names 38 awards)
    # read, compared and written: 4. Per batch, whatever its size: the papers, four taxonomy levels (read, create,
    # read again), the topics read and created, one UPDATE of the outcomes, the papers marked changed: 20.
    with django_assert_num_queries(20 + count * 4):
        services.topics_fetch_batch(paper_ids=paper_ids)
    assert PaperTopic.objects.filter(paper_id__in=paper_ids).count() == 2 * count


@pytest.mark.django_db
@pytest.mark.parametrize("count", [5, 20])
def test_a_pubmed_ids_batch_costs_the_same_queries_whatever_its_size(fake_upstream, django_assert_num_queries, count):
    paper_ids = claimed_template_papers(services.PUBMED_IDS, count, prefix="10.5555/ids.")
    # The papers, their references without a PMID, the outcomes in one UPDATE, and a savepoint's two: NCBI knows
    # none of these DOIs, so nothing else is written.
    with django_assert_num_queries(5):
        services.pubmed_ids_fetch_batch(paper_ids=paper_ids)
    assert Enrichment.objects.filter(kind="pubmed_ids", state="done").count() == count
