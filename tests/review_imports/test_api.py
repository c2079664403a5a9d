"""/api/v1/papers/{doi}/review-imports/: asking for a forum, following its import; imported reviews in the record.

Forums are stored through the services without network or worker (factories.forum_stored); a POST is followed as
far as its import row, "queued".
"""

import io

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from review_imports.models import ForumImport
from tests.api import assert_error, token_client
from tests.papers.factories import PaperFactory
from tests.review_imports.factories import FORUM_ID, FORUM_URL, REVIEWS, forum_stored, matching_paper
from tests.reviews.factories import UserFactory

pytestmark = pytest.mark.django_db

PAPER = "/api/v1/papers/10.5555/iclr2018.clustering/"
IMPORTS = f"{PAPER}review-imports/"


@pytest.fixture
def paper():
    return matching_paper()


@pytest.fixture
def staff():
    return UserFactory(is_staff=True)


def session_client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


# ---------------------------------------------------------------- asking for a forum


def test_posting_a_forum_link_answers_202_with_the_imports_address(paper):
    member = UserFactory()
    response = token_client(member).post(IMPORTS, {"url": FORUM_URL}, format="json")
    assert response.status_code == 202, response.content
    forum_import = ForumImport.objects.get()
    assert response["Location"] == f"http://testserver{IMPORTS}{forum_import.id}/" == response.json()["url"]
    assert (forum_import.state, forum_import.requested_by) == ("queued", member)

    followed = APIClient().get(response["Location"])
    assert followed.status_code == 200
    body = followed.json()
    assert (body["id"], body["paper"], body["forum_id"]) == (forum_import.id, paper.doi, FORUM_ID)
    assert (body["state"], body["forum_url"], body["match"], body["status"]) == ("queued", FORUM_URL, "", "pending")
    assert body["published"] is False and body["reviews"] == []


def test_posting_the_same_forum_again_answers_the_same_import(paper):
    client = session_client(UserFactory())
    first = client.post(IMPORTS, {"url": FORUM_URL}, format="json")
    again = client.post(IMPORTS, {"url": FORUM_ID}, format="json")  # the bare id names the same forum
    assert first.status_code == again.status_code == 202
    assert again.json()["id"] == first.json()["id"] and again["Location"] == first["Location"]
    assert ForumImport.objects.count() == 1


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://openreview.net.evil.com/forum?id=B1CEaMbR-", "Only links to openreview.net are accepted"),
        ("javascript:alert(1)", "Only https:// (or http://) links to openreview.net are accepted."),
        ("https://openreview.net:443/forum?id=B1CEaMbR-", "Links with a port number are not accepted"),
        ("https://a:b@openreview.net/forum?id=B1CEaMbR-", "Links with a user name or password are not accepted."),
        ("https://openreview.net/forum?id=no", "The link has no valid forum id"),
        ("https://openreview.net/group?id=ICLR.cc/2018/Conference", "Use the forum link"),
    ],
)
def test_an_invalid_link_is_400_with_its_reason_under_url(paper, url, message):
    response = token_client(UserFactory()).post(IMPORTS, {"url": url}, format="json")
    error = assert_error(response, 400, "invalid")
    assert list(error["fields"]) == ["url"] and message in error["fields"]["url"][0]
    assert ForumImport.objects.count() == 0


def test_a_missing_or_oversized_url_is_400_naming_it(paper):
    client = token_client(UserFactory())
    for body in ({}, {"url": ""}, {"url": f"{FORUM_URL}&x={'a' * 2000}"}):
        error = assert_error(client.post(IMPORTS, body, format="json"), 400, "invalid")
        assert list(error["fields"]) == ["url"], body
    assert ForumImport.objects.count() == 0


def test_anonymous_posts_are_refused(paper):
    response = APIClient().post(IMPORTS, {"url": FORUM_URL}, format="json")
    assert_error(response, 401, "not_authenticated")
    assert ForumImport.objects.count() == 0


def test_an_unknown_doi_is_404():
    client = token_client(UserFactory())
    assert_error(client.post("/api/v1/papers/10.5555/unknown/review-imports/", {"url": FORUM_URL}), 404, "not_found")
    assert_error(client.get("/api/v1/papers/10.5555/unknown/review-imports/1/"), 404, "not_found")


def test_a_paper_without_metadata_is_404_saying_why():
    PaperFactory(doi="10.5555/not.arrived", title="", fetch_state="pending")
    response = token_client(UserFactory()).post(
        "/api/v1/papers/10.5555/not.arrived/review-imports/", {"url": FORUM_URL}, format="json"
    )
    assert "has not arrived" in assert_error(response, 404, "not_found")["message"]


def test_another_papers_import_is_404_under_this_paper(paper, staff):
    other = PaperFactory(doi="10.5555/other.paper", title=paper.title)
    forum_import = forum_stored(paper=other, user=staff)
    assert APIClient().get(f"/api/v1/papers/10.5555/other.paper/review-imports/{forum_import.id}/").status_code == 200
    error = assert_error(APIClient().get(f"{IMPORTS}{forum_import.id}/"), 404, "not_found")
    assert error["message"] == f"No OpenReview import {forum_import.id} on 10.5555/iclr2018.clustering."


