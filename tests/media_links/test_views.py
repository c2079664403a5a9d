import pytest
from bs4 import BeautifulSoup

from media_links.models import Video
from paperhub.moderation import ModerationStatus
from tests.media_links.factories import VideoFactory
from tests.papers.factories import PaperFactory
from tests.reviews.factories import UserFactory

pytestmark = pytest.mark.django_db

RICK = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"


@pytest.fixture
def paper():
    return PaperFactory(doi="10.5555/explained")


@pytest.fixture
def user(client):
    user = UserFactory()
    client.force_login(user)
    return user


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def test_paper_page_links_to_the_video_form(client, paper):
    link = soup(client.get(paper.get_absolute_url())).find("a", string="Link a video")
    assert link["href"] == "/doi/10.5555/explained/videos/new"


def test_form_needs_sign_in(client, paper):
    assert client.get("/doi/10.5555/explained/videos/new")["Location"].startswith("/accounts/login/")


def test_linking_a_video_creates_a_pending_card_only_staff_and_nobody_else_see(client, user, paper):
    response = client.post("/doi/10.5555/explained/videos/new", {"url": RICK, "kind": "talk", "note": "Keynote"})
    assert response["Location"] == paper.get_absolute_url()
    video = Video.objects.get()
    assert (video.status, video.added_by, video.note) == ("pending", user, "Keynote")
    assert "video-card" not in client.get(paper.get_absolute_url()).content.decode()


def test_foreign_url_gets_a_clear_message_and_nothing_is_saved(client, user, paper):
    page = soup(
        client.post(
            "/doi/10.5555/explained/videos/new",
            {"url": "https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ", "kind": "talk"},
        )
    )
    assert "are not accepted" in page.select_one("#id_url-error").get_text()
    assert page.select_one("#id_url")["value"] == "https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ"
    assert Video.objects.count() == 0


def test_duplicate_is_refused_with_a_link_to_the_existing_card(client, user, paper):
    existing = VideoFactory(paper=paper, provider="youtube", video_id="dQw4w9WgXcQ")
    page = soup(
        client.post("/doi/10.5555/explained/videos/new", {"url": "https://youtu.be/dQw4w9WgXcQ", "kind": "talk"})
    )
    error = page.select_one("#id_url-error")
    assert "already linked" in error.get_text()
    assert error.a["href"] == f"/doi/10.5555/explained#video-{existing.id}"
    assert Video.objects.count() == 1


def test_oversized_post_is_refused(client, user, paper):
    response = client.post("/doi/10.5555/explained/videos/new", {"url": RICK, "kind": "talk", "note": "x" * 5000})
    assert response.status_code == 400
    assert "at most 500 characters" in soup(response).select_one("#id_note-error").get_text()


def test_video_rate_limit_per_user(client, user, paper, settings):
    settings.VIDEO_RATE_LIMIT_USER = "1/h"
    assert client.post("/doi/10.5555/explained/videos/new", {"url": RICK, "kind": "talk"}).status_code == 302
    response = client.post("/doi/10.5555/explained/videos/new", {"url": "https://vimeo.com/169850570", "kind": "talk"})
    assert response.status_code == 429 and "at most 1 per hour" in response.content.decode()


def test_card_shows_details_and_no_third_party_resource(client, paper):
    VideoFactory(
        paper=paper,
        provider="vimeo",
        video_id="169850570",
        title="Making Weather",
        channel="Richard Clarkson",
        kind="lecture",
        duration_seconds=78,
        start_seconds=65,
        added_by_name="Ada",
    )
    html = client.get(paper.get_absolute_url()).content.decode()
    card = BeautifulSoup(html, "html.parser").select_one("li.video-card")
    text = card.get_text(" ", strip=True)
    for expected in (
        "Making Weather",
        "Richard Clarkson",
        "Vimeo",
        "Lecture",
        "1:18",
        "starts at 1:05",
        "Added by Ada",
    ):
        assert expected in text
    assert (
        card.select_one("[data-embed-url]")["data-embed-url"]
        == "https://player.vimeo.com/video/169850570?dnt=1&autoplay=1#t=65s"
    )
    assert card.find("iframe") is None
    page = BeautifulSoup(html, "html.parser")
    for tag, attr in (("img", "src"), ("script", "src"), ("link", "href"), ("iframe", "src")):
        for element in page.find_all(tag):
            if tag == "link" and not {"stylesheet", "icon", "preload"} & set(element.get("rel", [])):
                continue  # rel=canonical names this page; it loads nothing
            value = element.get(attr) or ""
            assert not value.startswith(("http://", "https://", "//")), f"<{tag} {attr}={value}> loads from elsewhere"


