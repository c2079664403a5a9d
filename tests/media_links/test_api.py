import pytest
from rest_framework.test import APIClient

from media_links.models import Video
from paperhub.moderation import ModerationStatus
from tests.media_links.factories import VideoFactory
from tests.papers.factories import PaperFactory
from tests.reviews.factories import UserFactory

pytestmark = pytest.mark.django_db


def as_user(user):
    client = APIClient()
    if user:
        client.force_authenticate(user)
    return client


def test_link_a_video_and_refuse_the_duplicate():
    PaperFactory(doi="10.5555/api.video")
    client = as_user(UserFactory())
    created = client.post(
        "/api/v1/papers/10.5555/api.video/videos/",
        {"url": "https://youtu.be/dQw4w9WgXcQ?t=42", "kind": "talk"},
        format="json",
    )
    assert created.status_code == 201
    data = created.json()
    assert (data["provider"], data["video_id"], data["start_seconds"], data["status"]) == (
        "youtube",
        "dQw4w9WgXcQ",
        42,
        "pending",
    )
    assert data["embed_url"].startswith("https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ")
    again = client.post(
        "/api/v1/papers/10.5555/api.video/videos/",
        {"url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ", "kind": "talk"},
        format="json",
    )
    assert again.status_code == 409
    assert again.json()["error"]["existing"] == f"http://testserver/api/v1/videos/{Video.objects.get().id}/"


def test_foreign_video_url_is_400_with_the_message():
    PaperFactory(doi="10.5555/api.video")
    body = (
        as_user(UserFactory())
        .post(
            "/api/v1/papers/10.5555/api.video/videos/",
            {"url": "https://youtube.com@evil.example/watch?v=dQw4w9WgXcQ"},
            format="json",
        )
        .json()
    )
    assert "hides its real host" in body["error"]["fields"]["url"][0]


@pytest.mark.parametrize(("role", "code"), [("anonymous", 401), ("adder", 204), ("other", 403), ("staff", 204)])
def test_delete_permission_matrix(role, code):
    video = VideoFactory()
    user = {"anonymous": None, "adder": video.added_by, "other": UserFactory(), "staff": UserFactory(is_staff=True)}[
        role
    ]
    response = as_user(user).delete(f"/api/v1/videos/{video.id}/")
    assert response.status_code in ((401, 403) if code == 401 else (code,))
    assert Video.objects.filter(id=video.id).exists() == (code != 204)


def test_pending_videos_reach_only_their_adder_and_staff():
    video = VideoFactory(status=ModerationStatus.PENDING, title="Not yet")
    path = f"/api/v1/papers/{video.paper.doi}/videos/"
    assert "Not yet" not in as_user(None).get(path).content.decode()
    assert "Not yet" not in as_user(UserFactory()).get(path).content.decode()
    assert "Not yet" in as_user(video.added_by).get(path).content.decode()
    assert as_user(UserFactory()).get(f"/api/v1/videos/{video.id}/").status_code == 404
    assert as_user(UserFactory(is_staff=True)).get(f"/api/v1/videos/{video.id}/").status_code == 200


def test_rejected_links_count_apart_from_linked_ones(settings):
    settings.VIDEO_RATE_LIMIT_USER = "1/h"
    settings.VIDEO_REJECTED_RATE_LIMIT_USER = "10/h"
    PaperFactory(doi="10.5555/api.video")
    client = as_user(UserFactory())
    url = "/api/v1/papers/10.5555/api.video/videos/"
    codes = [client.post(url, {"url": "https://example.org/v"}, format="json").status_code for _ in range(5)]
    codes.append(client.post(url, {"url": "https://youtu.be/dQw4w9WgXcQ"}, format="json").status_code)
    codes.append(client.post(url, {"url": "https://vimeo.com/169850570"}, format="json").status_code)
    assert codes == [400] * 5 + [201, 429]
