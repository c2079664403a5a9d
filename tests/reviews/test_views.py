import pytest
from bs4 import BeautifulSoup

from paperhub.moderation import ModerationStatus
from reviews.models import Review
from tests.papers.factories import PaperFactory
from tests.reviews.factories import ReviewFactory, UserFactory

pytestmark = pytest.mark.django_db

FORM = {
    "platform": "openreview",
    "source_url": "https://openreview.net/forum?id=abc",
    "venue": "ICLR 2024",
    "year": "2024",
    "reviewer_name": "Ada Lovelace",
    "body": "## Summary\n\nSolid paper.",
    "rating": "8",
    "confidence": "4",
    "license": "CC-BY-4.0",
    "attest": "on",
    "website": "",
    "submit": "1",
}


@pytest.fixture
def user(client):
    user = UserFactory()
    client.force_login(user)
    return user


@pytest.fixture
def paper():
    return PaperFactory(doi="10.5555/reviewed")


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def test_paper_page_links_to_the_review_form(client, paper):
    link = soup(client.get(paper.get_absolute_url())).find("a", string="Add a review")
    assert link["href"] == "/doi/10.5555/reviewed/reviews/new"


def test_form_needs_sign_in(client, paper):
    response = client.get("/doi/10.5555/reviewed/reviews/new")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_form_for_an_unknown_paper_is_404(client, user):
    assert client.get("/doi/10.5555/unknown/reviews/new").status_code == 404


def test_submitting_creates_a_pending_review_visible_only_to_its_author(client, user, paper):
    response = client.post("/doi/10.5555/reviewed/reviews/new", FORM)
    review = Review.objects.get()
    assert response["Location"] == f"/reviews/{review.id}"
    assert review.status == "pending" and review.author == user
    page = client.get(f"/reviews/{review.id}").content.decode()
    assert "Waiting for moderation." in page and "Solid paper." in page
    assert "Solid paper." not in client.get(paper.get_absolute_url()).content.decode()
    client.logout()
    assert client.get(f"/reviews/{review.id}").status_code == 404
    client.force_login(UserFactory())
    assert client.get(f"/reviews/{review.id}").status_code == 404


def test_every_invalid_field_gets_its_own_message_and_input_is_kept(client, user, paper):
    bad = {
        **FORM,
        "platform": "neurips",
        "source_url": "https://evil.example/x",
        "venue": "",
        "year": "abc",
        "body": "",
        "attest": "",
    }
    page = soup(client.post("/doi/10.5555/reviewed/reviews/new", bad))
    errors = {p["id"].removesuffix("-error"): p.get_text() for p in page.select("p.field-error")}
    assert "Give the link" not in errors.get("id_source_url", "")
    assert errors["id_venue"] == "Give the venue, e.g. ICLR 2024."
    assert errors["id_year"] == "Enter the year as a number."
    assert errors["id_body"] == "Paste the text of the review."
    assert errors["id_attest"] == "Confirm that you may post this review here."
    assert page.select_one("#id_source_url")["value"] == "https://evil.example/x"
    assert page.select_one("#id_rating")["value"] == "8"
    assert Review.objects.count() == 0


def test_foreign_link_for_a_known_platform_is_refused(client, user, paper):
    page = soup(client.post("/doi/10.5555/reviewed/reviews/new", {**FORM, "source_url": "https://evil.example/x"}))
    assert "OpenReview reviews live on openreview.net" in page.select_one("#id_source_url-error").get_text()
    assert Review.objects.count() == 0


def test_preview_shows_rendered_html_and_saves_nothing(client, user, paper):
    data = {**FORM, "body": "**bold** <script>alert(1)</script>", "preview": "1"}
    del data["submit"]
    page = soup(client.post("/doi/10.5555/reviewed/reviews/new", data))
    preview = page.select_one(".preview .review-body")
    assert preview.find("strong").get_text() == "bold" and preview.find("script") is None
    assert page.select_one("#id_body").get_text().strip() == data["body"]
    assert Review.objects.count() == 0


def test_honeypot_filled_saves_nothing(client, user, paper):
    response = client.post("/doi/10.5555/reviewed/reviews/new", {**FORM, "website": "http://spam.example"})
    assert response.status_code == 400 and Review.objects.count() == 0


