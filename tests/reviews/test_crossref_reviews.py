"""Reviews registered with Crossref: the crossref_reviews enrichment's service, page card, API and rules, in-process
against the fake upstream (tests/reviews/test_tasks.py runs it through a real worker).

Crossref's answer to "the reviews of 10.7554/elife.55167" is CONSTRUCTED by the fake upstream: a work-list envelope
around the one recorded peer-review work, 10.7554/elife.55167.sa2 (an author response; PROVENANCE.md). Records
changed from that recording (another review type, another DOI) are CONSTRUCTED in the tests that use them.
"""

import copy
import datetime as dt
import json

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from paperhub.http import UpstreamUnavailable
from paperhub.moderation import ModerationStatus
from papers import enrichments, normalize
from papers.demo import FIXTURES
from papers.enrichments import JournalReviewRecord, journal_reviews_found
from papers.models import Enrichment, Paper
from reviews import services
from reviews.models import License, Origin, Platform, Review, ReviewKind
from tests.fake_upstream.server import Fail, Garbage
from tests.papers.factories import PaperFactory
from tests.reviews.factories import UserFactory

pytestmark = pytest.mark.django_db

REVIEWED = "10.7554/elife.55167"
REVIEW_DOI = "10.7554/elife.55167.sa2"
REVIEW_FILE = "peer-review-author-response-relation-is-review-of-10.7554_elife.55167.sa2.json"
ELIFE_FILE = "journal-article-jats-abstract-funder-license-affiliation-relation-10.7554_elife.01567.json"
PONE_FILE = "journal-article-70-refs-doi-less-refs-sici-dois-updated-by-correction-10.1371_journal.pone.0033693.json"
TITLE = (
    "Author response: SpikeForest, reproducible web-facing ground-truth validation of automated neural spike sorters"
)


def recorded_message() -> dict:
    return json.loads((FIXTURES / "crossref" / REVIEW_FILE).read_text())["message"]


def record(**changes) -> normalize.PeerReviewRecord:
    """The recorded record, mapped; `changes` make a CONSTRUCTED variant (another type, DOI …)."""
    message = copy.deepcopy(recorded_message())
    review_changes = {k: changes.pop(k) for k in ("type", "stage") if k in changes}
    message["review"] = {**message["review"], **review_changes}
    message.update(changes)
    return normalize.crossref_peer_review(message)


@pytest.fixture
def paper():
    # Its Crossref record names the registered review (has-review, asserted by the review): Crossref is asked.
    return PaperFactory(doi=REVIEWED, container_title="eLife", title="SpikeForest", review_dois=[REVIEW_DOI])


def fetch(paper):
    return services.reviews_fetch_from_crossref(paper=paper)


def row(paper) -> Enrichment:
    return Enrichment.objects.get(paper=paper, kind=services.CROSSREF_KIND)


def crossref_rows(paper):
    return list(
        Review.objects.filter(paper=paper, origin=Origin.CROSSREF)
        .order_by("position")
        .values("id", "external_id", "kind", "stage", "reviewer_name", "body", "updated_at")
    )


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def test_the_registered_author_response_shows_on_the_reviewed_paper_page(client, fake_upstream, paper):
    sync = fetch(paper)

    assert (sync.created, sync.updated, sync.removed) == (1, 0, 0)
    review = Review.objects.get(paper=paper)
    assert (review.origin, review.platform, review.kind, review.stage) == (
        Origin.CROSSREF,
        Platform.JOURNAL,
        ReviewKind.AUTHOR_RESPONSE,
        "pre-publication",
    )
    assert review.status == ModerationStatus.APPROVED and review.author is None
    assert review.external_id == f"doi:{REVIEW_DOI}" and review.doi == REVIEW_DOI
    assert review.source_url == f"https://doi.org/{REVIEW_DOI}"
    assert (review.venue, review.year, review.published_on) == (
        "eLife Sciences Publications, Ltd",
        2020,
        dt.date(2020, 4, 29),
    )
    assert review.license == License.CC_BY and review.title == TITLE
    assert review.body.startswith("Author response registered with Crossref by eLife Sciences Publications, Ltd")
    assert "(pre-publication, 29 April 2020)" in review.body
    state = row(paper)
    assert (state.state, state.source, state.detail, state.upstream_status) == (
        "done",
        "Crossref",
        "1 registered with Crossref",
        200,
    )
    [call] = fake_upstream.calls("crossref-reviews")
    assert call.path == "works"
    assert call.query["filter"] == [f"type:peer-review,relation.type:is-review-of,relation.object:{REVIEWED}"]
    assert call.query["rows"] == ["1000"]

    page = soup(client.get(paper.get_absolute_url()))
    assert page.select_one("#crossref-reviews-state") is None, "a check that went well is not announced"
    card = page.select_one(f"#reviews li#review-{review.id}")
    header = " ".join(card.select_one("header").get_text(" ").split())
    assert header.startswith(
        "Author response · Pre-publication · registered with Crossref by eLife Sciences Publications, Ltd"
    )
    assert "Jeremy Magland, James J Jun, Elizabeth Lovero" in header
    assert card.select_one("header time")["datetime"] == "2020-04-29" and "29 April 2020" in header
    assert card.select_one("h3.review-title").get_text() == TITLE
    link = card.select_one("footer").find("a", href=f"https://doi.org/{REVIEW_DOI}")
    assert link.get_text() == "Read it at the journal"
    assert card.select_one("footer .doi").get_text() == REVIEW_DOI
    assert card.select_one("footer a[rel=license]").get_text() == "CC BY 4.0"


