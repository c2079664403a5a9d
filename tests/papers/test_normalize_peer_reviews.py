"""normalize.crossref_peer_reviews / crossref_peer_review: Crossref's peer-review works, pure (no database).

The one record is recorded (papers/fixtures/upstream/crossref/peer-review-…-10.7554_elife.55167.sa2.json, see
PROVENANCE.md). No answer of the list route to our filter was recorded: every work-list below is CONSTRUCTED
around recorded `message`s, with the keys of the recorded list answer, as the fake upstream builds it.
"""

import copy
import datetime as dt
import json

import pytest

from papers import normalize
from papers.demo import FIXTURES

REVIEW_FILE = "peer-review-author-response-relation-is-review-of-10.7554_elife.55167.sa2.json"
ARTICLE_FILE = "journal-article-jats-abstract-funder-license-affiliation-relation-10.7554_elife.01567.json"
REVIEWED = "10.7554/elife.55167"


def recorded(name: str) -> dict:
    return json.loads((FIXTURES / "crossref" / name).read_text())["message"]


def work_list(items: list, total: int | None = None) -> dict:
    """CONSTRUCTED: a work-list envelope (keys of the recorded `GET /works?rows=2` answer) around `items`."""
    return {
        "status": "ok",
        "message-type": "work-list",
        "message-version": "1.0.0",
        "message": {
            "facets": {},
            "total-results": len(items) if total is None else total,
            "items": items,
            "items-per-page": 1000,
            "query": {"start-index": 0, "search-terms": None},
        },
    }


def test_the_recorded_author_response_maps_its_type_stage_contributors_date_and_reviewed_doi():
    record = normalize.crossref_peer_review(recorded(REVIEW_FILE))

    assert record.doi == "10.7554/elife.55167.sa2"
    assert record.reviewed_dois == [REVIEWED]  # recorded as 10.7554/eLife.55167: DOIs compare without case
    assert (record.review_type, record.stage) == ("author-comment", "pre-publication")
    assert record.title == (
        "Author response: SpikeForest, reproducible web-facing ground-truth validation of automated neural spike "
        "sorters"
    )
    assert [f"{a.given_name} {a.family_name}" for a in record.contributors] == [
        "Jeremy Magland",
        "James J Jun",
        "Elizabeth Lovero",
        "Alexander J Morley",
        "Cole Lincoln Hurwitz",
        "Alessio Paolo Buccino",
        "Samuel Garcia",
        "Alex H Barnett",
    ]
    assert record.contributors[0].orcid == "0000-0002-5286-4375"
    assert (record.date, record.date_precision) == (dt.date(2020, 4, 29), "day")
    assert record.publisher == "eLife Sciences Publications, Ltd" and record.container_title == ""
    assert record.license_url == "http://creativecommons.org/licenses/by/4.0/"


def test_a_work_list_keeps_only_the_peer_reviews_of_the_doi_asked_for_once_each():
    review, article = recorded(REVIEW_FILE), recorded(ARTICLE_FILE)
    answer = work_list([article, review, copy.deepcopy(review), "not a work"])

    found = normalize.crossref_peer_reviews(answer, reviewed_doi="10.7554/eLife.55167")

    assert [r.doi for r in found.records] == ["10.7554/elife.55167.sa2"], "the article is no review; one per DOI"
    assert found.complete
    # The same list asked for another paper: the record names 10.7554/eLife.55167 only.
    assert normalize.crossref_peer_reviews(answer, reviewed_doi="10.7554/elife.01567").records == []
    assert normalize.crossref_peer_reviews(work_list([]), reviewed_doi=REVIEWED).records == []


def test_a_review_of_another_work_or_without_a_doi_is_left_out():
    # Built from the recorded record: the relation, then the DOI, changed (CONSTRUCTED variants).
    elsewhere = copy.deepcopy(recorded(REVIEW_FILE))
    elsewhere["relation"] = {"is-review-of": [{"id-type": "doi", "id": "10.5555/other", "asserted-by": "subject"}]}
    no_doi = copy.deepcopy(recorded(REVIEW_FILE))
    no_doi["DOI"] = "not a DOI"

    found = normalize.crossref_peer_reviews(work_list([elsewhere, no_doi]), reviewed_doi=REVIEWED)

    assert found.records == []


def test_more_results_than_the_page_holds_mark_the_list_incomplete():
    found = normalize.crossref_peer_reviews(work_list([recorded(REVIEW_FILE)], total=1500), reviewed_doi=REVIEWED)
    assert len(found.records) == 1 and found.total == 1500 and not found.complete


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ({"status": "ok", "message-type": "work", "message": {}}, "not a list of works"),
        ([], "not a list of works"),
        ("Resource not found.", "not a list of works"),
        ({"status": "ok", "message-type": "work-list", "message": {"items": "none"}}, "has no items"),
        ({"status": "ok", "message-type": "work-list"}, "has no items"),
    ],
    ids=["a-single-work", "a-json-array", "a-string", "items-not-a-list", "no-message"],
)
def test_an_answer_that_is_not_a_work_list_is_refused_with_the_reason(payload, reason):
    with pytest.raises(normalize.UnusableRecord, match=reason):
        normalize.crossref_peer_reviews(payload, reviewed_doi=REVIEWED)


def test_a_work_of_another_type_is_no_peer_review():
    assert normalize.crossref_peer_review(recorded(ARTICLE_FILE)) is None