def test_oversized_body_is_refused_with_a_message(client, user, paper):
    page = soup(client.post("/doi/10.5555/reviewed/reviews/new", {**FORM, "body": "x" * 60_001}))
    assert "at most 60,000" in page.select_one("#id_body-error").get_text()
    assert Review.objects.count() == 0


def test_per_user_rate_limit_has_a_clear_message(client, user, paper, settings):
    settings.REVIEW_RATE_LIMIT_USER = "2/h"
    for n in range(2):
        form = {**FORM, "source_url": f"https://openreview.net/forum?id=abc{n}"}
        assert client.post("/doi/10.5555/reviewed/reviews/new", form).status_code == 302
    response = client.post("/doi/10.5555/reviewed/reviews/new", {**FORM, "source_url": "https://openreview.net/x"})
    assert response.status_code == 429
    assert "Too many submissions from your account: at most 2 per hour" in response.content.decode()
    assert Review.objects.count() == 2


def test_per_ip_rate_limit_spans_accounts(client, paper, settings):
    settings.REVIEW_RATE_LIMIT_IP = "3/h"
    statuses = []
    for _ in range(4):
        client.force_login(UserFactory())
        statuses.append(client.post("/doi/10.5555/reviewed/reviews/new", FORM).status_code)
    assert statuses == [302, 302, 302, 429]
    assert Review.objects.count() == 3


def test_only_the_author_edits_and_deletes(client, paper):
    review = ReviewFactory(paper=paper)
    client.force_login(UserFactory())
    assert client.get(f"/reviews/{review.id}/edit").status_code == 403
    assert client.post(f"/reviews/{review.id}/edit", FORM).status_code == 403
    assert client.post(f"/reviews/{review.id}/delete").status_code == 403
    client.force_login(review.author)
    assert client.get(f"/reviews/{review.id}/edit").status_code == 200
    response = client.post(f"/reviews/{review.id}/delete")
    assert response["Location"] == paper.get_absolute_url() and not Review.objects.exists()


def test_author_edit_of_published_review_keeps_it_up_and_shows_history(client, paper):
    review = ReviewFactory(paper=paper, body="Published text")
    client.force_login(review.author)
    response = client.post(f"/reviews/{review.id}/edit", {**FORM, "body": "Edited text"}, follow=True)
    html = response.content.decode()
    assert "waiting for moderation; the published version stays up" in html
    assert "Published text" in client.get(paper.get_absolute_url()).content.decode()
    assert "Edit history" in html
    form = soup(client.get(f"/reviews/{review.id}/edit"))
    assert form.select_one("#id_body").get_text().strip() == "Edited text", "the author continues from the edit"


def test_rejected_review_shows_the_reason_to_its_author_only(client, paper):
    review = ReviewFactory(paper=paper, status=ModerationStatus.REJECTED, rejection_reason="Not public anywhere.")
    client.force_login(review.author)
    assert "Not public anywhere." in client.get(f"/reviews/{review.id}").content.decode()
    assert "Not public anywhere." in client.get("/reviews/mine").content.decode()
    client.force_login(UserFactory())
    assert client.get(f"/reviews/{review.id}").status_code == 404
    assert "Not public anywhere." not in client.get("/reviews/mine").content.decode()


def test_staff_see_pending_reviews(admin_client, paper):
    review = ReviewFactory(paper=paper, status=ModerationStatus.PENDING)
    assert admin_client.get(f"/reviews/{review.id}").status_code == 200


def test_approved_review_card_on_the_paper_page(client, paper):
    ReviewFactory(
        paper=paper,
        platform="iclr",
        reviewer_name="R. Viewer",
        reviewer_orcid="0000-0002-1825-0097",
        venue="ICLR 2024",
        year=2024,
        rating="6: marginal",
        confidence="3",
        body="Nice **work**.",
    )
    card = soup(client.get(paper.get_absolute_url())).select_one("li.review")
    text = card.get_text(" ", strip=True)
    for expected in ("ICLR", "R. Viewer", "ICLR 2024, 2024", "Rating: 6: marginal", "Confidence: 3", "CC BY 4.0"):
        assert expected in text
    assert card.select_one("a.orcid")["href"] == "https://orcid.org/0000-0002-1825-0097"
    assert card.find("a", string="Original on ICLR")["rel"] == ["nofollow", "ugc", "noopener"]
    assert card.select_one(".review-body strong").get_text() == "work"