def test_asking_again_writes_nothing_and_the_same_records_leave_the_cached_page_valid(fake_upstream, paper):
    fetch(paper)
    before = crossref_rows(paper)

    assert not fetch(paper).changed
    assert crossref_rows(paper) == before  # same id, same content, not even updated_at moved
    # The sync itself touches nothing when nothing changed (recording the check's outcome does, as for every
    # enrichment: the row's "checked at" is part of the paper's record).
    touched = Paper.objects.get(id=paper.id).updated_at
    assert not services.reviews_sync_from_crossref(paper=paper, records=[record()]).changed
    assert Paper.objects.get(id=paper.id).updated_at == touched


def test_a_review_no_longer_registered_is_removed_and_other_reviews_stay(fake_upstream, paper):
    fetch(paper)
    journal_reviews_found.send(sender="fulltext", paper=paper, reviews=[journal_review(doi="10.7554/eLife.55167.sa1")])

    services.reviews_sync_from_crossref(paper=paper, records=[])

    assert crossref_rows(paper) == []
    assert list(Review.objects.filter(paper=paper).values_list("origin", flat=True)) == [Origin.JOURNAL]


def test_an_incomplete_list_removes_nothing(fake_upstream, paper):
    fetch(paper)
    services.reviews_sync_from_crossref(paper=paper, records=[], complete=False)
    assert len(crossref_rows(paper)) == 1, "the missing review may be on the next page"


def test_an_answer_of_more_pages_than_one_says_so_and_removes_nothing(fake_upstream, paper):
    # CONSTRUCTED: a referee report stored before, then a list envelope around the recorded record claiming 1,500
    # results (a page of 1 where Crossref would have more).
    services.reviews_sync_from_crossref(paper=paper, records=[record(type="referee-report", DOI="10.7554/x.1")])
    envelope = {
        "status": "ok",
        "message-type": "work-list",
        "message-version": "1.0.0",
        "message": {"facets": {}, "total-results": 1500, "items": [recorded_message()], "items-per-page": 1000},
    }
    answer = Fail(200, body=json.dumps(envelope).encode(), content_type="application/json")
    fake_upstream.script("crossref-reviews", answer)

    fetch(paper)

    assert row(paper).detail == "1 registered with Crossref (from the first 1 of 1500 results)"
    assert len(crossref_rows(paper)) == 2, "the review not on this page stays"


def test_an_author_response_is_on_the_page_but_not_counted_a_referee_report_is(client, paper):
    # CONSTRUCTED: the recorded record as a referee report under another DOI, beside the recorded author response.
    report = record(type="referee-report", DOI="10.7554/elife.55167.sa1", title=["Reviewer #1"])
    services.reviews_sync_from_crossref(paper=paper, records=[record()])
    assert client.get(f"/api/v1/papers/{REVIEWED}/").json()["counts"]["reviews"] == 0

    services.reviews_sync_from_crossref(paper=paper, records=[record(), report])

    assert client.get(f"/api/v1/papers/{REVIEWED}/").json()["counts"]["reviews"] == 1
    kinds = [r["kind"] for r in crossref_rows(paper)]
    assert sorted(kinds) == [ReviewKind.AUTHOR_RESPONSE, ReviewKind.REFEREE_REPORT]
    page = soup(client.get(paper.get_absolute_url()))
    assert len(page.select("#reviews li.review")) == 2
    assert page.select_one("#reviews-heading .count").get_text() == "(2)"


@pytest.mark.parametrize(
    ("review_type", "kind"),
    [
        ("referee-report", ReviewKind.REFEREE_REPORT),
        ("editor-report", ReviewKind.EDITOR_REPORT),
        ("author-comment", ReviewKind.AUTHOR_RESPONSE),
        ("community-comment", ReviewKind.COMMENT),
        ("aggregate", ReviewKind.OTHER),
        ("", ReviewKind.OTHER),
    ],
)
def test_crossref_review_types_become_our_kinds(review_type, kind):
    assert services.review_kind_from_crossref(review_type) == kind


