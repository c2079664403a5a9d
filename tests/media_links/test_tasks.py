import pytest

from media_links.models import Video
from tests.fake_upstream.server import Fail
from tests.papers.factories import PaperFactory
from tests.reviews.factories import UserFactory
from tests.workers import wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_oembed_lookup_runs_in_the_worker_and_retries_5xx(client, fake_upstream, celery_worker):
    paper = PaperFactory(doi="10.5555/video.task")
    client.force_login(UserFactory())
    fake_upstream.script("youtube", Fail(503), Fail(500))
    client.post("/doi/10.5555/video.task/videos/new", {"url": "https://youtu.be/dQw4w9WgXcQ", "kind": "talk"})
    video = wait_until(lambda: Video.objects.filter(paper=paper, availability="available").first(), 30, "oEmbed")
    assert video.title.startswith("Rick Astley")
    assert len(fake_upstream.calls("youtube")) == 3


def test_removed_video_is_marked_unavailable(client, fake_upstream, celery_worker):
    PaperFactory(doi="10.5555/video.gone")
    client.force_login(UserFactory())
    fake_upstream.always("vimeo", Fail(404))
    client.post("/doi/10.5555/video.gone/videos/new", {"url": "https://vimeo.com/169850570", "kind": "talk"})
    wait_until(lambda: Video.objects.filter(availability="unavailable").exists(), 30, "the check")
