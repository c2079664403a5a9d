"""The paper page's OpenReview block and import field, the import page, and imported reviews' own pages.

Forums are stored through the services without network or worker (factories.forum_stored); a request that queues a
fetch is followed as far as its import row, "queued" (the worker's side: test_tasks.py and test_browser.py).
"""

import pytest
from bs4 import BeautifulSoup

from papers.models import Paper
from review_imports import services
from review_imports.models import ForumImport, ForumNote
from reviews.models import Review
from reviews.views import IMPORTED_REVIEW_READ_ONLY
from tests.papers.factories import PaperFactory
from tests.review_imports.factories import (
    AUTHOR_REPLY,
    FORUM_ID,
    FORUM_URL,
    PUBLIC_COMMENT,
    REVIEWS,
    forum_stored,
    many_notes,
    matching_paper,
    recorded_notes,
)
from tests.reviews.factories import TrustedReviewerFactory, UserFactory
from tests.reviews.xss_vectors import XSS_VECTORS

pytestmark = pytest.mark.django_db

NEW = "/doi/10.5555/iclr2018.clustering/review-imports/new"
WAITING_FOR_MODERATION = (
    f"Your import of OpenReview forum {FORUM_ID}: waits for moderation; only you and moderators see it."
)


@pytest.fixture
def paper():
    return matching_paper()


@pytest.fixture
def member(client):
    user = UserFactory()
    client.force_login(user)
    return user


@pytest.fixture
def staff():
    return UserFactory(is_staff=True)


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def text_of(response) -> str:
    return " ".join(soup(response).select_one("main").get_text(" ").split())


def review_of(note_id: str) -> Review:
    return Review.objects.get(origin="openreview", external_id=note_id)


def article(page, note_id: str):
    return page.select_one(f"#openreview #review-{review_of(note_id).id}")


# ---------------------------------------------------------------- the import field


def test_the_import_field_is_shown_to_signed_in_members_only(client, paper):
    anonymous = soup(client.get(paper.get_absolute_url()))
    assert anonymous.select_one("#openreview-url") is None
    assert "Import reviews from OpenReview" not in anonymous.get_text()

    client.force_login(UserFactory())
    form = soup(client.get(paper.get_absolute_url())).select_one("form.import-openreview")
    assert form["action"] == NEW and form["method"] == "post"
    assert form.select_one("label[for=openreview-url]").get_text() == "Import reviews from OpenReview"
    assert form.select_one("#openreview-url")["name"] == "url"


def test_a_paper_without_metadata_offers_no_import_field(client, member):
    paper = PaperFactory(doi="10.5555/not.arrived", title="", fetch_state=Paper.FetchState.PENDING)
    assert not paper.has_metadata
    assert soup(client.get(paper.get_absolute_url())).select_one("#openreview-url") is None


def test_posting_a_link_queues_an_import_whose_page_waits_for_a_worker(client, member, paper):
    response = client.post(NEW, {"url": FORUM_URL})
    forum_import = ForumImport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/review-imports/{forum_import.id}"
    assert (forum_import.paper, forum_import.forum_id, forum_import.state) == (paper, FORUM_ID, "queued")
    assert forum_import.requested_by == member

    page = client.get(response["Location"])
    assert "Waiting for a worker… " in text_of(page)
    assert "This page refreshes itself until the import is done." in text_of(page)
    assert soup(page).find("meta", attrs={"http-equiv": "refresh"})["content"] == "2"
    # The paper page tells who asked where it is.
    notice = soup(client.get(paper.get_absolute_url())).select_one("#openreview-import .notice")
    assert " ".join(notice.get_text(" ").split()) == (
        f"Your import of OpenReview forum {FORUM_ID}: waiting for a worker… Follow it"
    )
    assert notice.a["href"] == f"/review-imports/{forum_import.id}"