def test_a_post_publication_review_without_a_day_shows_its_year(client, paper):
    # CONSTRUCTED: the recorded record as a post-publication referee report dated by year only, without authors.
    report = record(type="referee-report", stage="post-publication", author=[], issued={"date-parts": [[2021]]})
    services.reviews_sync_from_crossref(paper=paper, records=[report])

    review = Review.objects.get(paper=paper)
    assert (review.stage, review.published_on, review.year) == ("post-publication", None, 2021)
    assert (review.reviewer_name, review.is_anonymous) == ("Reviewers", True)
    header = " ".join(soup(client.get(paper.get_absolute_url())).select_one("#reviews header").get_text(" ").split())
    assert "Referee report · Post-publication" in header and header.endswith("· 2021")


def test_the_api_lists_them_with_kind_and_stage_and_the_record_says_where(client, fake_upstream, paper):
    fetch(paper)

    [listed] = client.get(f"/api/v1/papers/{REVIEWED}/reviews/").json()["results"]
    assert (listed["origin"], listed["kind"], listed["stage"]) == ("crossref", "author-response", "pre-publication")
    assert listed["source_url"] == f"https://doi.org/{REVIEW_DOI}" and listed["title"] == TITLE
    record_ = client.get(f"/api/v1/papers/{REVIEWED}/").json()
    assert record_["crossref_reviews"]["state"] == "done"
    assert record_["crossref_reviews"]["url"].endswith(f"/api/v1/papers/{REVIEWED}/reviews/")


# ---------------------------------------------------------------- the same review from the journal's full text


def journal_review(**changes) -> JournalReviewRecord:
    """The author response as eLife's JATS would give it: a sub-article with the same DOI (its text CONSTRUCTED:
    no eLife JATS of 10.7554/eLife.55167 was recorded)."""
    values = {
        "kind": "author-comment",
        "title": "Author response",
        "html": "<p>We thank the reviewers.</p>",
        "text": "We thank the reviewers.",
        "authors": ["Jeremy Magland"],
        "date": dt.date(2020, 4, 29),
        "license_url": "http://creativecommons.org/licenses/by/4.0/",
        "doi": "10.7554/eLife.55167.sa2",
        "journal": "eLife",
        "source_url": "https://doi.org/10.7554/eLife.55167.sa2",
    }
    return JournalReviewRecord(**{**values, **changes})


def test_a_review_the_journal_published_with_the_paper_is_shown_once_as_the_journals(fake_upstream, paper):
    journal_reviews_found.send(sender="fulltext", paper=paper, reviews=[journal_review()])

    sync = fetch(paper)

    assert (sync.created, sync.shown_from_journal) == (0, 1)
    [kept] = Review.objects.filter(paper=paper)
    assert kept.origin == Origin.JOURNAL and kept.body == "We thank the reviewers.", "the one with the text"
    assert kept.stage == "pre-publication", "Crossref lends it the stage JATS does not say"
    assert row(paper).detail == "1 registered with Crossref, 1 of them shown from the journal's full text"
    assert not fetch(paper).changed


def test_a_sub_article_arriving_after_the_crossref_record_replaces_it(fake_upstream, paper):
    fetch(paper)
    assert crossref_rows(paper)

    journal_reviews_found.send(sender="fulltext", paper=paper, reviews=[journal_review()])

    assert list(Review.objects.filter(paper=paper).values_list("origin", flat=True)) == [Origin.JOURNAL]


def test_a_sub_article_leaving_the_full_text_has_crossref_asked_again(fake_upstream, paper):
    journal_reviews_found.send(sender="fulltext", paper=paper, reviews=[journal_review()])
    fetch(paper)
    assert row(paper).state == "done"

    journal_reviews_found.send(sender="fulltext", paper=paper, reviews=[])

    assert row(paper).state == "queued", "its Crossref record is shown again after this check, not in 90 days"
    fetch(paper)
    assert [r["external_id"] for r in crossref_rows(paper)] == [f"doi:{REVIEW_DOI}"]


# ---------------------------------------------------------------- what goes wrong