def test_reviews_are_newest_first_with_count(client, paper):
    ReviewFactory(paper=paper, body="older")
    ReviewFactory(paper=paper, body="newer")
    page = soup(client.get(paper.get_absolute_url()))
    assert [r.select_one(".review-body").get_text(strip=True) for r in page.select("li.review")] == ["newer", "older"]
    assert page.select_one("#reviews-heading").get_text(" ", strip=True) == "Peer Reviews (2)"


@pytest.mark.parametrize("path", ["/", "/doi/10.5555/reviewed", "/accounts/login/", "/healthz"])
def test_content_security_policy_forbids_inline_script_everywhere(client, paper, path):
    policy = client.get(path)["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in policy and "object-src 'none'" in policy


def test_admin_bulk_approve_and_reject_with_reason(admin_client, paper):
    first, second = (ReviewFactory(paper=paper, status=ModerationStatus.PENDING) for _ in range(2))
    admin_client.post("/admin/reviews/review/", {"action": "approve", "_selected_action": [first.id]})
    first.refresh_from_db()
    assert first.status == "approved" and first.published_at
    page = admin_client.post("/admin/reviews/review/", {"action": "reject", "_selected_action": [second.id]})
    assert "The author sees this reason." in page.content.decode()
    admin_client.post(
        "/admin/reviews/review/",
        {"action": "reject", "_selected_action": [second.id], "apply": "1", "reason": "Duplicate of another review."},
    )
    second.refresh_from_db()
    assert (second.status, second.rejection_reason) == ("rejected", "Duplicate of another review.")


def test_review_form_and_feed_of_a_malformed_doi_are_404(client, user):
    assert client.get("/doi/11.1234/x/reviews/new").status_code == 404
    assert client.get("/feeds/reviews/11.1234/x.atom").status_code == 404


def test_submitting_the_form_twice_stores_one_review_and_says_so(client, user, paper):
    first = client.post("/doi/10.5555/reviewed/reviews/new", FORM)
    second = client.post("/doi/10.5555/reviewed/reviews/new", FORM, follow=True)
    review = Review.objects.get()
    assert first["Location"] == review.get_absolute_url()
    assert second.redirect_chain[-1][0] == review.get_absolute_url()
    assert "You had already submitted this review" in second.content.decode()


def test_reviewer_names_are_isolated_on_the_page_and_clean_in_the_feed(client, paper):
    # A row stored before bidi controls were stripped at submission: the page isolates it, the feed strips it.
    ReviewFactory(paper=paper, reviewer_name="Mallory \u202eevil\u202c")
    page = soup(client.get(paper.get_absolute_url()))
    assert page.select_one(".review bdi.reviewer").get_text() == "Mallory \u202eevil\u202c"
    for path in ("/feeds/reviews.atom", "/feeds/reviews/10.5555/reviewed.atom"):
        feed = client.get(path).content.decode()
        assert "Mallory evil" in feed and "\u202e" not in feed and "\u202c" not in feed


def test_a_heading_in_a_review_is_never_a_second_h1(client, user, paper):
    client.post("/doi/10.5555/reviewed/reviews/new", {**FORM, "body": "# My review\n\n## Summary\n\nSolid."})
    from reviews.services import review_approve

    review = review_approve(review=Review.objects.get(), moderator=user)
    for url in (review.get_absolute_url(), paper.get_absolute_url()):
        page = soup(client.get(url))
        assert len(page.find_all("h1")) == 1
        assert page.select_one(".review-body h3").get_text() == "My review"
        assert page.select_one(".review-body h4").get_text() == "Summary"


def test_reviews_stored_before_get_their_headings_shifted():
    import importlib

    from django.apps import apps

    migration = importlib.import_module("reviews.migrations.0004_review_headings_below_sections")
    review = ReviewFactory(body="# Old\n\ntext", body_html="<h1>Old</h1>\n<p>text</p>\n")
    review.revisions.create(
        body=review.body,
        body_html=review.body_html,
        **{
            name: getattr(review, name)
            for name in ("platform", "source_url", "venue", "year", "reviewer_name", "license")
        },
    )
    migration.rerender(apps)
    review.refresh_from_db()
    assert review.body_html == "<h3>Old</h3>\n<p>text</p>\n"
    assert review.revisions.get().body_html == review.body_html


def test_the_body_is_never_cut_by_the_browser_and_a_live_count_is_offered(client, user, paper):
    page = soup(client.get("/doi/10.5555/reviewed/reviews/new"))
    body = page.select_one("textarea[name=body]")
    assert body.get("maxlength") is None and body["data-max-length"] == "60000"
    assert page.select_one('script[src$="js/char-count.js"]') is not None


def test_an_over_long_review_comes_back_whole_with_the_reason(client, user, paper):
    text = "word " * 12_000 + "words"  # 60,005 characters
    page = soup(client.post("/doi/10.5555/reviewed/reviews/new", {**FORM, "body": text}))
    assert (
        "60,005 characters long; at most 60,000 fit. Shorten it by 5 characters"
        in page.select_one("#id_body-error").get_text()
    )
    assert page.select_one("textarea[name=body]").get_text().strip() == text.strip()
    assert Review.objects.count() == 0


def test_line_breaks_count_once_as_in_the_live_count(client, user, paper):
    text = ("x" * 99 + "\r\n") * 600  # 60,000 characters once each CRLF counts as one
    assert client.post("/doi/10.5555/reviewed/reviews/new", {**FORM, "body": text}).status_code == 302


def test_a_post_over_the_upload_limit_gets_a_page_that_says_so(client, user, paper, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = client.post("/doi/10.5555/reviewed/reviews/new", {**FORM, "body": "x" * 20_000})
    assert response.status_code == 413
    text = soup(response).select_one("main").get_text(" ", strip=True)
    assert "What you sent was too large" in text and "at most 9.8\xa0KB" in text and "Back button" in text
    assert Review.objects.count() == 0


def test_a_csrf_failure_explains_and_shows_the_text_back(paper):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory())
    response = client.post(
        "/doi/10.5555/reviewed/reviews/new", {**FORM, "body": "My long <b>careful</b> review.", "password": "hunter2"}
    )
    assert response.status_code == 403
    page = soup(response)
    assert "This form had expired" in page.h1.get_text()
    shown = [area.get_text() for area in page.select(".submitted-text textarea")]
    assert "My long <b>careful</b> review." in shown and "ICLR 2024" in shown
    assert "hunter2" not in response.content.decode() and page.select_one(".submitted-text b") is None
    assert Review.objects.count() == 0


def test_a_permission_error_on_a_post_says_why_and_shows_the_text_back(client, user):
    someone_elses = ReviewFactory()
    response = client.post(f"/reviews/{someone_elses.id}/edit", {**FORM, "body": "Text I typed for nothing."})
    assert response.status_code == 403
    page = soup(response)
    assert "Only the author of a review can edit it." in page.select_one("main").get_text()
    assert "Text I typed for nothing." in [area.get_text() for area in page.select(".submitted-text textarea")]


def test_a_refused_submit_has_an_error_summary_linking_to_each_field(client, user, paper):
    page = soup(client.post("/doi/10.5555/reviewed/reviews/new", {**FORM, "venue": "", "year": "", "attest": ""}))
    summary = page.select_one("[data-error-summary]")
    assert summary["tabindex"] == "-1" and page.select_one("form.review-form > .error-summary") is summary
    links = {a["href"]: a.get_text() for a in summary.select("a")}
    assert set(links) == {"#id_venue", "#id_year", "#id_attest"}
    for href in links:
        assert page.select_one(href) is not None, href
    assert "Confirm that you may post this review here." in links["#id_attest"]
    assert page.select_one('script[src$="js/error-summary.js"]') is not None


def test_a_filled_honeypot_says_so_where_people_look_and_is_emptied(client, user, paper):
    response = client.post("/doi/10.5555/reviewed/reviews/new", {**FORM, "website": "https://me.example"})
    assert response.status_code == 400 and Review.objects.count() == 0
    page = soup(response)
    assert "probably by your browser's autofill" in page.select_one("[data-error-summary] .form-errors").get_text()
    assert page.select_one("input[name=website]").get("value") is None
    assert page.select_one("textarea[name=body]").get_text().strip() == FORM["body"]
    # Submitted again as the page now stands (honeypot empty): accepted.
    assert client.post("/doi/10.5555/reviewed/reviews/new", FORM).status_code == 302
