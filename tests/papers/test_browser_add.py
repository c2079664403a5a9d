"""Adding a paper from the shared home page in a real browser, with a real Celery worker, with and without script.

The home page is the same bytes for every anonymous visitor (kept whole in the page cache), so its add form holds
no CSRF token: the script fetches one when the form is sent; without script, /add asks again with a token.
"""

import re

import pytest

from papers.models import Paper
from tests.browser import chromium, new_page

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SIGMOD = "10.1145/3448016.3452841"
PONE = "10.1371/journal.pone.0033693"


def add_from_home(page, base_url: str, identifier: str) -> None:
    page.goto(f"{base_url}/")
    assert page.locator("input[name=csrfmiddlewaretoken]").count() == 0, "the shared page holds no token"
    page.get_by_text("Add a paper by DOI, arXiv id, PMID or PMCID").click()
    page.get_by_label("DOI, arXiv id, PMID or PMCID").fill(identifier)
    page.get_by_role("button", name="Add paper").click()


def test_with_script_an_add_from_the_shared_home_page_is_imported(live_server, fake_upstream, celery_worker):
    with chromium() as browser:
        page = new_page(browser)
        page.goto(f"{live_server.url}/")  # kept now: the next visit is served from the page cache
        add_from_home(page, live_server.url, f"https://doi.org/{SIGMOD}")
        page.wait_for_url(f"{live_server.url}/doi/{SIGMOD}")
        assert "Paper added." in page.inner_text(".messages")
        # The pending page refreshes itself until the worker has fetched the metadata.
        page.get_by_role("heading", name=re.compile("Vector Quotient Filters")).wait_for(timeout=30_000)
    assert Paper.objects.get(doi=SIGMOD).fetch_state == "ready"


def test_without_script_the_home_page_asks_again_and_the_add_is_imported(live_server, fake_upstream, celery_worker):
    with chromium() as browser:
        page = new_page(browser, java_script_enabled=False)
        add_from_home(page, live_server.url, PONE)
        page.wait_for_url(re.compile(r"/add\?identifier="))
        assert f"Press Add paper to add {PONE} to PaperHub." in page.inner_text(".confirm-add")
        # Asking again adds nothing (the database is not for this thread while Playwright runs: ask the site).
        assert page.request.get(f"{live_server.url}/doi/{PONE}").status == 404
        page.get_by_role("button", name="Add paper").click()
        page.wait_for_url(f"{live_server.url}/doi/{PONE}")
        assert "Paper added." in page.inner_text(".messages")
        page.get_by_role("heading", name=re.compile("Methylphenidate Exposure")).wait_for(timeout=30_000)
    assert Paper.objects.get(doi=PONE).fetch_state == "ready"


def test_with_script_but_no_token_the_form_asks_again_on_the_add_page(live_server):
    with chromium() as browser:
        page = new_page(browser)
        page.route("**/add/token", lambda route: route.fulfill(status=503, body="unavailable"))
        add_from_home(page, live_server.url, PONE)
        page.wait_for_url(re.compile(r"/add\?identifier="))
        assert f"Press Add paper to add {PONE} to PaperHub." in page.inner_text(".confirm-add")
