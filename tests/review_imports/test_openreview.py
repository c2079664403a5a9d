"""Mapping OpenReview notes (API v1 and v2) on every recorded forum: papers/fixtures/upstream/openreview/.

The ICLR 2019 and 2020 forums were scrubbed and trimmed upstream (free text synthetic; ids, invitations, signatures,
dates and decision values real), so their counts are those of the trimmed listings. The ICLR 2026 notes are the
genuine v2 replies inside a tracker's record (its own top level is not an API note, so that forum has no submission
here). Notes changed by a test (readers, ddate, one field's text) are built from recorded ones and say so.
"""

import copy
import json
from collections import Counter
from datetime import UTC, datetime

import pytest

from review_imports import openreview
from review_imports.openreview import NoteKind, Score, map_forum, map_note, map_submission, parse_score, title_matches
from tests.fake_upstream.server import FIXTURES

OR = FIXTURES / "openreview"


def load(name: str) -> list[dict]:
    recording = json.loads((OR / name).read_text(encoding="utf-8"))
    if "replies" in recording:
        return recording["replies"]
    if "response" in recording:
        return recording["response"]["json"]["notes"]
    return recording["notes"]


ICLR2018 = load("v1-iclr2018-notes-forum-B1CEaMbR-submission-3-reviews-comments.json")
ICLR2019 = load("v1-iclr2019-forum-meta-review-scrubbed-trimmed-in-fixture-wrapper.json")
ICLR2020 = load("v1-iclr2020-forum-decision-scrubbed-trimmed-in-fixture-wrapper.json")
ICLR2026 = load("v2-iclr2026-direct-replies-in-tracker-wrapper-00F7BfXLYJ.json")
WORKSHOP = load("v2-iclr2025-workshop-notes-invitation-submission-33.json")

FORUMS = {
    "B1CEaMbR-": (ICLR2018, 1, "ICLR 2018", 2018, {NoteKind.REVIEW: 3, NoteKind.COMMENT: 2}),
    "HJepJh0qKX": (ICLR2019, 1, "ICLR 2019", 2019, {NoteKind.META_REVIEW: 1, NoteKind.REVIEW: 1}),
    "BkgzMCVtPB": (ICLR2020, 1, "ICLR 2020", 2020, {NoteKind.DECISION: 1, NoteKind.COMMENT: 1}),
    "00F7BfXLYJ": (ICLR2026, 2, "ICLR 2026", 2026, {NoteKind.REVIEW: 4}),
}


def by_id(forum, note_id):
    return next(note for note in forum.notes if note.note_id == note_id)


def headings(markdown: str) -> list[str]:
    return [line for line in markdown.splitlines() if line.startswith("## ")]


# -- every recorded forum


@pytest.mark.parametrize("forum_id", FORUMS)
def test_every_recorded_forum_maps_its_kinds_venue_and_version(forum_id):
    notes, version, venue, year, kinds = FORUMS[forum_id]
    forum = map_forum(notes, forum_id=forum_id)
    assert forum.api_version == version
    assert Counter(note.kind for note in forum.notes) == kinds
    assert {(note.venue, note.year, note.forum_id, note.api_version) for note in forum.notes} == {
        (venue, year, forum_id, version)
    }
    assert (forum.dropped_non_public, forum.dropped_deleted, forum.ignored) == (0, 0, 0)
    assert not forum.withdrawn and not forum.deleted
    assert all(note.license == "CC BY 4.0" for note in forum.notes)
    assert all(note.markdown and isinstance(note.created, datetime) for note in forum.notes)


