"""The crossref_reviews enrichment through a real Celery worker on Redis, PostgreSQL and the fake upstream.

Crossref's list answer for 10.7554/elife.55167 is CONSTRUCTED by the fake upstream around the recorded peer-review
work 10.7554/elife.55167.sa2 (PROVENANCE.md); every other DOI gets an empty list.
"""

import pytest
from bs4 import BeautifulSoup
from django.db import transaction

from papers import enrichments
from papers.models import Enrichment
from reviews.models import Origin, Review
from reviews.services import CROSSREF_KIND
from tests.fake_upstream.server import Fail
from tests.papers.factories import PaperFactory
from tests.workers import wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

REVIEWED, REVIEW_DOI = "10.7554/elife.55167", "10.7554/elife.55167.sa2"


def settled(paper, timeout=30):
    return wait_until(
        lambda: (
            Enrichment.objects.filter(paper=paper, kind=CROSSREF_KIND)
            .exclude(state__in=["queued", "running", "retrying"])
            .first()
        ),
        timeout,
        f"the Crossref reviews of {paper.doi} to settle",
    )


def queue(paper, *, force=False):
    with transaction.atomic():  # sent once this commits, as after an import
        return enrichments.enrichments_queue(paper=paper, force=force, only=(CROSSREF_KIND,))


def test_a_worker_finds_the_registered_review_and_the_page_shows_it(client, fake_upstream, celery_worker):
    paper = PaperFactory(doi=REVIEWED, container_title="eLife", pmcid="", review_dois=[REVIEW_DOI])
    assert queue(paper) == [CROSSREF_KIND]

    state = settled(paper)

    assert (state.state, state.detail, state.attempts) == ("done", "1 registered with Crossref", 1)
    card = BeautifulSoup(client.get(paper.get_absolute_url()).content, "html.parser").select_one("#reviews li.review")
    header = " ".join(card.select_one("header").get_text(" ").split())
    assert header.startswith("Author response · Pre-publication · registered with Crossref by eLife")
    assert "Jeremy Magland" in header and "29 April 2020" in header
    assert card.find("a", href=f"https://doi.org/{REVIEW_DOI}").get_text() == "Read it at the journal"

    # Beat's re-check (forced here) finds the same record: still one review, the same row.
    first = Review.objects.get(paper=paper)
    assert queue(paper, force=True) == [CROSSREF_KIND]
    assert settled(paper).attempts == 1  # a new check starts its count again
    assert list(Review.objects.filter(paper=paper).values_list("id", "updated_at")) == [(first.id, first.updated_at)]


def test_429_and_5xx_are_retried_and_said_on_the_row_then_done(fake_upstream, celery_worker):
    paper = PaperFactory(doi=REVIEWED, pmcid="", review_dois=[REVIEW_DOI])
    fake_upstream.script("crossref-reviews", Fail(503), Fail(429, retry_after=1))
    queue(paper)

    state = settled(paper)

    assert state.state == "done" and state.attempts == 3, state.detail
    assert [c.status for c in fake_upstream.calls("crossref-reviews")] == [503, 429, 200]
    assert Review.objects.filter(paper=paper, origin=Origin.CROSSREF).count() == 1


def test_a_lasting_outage_ends_failed_with_the_reason_and_the_reviews_shown_stay(fake_upstream, celery_worker):
    paper = PaperFactory(doi=REVIEWED, pmcid="", review_dois=[REVIEW_DOI])
    queue(paper)
    assert settled(paper).state == "done"
    fake_upstream.always("crossref-reviews", Fail(500))

    queue(paper, force=True)
    state = settled(paper, timeout=60)

    assert state.state == "failed" and "Crossref: server error (500)" in state.detail and "Gave up" in state.detail
    assert state.next_check_at is not None, "beat tries again tomorrow"
    assert Review.objects.filter(paper=paper, origin=Origin.CROSSREF).count() == 1, "nothing lost"


def test_a_paper_without_registered_reviews_says_so(fake_upstream, celery_worker):
    paper = PaperFactory(pmcid="", review_dois=["10.5555/a.review.no.search.finds"])  # its record names one
    queue(paper)
    state = settled(paper)
    assert (state.state, state.detail) == ("none", "Crossref has no reviews registered for it")
    assert state.next_check_at is not None, "asked again in a while: reviews may be registered later"