# ---------------------------------------------------------------- what a published import brought in


def test_a_published_import_lists_its_reviews_with_their_scores(paper, staff):
    forum_import = forum_stored(paper=paper, user=staff)
    body = APIClient().get(f"{IMPORTS}{forum_import.id}/").json()
    assert (body["state"], body["status"], body["match"], body["venue"]) == ("done", "approved", "matched", "ICLR 2018")
    by_signature = {review["signature"]: review for review in body["reviews"]}
    assert set(by_signature) == {"AnonReviewer1", "AnonReviewer2", "AnonReviewer3", "Anonymous", "Authors"}
    first = by_signature["AnonReviewer1"]
    assert first["kind"] == "official-review"
    assert first["source_url"] == f"https://openreview.net/forum?id={FORUM_ID}&noteId={REVIEWS['AnonReviewer1']}"
    assert first["scores"] == [
        {"field": "rating", "name": "Rating", "value": 3.0, "label": "Clear rejection"},
        {
            "field": "confidence",
            "name": "Confidence",
            "value": 4.0,
            "label": "The reviewer is confident but not absolutely certain that the evaluation is correct",
        },
    ]
    assert by_signature["Authors"]["kind"] == "author-response" and by_signature["Authors"]["scores"] == []
    assert by_signature["Authors"]["reply_to"] == by_signature["Anonymous"]["note_id"]


def test_the_paper_record_has_its_published_forums(paper, staff):
    forum_stored(paper=paper, user=staff)
    [forum] = APIClient().get(PAPER).json()["openreview"]
    assert (forum["forum_id"], forum["forum_url"], forum["venue"], forum["decision"]) == (
        FORUM_ID,
        FORUM_URL,
        "ICLR 2018",
        "",  # ICLR 2018's decisions came after this recording
    )
    reviews = [review for review in forum["reviews"] if review["kind"] == "official-review"]
    assert sorted(review["signature"] for review in reviews) == ["AnonReviewer1", "AnonReviewer2", "AnonReviewer3"]
    assert sorted(review["scores"][0]["value"] for review in reviews) == [2.0, 3.0, 3.0]
    assert forum["import_url"].endswith(f"{IMPORTS}{ForumImport.objects.get().id}/")


def test_the_papers_reviews_include_the_imported_ones(paper, staff):
    forum_stored(paper=paper, user=staff)
    results = APIClient().get(f"{PAPER}reviews/").json()["results"]
    assert len(results) == 5 and {review["origin"] for review in results} == {"openreview"}
    [first] = [review for review in results if review["reviewer_name"] == "AnonReviewer1"]
    assert first["kind"] == "official-review"
    assert [(score["field"], score["value"]) for score in first["scores"]] == [("rating", 3), ("confidence", 4)]


def test_an_unpublished_import_is_absent_from_the_record_and_its_reviews_from_others(paper, staff):
    member = UserFactory()
    forum_import = forum_stored(paper=paper, user=member)  # an untrusted member's: waits for moderation
    assert forum_import.status == "pending"
    for client in (APIClient(), token_client(UserFactory()), token_client(member)):
        assert client.get(PAPER).json()["openreview"] == []
        assert client.get(f"{PAPER}reviews/").json()["results"] == []
    for client in (APIClient(), token_client(UserFactory())):
        assert client.get(f"{IMPORTS}{forum_import.id}/").json()["reviews"] == []
    # Who asked for it, and staff who moderate it, see what it brought in.
    for client in (token_client(member), token_client(staff)):
        assert len(client.get(f"{IMPORTS}{forum_import.id}/").json()["reviews"]) == 5


def test_a_mismatchs_report_is_for_who_asked_and_staff(staff):
    paper = PaperFactory(doi="10.5555/another.paper", title="Protein folding with evolutionary couplings")
    member = UserFactory()
    forum_import = forum_stored(paper=paper, user=member)
    url = f"/api/v1/papers/10.5555/another.paper/review-imports/{forum_import.id}/"
    for client in (token_client(member), token_client(staff)):
        body = client.get(url).json()
        assert body["match"] == "mismatch" and "The titles differ" in body["match_report"]
    for client in (APIClient(), token_client(UserFactory())):
        body = client.get(url).json()
        assert (body["match"], body["match_report"]) == ("mismatch", "")


# ---------------------------------------------------------------- the schema


def test_the_schema_documents_the_imports_and_the_records_openreview(tmp_path):
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"), stderr=io.StringIO()
    )
    text = (tmp_path / "schema.yaml").read_text()
    assert "/api/v1/papers/{doi}/review-imports/:" in text
    assert "/api/v1/papers/{doi}/review-imports/{id}/:" in text
    assert "papers_review_imports_create" in text and "openreview:" in text
