"""Reviews the journal published with the paper, handed over by the full-text app as papers.enrichments'
journal_reviews_found signal. The tests send the signal directly: reviews neither parses JATS nor imports fulltext.
"""

import datetime as dt

import pytest
from bs4 import BeautifulSoup
from rest_framework.test import APIClient

from paperhub.moderation import ModerationStatus
from papers.enrichments import JournalReviewRecord, journal_reviews_found
from papers.models import Paper
from reviews.models import License, Origin, Platform, Review, ReviewerProfile, ReviewKind
from reviews.rendering import JOURNAL_ALLOWED_TAGS, clean_journal_review_html
from reviews.selectors import reviews_for_paper_page
from reviews.services import review_license_from_url, reviews_sync_from_journal
from tests.papers.factories import PaperFactory
from tests.reviews.factories import ReviewFactory, UserFactory
from tests.reviews.xss_vectors import XSS_VECTORS

pytestmark = pytest.mark.django_db

# Excerpts of the two <sub-article>s of the recorded eLife article 10.7554/eLife.01567 (eLife's own JATS,
# ../shared/upstream-samples/jats/elife-publisher-jats-digest-10.7554_eLife.01567.xml), as fulltext.jats would
# hand them over: the decision letter (SA1, by the reviewing editor Jan Traas) and the author response (SA2).
DECISION_TEXT = (
    "Thank you for sending your work entitled “Automated quantitative histology reveals vascular morphodynamics "
    "during Arabidopsis hypocotyl secondary growth” for consideration at eLife. Your article has been favorably "
    "evaluated by a Senior editor, Detlef Weigel, and 3 reviewers, one of whom served as the guest Reviewing "
    "editor for this article.\n\nAll three reviewers agree that this study describes a robust tool that "
    "represents a broadly useful addition to existing methods."
)
DECISION_HTML = (
    "<p>Thank you for sending your work entitled “Automated quantitative histology reveals vascular "
    "morphodynamics during Arabidopsis hypocotyl secondary growth” for consideration at <em>eLife</em>. Your "
    "article has been favorably evaluated by a Senior editor, Detlef Weigel, and 3 reviewers, one of whom served "
    "as the guest Reviewing editor for this article.</p><p>All three reviewers agree that this study describes a "
    "robust tool that represents a broadly useful addition to existing methods.</p>"
)
RESPONSE_TEXT = (
    "It is true that our study is above all a proof of principal for the applicability of our approach, but it "
    "should work in any context where cell outlines can be reliably segmented and a reference point in the tissue "
    "can be defined."
)
RESPONSE_HTML = (
    "<p><em>1) While the method is well adapted to the biological system analysed here, it would be important to "
    "have an idea of the applicability to other organs and/or species.</em></p><p>It is true that our study is "
    "above all a proof of principal for the applicability of our approach, but it should work in any context "
    "where cell outlines can be reliably segmented and a reference point in the tissue can be defined.</p>"
)
ELIFE_LICENCE = "http://creativecommons.org/licenses/by/3.0/"


def decision_letter(**changes) -> JournalReviewRecord:
    values = {
        "kind": "decision-letter",
        "title": "Decision letter",
        "html": DECISION_HTML,
        "text": DECISION_TEXT,
        "authors": ["Jan Traas"],
        "date": dt.date(2014, 2, 11),
        "license_url": ELIFE_LICENCE,
        "doi": "10.7554/eLife.01567.016",
        "journal": "eLife",
        "source_url": "https://doi.org/10.7554/eLife.01567.016",
    }
    return JournalReviewRecord(**{**values, **changes})


def author_response(**changes) -> JournalReviewRecord:
    values = {
        "kind": "reply",
        "title": "Author response",
        "html": RESPONSE_HTML,
        "text": RESPONSE_TEXT,
        "authors": [],
        "date": dt.date(2014, 2, 11),
        "license_url": ELIFE_LICENCE,
        "doi": "10.7554/eLife.01567.017",
        "journal": "eLife",
        "source_url": "https://doi.org/10.7554/eLife.01567.017",
    }
    return JournalReviewRecord(**{**values, **changes})


@pytest.fixture
def paper():
    return PaperFactory(doi="10.7554/elife.01567", container_title="eLife")


def send(paper, reviews):
    journal_reviews_found.send(sender="fulltext", paper=paper, reviews=reviews)


