"""Cache-Control and validators on every kind of response: public and revalidated for anonymous visitors, private
for sessions and tokens."""

import pytest

from paperhub.tokens import token_create
from tests.papers.factories import AuthorFactory, AuthorshipFactory, PaperFactory, PaperTopicFactory, TopicFactory
from tests.reviews.factories import ReviewFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def paper():
    paper = PaperFactory(doi="10.5555/cached", title="Kept and revalidated")
    PaperTopicFactory(paper=paper, topic=TopicFactory(openalex_id="T11478"))
    AuthorshipFactory(paper=paper, position=1, author=AuthorFactory(orcid="0000-0002-1825-0097"))
    ReviewFactory(paper=paper)
    return paper


ANONYMOUS_SHARED = [
    "/",
    "/doi/10.5555/cached",
    "/search?q=kept",
    "/topics/",
    "/topics/T11478",
    "/authors/0000-0002-1825-0097",
    "/feeds/papers.atom",
    "/feeds/topics/T11478.atom",
    "/feeds/reviews.atom",
    "/feeds/reviews/10.5555/cached.atom",
    "/api/v1/papers/",
    "/api/v1/papers/10.5555/cached/",
    "/api/v1/papers/10.5555/cached/references/",
    "/robots.txt",
]


def directives(response) -> set[str]:
    return {part.strip() for part in response["Cache-Control"].split(",")}


@pytest.mark.parametrize("path", ANONYMOUS_SHARED)
def test_anonymous_pages_are_public_revalidated_and_answer_if_none_match(client, paper, path):
    first = client.get(path)
    assert first.status_code == 200
    assert directives(first) == {"public", "no-cache"}
    assert {"Cookie", "Authorization"} <= {v.strip() for v in first["Vary"].split(",")}
    again = client.get(path, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    assert directives(again) == {"public", "no-cache"}
    assert again["ETag"] == first["ETag"]


def test_a_versioned_page_from_the_cache_says_the_same_and_changes_etag_with_the_paper(client, paper):
    rendered = client.get(paper.get_absolute_url())
    cached = client.get(paper.get_absolute_url())
    assert cached["ETag"] == rendered["ETag"] and cached["Cache-Control"] == rendered["Cache-Control"]
    paper.title = "Renamed"
    paper.save()
    changed = client.get(paper.get_absolute_url(), headers={"If-None-Match": rendered["ETag"]})
    assert changed.status_code == 200 and changed["ETag"] != rendered["ETag"]


@pytest.mark.parametrize("path", ["/", "/doi/10.5555/cached", "/search?q=kept", "/account/tokens", "/reviews/mine"])
def test_signed_in_pages_are_private_and_never_stored(client, paper, path):
    client.force_login(UserFactory())
    response = client.get(path)
    assert response.status_code == 200
    assert {"private", "no-store"} <= directives(response)
    assert "ETag" not in response


def test_an_anonymous_page_with_a_csrf_token_is_private(client, paper):
    response = client.get("/add")  # the add-a-paper form holds a CSRF token: good for this visitor only
    assert response.status_code == 200
    assert directives(response) == {"private", "no-store"}
    assert "ETag" not in response


def test_api_answers_to_a_token_are_private(paper):
    from rest_framework.test import APIClient

    _, key = token_create(user=UserFactory(), name="script")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    response = client.get("/api/v1/papers/")
    assert response.status_code == 200
    assert {"private", "no-store"} <= directives(response)
