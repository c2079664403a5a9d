"""No request leaves the site before the visitor presses play; then the privacy-enhanced player loads."""

from urllib.parse import urlsplit

import pytest

from tests.browser import chromium
from tests.media_links.factories import VideoFactory
from tests.papers.factories import PaperFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_player_loads_only_on_click_and_is_youtube_nocookie(live_server):
    paper = PaperFactory(doi="10.5555/video.page")
    video = VideoFactory(paper=paper, provider="youtube", video_id="dQw4w9WgXcQ", title="A talk", start_seconds=42)
    local = {"127.0.0.1", "localhost"}
    with chromium() as browser:
        page = browser.new_page()
        requested = []

        def route(route):
            requested.append(route.request.url)
            if urlsplit(route.request.url).hostname in local:
                route.continue_()
            else:
                route.abort()  # nothing reaches the outside world from a test

        page.route("**/*", route)
        page.goto(f"{live_server.url}{paper.get_absolute_url()}")
        page.wait_for_load_state("networkidle")
        assert requested and all(urlsplit(url).hostname in local for url in requested), requested

        page.click(f"#video-{video.id} [data-play]")
        frame = page.wait_for_selector(f"#video-{video.id} iframe")
        src = frame.get_attribute("src")
        assert src == "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=42&autoplay=1&rel=0"
        page.wait_for_timeout(300)
        outside = {urlsplit(url).hostname for url in requested} - local
        assert outside == {"www.youtube-nocookie.com"}