def rows(paper):
    return list(
        Review.objects.filter(paper=paper, origin=Origin.JOURNAL)
        .order_by("position")
        .values("id", "external_id", "kind", "reviewer_name", "body", "body_html", "license", "updated_at")
    )


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def test_the_signal_creates_approved_journal_reviews_shown_on_the_paper_page(client, paper):
    send(paper, [decision_letter(), author_response()])

    letter, response = Review.objects.filter(paper=paper).order_by("position")
    assert (letter.origin, letter.platform, letter.kind) == (Origin.JOURNAL, Platform.JOURNAL, "decision-letter")
    assert letter.status == ModerationStatus.APPROVED and letter.published_at is not None
    assert letter.author is None
    assert (letter.reviewer_name, letter.venue, letter.year) == ("Jan Traas", "eLife", 2014)
    assert letter.published_on == dt.date(2014, 2, 11)
    assert letter.source_url == "https://doi.org/10.7554/eLife.01567.016"
    assert letter.external_id == "doi:10.7554/elife.01567.016"
    assert letter.body == DECISION_TEXT and "<em>eLife</em>" in letter.body_html
    assert (response.kind, response.reviewer_name, response.is_anonymous) == ("author-response", "The authors", True)

    page = soup(client.get(paper.get_absolute_url()))
    cards = page.select("#reviews li.review")
    assert [card["id"] for card in cards] == [f"review-{letter.id}", f"review-{response.id}"]  # the journal's order
    header = " ".join(cards[0].select_one("header").get_text(" ").split())
    assert header.startswith("Decision letter · published by eLife with the paper")
    assert "Jan Traas" in header and "11 February 2014" in header
    foot = cards[0].select_one("footer")
    original = foot.find("a", href="https://doi.org/10.7554/eLife.01567.016")
    assert " ".join(original.get_text(" ").split()) == "Original at eLife"
    licence = foot.find("a", rel="license")
    assert (licence.get_text(), licence["href"]) == ("CC BY 3.0", "https://creativecommons.org/licenses/by/3.0/")
    assert "pasted by" not in cards[0].get_text()
    assert "broadly useful addition" in cards[0].select_one(".review-body").get_text()
    assert page.select_one("#reviews-heading .count").get_text() == "(2)"


def test_sending_the_same_list_twice_changes_nothing(paper):
    send(paper, [decision_letter(), author_response()])
    first = rows(paper)
    touched = Paper.objects.get(id=paper.id).updated_at

    send(paper, [decision_letter(), author_response()])

    assert rows(paper) == first  # same ids, same content, not even updated_at moved
    assert Paper.objects.get(id=paper.id).updated_at == touched  # cached pages stay valid
    result = reviews_sync_from_journal(paper=paper, records=[decision_letter(), author_response()])
    assert not result.changed


def test_a_record_gone_from_the_list_removes_its_review_and_pasted_ones_stay(paper):
    pasted = ReviewFactory(paper=paper, body="A pasted review.")
    pasted_before = Review.objects.filter(id=pasted.id).values().get()
    send(paper, [decision_letter(), author_response()])

    send(paper, [decision_letter()])

    assert [row["kind"] for row in rows(paper)] == ["decision-letter"]
    assert Review.objects.filter(id=pasted.id).values().get() == pasted_before

    send(paper, [])
    assert rows(paper) == []
    assert Review.objects.filter(id=pasted.id).values().get() == pasted_before


def test_a_changed_record_updates_its_review_in_place_and_touches_the_paper(paper):
    send(paper, [decision_letter()])
    (before,) = rows(paper)
    touched = Paper.objects.get(id=paper.id).updated_at

    send(paper, [decision_letter(text="Corrected letter.", html="<p>Corrected letter.</p>")])

    (after,) = rows(paper)
    assert after["id"] == before["id"] and after["body"] == "Corrected letter."
    assert Paper.objects.get(id=paper.id).updated_at > touched


def test_records_without_a_doi_are_keyed_by_kind_title_and_rank(paper):
    reports = [
        JournalReviewRecord(
            kind="referee-report",
            title="Referee report",
            html=f"<p>Report {n}.</p>",
            text=f"Report {n}.",
            authors=[],
            date=None,
            license_url="https://creativecommons.org/licenses/by/4.0/",
            doi="",
            journal="F1000Research",
            source_url="",
        )
        for n in (1, 2)
    ]
    send(paper, reports)
    send(paper, reports)

    stored = rows(paper)
    assert [row["body"] for row in stored] == ["Report 1.", "Report 2."]
    assert [row["reviewer_name"] for row in stored] == ["Reviewers", "Reviewers"]
    review = Review.objects.get(id=stored[0]["id"])
    # No date: the paper's year; no link of its own: the paper's DOI.
    assert (review.year, review.source_url) == (2021, "https://doi.org/10.7554/elife.01567")
    assert review.license == License.CC_BY