def test_iclr_2018_v1_reviews_with_scores_and_labels():
    forum = map_forum(ICLR2018, forum_id="B1CEaMbR-")
    review = by_id(forum, "SJmstHilM")
    assert (review.kind, review.signature, review.signature_id) == (NoteKind.REVIEW, "AnonReviewer1", "AnonReviewer1")
    assert review.invitation == "ICLR.cc/2018/Conference/-/Paper1004/Official_Review"
    assert review.venue_id == "ICLR.cc/2018/Conference"
    assert review.title == "A short survey and go at clustering with Deep Learning"
    assert review.scores == (
        Score("rating", 3, "Clear rejection"),
        Score(
            "confidence",
            4,
            "The reviewer is confident but not absolutely certain that the evaluation is correct",
        ),
    )
    assert review.created == datetime(2017, 11, 28, 20, 39, 55, 470000, tzinfo=UTC)
    assert review.modified == datetime.fromtimestamp(1515642376449 / 1000, tz=UTC)  # v1: tmdate
    assert review.license == "CC BY 4.0"  # v1 notes carry none: OpenReview's terms
    assert headings(review.markdown) == ["## Review"]
    assert review.markdown.startswith("## Review\n\nThe paper is mostly a survey about clustering methods")
    assert review.content["rating"] == "3: Clear rejection"  # raw content kept
    assert [n.signature for n in forum.of_kind(NoteKind.REVIEW)] == ["AnonReviewer1", "AnonReviewer2", "AnonReviewer3"]
    assert by_id(forum, "rkDhmWNxz").scores[0] == Score("rating", 2, "Strong rejection")


def test_iclr_2018_comments_thread_by_replyto():
    forum = map_forum(ICLR2018, forum_id="B1CEaMbR-")
    public, answer = by_id(forum, "By48ioEJM"), by_id(forum, "HyrraPEeG")
    assert (public.kind, public.signature, public.signature_id) == (NoteKind.COMMENT, "Anonymous", "(anonymous)")
    assert public.replyto == "B1CEaMbR-"
    assert public.invitation.endswith("/-/Paper1004/Public_Comment")
    assert (answer.kind, answer.signature, answer.replyto) == (NoteKind.COMMENT, "Authors", "By48ioEJM")
    assert answer.invitation.endswith("/-/Paper1004/Official_Comment")
    assert answer.title == "Re: Request for citation"
    assert headings(answer.markdown) == ["## Comment"]
    assert answer.scores == ()


def test_a_note_with_tddate_but_no_ddate_is_still_imported():
    # rkDhmWNxz (AnonReviewer3) has a `tddate` in the recording but no `ddate`: OpenReview shows it, so do we.
    note = next(n for n in ICLR2018 if n["id"] == "rkDhmWNxz")
    assert note["tddate"] and note["ddate"] is None
    assert by_id(map_forum(ICLR2018, forum_id="B1CEaMbR-"), "rkDhmWNxz").kind == NoteKind.REVIEW


def test_iclr_2018_submission():
    submission = map_forum(ICLR2018, forum_id="B1CEaMbR-").submission
    assert submission.title == "Clustering with Deep Learning: Taxonomy and New Methods"
    assert submission.authors == ("Anonymous",)  # still blind when recorded
    assert submission.keywords == ("clustering", "deep learning", "neural networks")
    assert (submission.venue, submission.venue_id) == ("ICLR 2018", "ICLR.cc/2018/Conference")
    assert submission.abstract.startswith("Clustering is a fundamental machine learning method.")
    assert submission.bibtex_fields["year"] == "2018"
    assert submission.bibtex_fields["url"] == "https://openreview.net/forum?id=B1CEaMbR-"
    assert submission.pdate is None and (submission.arxiv_id, submission.doi) == ("", "")
    assert title_matches(submission.title, submission.bibtex_fields["title"])


def test_the_submission_is_found_wherever_it_is_in_the_listing():
    assert ICLR2018[-1]["id"] == "B1CEaMbR-"  # recorded last
    forum = map_forum(list(reversed(ICLR2018)), forum_id="B1CEaMbR-")
    assert forum.submission.title == "Clustering with Deep Learning: Taxonomy and New Methods"
    assert len(forum.notes) == 5


def test_iclr_2019_meta_review_and_scrubbed_review():
    forum = map_forum(ICLR2019, forum_id="HJepJh0qKX")
    meta = by_id(forum, "BJxW71mgxE")
    assert (meta.kind, meta.signature, meta.signature_id) == (NoteKind.META_REVIEW, "Area Chair1", "Area_Chair1")
    assert meta.invitation == "ICLR.cc/2019/Conference/-/Paper1027/Meta_Review"
    assert meta.decision == "Reject"  # a meta-review's recommendation
    # The scrubbed confidence has no number: a score without a value, its label kept.
    assert meta.scores == (
        Score("confidence", None, "Synthetic confidence text 2."),
        Score("recommendation", None, "Reject"),
    )
    assert meta.markdown == "## Metareview\n\nSynthetic metareview text 1."
    review = by_id(forum, "SkeAUrZt3Q")
    assert (review.signature, review.title) == ("AnonReviewer3", "Synthetic title text 4.")
    assert [s.field for s in review.scores] == ["rating", "confidence"]
    assert review.decision == ""
    assert forum.submission.venue == "ICLR 2019"
    assert forum.submission.authors == ("Synthetic Author 15", "Synthetic Author 16")


