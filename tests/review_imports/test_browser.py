"""In a real browser, with a real Celery worker: a forum link pasted on the paper page becomes its reviews.

The worker fetches the recorded ICLR 2018 forum from the fake upstream (v2 does not know it, v1 answers), the import
page refreshes itself until it is done, and the paper page shows the reviews, their scores and the folded long ones.
"""

import re

import pytest

from review_imports.models import ForumImport
from tests.browser import axe_violations, chromium, new_page, session_cookie, sideways_overflow
from tests.fake_upstream.server import Slow
from tests.review_imports.factories import FORUM_ID, FORUM_URL, matching_paper
from tests.reviews.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}


def test_a_pasted_forum_link_is_imported_by_a_worker_and_its_reviews_shown(live_server, fake_upstream, celery_worker):
    paper = matching_paper()
    staff = UserFactory(username="moderator", is_staff=True)
    cookie = session_cookie(live_server=live_server, user=staff)
    # The first answer waits (within the worker's timeout), so the import page is seen before the import is done.
    fake_upstream.script("openreview", Slow(1.2))
    paper_url = f"{live_server.url}{paper.get_absolute_url()}"
    with chromium() as browser:
        page = new_page(browser, cookie=cookie)
        page.goto(paper_url)
        page.get_by_label("Import reviews from OpenReview").fill(FORUM_URL)
        page.click("form.import-openreview button[type=submit]")
        page.wait_for_url(re.compile(r"/review-imports/\d+$"))
        import_url = page.url
        assert "This page refreshes itself until the import is done." in page.inner_text("main")
        assert page.locator("meta[http-equiv=refresh]").count() == 1

        # No click: the page's own refresh brings the result.
        page.get_by_text("Published:").wait_for(timeout=30_000)
        assert page.url == import_url
        assert page.locator("meta[http-equiv=refresh]").count() == 0
        assert "Official review by AnonReviewer1: Rating 3, Confidence 4" in page.inner_text(".import-notes")

        page.get_by_role("link", name="read the reviews on the paper’s page").click()
        page.wait_for_load_state()
        block = page.locator(f"#forum-{FORUM_ID}")
        assert block.locator("h3").inner_text() == "OpenReview · ICLR 2018 · 3 reviews"
        text = block.inner_text()
        for reviewer in ("AnonReviewer1", "AnonReviewer2", "AnonReviewer3", "Authors"):
            assert reviewer in text
        scores = block.locator("table.review-scores").first
        assert scores.is_visible() and "Strong rejection" in scores.inner_text()

        # A long review is folded: its second half shows once its summary is clicked.
        folded = block.locator("details.review-more").first
        rest = folded.locator(".review-body")
        assert not rest.is_visible()
        folded.get_by_text("Read the whole official review").click()
        assert rest.is_visible() and folded.get_attribute("open") is not None

        assert axe_violations(page) == []

        phone = new_page(browser, cookie=cookie, viewport=PHONE)
        for url in (paper_url, import_url):
            phone.goto(url)
            # Folded halves open too: what a reader sees after "Read the whole official review".
            phone.evaluate("() => document.querySelectorAll('details').forEach(details => { details.open = true; })")
            measured = sideways_overflow(phone)
            assert measured["scrollWidth"] <= PHONE["width"], (url, measured)
            assert axe_violations(phone) == [], url

    forum_import = ForumImport.objects.get()
    assert (forum_import.state, forum_import.status, forum_import.api_version) == ("done", "approved", 1)
    assert [call.status for call in fake_upstream.calls("openreview")] == [404]  # v2 does not know it; v1 does
    assert [call.status for call in fake_upstream.calls("openreview-v1")] == [200]