def test_other_papers_journal_reviews_are_left_alone(paper):
    other = PaperFactory()
    send(other, [decision_letter()])
    send(paper, [author_response()])
    send(paper, [])
    assert Review.objects.filter(paper=other, origin=Origin.JOURNAL).count() == 1


def test_a_record_without_words_is_skipped(paper):
    send(paper, [decision_letter(text="  ", html="<p> </p>"), author_response(text="")])
    (row,) = rows(paper)
    assert row["kind"] == "author-response" and "proof of principal" in row["body"]  # text taken from its html


@pytest.mark.parametrize(
    ("url", "licence"),
    [
        ("http://creativecommons.org/licenses/by/3.0/", License.CC_BY_3),
        ("https://creativecommons.org/licenses/by/4.0/", License.CC_BY),
        ("https://creativecommons.org/licenses/by/4.0/legalcode", License.CC_BY),
        ("http://www.creativecommons.org/licenses/by/4.0", License.CC_BY),
        ("https://creativecommons.org/licenses/by-sa/4.0/", License.CC_BY_SA),
        ("https://creativecommons.org/licenses/by-nc/4.0/", License.CC_BY_NC),
        ("https://creativecommons.org/publicdomain/zero/1.0/", License.CC0),
        ("https://creativecommons.org/licenses/by-nc-nd/4.0/", ""),
        ("https://creativecommons.org/licenses/by/2.0/", ""),
        ("https://example.org/licenses/by/4.0/", ""),
        ("", ""),
    ],
)
def test_licence_urls_map_to_our_licences(url, licence):
    assert review_license_from_url(url) == licence


def test_an_unmapped_licence_is_stored_empty_and_the_card_points_to_the_original(client, paper):
    send(paper, [decision_letter(license_url="https://example.org/terms")])
    assert Review.objects.get(paper=paper).license == ""
    card = soup(client.get(paper.get_absolute_url())).select_one("li.review-journal")
    assert card.find("a", rel="license") is None
    assert "Licence: as the original states" in card.get_text()


def test_hostile_html_is_inert(client, paper):
    hostile = (
        '<h1>Decision</h1><p onclick="alert(1)">Click <a href="javascript:alert(1)">here</a> '
        '<a href="https://elifesciences.org/x" onmouseover="alert(2)">ok</a>'
        "<script>alert(3)</script><img src=x onerror=alert(4)> x<sub>2</sub> y<sup>3</sup></p>"
        "<blockquote><strong>quoted</strong></blockquote><ul><li>one</li></ul>"
    )
    send(paper, [decision_letter(html=hostile)])
    html = Review.objects.get(paper=paper).body_html

    doc = BeautifulSoup(html, "html.parser")
    assert {tag.name for tag in doc.find_all(True)} <= JOURNAL_ALLOWED_TAGS
    assert "script" not in html and "alert" not in html and "onerror" not in html and "onclick" not in html
    assert doc.find("h1") is None and doc.find("h3").get_text() == "Decision"  # below the page's <h2>
    for name in ("sub", "sup", "blockquote", "strong", "ul", "li"):
        assert doc.find(name) is not None, name
    links = doc.find_all("a")
    assert all("javascript" not in link.get("href", "") for link in links)
    safe = doc.find("a", href="https://elifesciences.org/x")
    assert safe["rel"] == ["nofollow", "noopener"] and set(safe.attrs) == {"href", "rel"}

    page = client.get(paper.get_absolute_url()).content.decode()
    assert "<script>alert(3)" not in page and "javascript:alert" not in page


@pytest.mark.parametrize("vector", XSS_VECTORS)
def test_every_xss_vector_is_inert_as_journal_html(vector):
    doc = BeautifulSoup(clean_journal_review_html(f"<p>before</p>{vector}<p>after</p>"), "html.parser")
    for tag in doc.find_all(True):
        assert tag.name in JOURNAL_ALLOWED_TAGS
        assert not any(name.startswith("on") or name == "style" for name in tag.attrs)
        if tag.name == "a" and tag.get("href"):
            assert tag["href"].split(":", 1)[0].lower() in {"http", "https", "mailto"} or ":" not in tag["href"]


def test_the_review_page_works_and_offers_no_edit_or_delete(client, admin_client, paper):
    send(paper, [decision_letter()])
    review = Review.objects.get(paper=paper)

    for browser in (client, admin_client):
        page = soup(browser.get(f"/reviews/{review.id}"))
        assert page.h1.get_text(" ", strip=True) == "Decision letter, published by eLife"
        assert not page.find("a", href=f"/reviews/{review.id}/edit")
        assert not page.find("a", href=f"/reviews/{review.id}/delete")

    staff = admin_client
    assert staff.get(f"/reviews/{review.id}/edit").status_code == 403
    assert staff.post(f"/reviews/{review.id}/delete").status_code == 403
    assert Review.objects.filter(id=review.id).exists()


