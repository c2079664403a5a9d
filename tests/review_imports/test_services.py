"""Storing OpenReview forums as reviews: the mapping of every recorded forum, idempotency, edits, deletions,
moderation and the check that a forum is the paper's. No network: the recorded listings are stored directly.

Recordings (papers/fixtures/upstream/PROVENANCE.md): the ICLR 2018 v1 forum is a verbatim API body; the ICLR 2019
and 2020 v1 forums are real bodies whose free text was scrubbed upstream (ids, invitations, dates and decision
values are real); the ICLR 2026 v2 notes are a tracker's record of the forum's direct replies. Where a test
changes a note (an edit, a deletion, hostile text) or builds a forum, it says CONSTRUCTED.
"""

import copy
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from review_imports import services
from review_imports.models import ForumImport, ForumNote
from reviews.models import Origin, Review, ReviewRevision
from tests.papers.factories import PaperFactory
from tests.review_imports.recordings import (
    ICLR2018,
    ICLR2019,
    ICLR2020,
    ICLR2026,
    ICLR2026_RECORD,
    TITLE_2018,
    long_forum,
    submission_2026,
)
from tests.reviews.factories import TrustedReviewerFactory, UserFactory
from tests.reviews.test_rendering import assert_inert
from tests.reviews.xss_vectors import XSS_VECTORS

pytestmark = pytest.mark.django_db


def ask(paper, forum_id, user=None):
    return services.forum_import_request(paper=paper, link=forum_id, user=user, queue=False).forum_import


def store(forum_import, notes, version=1):
    result = services.forum_import_store(import_id=forum_import.id, raw_notes=notes, api_version=version)
    forum_import.refresh_from_db()
    return result


def reviews_of(forum_import):
    return {
        fn.note_id: fn.review
        for fn in ForumNote.objects.filter(forum_import=forum_import).select_related("review").order_by("id")
    }


@pytest.fixture
def paper_2018():
    return PaperFactory(doi="10.48550/arxiv.1801.07648", title=TITLE_2018, arxiv_id="1801.07648")


# -- the mapping, for every recorded forum


def test_iclr_2018_v1_forum_becomes_three_reviews_a_comment_and_the_authors_reply(paper_2018):
    forum_import = ask(paper_2018, "https://openreview.net/forum?id=B1CEaMbR-")
    result = store(forum_import, ICLR2018)
    assert (result.created, result.updated, result.gone) == (5, 0, 0)
    assert (forum_import.state, forum_import.status, forum_import.match) == ("done", "approved", "matched")
    assert (forum_import.venue, forum_import.api_version, forum_import.notes_listed) == ("ICLR 2018", 1, 6)
    rows = reviews_of(forum_import)
    review = rows["SJmstHilM"]
    assert (review.origin, review.platform, review.kind) == (Origin.OPENREVIEW, "openreview", "official-review")
    assert (review.reviewer_name, review.is_anonymous, review.venue, review.year) == (
        "AnonReviewer1",
        True,
        "ICLR 2018",
        2018,
    )
    assert review.source_url == "https://openreview.net/forum?id=B1CEaMbR-&noteId=SJmstHilM"
    assert review.title == "A short survey and go at clustering with Deep Learning"
    assert review.scores[0] == {"field": "rating", "name": "Rating", "value": 3, "label": "Clear rejection"}
    assert review.scores[1]["field"] == "confidence" and review.scores[1]["value"] == 4
    assert (review.rating, review.license, review.status) == ("3: Clear rejection", "CC-BY-4.0", "approved")
    assert review.body.startswith("## Review\n\n") and "<h4>Review</h4>" in review.body_html
    comment, reply = rows["By48ioEJM"], rows["HyrraPEeG"]
    assert (comment.kind, comment.reviewer_name) == ("comment", "Anonymous")
    assert (reply.kind, reply.reviewer_name) == ("author-response", "Authors")
    assert ForumNote.objects.get(note_id="HyrraPEeG").reply_to == "By48ioEJM"
    # Each stored review begins its edit history; the submission itself is not a review.
    assert ReviewRevision.objects.filter(review__in=rows.values()).count() == 5
    assert "B1CEaMbR-" not in rows