def test_iclr_2020_decision_and_author_comment():
    forum = map_forum(ICLR2020, forum_id="BkgzMCVtPB")
    [decision] = forum.of_kind(NoteKind.DECISION)
    assert (decision.note_id, decision.decision, decision.signature) == ("sH9vCYg_1", "Accept (Talk)", "Program Chairs")
    assert decision.invitation == "ICLR.cc/2020/Conference/Paper995/-/Decision"
    assert decision.markdown == "## Comment\n\nSynthetic comment text 1."  # "decision" itself is not a section
    assert decision.scores == ()
    [comment] = forum.of_kind(NoteKind.COMMENT)
    # Its parent (rJliBd199H) was trimmed from the recording upstream; the thread link is kept as recorded.
    assert (comment.signature, comment.replyto) == ("Authors", "rJliBd199H")
    submission = forum.submission
    assert submission.pdate == datetime.fromtimestamp(1576800924690 / 1000, tz=UTC)
    assert submission.keywords == ()
    assert submission.authors[0] == "Synthetic Author 6"


def test_iclr_2026_v2_reviews_unwrap_values_in_field_order():
    forum = map_forum(ICLR2026, forum_id="00F7BfXLYJ")
    assert forum.submission is None  # the tracker's top level is not an API note
    assert [(n.signature, n.signature_id) for n in forum.notes] == [
        ("Reviewer 2how", "Reviewer_2how"),
        ("Reviewer pTZ8", "Reviewer_pTZ8"),
        ("Reviewer DTdm", "Reviewer_DTdm"),
        ("Reviewer V9FT", "Reviewer_V9FT"),
    ]
    first = forum.notes[0]
    assert first.invitation == "ICLR.cc/2026/Conference/Submission6845/-/Official_Review"  # not the /-/Edit one
    assert (first.venue_id, first.replyto, first.title) == ("ICLR.cc/2026/Conference", "00F7BfXLYJ", "")
    assert first.scores == (
        Score("soundness", 3),
        Score("presentation", 2),
        Score("contribution", 2),
        Score("rating", 4),
        Score("confidence", 3),
    )
    assert first.content["rating"] == 4  # unwrapped from {"value": 4}
    assert first.created == datetime.fromtimestamp(1760514791588 / 1000, tz=UTC)
    assert first.modified == datetime.fromtimestamp(1762919104098 / 1000, tz=UTC)  # v2: mdate
    assert headings(first.markdown) == [
        "## Summary",
        "## Strengths",
        "## Weaknesses",
        "## Questions",
        "## Flag for ethics review",
        "## Code of conduct",
    ]
    assert "## Flag for ethics review\n\n- No ethics review needed." in first.markdown  # a list becomes items
    assert first.markdown.endswith("## Code of conduct\n\nYes")
    # The one review with an ethics-concerns field shows it in its own place.
    second = headings(forum.notes[1].markdown)
    assert second.index("## Details of ethics concerns") == second.index("## Flag for ethics review") + 1
    # A reviewer's own Markdown headings stay inside their section.
    assert "### 1. Attention Mechanism and Segment-Level Scores" in forum.notes[3].markdown


def test_v2_workshop_submissions_map_with_their_venue_and_dates():
    submissions = [map_submission(note) for note in WORKSHOP]
    assert len(submissions) == 33
    first = submissions[0]
    assert first.forum_id == "T86jIuSi5A"
    assert first.title.startswith("DoMiNO: Down-scaling Molecular Dynamics")
    assert first.authors[:2] == ("Fang Sun", "Zijie Huang")
    assert (first.venue, first.venue_id) == ("ICLR 2025 Workshop MLMP", "ICLR.cc/2025/Workshop/MLMP")
    assert first.venue_label == "ICLR 2025 Workshop MLMP Oral"
    assert first.pdate == datetime.fromtimestamp(1741248197165 / 1000, tz=UTC)
    assert first.license == "CC BY 4.0"
    assert first.bibtex_fields["booktitle"] == "ICLR 2025 Workshop on Machine Learning Multiscale Processes"
    # The BibTeX title protects case with braces ("DoMi{NO}"); the titles still match.
    assert title_matches(first.bibtex_fields["title"], first.title)
    assert all(s.title and s.authors and s.venue == "ICLR 2025 Workshop MLMP" for s in submissions)
    assert not any(s.withdrawn or s.deleted for s in submissions)