def test_posting_the_same_forum_again_lands_on_the_same_import(client, member, paper):
    first = client.post(NEW, {"url": FORUM_URL})
    again = client.post(NEW, {"url": f"https://openreview.net/forum?id={FORUM_ID}&noteId={REVIEWS['AnonReviewer1']}"})
    assert again.status_code == 302 and again["Location"] == first["Location"]
    assert ForumImport.objects.count() == 1
    page = client.get(again["Location"])
    assert "This forum was asked for on this paper before: here is its import." in text_of(page)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            "https://openreview.net.evil.com/forum?id=B1CEaMbR-",
            "Only links to openreview.net are accepted, not openreview.net.evil.com.",
        ),
        ("javascript:alert(document.cookie)", "Only https:// (or http://) links to openreview.net are accepted."),
        ("ftp://openreview.net/forum?id=B1CEaMbR-", "Only https:// (or http://) links to openreview.net are accepted."),
        (
            "https://openreview.net:8443/forum?id=B1CEaMbR-",
            "Links with a port number are not accepted; use https://openreview.net/….",
        ),
        ("https://user:pass@openreview.net/forum?id=B1CEaMbR-", "Links with a user name or password are not accepted."),
        ("https://openreview.net/forum?id=B1C<b>", "The link has no valid forum id (…?id=…)."),
        ("", "Paste an OpenReview forum link, e.g. https://openreview.net/forum?id=B1CEaMbR-."),
        ("   ", "Paste an OpenReview forum link, e.g. https://openreview.net/forum?id=B1CEaMbR-."),
        (f"https://openreview.net/forum?id=B1CEaMbR-&x={'a' * 2000}", "That is too long to be an OpenReview link."),
    ],
    ids=["look-alike-host", "javascript", "ftp", "port", "user-pass", "bad-id", "empty", "blank", "oversized"],
)
def test_a_malformed_link_is_refused_with_its_reason_and_kept_in_the_field(client, member, paper, text, reason):
    response = client.post(NEW, {"url": text})
    assert response.status_code == 400
    page = soup(response)
    assert page.select_one("#id_url-error").get_text() == reason
    assert page.select_one("#error-summary a[href='#id_url']").get_text() == f"OpenReview forum link: {reason}"
    field = page.select_one("#id_url")
    assert field.get("value", "") == text
    assert field.has_attr("required") and field["maxlength"] == "2000" and field["aria-invalid"] == "true"
    assert ForumImport.objects.count() == 0


def test_an_anonymous_post_goes_to_sign_in_and_stores_nothing(client, paper):
    response = client.post(NEW, {"url": FORUM_URL})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")
    assert ForumImport.objects.count() == 0


def test_a_paper_without_metadata_is_404_with_its_reason(client, member):
    PaperFactory(doi="10.5555/not.arrived", title="", fetch_state=Paper.FetchState.PENDING)
    response = client.post("/doi/10.5555/not.arrived/review-imports/new", {"url": FORUM_URL})
    assert response.status_code == 404
    assert soup(response).select_one(".error-reason").get_text() == (
        "The metadata of 10.5555/not.arrived has not arrived, so it takes no reviews or videos yet."
    )
    assert ForumImport.objects.count() == 0


# ---------------------------------------------------------------- the published forum on the paper page