def test_the_api_refuses_changes_to_journal_reviews(paper):
    send(paper, [decision_letter()])
    review = Review.objects.get(paper=paper)
    staff = APIClient()
    staff.force_authenticate(UserFactory(is_staff=True))
    assert staff.patch(f"/api/v1/reviews/{review.id}/", {"body": "x"}, format="json").status_code == 403
    assert staff.delete(f"/api/v1/reviews/{review.id}/").status_code == 403
    assert Review.objects.filter(id=review.id).exists()


def test_nobody_pastes_a_journal_review(client, paper):
    user = UserFactory()
    client.force_login(user)
    form = {
        "platform": "journal",
        "source_url": "https://doi.org/10.7554/eLife.01567.016",
        "venue": "eLife",
        "year": "2014",
        "reviewer_name": "Me",
        "body": "Text.",
        "license": "CC-BY-4.0",
        "attest": "on",
        "submit": "1",
    }
    assert client.post(f"/doi/{paper.doi}/reviews/new", form).status_code == 400
    api = APIClient()
    api.force_authenticate(user)
    body = {**form, "year": 2014, "attest": True}
    assert api.post(f"/api/v1/papers/{paper.doi}/reviews/", body, format="json").status_code == 400
    assert not Review.objects.exists()


def test_a_pasted_card_says_who_pasted_it(client, paper):
    user = UserFactory()
    ReviewerProfile.objects.create(user=user, display_name="Ada Lovelace")
    ReviewFactory(paper=paper, author=user)
    card = soup(client.get(paper.get_absolute_url())).select_one("li.review")
    assert "pasted by Ada Lovelace" in " ".join(card.get_text(" ").split())


def test_the_reviews_endpoint_gives_their_origin(paper):
    ReviewFactory(paper=paper)
    send(paper, [decision_letter(), author_response()])

    data = APIClient().get(f"/api/v1/papers/{paper.doi}/reviews/").json()
    results = data["results"] if isinstance(data, dict) else data
    by_origin = {}
    for item in results:
        by_origin.setdefault(item["origin"], []).append(item)
    assert len(by_origin["pasted"]) == 1 and by_origin["pasted"][0]["kind"] == ""
    letter = next(item for item in by_origin["journal"] if item["kind"] == "decision-letter")
    assert letter["platform"] == "journal" and letter["published_on"] == "2014-02-11"
    assert letter["title"] == "Decision letter" and letter["license"] == "CC-BY-3.0"
    assert letter["license_url"] == "https://creativecommons.org/licenses/by/3.0/"


def test_the_schema_documents_the_origin(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    origin = schema["components"]["schemas"]["Review"]["properties"]["origin"]
    assert "the journal published it with the paper" in origin["description"]


def test_admin_filters_reviews_by_origin(admin_client, paper):
    ReviewFactory(paper=paper, reviewer_name="Pasted Person")
    send(paper, [decision_letter()])
    journal = admin_client.get("/admin/reviews/review/?origin__exact=journal").content.decode()
    pasted = admin_client.get("/admin/reviews/review/?origin__exact=pasted").content.decode()
    assert "Jan Traas" in journal and "Pasted Person" not in journal
    assert "Pasted Person" in pasted and "Jan Traas" not in pasted


def test_kind_strings_map_to_review_kinds(paper):
    send(paper, [decision_letter(kind="article-commentary"), author_response(kind="author-comment")])
    assert [row["kind"] for row in rows(paper)] == [ReviewKind.DECISION_LETTER, ReviewKind.AUTHOR_RESPONSE]


def test_the_section_loads_journal_and_pasted_reviews_with_who_pasted_them_in_one_query(
    paper, django_assert_num_queries
):
    user = UserFactory()
    ReviewerProfile.objects.create(user=user, display_name="Ada Lovelace")
    ReviewFactory(paper=paper, author=user)
    ReviewFactory(paper=paper)  # its author has no profile
    send(paper, [decision_letter(), author_response()])

    with django_assert_num_queries(1):
        reviews = reviews_for_paper_page(paper)
        shown = [(review.origin, review.kind, review.pasted_by) for review in reviews]
    assert shown[:2] == [("journal", "decision-letter", ""), ("journal", "author-response", "")]
    assert sorted(name for _, _, name in shown[2:]) == ["Ada Lovelace", "a PaperHub user"]