def test_v2_submission_notes_alone_are_a_forum_without_reviews():
    forum = map_forum([WORKSHOP[0]], forum_id="T86jIuSi5A")
    assert forum.api_version == 2 and forum.notes == () and forum.submission.title.startswith("DoMiNO")


# -- constructed from recorded notes


def test_notes_not_readable_by_everyone_are_dropped_and_counted():
    # CONSTRUCTED: a recorded review copied, with its readers narrowed as for a review not yet released.
    hidden = copy.deepcopy(ICLR2026[0])
    hidden["id"] = "HiddenRev01"
    hidden["readers"] = ["ICLR.cc/2026/Conference/Program_Chairs", "ICLR.cc/2026/Conference/Submission6845/Reviewers"]
    forum = map_forum([*ICLR2026, hidden], forum_id="00F7BfXLYJ")
    assert forum.dropped_non_public == 1
    assert "HiddenRev01" not in {n.note_id for n in forum.notes} and len(forum.notes) == 4


def test_deleted_notes_are_dropped_and_a_deleted_submission_is_reported():
    # CONSTRUCTED: recorded notes copied with a `ddate` set.
    review = copy.deepcopy(ICLR2018[0]) | {"ddate": 1515642376449}
    submission = copy.deepcopy(ICLR2018[-1]) | {"ddate": 1515642376449}
    forum = map_forum([review, *ICLR2018[1:-1], submission], forum_id="B1CEaMbR-")
    assert forum.dropped_deleted == 1 and len(forum.notes) == 4
    assert forum.deleted and forum.submission.deleted


def test_a_withdrawn_submission_is_reported():
    # CONSTRUCTED: the recorded v1 submission copied under a Withdrawn_Submission invitation, as ICLR files them.
    withdrawn = copy.deepcopy(ICLR2020[-1]) | {"invitation": "ICLR.cc/2020/Conference/-/Withdrawn_Submission"}
    forum = map_forum([*ICLR2020[:-1], withdrawn], forum_id="BkgzMCVtPB")
    assert forum.withdrawn and forum.submission.withdrawn
    # CONSTRUCTED: a v2 Withdrawal note (a recorded review re-labelled) in the forum marks it withdrawn too, and is
    # not imported.
    withdrawal = copy.deepcopy(ICLR2026[0]) | {
        "id": "Withdrawal1",
        "invitations": ["ICLR.cc/2026/Conference/Submission6845/-/Withdrawal"],
    }
    forum = map_forum([*ICLR2026, withdrawal], forum_id="00F7BfXLYJ")
    assert forum.withdrawn and forum.ignored == 1 and len(forum.notes) == 4


def test_notes_of_other_kinds_are_ignored_and_counted():
    # CONSTRUCTED: a recorded review re-labelled as a revision.
    revision = copy.deepcopy(ICLR2018[0]) | {"id": "Revision01", "invitation": "ICLR.cc/2018/Conference/-/Revision"}
    forum = map_forum([*ICLR2018, revision], forum_id="B1CEaMbR-")
    assert forum.ignored == 1 and len(forum.notes) == 5
    assert map_note(revision, forum_id="B1CEaMbR-") is None


def test_rebuttals_and_author_responses_are_comments():
    # CONSTRUCTED: the recorded author comment re-labelled under the names venues give rebuttals.
    for name in ("Rebuttal", "Author_Response", "Authors_Response"):
        note = copy.deepcopy(ICLR2018[2]) | {"invitation": f"ICLR.cc/2018/Conference/-/Paper1004/{name}"}
        mapped = map_note(note, forum_id="B1CEaMbR-")
        assert (mapped.kind, mapped.replyto, mapped.signature) == (NoteKind.COMMENT, "By48ioEJM", "Authors")


HOSTILE = (
    '<script>alert("x")</script>\n\n# Injected heading\n\n[click](javascript:alert(1)) '
    "<img src=x onerror=alert(1)> &lt;b&gt;"
)


