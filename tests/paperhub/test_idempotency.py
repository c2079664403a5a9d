"""Idempotency-Key on every API POST: a retried request answers the first response instead of acting twice."""

import pytest
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory

from media_links.models import Video
from paperhub.api import idempotent_response
from papers.models import Paper
from review_imports.models import ForumImport
from reviews.models import Review
from tests.api import token_client
from tests.papers.factories import PaperFactory
from tests.reviews.factories import UserFactory

pytestmark = pytest.mark.django_db

DOI = "10.5555/api.idempotent"
REVIEW = {
    "platform": "iclr",
    "source_url": "https://openreview.net/forum?id=idem",
    "venue": "ICLR 2024",
    "year": 2024,
    "reviewer_name": "Ada",
    "body": "## Summary\n\nGood.",
    "license": "CC-BY-4.0",
    "attest": True,
}


def client_for(user):
    return token_client(user)


@pytest.fixture
def paper():
    return PaperFactory(doi=DOI)


# (url, first body, another body, how many things the first one made)
ENDPOINTS = {
    "papers": ("/api/v1/papers/", {"doi": "10.5555/idem.new"}, {"doi": "10.5555/idem.other"}, Paper.objects.count),
    "reviews": (f"/api/v1/papers/{DOI}/reviews/", REVIEW, {**REVIEW, "venue": "ICLR 2025"}, Review.objects.count),
    "videos": (
        f"/api/v1/papers/{DOI}/videos/",
        {"url": "https://youtu.be/dQw4w9WgXcQ", "kind": "talk"},
        {"url": "https://vimeo.com/76979871", "kind": "talk"},
        Video.objects.count,
    ),
    "review-imports": (
        f"/api/v1/papers/{DOI}/review-imports/",
        {"url": "https://openreview.net/forum?id=B1CEaMbR-"},
        {"url": "https://openreview.net/forum?id=HJepJh0qKX"},
        ForumImport.objects.count,
    ),
}


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_repeat_with_the_same_key_answers_the_first_response_without_acting(paper, endpoint):
    url, body, _, count = ENDPOINTS[endpoint]
    client = client_for(UserFactory())
    first = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="key-1")
    assert first.status_code in (201, 202), first.content
    made = count()
    again = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="key-1")
    assert (again.status_code, again.json()) == (first.status_code, first.json())
    assert again["Location"] == first["Location"] and again["Idempotent-Replayed"] == "true"
    assert count() == made


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_the_same_key_with_another_body_is_422(paper, endpoint):
    url, body, other, count = ENDPOINTS[endpoint]
    client = client_for(UserFactory())
    client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="key-1")
    made = count()
    response = client.post(url, other, format="json", HTTP_IDEMPOTENCY_KEY="key-1")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert count() == made


def test_the_same_key_at_another_address_is_422(paper):
    client = client_for(UserFactory())
    client.post("/api/v1/papers/", {"doi": "10.5555/idem.new"}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    response = client.post(f"/api/v1/papers/{DOI}/videos/", {"doi": "10.5555/idem.new"}, HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 422


def test_keys_belong_to_their_user(paper):
    url, body, _, count = ENDPOINTS["reviews"]
    for user in (UserFactory(), UserFactory()):
        response = client_for(user).post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="shared")
        assert response.status_code == 201 and not response.has_header("Idempotent-Replayed")
    assert count() == 2


def test_without_a_key_each_post_acts():
    client = client_for(UserFactory())
    first = client.post("/api/v1/papers/", {"doi": "10.5555/idem.new"}, format="json")
    again = client.post("/api/v1/papers/", {"doi": "10.5555/idem.new"}, format="json")
    assert (first.status_code, again.status_code) == (202, 200)


def test_an_error_is_not_kept_so_a_retry_acts_again(paper):
    client = client_for(UserFactory())
    url = f"/api/v1/papers/{DOI}/videos/"
    refused = client.post(url, {"url": "https://evil.example/v"}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert refused.status_code == 400
    again = client.post(url, {"url": "https://evil.example/v"}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert again.status_code == 400 and not again.has_header("Idempotent-Replayed")


@pytest.mark.parametrize("key", ["", " ", "x" * 256])
def test_an_empty_or_overlong_key_is_400_naming_the_header(key):
    response = client_for(UserFactory()).post(
        "/api/v1/papers/", {"doi": "10.5555/idem.new"}, format="json", HTTP_IDEMPOTENCY_KEY=key
    )
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["Idempotency-Key"]
    assert not Paper.objects.exists()


def test_a_repeat_while_the_first_is_still_running_is_409():
    user = UserFactory()
    raw = APIRequestFactory().post("/api/v1/papers/", {"doi": "10.5555/x"}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    request = Request(raw, parsers=[JSONParser()])
    request.user = user

    # The repeat arrives while the first request is still acting.
    def first():
        inner = idempotent_response(request=request, act=lambda: Response({}, status=202))
        assert inner.status_code == 409 and inner.data["error"]["code"] == "idempotency_key_in_use"
        return Response({"done": True}, status=202)

    assert idempotent_response(request=request, act=first).data == {"done": True}
    replay = idempotent_response(request=request, act=lambda: Response({}, status=500))
    assert replay.data == {"done": True} and replay["Idempotent-Replayed"] == "true"


def test_every_post_documents_the_header(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    posts = {path: ops["post"] for path, ops in schema["paths"].items() if "post" in ops}
    assert len(posts) == 4
    for path, operation in posts.items():
        assert "Idempotency-Key" in [p["name"] for p in operation["parameters"] if p["in"] == "header"], path
        assert {"409", "422"} <= set(operation["responses"]), path


def test_every_api_post_is_idempotent():
    from paperhub import api_urls

    views = [pattern.callback.view_class for pattern in api_urls.urlpatterns if hasattr(pattern.callback, "view_class")]
    posts = [view for view in views if hasattr(view, "post")]
    assert len(posts) == 4
    for view in posts:
        assert getattr(view.post, "idempotent", False), view
