import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from media_links import services
from media_links.models import Video
from paperhub.http import UpstreamBadResponse, UpstreamUnavailable
from tests.callbacks import queued_work
from tests.fake_upstream.server import Fail
from tests.media_links.factories import VideoFactory
from tests.papers.factories import PaperFactory
from tests.reviews.factories import TrustedReviewerFactory, UserFactory

pytestmark = pytest.mark.django_db

RICK = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"


def test_new_account_link_is_pending_and_trusted_one_published(django_capture_on_commit_callbacks):
    paper = PaperFactory()
    with django_capture_on_commit_callbacks() as callbacks:
        pending = services.video_add(paper=paper, user=UserFactory(), url=RICK, kind="talk")
        published = services.video_add(
            paper=paper, user=TrustedReviewerFactory().user, url="https://vimeo.com/169850570", kind="lecture"
        )
    assert (pending.status, published.status) == ("pending", "approved")
    assert len(queued_work(callbacks)) == 2, "an oEmbed lookup is queued for each"
    assert published.added_by_name == "Trusted Reviewer"


@pytest.mark.parametrize(
    "again", [RICK, "https://youtu.be/dQw4w9WgXcQ?t=10", "https://www.youtube.com/embed/dQw4w9WgXcQ"]
)
def test_the_same_video_twice_on_one_paper_is_refused_pointing_at_the_existing(again):
    paper = PaperFactory()
    first = services.video_add(paper=paper, user=UserFactory(), url=RICK, kind="talk")
    with pytest.raises(services.VideoAlreadyLinked) as excinfo:
        services.video_add(paper=paper, user=UserFactory(), url=again, kind="talk")
    assert excinfo.value.existing == first
    assert Video.objects.count() == 1
    services.video_add(paper=PaperFactory(), user=UserFactory(), url=RICK, kind="talk")  # another paper is fine


def test_invalid_url_and_start_name_their_field():
    with pytest.raises(ValidationError) as excinfo:
        services.video_add(paper=PaperFactory(), user=UserFactory(), url="https://evil.example/v", kind="talk")
    assert "url" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        services.video_add(paper=PaperFactory(), user=UserFactory(), url=RICK, kind="talk", start="later")
    assert "start" in excinfo.value.message_dict


def test_start_time_field_overrides_the_url():
    video = services.video_add(paper=PaperFactory(), user=UserFactory(), url=f"{RICK}&t=10", kind="talk", start="1:30")
    assert video.start_seconds == 90
    assert video.embed_url == "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=90&autoplay=1&rel=0"


def test_only_the_adder_or_staff_remove_a_link():
    video = VideoFactory()
    with pytest.raises(PermissionDenied):
        services.video_remove(video=video, user=UserFactory())
    services.video_remove(video=video, user=video.added_by)
    assert not Video.objects.exists()


def test_oembed_fills_title_channel_and_duration(fake_upstream):
    youtube = VideoFactory(provider="youtube", video_id="dQw4w9WgXcQ", title="")
    services.video_fetch_info(video=youtube)
    assert youtube.title == "Rick Astley - Never Gonna Give You Up (Official Music Video)"
    assert (youtube.channel, youtube.availability, youtube.duration_seconds) == ("Rick Astley", "available", None)
    call = fake_upstream.calls("youtube")[0]
    assert call.query == {"url": ["https://www.youtube.com/watch?v=dQw4w9WgXcQ"], "format": ["json"]}
    vimeo = VideoFactory(provider="vimeo", video_id="169850570", title="")
    services.video_fetch_info(video=vimeo)
    assert (vimeo.title, vimeo.channel, vimeo.duration_seconds, vimeo.duration_display) == (
        "Making Weather",
        "Richard Clarkson",
        78,
        "1:18",
    )
    cyrillic = VideoFactory(provider="youtube", video_id="mezO-nr7Ah4", title="")
    assert services.video_fetch_info(video=cyrillic).title.startswith("Sorax о потенциале")


@pytest.mark.parametrize("status", [401, 403, 404])
def test_private_or_removed_videos_become_unavailable(fake_upstream, status):
    fake_upstream.script("youtube", Fail(status))
    video = services.video_fetch_info(video=VideoFactory(provider="youtube", video_id="dQw4w9WgXcQ"))
    assert video.availability == "unavailable" and "private or was removed" in video.check_error


def test_server_errors_are_worth_a_retry_and_redirects_are_not_followed(fake_upstream):
    video = VideoFactory(provider="youtube", video_id="dQw4w9WgXcQ")
    fake_upstream.script("youtube", Fail(503))
    with pytest.raises(UpstreamUnavailable):
        services.video_fetch_info(video=video)
    fake_upstream.script("youtube", Fail(302, body=b""))
    with pytest.raises(UpstreamBadResponse, match="redirects are not followed"):
        services.video_fetch_info(video=video)


def test_bidi_controls_in_oembed_text_and_notes_are_stripped(fake_upstream):
    # Constructed case: the recorded Vimeo answer with Trojan-source characters in its title and author name.
    import json

    from papers.demo import FIXTURES

    recorded = json.loads((FIXTURES / "oembed" / "vimeo-oembed-169850570.json").read_text())
    recorded["title"], recorded["author_name"] = "Making \u202eWeather\u202c", "\u2067Richard Clarkson\u2069"
    fake_upstream.script("vimeo", Fail(200, body=json.dumps(recorded).encode()))
    video = services.video_fetch_info(video=VideoFactory(provider="vimeo", video_id="169850570", title=""))
    assert (video.title, video.channel) == ("Making Weather", "Richard Clarkson")
    added = services.video_add(
        paper=PaperFactory(), user=UserFactory(), url="https://youtu.be/dQw4w9WgXcQ", kind="talk", note="a \u202eb"
    )
    assert added.note == "a b"