@pytest.mark.parametrize("notes", [ICLR2018, ICLR2026], ids=["v1", "v2"])
def test_hostile_markup_is_carried_as_text(notes):
    # CONSTRUCTED: a recorded review with its main text replaced by hostile Markdown/HTML. Mapping neither runs,
    # escapes nor strips it; the rendering layer (nh3) cleans it when the review is shown.
    note = copy.deepcopy(notes[0])
    field = "review" if "review" in note["content"] else "summary"
    note["content"][field] = {"value": HOSTILE} if isinstance(note["content"][field], dict) else HOSTILE
    mapped = map_note(note, forum_id=note["forum"])
    assert HOSTILE in mapped.markdown
    assert "&lt;script" not in mapped.markdown
    assert mapped.content[field] == HOSTILE


def test_arxiv_id_and_doi_are_read_from_the_submission():
    # CONSTRUCTED: the recorded v2 workshop submission with an arXiv link and a DOI in its BibTeX (none recorded).
    note = copy.deepcopy(WORKSHOP[0])
    note["content"]["TLDR"] = {"value": "Preprint: https://arxiv.org/abs/2502.01234v2"}
    note["content"]["_bibtex"] = {"value": "@inproceedings{x,\ntitle={T},\ndoi={10.1145/3448016.3452841},\n}"}
    submission = map_submission(note)
    assert (submission.arxiv_id, submission.doi) == ("2502.01234", "10.1145/3448016.3452841")


# -- small parsers


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("rating", "8: accept, good paper", Score("rating", 8, "accept, good paper")),
        (
            "confidence",
            "3: The reviewer is fairly confident",
            Score("confidence", 3, "The reviewer is fairly confident"),
        ),
        ("rating", {"value": 4}, Score("rating", 4)),
        (
            "rating",
            {"value": "6: marginally above the acceptance threshold"},
            Score("rating", 6, "marginally above the acceptance threshold"),
        ),
        ("soundness", 2.5, Score("soundness", 2.5)),
        ("overall", "-1: strong reject", Score("overall", -1, "strong reject")),
        ("recommendation", "Reject", Score("recommendation", None, "Reject")),
        ("weaknesses", "1. Key Frame Extraction Noise: relies on attention drift", None),
        ("review", "3: a number first, but\nseveral lines of review", None),
        ("code_of_conduct", True, None),
        ("keywords", ["a", "b"], None),
    ],
)
def test_scores_are_parsed_from_numbers_and_labelled_strings(field, value, expected):
    assert parse_score(field, value) == expected


@pytest.mark.parametrize(
    ("venue_id", "expected"),
    [
        ("ICLR.cc/2018/Conference", ("ICLR 2018", 2018)),
        ("ICLR.cc/2025/Workshop/MLMP", ("ICLR 2025 Workshop MLMP", 2025)),
        ("NeurIPS.cc/2023/Track/Datasets_and_Benchmarks", ("NeurIPS 2023 Track Datasets and Benchmarks", 2023)),
        ("TMLR", ("TMLR", None)),
        ("", ("", None)),
    ],
)
def test_venue_ids_are_made_readable(venue_id, expected):
    assert openreview.venue_name(venue_id) == expected


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        (
            "Clustering with Deep Learning: Taxonomy and New Methods",
            "Clustering with deep learning - taxonomy and new methods.",
            True,
        ),
        ("DoMi{NO}: Down-scaling Molecular Dynamics", "DoMiNO: Down-Scaling  Molecular Dynamics", True),
        ("<i>In vivo</i> imaging of the brain", "In vivo imaging of the brain", True),
        ("Learning with \\emph{noisy} labels", "Learning with noisy labels", True),
        ("Étude of naïve Bayes", "Etude of naive Bayes", True),
        ("Attention is all you need", "Attention is all you needs", True),  # a small typo
        ("Attention is all you need", "Attention is not all you need", False),
        ("Learning with noisy labels", "Learning without noisy labels", False),
        ("The Lottery Ticket Hypothesis", "Lottery Ticket Hypothesis", True),  # a dropped article
        ("CyberV: A Cybernetic Framework", "Clustering with Deep Learning: Taxonomy and New Methods", False),
        ("", "", False),
    ],
)
def test_title_matches_tolerates_case_punctuation_markup_and_small_differences(a, b, same):
    assert title_matches(a, b) is same
