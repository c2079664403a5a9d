"""The enrichments through a real Celery worker on Redis, PostgreSQL and the fake upstream."""

import pytest
from django.db import transaction

from fulltext.models import FullText
from papers import enrichments
from papers.models import Enrichment, Paper
from tests.fake_upstream.server import Fail
from tests.papers.factories import PaperFactory
from tests.workers import wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

NAR_DOI, NAR_PMCID = "10.1093/nar/gkr715", "PMC3258128"


def settled(paper, kind, timeout=30):
    return wait_until(
        lambda: (
            Enrichment.objects.filter(paper=paper, kind=kind)
            .exclude(state__in=["queued", "running", "retrying"])
            .first()
        ),
        timeout,
        f"{kind} of {paper.doi} to settle",
    )


def queue(paper):
    with transaction.atomic():
        return enrichments.enrichments_queue(paper=paper)


def test_metadata_then_full_text_and_summary_each_in_its_own_task(client, fake_upstream, celery_worker):
    paper = PaperFactory(doi=NAR_DOI, pmcid=NAR_PMCID, summary="")
    assert sorted(queue(paper)) == ["fulltext", "pubmed_ids", "summary", "topics"]
    text, summary = settled(paper, "fulltext"), settled(paper, "summary")
    assert (text.state, text.source) == ("done", "Europe PMC"), text.detail
    assert (summary.state, summary.detail) == ("none", "not in Semantic Scholar")
    assert FullText.objects.get(paper=paper).sections
    html = client.get(paper.get_absolute_url()).content.decode()
    assert 'id="fulltext"' in html and "Full text from" in html


def test_an_outage_is_retried_and_said_on_the_row_then_succeeds(fake_upstream, celery_worker):
    paper = PaperFactory(doi=NAR_DOI, pmcid=NAR_PMCID)
    fake_upstream.script("europepmc", Fail(503), Fail(429, retry_after=1))
    queue(paper)
    row = settled(paper, "fulltext")
    assert row.state == "done" and row.attempts == 3
    assert [c.status for c in fake_upstream.calls("europepmc")][:3] == [503, 429, 200]


def test_a_lasting_outage_ends_failed_with_the_reason_and_the_paper_untouched(fake_upstream, celery_worker):
    paper = PaperFactory(doi=NAR_DOI, pmcid=NAR_PMCID)
    fake_upstream.always("europepmc", Fail(503))
    queue(paper)
    row = settled(paper, "fulltext", timeout=60)
    assert row.state == "failed" and "server error (503)" in row.detail and "Gave up" in row.detail
    assert row.next_check_at is not None, "beat tries again tomorrow"
    assert Paper.objects.get(id=paper.id).fetch_state == "ready", "a failed enrichment never blocks the paper"
    assert settled(paper, "summary").state == "none", "nor the other enrichments"


def test_not_open_access_says_so_on_the_page(client, fake_upstream, celery_worker):
    paper = PaperFactory(doi=NAR_DOI, pmcid="PMC1")  # no recording: Europe PMC's 404
    queue(paper)
    assert settled(paper, "fulltext").state == "none"
    html = client.get(paper.get_absolute_url()).content.decode()
    assert "Full text: not open access" in html