def test_a_published_forum_shows_its_reviews_scores_and_thread_on_the_paper_page(client, paper, staff):
    forum_stored(paper=paper, user=staff)
    page = soup(client.get(paper.get_absolute_url()))
    block = page.select_one(f"#openreview #forum-{FORUM_ID}")
    assert " ".join(block.h3.get_text().split()) == "OpenReview · ICLR 2018 · 3 reviews"
    reviewers = [bdi.get_text() for bdi in block.select(".forum-reviews > li > article .reviewer")]
    assert sorted(reviewers) == ["AnonReviewer1", "AnonReviewer2", "AnonReviewer3"]

    rows = [
        (tr.th.get_text(), " ".join(tr.td.get_text().split()))
        for tr in article(page, REVIEWS["AnonReviewer1"]).select("table.review-scores tr")
    ]
    assert rows == [
        ("Rating", "3: Clear rejection"),
        ("Confidence", "4: The reviewer is confident but not absolutely certain that the evaluation is correct"),
    ]
    assert (
        article(page, REVIEWS["AnonReviewer3"]).select_one("table.review-scores td").get_text() == "2: Strong rejection"
    )

    # The public comment is on the paper; the authors' reply is threaded under it, not beside it.
    [comment] = block.select(".forum-comments > li.forum-entry")
    assert comment.article["id"] == f"review-{review_of(PUBLIC_COMMENT).id}"
    [reply] = comment.select("ol.thread > li")
    assert reply["class"] == ["depth-1"]
    assert reply.article["id"] == f"review-{review_of(AUTHOR_REPLY).id}"
    assert reply.select_one(".reviewer").get_text() == "Authors"
    assert reply.select_one(".badge").get_text() == "Author response"
    assert len(block.select("article.review")) == 5  # the submission itself is not a review

    for note_id in [*REVIEWS.values(), PUBLIC_COMMENT, AUTHOR_REPLY]:
        foot = article(page, note_id).select_one(".review-foot")
        assert (
            foot.find("a", string="On OpenReview")["href"]
            == f"https://openreview.net/forum?id={FORUM_ID}&noteId={note_id}"
        )
        licence = foot.select_one("a[rel=license]")
        assert (licence["href"], licence.get_text()) == ("https://creativecommons.org/licenses/by/4.0/", "CC BY 4.0")
    assert block.select_one(".forum-meta a")["href"] == FORUM_URL


def test_a_long_review_is_folded_and_its_two_halves_are_its_stored_body(client, paper, staff):
    forum_stored(paper=paper, user=staff)
    note = ForumNote.objects.select_related("review").get(note_id=REVIEWS["AnonReviewer1"])
    body = note.review.body_html
    assert 0 < note.fold_at < len(body)
    lead, rest = body[: note.fold_at], body[note.fold_at :]
    html = client.get(paper.get_absolute_url()).content.decode()
    assert f'<div class="review-body">{lead}</div>' in html
    assert f'<summary>Read the whole official review</summary><div class="review-body">{rest}</div></details>' in html
    assert lead + rest == body

    page = BeautifulSoup(html, "html.parser")
    folded = article(page, REVIEWS["AnonReviewer1"]).select_one("details.review-more")
    assert folded.summary.get_text() == "Read the whole official review" and not folded.has_attr("open")
    # A short review is shown whole.
    assert article(page, REVIEWS["AnonReviewer3"]).select_one("details") is None


DANGEROUS_TAGS = {
    "script",
    "iframe",
    "object",
    "embed",
    "style",
    "form",
    "input",
    "base",
    "meta",
    "link",
    "img",
    "svg",
    "video",
    "source",
    "body",
    "noscript",
    "textarea",
    "button",
}


def test_hostile_content_in_a_note_renders_inert(client, paper, staff):
    # CONSTRUCTED from the recording: AnonReviewer1's review with its title, rating, signature and text replaced.
    notes = recorded_notes()
    [note] = [n for n in notes if n["id"] == REVIEWS["AnonReviewer1"]]
    note["signatures"] = ["ICLR.cc/2018/Conference/Paper1004/<b onmouseover=alert(1)>Reviewer"]
    note["content"]["title"] = "<script>alert('title')</script>"
    note["content"]["rating"] = "3: <img src=x onerror=alert(1)>"
    note["content"]["review"] = "\n\n".join(["A *fair* point.", *XSS_VECTORS, '<a href="javascript:alert(1)">x</a>'])
    forum_stored(paper=paper, user=staff, notes=notes)

    page = soup(client.get(paper.get_absolute_url()))
    section = page.select_one("#openreview")
    hostile = article(page, REVIEWS["AnonReviewer1"])
    assert hostile.select_one(".review-body em").get_text() == "fair"  # Markdown still renders
    for tag in section.find_all(True):
        assert tag.name not in DANGEROUS_TAGS, tag
        for name, value in tag.attrs.items():
            assert not name.lower().startswith("on"), tag
            assert name != "style", tag
            value = " ".join(value) if isinstance(value, list) else value
            assert not value.strip().lower().startswith(("javascript:", "data:", "vbscript:")), tag
    # What OpenReview sent as text is shown as text.
    assert hostile.select_one(".review-title").get_text() == "<script>alert('title')</script>"
    assert hostile.select_one(".reviewer").get_text() == "<b onmouseover=alert(1)>Reviewer"
    assert hostile.select_one(".review-scores td").get_text() == "3: <img src=x onerror=alert(1)>"