def test_iclr_2019_meta_review_gives_the_forum_its_recommendation():
    paper = PaperFactory(title="Synthetic title text 8.")
    forum_import = ask(paper, "HJepJh0qKX")
    store(forum_import, ICLR2019)
    rows = reviews_of(forum_import)
    meta = rows["BJxW71mgxE"]
    assert (meta.kind, meta.reviewer_name, meta.rating) == ("meta-review", "Area_Chair1", "Reject")
    assert {"field": "recommendation", "name": "Recommendation", "value": None, "label": "Reject"} in meta.scores
    assert "## Metareview" in meta.body
    assert forum_import.decision == "Reject"
    # A rating the venue wrote without a number ("Synthetic rating text 6.") is kept as a label.
    assert rows["SkeAUrZt3Q"].scores[0] == {
        "field": "rating",
        "name": "Rating",
        "value": None,
        "label": "Synthetic rating text 6.",
    }


def test_iclr_2020_decision_note_is_the_forums_decision():
    paper = PaperFactory(title="Synthetic title text 5.")
    forum_import = ask(paper, "BkgzMCVtPB")
    store(forum_import, ICLR2020)
    rows = reviews_of(forum_import)
    decision = rows["sH9vCYg_1"]
    assert (decision.kind, decision.rating, decision.reviewer_name) == ("decision", "Accept (Talk)", "Program_Chairs")
    assert decision.scores == []  # the decision is its verdict, not a score
    assert forum_import.decision == "Accept (Talk)"
    assert rows["BkeCz02Lsr"].kind == "author-response"


def test_iclr_2026_v2_reviews_keep_their_sections_in_order_and_their_scores():
    paper = PaperFactory(title=ICLR2026_RECORD["content"]["title"])
    forum_import = ask(paper, "https://openreview.net/forum?id=00F7BfXLYJ&noteId=turFNyeA8W")
    store(forum_import, [submission_2026(), *ICLR2026], version=2)
    assert (forum_import.venue, forum_import.match, forum_import.api_version) == ("ICLR 2026", "matched", 2)
    rows = reviews_of(forum_import)
    assert len(rows) == 4
    review = rows["turFNyeA8W"]
    assert review.reviewer_name == "Reviewer_2how"
    headings = [line for line in review.body.splitlines() if line.startswith("## ")]
    assert headings[:4] == ["## Summary", "## Strengths", "## Weaknesses", "## Questions"]
    assert [s["field"] for s in review.scores] == ["soundness", "presentation", "contribution", "rating", "confidence"]
    assert review.scores[0] == {"field": "soundness", "name": "Soundness", "value": 3, "label": ""}
    assert (review.rating, review.confidence, review.license) == ("4", "3", "CC-BY-4.0")
    assert review.published_on == dt.date(2025, 10, 15)
    fn = ForumNote.objects.get(note_id="turFNyeA8W")
    assert fn.content == ICLR2026[0]["content"]  # the raw note, for re-rendering
    assert fn.modified == dt.datetime.fromtimestamp(ICLR2026[0]["mdate"] / 1000, tz=dt.UTC)
    # The review that raised an ethics concern keeps that field as its own section.
    assert any("## Details of ethics concerns" in r.body for r in rows.values())


# -- idempotent, edits, deletions


def test_storing_the_same_listing_again_changes_nothing(paper_2018):
    forum_import = ask(paper_2018, "B1CEaMbR-")
    store(forum_import, ICLR2018)
    before = {r.id: r.updated_at for r in Review.objects.all()}
    result = store(forum_import, copy.deepcopy(ICLR2018))
    assert not result.changed
    assert {r.id: r.updated_at for r in Review.objects.all()} == before
    assert ReviewRevision.objects.count() == 5
    assert ForumNote.objects.count() == Review.objects.count() == 5


