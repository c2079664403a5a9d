import pytest
from rest_framework.test import APIClient

from paperhub.moderation import ModerationStatus
from paperhub.tokens import token_create
from reviews.models import Review
from tests.papers.factories import PaperFactory
from tests.reviews.factories import ReviewFactory, UserFactory

pytestmark = pytest.mark.django_db

BODY = {
    "platform": "iclr",
    "source_url": "https://openreview.net/forum?id=abc",
    "venue": "ICLR 2024",
    "year": 2024,
    "reviewer_name": "Ada",
    "body": "## Summary\n\nGood. <script>alert(1)</script>",
    "rating": "8",
    "confidence": "4",
    "license": "CC-BY-4.0",
    "attest": True,
}


@pytest.fixture
def paper():
    return PaperFactory(doi="10.5555/api.reviewed")


def client_for(user=None, *, token=False):
    client = APIClient()
    if user is not None and token:
        _, key = token_create(user=user, name="test")
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    elif user is not None:
        client.force_authenticate(user)
    return client


def test_post_a_review_with_a_token(paper):
    author = UserFactory()
    response = client_for(author, token=True).post("/api/v1/papers/10.5555/api.reviewed/reviews/", BODY, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "pending" and data["reviewer_name"] == "Ada"
    assert "<script>" not in data["body_html"]
    assert response["Location"] == data["url"]
    assert Review.objects.get().author == author


def test_session_writes_need_csrf(paper):
    author = UserFactory()
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(author)
    response = client.post("/api/v1/papers/10.5555/api.reviewed/reviews/", BODY, format="json")
    assert response.status_code == 403 and "CSRF" in response.json()["error"]["message"]


def test_invalid_review_gets_field_errors_from_the_shared_rules(paper):
    bad = {**BODY, "source_url": "https://evil.example/x", "attest": False, "year": 1800, "body": "x" * 60_001}
    body = client_for(UserFactory()).post("/api/v1/papers/10.5555/api.reviewed/reviews/", bad, format="json").json()
    fields = body["error"]["fields"]
    assert set(fields) >= {"attest", "year", "body"}
    assert Review.objects.count() == 0


def test_domain_rule_is_the_same_as_the_web_form(paper):
    bad = {**BODY, "source_url": "https://evil.example/x"}
    fields = (
        client_for(UserFactory())
        .post("/api/v1/papers/10.5555/api.reviewed/reviews/", bad, format="json")
        .json()["error"]["fields"]
    )
    assert "ICLR reviews live on openreview.net or iclr.cc" in fields["source_url"][0]


def test_revoked_or_unknown_token_is_refused(paper):
    user = UserFactory()
    token, key = token_create(user=user, name="old")
    from paperhub.tokens import token_revoke

    token_revoke(user=user, token_id=token.id)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    response = client.post("/api/v1/papers/10.5555/api.reviewed/reviews/", BODY, format="json")
    assert response.status_code == 401 and response.json()["error"]["message"] == "Unknown or revoked token."
    client.credentials(HTTP_AUTHORIZATION="Bearer ph_nonsense")
    assert client.get("/api/v1/topics/").status_code == 401


ROLES = ["anonymous", "owner", "other", "staff"]


def actor(role, review):
    return {"anonymous": None, "owner": review.author, "other": UserFactory(), "staff": UserFactory(is_staff=True)}[
        role
    ]


@pytest.mark.parametrize(("role", "expected"), list(zip(ROLES, [401, 200, 403, 403], strict=True)))
def test_patch_permission_matrix(paper, role, expected):
    review = ReviewFactory(paper=paper, body="Original")
    response = client_for(actor(role, review)).patch(
        f"/api/v1/reviews/{review.id}/", {"body": "Changed"}, format="json"
    )
    assert response.status_code in ((401, 403) if expected == 401 else (expected,))
    review.refresh_from_db()
    if role == "owner":
        assert review.revisions.filter(status="pending", body="Changed").exists(), "published text stays up"
        assert review.body == "Original"
    else:
        assert review.body == "Original" and not review.revisions.exists()


@pytest.mark.parametrize(("role", "expected"), list(zip(ROLES, [401, 204, 403, 204], strict=True)))
def test_delete_permission_matrix(paper, role, expected):
    review = ReviewFactory(paper=paper)
    response = client_for(actor(role, review)).delete(f"/api/v1/reviews/{review.id}/")
    assert response.status_code in ((401, 403) if expected == 401 else (expected,))
    assert Review.objects.filter(id=review.id).exists() == (expected != 204)


@pytest.mark.parametrize(("role", "visible"), list(zip(ROLES, [False, True, False, True], strict=True)))
def test_pending_and_rejected_reviews_never_reach_others(paper, role, visible):
    for status in (ModerationStatus.PENDING, ModerationStatus.REJECTED):
        review = ReviewFactory(paper=paper, status=status, body=f"secret {status}")
        client = client_for(actor(role, review))
        detail = client.get(f"/api/v1/reviews/{review.id}/")
        assert (detail.status_code == 200) == visible
        listing = client.get("/api/v1/papers/10.5555/api.reviewed/reviews/").content.decode()
        assert (f"secret {status}" in listing) == (visible and role == "owner")
        paper_detail = client.get("/api/v1/papers/10.5555/api.reviewed/").json()
        assert paper_detail["counts"]["reviews"] == 0


def test_review_rate_limit_answers_429(paper, settings):
    settings.REVIEW_RATE_LIMIT_USER = "1/h"
    client = client_for(UserFactory())
    assert client.post("/api/v1/papers/10.5555/api.reviewed/reviews/", BODY, format="json").status_code == 201
    response = client.post("/api/v1/papers/10.5555/api.reviewed/reviews/", BODY, format="json")
    assert response.status_code == 429 and "at most 1 per hour" in response.json()["error"]["message"]
    assert Review.objects.count() == 1


def test_account_page_makes_and_revokes_named_tokens(client):
    user = UserFactory()
    client.force_login(user)
    page = client.post("/account/tokens", {"name": "reading list"}).content.decode()
    key = page.split('id="new-token">')[1].split("<")[0]
    assert key.startswith("ph_") and "reading list" in page
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.post("/api/v1/papers/", {"doi": "10.5555/via.token"}, format="json").status_code == 202
    token = user.api_tokens.get()
    assert token.key_hash != key and key not in token.key_hash, "only a hash is stored"
    assert key not in client.get("/account/tokens").content.decode(), "shown once"
    client.post("/account/tokens", {"revoke": token.id})
    assert api.get("/api/v1/topics/").status_code == 401
    other = UserFactory()
    client.force_login(other)
    assert "reading list" not in client.get("/account/tokens").content.decode()


def test_posting_the_same_review_again_answers_200_with_the_first(paper):
    client = client_for(UserFactory(), token=True)
    first = client.post("/api/v1/papers/10.5555/api.reviewed/reviews/", BODY, format="json")
    second = client.post("/api/v1/papers/10.5555/api.reviewed/reviews/", BODY, format="json")
    assert first.status_code == 201 and second.status_code == 200, second.content
    assert second.json()["id"] == first.json()["id"] and second["Location"] == first["Location"]
    assert Review.objects.count() == 1