# ---------------------------------------------------------------- moderation and matching


def test_an_untrusted_members_matching_forum_is_shown_only_to_them_and_to_staff(client, paper, staff):
    member = UserFactory()
    forum_import = forum_stored(paper=paper, user=member)
    assert (forum_import.match, forum_import.status) == ("matched", "pending")
    review_text = "This paper presents some reviews on clustering methods"

    anonymous = client.get(paper.get_absolute_url())
    assert soup(anonymous).select_one("#openreview") is None and review_text not in anonymous.content.decode()
    assert client.get(review_of(REVIEWS["AnonReviewer3"]).get_absolute_url()).status_code == 404

    client.force_login(UserFactory())
    other = client.get(paper.get_absolute_url())
    assert (
        soup(other).select_one("#openreview") is None and soup(other).select_one("#openreview-import .notice") is None
    )

    client.force_login(member)
    own = soup(client.get(paper.get_absolute_url()))
    assert own.select_one("#openreview") is None
    assert (
        " ".join(own.select_one("#openreview-import .notice").get_text(" ").split())
        == f"{WAITING_FOR_MODERATION} Follow it"
    )
    assert "Waiting for moderation. The forum matches this paper" in text_of(
        client.get(f"/review-imports/{forum_import.id}")
    )

    client.force_login(staff)
    staff_page = soup(client.get(paper.get_absolute_url()))
    notice = " ".join(staff_page.select_one("#openreview-import .notice").get_text(" ").split())
    assert notice.startswith(f"An import of OpenReview forum {FORUM_ID}: waits for moderation")
    assert len(soup(client.get(f"/review-imports/{forum_import.id}")).select(".import-notes li")) == 5


def test_a_trusted_members_matching_forum_is_published_at_once(client, paper):
    member = TrustedReviewerFactory().user
    assert forum_stored(paper=paper, user=member).status == "approved"
    assert soup(client.get(paper.get_absolute_url())).select_one(f"#forum-{FORUM_ID}") is not None


def test_a_mismatching_forum_waits_for_staff_and_shows_its_match_report_to_the_requester(client, staff):
    paper = PaperFactory(doi="10.5555/another.paper", title="Protein folding with evolutionary couplings")
    member = TrustedReviewerFactory().user  # even a trusted member's mismatch waits
    forum_import = forum_stored(paper=paper, user=member)
    assert (forum_import.match, forum_import.status) == ("mismatch", "pending")

    client.force_login(member)
    own = soup(client.get(paper.get_absolute_url()))
    assert own.select_one("#openreview") is None
    assert (
        "waits for staff: the forum may be another paper’s." in own.select_one("#openreview-import .notice").get_text()
    )
    import_page = soup(client.get(f"/review-imports/{forum_import.id}"))
    assert "Waiting for staff." in import_page.select_one("main .notice").get_text()
    assert import_page.select_one("pre.match-report").get_text() == (
        "OpenReview's title: Clustering with Deep Learning: Taxonomy and New Methods\n"
        "The paper's title: Protein folding with evolutionary couplings\n"
        "The titles differ: the forum may be another paper's."
    )

    for viewer in (None, UserFactory()):
        client.logout()
        if viewer:
            client.force_login(viewer)
        assert soup(client.get(paper.get_absolute_url())).select_one("#openreview") is None
        others = soup(client.get(f"/review-imports/{forum_import.id}"))
        assert others.select_one("pre.match-report") is None and others.select_one(".import-notes") is None