def test_asking_again_for_the_same_forum_is_the_same_import(paper_2018):
    user = UserFactory()
    first = services.forum_import_request(paper=paper_2018, link="B1CEaMbR-", user=user, queue=False)
    again = services.forum_import_request(
        paper=paper_2018, link="https://openreview.net/pdf?id=B1CEaMbR-", user=user, queue=False
    )
    assert (first.created, again.created, again.forum_import.id) == (True, False, first.forum_import.id)
    assert ForumImport.objects.count() == 1


def test_an_edited_note_updates_its_review_and_adds_to_its_history(paper_2018):
    forum_import = ask(paper_2018, "B1CEaMbR-")
    store(forum_import, ICLR2018)
    edited = copy.deepcopy(ICLR2018)  # CONSTRUCTED: the recorded review, edited on OpenReview
    note = next(n for n in edited if n["id"] == "SJmstHilM")
    note["content"]["rating"] = "6: Marginally above acceptance threshold"
    note["content"]["review"] += "\n\nAfter the rebuttal I raise my score."
    note["tmdate"] += 86_400_000
    review_id = reviews_of(forum_import)["SJmstHilM"].id
    result = store(forum_import, edited)
    assert (result.created, result.updated) == (0, 1)
    review = Review.objects.get(id=review_id)
    assert review.rating == "6: Marginally above acceptance threshold"
    assert "After the rebuttal" in review.body and "After the rebuttal" in review.body_html
    history = list(review.revisions.order_by("created_at", "id"))
    assert len(history) == 2
    assert history[0].rating == "3: Clear rejection" and history[1].rating.startswith("6:")
    assert ForumNote.objects.get(review=review).modified.timestamp() * 1000 == note["tmdate"]


def test_a_deleted_or_no_longer_public_note_is_hidden_and_marked_and_comes_back(paper_2018, client):
    forum_import = ask(paper_2018, "B1CEaMbR-")
    store(forum_import, ICLR2018)
    changed = copy.deepcopy(ICLR2018)  # CONSTRUCTED: one review deleted, one made private, one gone
    by_id = {n["id"]: n for n in changed}
    by_id["SJmstHilM"]["ddate"] = 1520000000000
    by_id["Hyr9bdveG"]["readers"] = ["ICLR.cc/2018/Conference/Program_Chairs"]
    changed.remove(by_id["rkDhmWNxz"])
    result = store(forum_import, changed)
    assert result.gone == 3
    gone = {fn.note_id: fn.gone for fn in ForumNote.objects.exclude(gone="")}
    assert gone == {"SJmstHilM": "deleted", "Hyr9bdveG": "not-public", "rkDhmWNxz": "missing"}
    assert set(Review.objects.filter(status="rejected").values_list("external_id", flat=True)) == set(gone)
    html = client.get(paper_2018.get_absolute_url()).content.decode()
    assert "AnonReviewer1" not in html and "3 notes no longer public on OpenReview" in html
    # OpenReview shows them again: so do we.
    result = store(forum_import, copy.deepcopy(ICLR2018))
    assert result.returned == 3
    assert not ForumNote.objects.exclude(gone="").exists()
    assert Review.objects.filter(status="approved").count() == 5


def test_a_note_not_readable_by_everyone_is_never_imported(paper_2018):
    notes = copy.deepcopy(ICLR2018)  # CONSTRUCTED: a recorded review, made readable by the reviewers only
    private = next(n for n in notes if n["id"] == "rkDhmWNxz")
    private["readers"] = ["ICLR.cc/2018/Conference/Paper1004/Reviewers"]
    forum_import = ask(paper_2018, "B1CEaMbR-")
    store(forum_import, notes)
    assert "rkDhmWNxz" not in reviews_of(forum_import)
    assert not Review.objects.filter(external_id="rkDhmWNxz").exists()
    assert forum_import.notes_not_public == 1


