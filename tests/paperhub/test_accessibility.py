"""Every kind of page in a real browser: no serious or critical axe-core violation."""

import pytest
from django.core.management import call_command

from paperhub.tokens import token_create
from papers.models import Author, Paper, Topic
from tests.browser import axe_violations, chromium, session_cookie
from tests.media_links.factories import VideoFactory
from tests.reviews.factories import ReviewFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site():
    """The demo papers (real records) with a published review and video, and a signed-in reader."""
    call_command("load_demo", verbosity=0)
    paper = Paper.objects.get(doi="10.7554/elife.01567")
    ReviewFactory(paper=paper)
    VideoFactory(paper=paper)
    author = Author.objects.exclude(orcid="").order_by("pk").first()
    topic = Topic.objects.order_by("pk").first()
    user = UserFactory(username="reader")
    token_create(user=user, name="reading list")  # the tokens page shows its table only when there are tokens
    ReviewFactory(paper=paper, author=user)
    return {"paper": paper, "author": author, "topic": topic, "user": user}


def anonymous_paths(site):
    paper = site["paper"]
    return [
        "/",
        paper.get_absolute_url(),
        "/doi/10.1371/journal.pone.0033693",
        "/doi/10.5555/not.yet.here",
        "/search?q=protein",
        "/search?q=cell",
        "/search?q=zzzzunfindable",
        "/topics/",
        f"/topics/{site['topic'].openalex_id}",
        f"/authors/{site['author'].orcid}",
        "/add",
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
    ]


def signed_in_paths(site):
    paper = site["paper"]
    return [
        paper.get_absolute_url(),
        f"{paper.get_absolute_url()}/reviews/new",
        f"{paper.get_absolute_url()}/videos/new",
        "/reviews/mine",
        "/account/tokens",
        "/accounts/email/",
        "/accounts/password/change/",
    ]


def test_no_serious_or_critical_axe_violations_on_any_page_kind(live_server, site):
    found = {}
    cookie = session_cookie(live_server=live_server, user=site["user"])
    runs = ((None, anonymous_paths(site)), (cookie, signed_in_paths(site)))
    with chromium() as browser:
        for cookie, paths in runs:
            context = browser.new_context()
            if cookie:
                context.add_cookies([cookie])
            page = context.new_page()
            for path in paths:
                page.goto(f"{live_server.url}{path}")
                assert "/accounts/login/" not in page.url or path.startswith("/accounts/"), path
                if violations := axe_violations(page):
                    found[path] = violations
    assert found == {}