@pytest.mark.parametrize(
    ("behaviour", "reason"),
    [
        (Fail(404), "Crossref: no such record (HTTP 404)"),
        (Garbage(), "Crossref: the response is not valid JSON"),
        # A recorded single-work answer where a list was asked for (CONSTRUCTED as a reply to this query).
        (
            Fail(200, body=(FIXTURES / "crossref" / REVIEW_FILE).read_bytes(), content_type="application/json"),
            "Crossref's answer is not a list of works",
        ),
    ],
    ids=["404", "garbage", "not-a-list"],
)
def test_an_unusable_answer_fails_with_its_reason_and_keeps_the_reviews_shown(
    client, fake_upstream, paper, behaviour, reason
):
    fetch(paper)
    before = crossref_rows(paper)
    fake_upstream.script("crossref-reviews", behaviour)

    assert fetch(paper) is None

    state = row(paper)
    assert state.state == "failed" and state.detail.startswith(reason), state.detail
    assert "the reviews already shown are kept" in state.detail
    assert state.next_check_at is not None, "beat asks again"
    assert crossref_rows(paper) == before
    page = soup(client.get(paper.get_absolute_url()))
    assert page.select_one("#crossref-reviews-state").get_text() == f"Reviews registered with Crossref: {state.detail}"
    assert len(page.select("#reviews li.review")) == 1


@pytest.mark.parametrize("status", [429, 503])
def test_an_unavailable_crossref_is_left_to_the_task_to_retry_and_nothing_is_lost(fake_upstream, paper, status):
    fetch(paper)
    before = crossref_rows(paper)
    fake_upstream.script("crossref-reviews", Fail(status, retry_after=1))

    with pytest.raises(UpstreamUnavailable):
        fetch(paper)

    assert crossref_rows(paper) == before
    assert row(paper).state == "done", "the row stays as it was; the task notes the retry"


def test_a_datacite_paper_is_not_asked_and_says_why(fake_upstream):
    paper = PaperFactory(metadata_source="datacite", pmcid="")
    enrichments.enrichments_queue(paper=paper)
    state = row(paper)
    assert state.state == "none" and "only of works with a Crossref DOI" in state.detail
    assert fake_upstream.calls("crossref-reviews") == []


def test_a_paper_whose_record_names_no_review_costs_crossref_no_search(fake_upstream):
    paper = PaperFactory(doi=REVIEWED, review_dois=[])
    enrichments.enrichments_queue(paper=paper)
    state = row(paper)
    assert state.state == "none" and "names no registered review" in state.detail
    assert fake_upstream.calls("crossref-reviews") == []


def test_a_review_newly_named_by_the_record_queues_the_search_again():
    paper = PaperFactory(doi=REVIEWED, review_dois=[])
    enrichments.enrichments_queue(paper=paper)
    paper.review_dois = [REVIEW_DOI]
    paper.save()
    assert services.CROSSREF_KIND in enrichments.enrichments_queue(paper=paper)
    assert row(paper).state == "queued" and row(paper).input_key.startswith("1 reviews:")


def test_the_records_has_review_dois_are_read_from_crossref():
    elife = json.loads((FIXTURES / "crossref" / ELIFE_FILE).read_text())
    assert normalize.crossref_work(elife).review_dois == ["10.7554/elife.01567.016", "10.7554/elife.01567.017"]
    pone = json.loads((FIXTURES / "crossref" / PONE_FILE).read_text())
    assert normalize.crossref_work(pone).review_dois == []


def test_a_doi_with_a_comma_is_not_asked_and_says_why(fake_upstream):
    paper = PaperFactory(doi="10.1002/(sici)1097-4636(199703)34:3<329::aid-jbm8>3.0.co;2-j,x")
    fetch(paper)
    state = row(paper)
    assert state.state == "none" and "holds a comma" in state.detail
    assert fake_upstream.calls("crossref-reviews") == []


def test_a_crossref_review_cannot_be_edited_or_deleted_here(client, fake_upstream, paper):
    fetch(paper)
    review = Review.objects.get(paper=paper)
    staff = UserFactory(is_staff=True)
    with pytest.raises(PermissionDenied, match="registered this review with Crossref"):
        services.review_delete(review=review, user=staff)
    client.force_login(staff)
    assert client.get(f"/reviews/{review.id}/edit").status_code == 403
    assert client.post(f"/reviews/{review.id}/delete").status_code == 403
    detail = soup(client.get(review.get_absolute_url()))
    assert detail.h1.get_text(" ", strip=True).startswith(TITLE)
    assert "registered with Crossref by" in detail.h1.get_text()


def test_the_database_refuses_a_crossref_review_not_keyed_by_its_doi(paper):
    fields = {
        "paper": paper,
        "origin": Origin.CROSSREF,
        "platform": Platform.JOURNAL,
        "source_url": "https://doi.org/10.5555/x",
        "venue": "eLife",
        "year": 2020,
        "reviewer_name": "Reviewers",
        "body": "A review.",
        "body_html": "<p>A review.</p>",
    }
    for wrong in ({"external_id": "note-1"}, {"external_id": "doi:10.5555/x", "platform": Platform.OTHER}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Review.objects.create(**{**fields, **wrong})
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.create(**{**fields, "external_id": "doi:10.5555/x", "stage": "mid-publication"})