def test_a_note_with_an_id_openreview_would_never_send_is_skipped(paper_2018):
    notes = copy.deepcopy(ICLR2018)  # CONSTRUCTED: a recorded review under a garbage id
    next(n for n in notes if n["id"] == "rkDhmWNxz")["id"] = '"><script>' + "x" * 40
    forum_import = ask(paper_2018, "B1CEaMbR-")
    result = store(forum_import, notes)
    assert result.created == 4
    assert forum_import.state == "done"


@pytest.mark.parametrize("vector", XSS_VECTORS)
def test_hostile_markdown_and_html_in_a_note_is_inert(paper_2018, vector):
    notes = copy.deepcopy(ICLR2018)  # CONSTRUCTED: a recorded review whose text is a hostile vector
    note = next(n for n in notes if n["id"] == "SJmstHilM")
    note["content"]["review"] = f"Fine paper.\n\n{vector}\n\nThe end."
    note["content"]["title"] = vector
    forum_import = ask(paper_2018, "B1CEaMbR-")
    store(forum_import, notes)
    review = reviews_of(forum_import)["SJmstHilM"]
    assert_inert(review.body_html)  # the same Markdown and nh3 path as pasted reviews
    assert "Fine paper." in review.body_html and "The end." in review.body_html


def test_a_mapping_change_rerenders_every_note_from_the_kept_listing(paper_2018, monkeypatch):
    forum_import = ask(paper_2018, "B1CEaMbR-")
    store(forum_import, ICLR2018)
    Review.objects.update(body_html="<p>stale</p>")
    services.forum_import_rerender(forum_import=forum_import)
    assert not Review.objects.filter(body_html="<p>stale</p>").exists()
    # A plain refresh skips notes OpenReview did not change; a new mapping version renders them all again.
    Review.objects.update(body_html="<p>stale</p>")
    store(forum_import, ICLR2018)
    assert Review.objects.filter(body_html="<p>stale</p>").count() == 5
    monkeypatch.setattr(services, "MAPPING_VERSION", services.MAPPING_VERSION + 1)
    store(forum_import, ICLR2018)
    assert not Review.objects.filter(body_html="<p>stale</p>").exists()
    assert ForumImport.objects.get(id=forum_import.id).mapping_version == services.MAPPING_VERSION


# -- is the forum this paper's? and moderation


def test_a_forum_of_another_paper_waits_for_staff_with_the_difference(client):
    paper = PaperFactory(title="Protein folding with language models")
    member = TrustedReviewerFactory().user  # trusted, yet a mismatch is for staff
    forum_import = ask(paper, "B1CEaMbR-", user=member)
    store(forum_import, ICLR2018)
    assert (forum_import.status, forum_import.match) == ("pending", "mismatch")
    assert f"OpenReview's title: {TITLE_2018}" in forum_import.match_report
    assert "The paper's title: Protein folding with language models" in forum_import.match_report
    assert not Review.objects.filter(status="approved").exists()
    assert "AnonReviewer1" not in client.get(paper.get_absolute_url()).content.decode()
    with pytest.raises(PermissionDenied):
        services.forum_import_approve(forum_import=forum_import, moderator=member)
    staff = UserFactory(is_staff=True)
    services.forum_import_approve(forum_import=forum_import, moderator=staff)
    forum_import.refresh_from_db()
    assert (forum_import.status, forum_import.match) == ("approved", "confirmed")
    assert Review.objects.filter(status="approved").count() == 5
    # A later refresh keeps staff's confirmation.
    store(forum_import, ICLR2018)
    assert (forum_import.status, forum_import.match) == ("approved", "confirmed")


def test_a_listing_without_its_submission_cannot_be_checked_and_waits_for_staff():
    paper = PaperFactory(title=ICLR2026_RECORD["content"]["title"])
    forum_import = ask(paper, "00F7BfXLYJ")
    store(forum_import, ICLR2026, version=2)  # the tracker's replies only: no submission note
    assert (forum_import.status, forum_import.match) == ("pending", "mismatch")
    assert "holds no public submission note" in forum_import.match_report


