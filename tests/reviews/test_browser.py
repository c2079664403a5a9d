"""A newcomer's whole journey in a real browser: sign up, verify, review, moderation, publication."""

import re

import pytest
from django.core import mail

from papers.models import Paper
from reviews import services
from tests.browser import chromium, new_page, session_cookie
from tests.papers.factories import PaperFactory
from tests.reviews.factories import UserFactory
from tests.reviews.xss_vectors import XSS_VECTORS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def paper():
    return PaperFactory(doi="10.5555/browser.paper", title="A Paper Worth Reviewing")


def test_sign_up_verify_review_and_see_it_after_approval(live_server, paper):
    UserFactory(username="moderator", email="mod@example.org", is_staff=True, is_superuser=True)
    with chromium() as browser:
        page = browser.new_page()
        page.goto(f"{live_server.url}/accounts/signup/")
        page.fill("input[name=email]", "newcomer@example.org")
        page.fill("input[name=password1]", "a long and unusual passphrase 42")
        page.fill("input[name=password2]", "a long and unusual passphrase 42")
        page.click("main form button[type=submit]")
        page.wait_for_load_state()
        assert "/accounts/confirm-email/" in page.url, page.inner_text("main")

        [message] = mail.outbox
        link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", message.body).group(0)
        page.goto(link)
        page.click("main form button[type=submit]")
        page.wait_for_load_state()
        if "/accounts/login/" in page.url:
            page.fill("input[name=login]", "newcomer@example.org")
            page.fill("input[name=password]", "a long and unusual passphrase 42")
            page.click("main form button[type=submit]")
            page.wait_for_load_state()

        page.goto(f"{live_server.url}{paper.get_absolute_url()}")
        page.click("text=Add a review")
        page.select_option("select[name=platform]", "openreview")
        page.fill("input[name=source_url]", "https://openreview.net/forum?id=xyz")
        page.fill("input[name=venue]", "ICLR 2025")
        page.fill("input[name=year]", "2025")
        page.fill("input[name=reviewer_name]", "Nova Newcomer")
        page.fill("textarea[name=body]", "## Strengths\n\nA **clear** contribution.")
        page.check("input[name=attest]")
        page.click("button[name=preview]")
        assert page.inner_text(".preview strong") == "clear"
        page.click("button[name=submit]")
        page.wait_for_load_state()
        assert "Waiting for moderation." in page.inner_text("main")

        visitor = browser.new_page()
        visitor.goto(f"{live_server.url}{paper.get_absolute_url()}")
        assert "A clear contribution." not in visitor.inner_text("#reviews")

        staff = browser.new_context().new_page()
        staff.goto(f"{live_server.url}/admin/login/")
        staff.fill("input[name=username]", "moderator")
        staff.fill("input[name=password]", "correct horse battery staple")
        staff.click("input[type=submit]")
        staff.goto(f"{live_server.url}/admin/reviews/review/?status__exact=pending")
        staff.check("input[name=_selected_action]")
        staff.select_option("select[name=action]", "approve")
        staff.click("button[name=index]")
        staff.wait_for_load_state()
        assert "Approved 1." in staff.inner_text("body")

        visitor.reload()
        reviews = visitor.inner_text("#reviews")
        assert "A clear contribution." in reviews and "Nova Newcomer" in reviews and "ICLR 2025" in reviews


def test_a_review_made_of_xss_vectors_is_inert_in_the_browser(live_server, paper):
    author = UserFactory(is_staff=True)  # staff publish directly
    body = "\n\n".join(XSS_VECTORS)
    services.review_create(
        paper=paper,
        author=author,
        data={
            "platform": "other",
            "source_url": "https://example.org/review",
            "venue": "Somewhere",
            "year": 2024,
            "reviewer_name": "<script>alert(1)</script>",
            "is_anonymous": False,
            "body": body,
            "rating": "",
            "confidence": "",
            "license": "CC-BY-4.0",
        },
    )
    with chromium() as browser:
        page = browser.new_page()
        dialogs, errors = [], []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.add_init_script("window.__xss = 0; window.alert = () => { window.__xss += 1; };")
        page.goto(f"{live_server.url}{paper.get_absolute_url()}")
        page.wait_for_timeout(500)  # let any injected handler (onload, ontoggle, autofocus) fire if it could
        for link in page.query_selector_all(".review-body a"):
            link.hover()
        assert dialogs == []
        assert page.evaluate("window.__xss") == 0
        assert page.query_selector_all(".review-body script, .review-body iframe, .review-body img") == []
        assert "<script>alert(1)</script>" in page.inner_text(".review .reviewer")
    assert Paper.objects.count() == 1


def test_the_review_box_counts_characters_live_and_keeps_what_is_pasted(live_server, paper):
    cookie = session_cookie(live_server=live_server, user=UserFactory())
    with chromium() as browser:
        page = new_page(browser, cookie=cookie)
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{live_server.url}/doi/10.5555/browser.paper/reviews/new")
        assert page.inner_text(".char-count") == "0 of 60,000 characters"
        page.fill("textarea[name=body]", "x" * 60_010)
        assert page.input_value("textarea[name=body]") == "x" * 60_010, "nothing is cut"
        counter = page.locator(".char-count")
        assert "60,010 of 60,000 characters" in counter.inner_text() and "10 too many" in counter.inner_text()
        assert "over" in counter.get_attribute("class")
        assert "id_body-count" in page.get_attribute("textarea[name=body]", "aria-describedby").split()
        page.fill("textarea[name=body]", "Short.")
        assert counter.inner_text().strip() == "6 of 60,000 characters" and "over" not in counter.get_attribute("class")
        assert errors == []


def test_after_a_refused_submit_focus_is_on_the_summary_and_its_links_reach_the_fields(live_server, paper):
    cookie = session_cookie(live_server=live_server, user=UserFactory())
    with chromium() as browser:
        page = new_page(browser, cookie=cookie)
        page.goto(f"{live_server.url}/doi/10.5555/browser.paper/reviews/new")
        page.fill("textarea[name=body]", "Kept.")
        page.click("button[name=submit]")
        page.wait_for_load_state()
        page.wait_for_function("document.activeElement && document.activeElement.id === 'error-summary'")
        assert "Nothing was saved" in page.inner_text("#error-summary")
        page.click("#error-summary a[href='#id_venue']")
        assert page.evaluate("document.activeElement.id") == "id_venue"
        described = page.get_attribute("#id_venue", "aria-describedby").split()
        assert "id_venue-error" in described
        assert page.input_value("textarea[name=body]") == "Kept."