# ---------------------------------------------------------------- queries


@pytest.mark.parametrize("constructed", [False, True], ids=["recorded-forum", "constructed-forum-of-58-notes"])
def test_the_paper_pages_first_view_costs_the_same_queries_whatever_the_forums_size(
    client, paper, staff, django_assert_num_queries, constructed
):
    notes = many_notes(reviews=40, replies=12) if constructed else None
    forum_stored(paper=paper, user=staff, notes=notes)
    shown = 5 + 52 * constructed
    # The version, the paper, papers' seven, then one a section: pasted reviews, videos, full text, entities (two),
    # and the published forums with their notes (two).
    with django_assert_num_queries(16):
        response = client.get(paper.get_absolute_url())
    assert len(soup(response).select("#openreview article.review")) == shown
    if constructed:  # a thread twelve deep is indented at most four levels
        depths = [li["class"][0] for li in soup(response).select("#openreview ol.thread > li")]
        assert depths == ["depth-1", "depth-2", "depth-3", *["depth-4"] * 10]  # the recorded reply, then the 12


@pytest.mark.parametrize("waiting", [0, 2])
def test_a_signed_in_view_costs_one_query_for_the_import_field_whatever_is_waiting(
    client, paper, staff, django_assert_num_queries, waiting
):
    forum_stored(paper=paper, user=staff)
    member = UserFactory()
    for forum_id in ["HJepJh0qKX", "BkgzMCVtPB"][:waiting]:  # asked for, not fetched yet
        services.forum_import_request(paper=paper, link=forum_id, user=member, queue=False)
    client.get(paper.get_absolute_url())  # the cached fragments are made

    client.force_login(member)
    # Session, user, paper, videos, and the imports still waiting on this paper: one query, however many.
    with django_assert_num_queries(5):
        page = soup(client.get(paper.get_absolute_url()))
    assert len(page.select("#openreview-import .notice")) == waiting
    assert page.select_one(f"#forum-{FORUM_ID}") is not None and page.select_one("#openreview-url") is not None


# ---------------------------------------------------------------- an imported review's own page


def test_an_imported_reviews_page_says_what_it_is_and_offers_no_edit_or_delete(client, paper, staff):
    forum_stored(paper=paper, user=staff)
    review = review_of(REVIEWS["AnonReviewer1"])
    for viewer in (None, UserFactory(), staff):
        client.logout()
        if viewer:
            client.force_login(viewer)
        page = soup(client.get(review.get_absolute_url()))
        assert " ".join(page.h1.get_text().split()) == "Official review by AnonReviewer1, ICLR 2018"
        assert "Imported from OpenReview, where it is public" in page.select_one("main").get_text()
        hrefs = [a["href"] for a in page.select("main a[href]")]
        assert f"/reviews/{review.id}/edit" not in hrefs and f"/reviews/{review.id}/delete" not in hrefs
        assert page.select_one("main table.review-scores") is not None


@pytest.mark.parametrize("is_staff", [False, True], ids=["member", "staff"])
def test_an_imported_review_cannot_be_edited_or_deleted_here(client, paper, staff, is_staff):
    forum_stored(paper=paper, user=staff)
    review = review_of(REVIEWS["AnonReviewer1"])
    client.force_login(staff if is_staff else UserFactory())
    for response in (
        client.get(f"/reviews/{review.id}/edit"),
        client.post(f"/reviews/{review.id}/edit", {"body": "Rewritten."}),
        client.get(f"/reviews/{review.id}/delete"),
        client.post(f"/reviews/{review.id}/delete"),
    ):
        assert response.status_code == 403
        assert IMPORTED_REVIEW_READ_ONLY in text_of(response)
    assert Review.objects.get(id=review.id).body == review.body