def test_an_untrusted_members_matching_forum_waits_for_moderation_then_staff_publish(paper_2018):
    forum_import = ask(paper_2018, "B1CEaMbR-", user=UserFactory())
    store(forum_import, ICLR2018)
    assert (forum_import.status, forum_import.match) == ("pending", "matched")
    assert Review.objects.filter(status="pending").count() == 5
    services.forum_import_approve(forum_import=forum_import, moderator=UserFactory(is_staff=True))
    assert Review.objects.filter(status="approved", published_at__isnull=False).count() == 5


def test_a_trusted_member_publishes_at_once_and_staff_can_reject_with_a_reason(paper_2018):
    forum_import = ask(paper_2018, "B1CEaMbR-", user=TrustedReviewerFactory().user)
    store(forum_import, ICLR2018)
    assert forum_import.status == "approved"
    staff = UserFactory(is_staff=True)
    with pytest.raises(ValidationError):
        services.forum_import_reject(forum_import=forum_import, moderator=staff, reason=" ")
    services.forum_import_reject(forum_import=forum_import, moderator=staff, reason="Not this paper's forum.")
    assert set(Review.objects.values_list("status", "rejection_reason")) == {("rejected", "Not this paper's forum.")}
    # The next refresh does not publish it again.
    store(forum_import, ICLR2018)
    assert not Review.objects.filter(status="approved").exists()


def test_a_doi_or_arxiv_id_in_the_submission_settles_the_match_whatever_the_title():
    by_arxiv = PaperFactory(title="Deep clustering: a taxonomy (journal version)", arxiv_id="1801.07648")
    notes = copy.deepcopy(ICLR2018)  # CONSTRUCTED: the recorded submission, with an arXiv link in its text
    submission = next(n for n in notes if n["id"] == "B1CEaMbR-")
    submission["content"]["abstract"] += " Code: https://arxiv.org/abs/1801.07648v2"
    forum_import = ask(by_arxiv, "B1CEaMbR-")
    store(forum_import, notes)
    assert forum_import.match == "matched" and "arXiv id in the submission: 1801.07648" in forum_import.match_report
    by_doi = PaperFactory(doi="10.1234/deep.clustering", title="Another title altogether")
    submission["content"]["_bibtex"] = "@inproceedings{x,\n  title={X},\n  doi={10.1234/DEEP.CLUSTERING}\n}"
    forum_import = ask(by_doi, "B1CEaMbR-")
    store(forum_import, notes)
    assert forum_import.match == "matched"


@pytest.mark.parametrize(
    "link, message",
    [
        ("https://openreview.net.evil.com/forum?id=B1CEaMbR-", "Only links to openreview.net"),
        ("ftp://openreview.net/forum?id=B1CEaMbR-", "Only https://"),
        ("https://openreview.net:8443/forum?id=B1CEaMbR-", "port"),
        ("https://me:pw@openreview.net/forum?id=B1CEaMbR-", "user name or password"),
        ("https://openreview.net/forum?id=../../etc", "no valid forum id"),
        ("", "Paste an OpenReview forum link"),
    ],
)
def test_a_bad_link_is_refused_with_its_reason_and_stores_nothing(paper_2018, link, message):
    with pytest.raises(ValidationError) as refused:
        services.forum_import_request(paper=paper_2018, link=link, user=UserFactory(), queue=False)
    assert message in " ".join(refused.value.message_dict["url"])
    assert not ForumImport.objects.exists()


def test_a_paper_without_metadata_takes_no_import():
    pending = PaperFactory(title="", fetch_state="pending")
    with pytest.raises(ValidationError) as refused:
        services.forum_import_request(paper=pending, link="B1CEaMbR-", queue=False)
    assert "metadata has not arrived" in refused.value.message_dict["url"][0]


# -- counts, scheduling