def test_unavailable_video_shows_as_such_without_a_player(client, paper):
    VideoFactory(paper=paper, availability="unavailable")
    card = soup(client.get(paper.get_absolute_url())).select_one("li.video-card")
    assert "Unavailable: private or removed" in card.get_text() and card.select_one("[data-play]") is None


def test_adder_removes_their_link_others_cannot(client, paper):
    video = VideoFactory(paper=paper)
    client.force_login(UserFactory())
    assert client.post(f"/videos/{video.id}/delete").status_code == 403
    client.force_login(video.added_by)
    assert "Remove" in client.get(paper.get_absolute_url()).content.decode()
    assert client.post(f"/videos/{video.id}/delete")["Location"] == paper.get_absolute_url()
    assert not Video.objects.exists()


def test_frame_src_allows_only_the_players(client, paper):
    policy = client.get(paper.get_absolute_url())["Content-Security-Policy"]
    frame_src = next(p for p in policy.split(";") if p.strip().startswith("frame-src"))
    assert frame_src.split()[1:] == ["https://www.youtube-nocookie.com", "https://player.vimeo.com"]


def test_admin_approves_videos(admin_client, paper):
    video = VideoFactory(paper=paper, status=ModerationStatus.PENDING)
    admin_client.post("/admin/media_links/video/", {"action": "approve", "_selected_action": [video.id]})
    video.refresh_from_db()
    assert video.status == "approved"


def test_rejected_links_do_not_use_up_the_hourly_allowance(client, user, paper, settings):
    settings.VIDEO_RATE_LIMIT_USER = "3/h"
    for n in range(25):  # typos and look-alike hosts, more than the per-hour limit of real links
        response = client.post(
            "/doi/10.5555/explained/videos/new",
            {"url": f"https://youtube.com@evil.example/watch?v={n}", "kind": "talk"},
        )
        assert response.status_code == 400
    assert client.post("/doi/10.5555/explained/videos/new", {"url": RICK, "kind": "talk"}).status_code == 302


def test_rejected_attempts_are_bounded_on_their_own(client, user, paper, settings):
    settings.VIDEO_REJECTED_RATE_LIMIT_USER = "3/h"
    for _ in range(3):
        assert (
            client.post("/doi/10.5555/explained/videos/new", {"url": "not a video", "kind": "talk"}).status_code == 400
        )
    response = client.post("/doi/10.5555/explained/videos/new", {"url": RICK, "kind": "talk"})
    assert response.status_code == 429
    page = soup(response)
    assert "Too many rejected attempts from your account: at most 3 per hour" in page.select_one(".form-errors").text
    assert page.select_one("input[name=url]")["value"] == RICK
    assert Video.objects.count() == 0


def test_a_duplicate_counts_as_rejected_not_as_linked(client, user, paper, settings):
    settings.VIDEO_RATE_LIMIT_USER = "1/h"
    VideoFactory(paper=paper, provider="youtube", video_id="dQw4w9WgXcQ")
    for _ in range(3):
        assert client.post("/doi/10.5555/explained/videos/new", {"url": RICK, "kind": "talk"}).status_code == 400
    vimeo = {"url": "https://vimeo.com/169850570", "kind": "talk"}
    assert client.post("/doi/10.5555/explained/videos/new", vimeo).status_code == 302


def test_a_refused_video_link_has_an_error_summary(client, user, paper):
    page = soup(client.post("/doi/10.5555/explained/videos/new", {"url": "not a video", "kind": "talk"}))
    links = [a["href"] for a in page.select("[data-error-summary] a")]
    assert links == ["#id_url"] and page.select_one("#id_url") is not None