def test_the_review_count_leaves_out_the_forums_comments_and_decision(client):
    paper = PaperFactory(title="Synthetic title text 5.")
    store(ask(paper, "BkgzMCVtPB"), ICLR2020)  # a decision and an author comment: no review
    record = client.get(f"/api/v1/papers/{paper.doi}/").json()
    assert record["counts"]["reviews"] == 0
    paper_2018 = PaperFactory(title=TITLE_2018)
    store(ask(paper_2018, "B1CEaMbR-"), ICLR2018)
    # Three official reviews; the public comment and the authors' reply are not reviews.
    assert client.get(f"/api/v1/papers/{paper_2018.doi}/").json()["counts"]["reviews"] == 3


def test_busy_forums_are_checked_often_and_quiet_ones_rarely():
    now = timezone.now()
    assert services.forum_next_check(now=now, changed_at=now - dt.timedelta(hours=5)) == now + dt.timedelta(hours=6)
    assert services.forum_next_check(now=now, changed_at=now - dt.timedelta(days=10)) == now + dt.timedelta(days=1)
    assert services.forum_next_check(now=now, changed_at=now - dt.timedelta(days=100)) == now + dt.timedelta(days=7)
    assert services.forum_next_check(now=now, changed_at=now - dt.timedelta(days=400)) == now + dt.timedelta(days=30)


def test_a_stored_forum_has_its_next_check_and_due_ones_are_queued_again(
    paper_2018, django_capture_on_commit_callbacks
):
    forum_import = ask(paper_2018, "B1CEaMbR-")
    store(forum_import, ICLR2018)
    assert forum_import.next_check_at - forum_import.fetched_at == dt.timedelta(hours=6)
    assert services.forum_imports_due() == []
    ForumImport.objects.filter(id=forum_import.id).update(next_check_at=timezone.now() - dt.timedelta(minutes=1))
    with django_capture_on_commit_callbacks() as sent:
        assert services.forum_imports_due() == [forum_import.id]
    assert len(sent) == 1
    forum_import.refresh_from_db()
    assert (forum_import.state, forum_import.next_check_at) == ("queued", None)
    # Queued already: neither beat nor a second request queues it twice.
    assert services.forum_imports_due() == []
    assert services.forum_import_queue(forum_import=forum_import) is False


def test_a_failure_is_recorded_in_words_and_retried_later_each_time_later(paper_2018):
    forum_import = ask(paper_2018, "B1CEaMbR-")
    services.forum_import_failed(import_id=forum_import.id, reason="OpenReview: rate limited (429)", status=429)
    forum_import.refresh_from_db()
    first_wait = forum_import.next_check_at - timezone.now()
    assert (forum_import.state, forum_import.error, forum_import.upstream_status) == (
        "failed",
        "OpenReview: rate limited (429)",
        429,
    )
    services.forum_import_failed(import_id=forum_import.id, reason="again", status=503)
    forum_import.refresh_from_db()
    assert forum_import.failures == 2 and forum_import.next_check_at - timezone.now() > first_wait


@pytest.mark.parametrize("count", [4, 900])
def test_storing_a_forum_takes_the_same_queries_for_4_notes_as_for_900(count, django_assert_num_queries):
    paper = PaperFactory(title=ICLR2026_RECORD["content"]["title"])
    forum_import = ask(paper, "00F7BfXLYJ")
    notes = long_forum(count)
    # Its savepoint, the import, its notes, reviews, notes and revisions inserted in bulk (a query each per 1000
    # notes), the import saved, the paper touched (and its version bumped), the savepoint released. The requester's
    # trust costs nothing here: the command line asked.
    with django_assert_num_queries(10):
        services.forum_import_store(import_id=forum_import.id, raw_notes=notes, api_version=2)
    assert Review.objects.filter(paper=paper, status="approved").count() == count
    # Again, unchanged: the reads and the import's new check time; the paper is not touched (its page stays cached).
    with django_assert_num_queries(5):
        result = services.forum_import_store(import_id=forum_import.id, raw_notes=notes, api_version=2)
    assert not result.changed
