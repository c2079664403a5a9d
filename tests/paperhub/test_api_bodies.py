"""What every API write endpoint does with hostile JSON bodies: a 400 in the error shape, never a 500."""

import pytest

from paperhub.api import MAX_JSON_BYTES, json_nesting_exceeds
from tests.api import assert_error, token_client
from tests.papers.factories import PaperFactory
from tests.reviews.factories import ReviewFactory, UserFactory

pytestmark = pytest.mark.django_db

DOI = "10.5555/api.bodies"
# 1,200 levels in 2.4 KB: enough to exhaust Python's recursion limit inside json.loads.
DEEP = ('{"doi": ' + "[" * 1200 + "]" * 1200 + "}").encode()


@pytest.fixture
def author():
    return UserFactory()


@pytest.fixture
def client(author):
    return token_client(author)


@pytest.fixture
def write_requests(author):
    PaperFactory(doi=DOI)
    review = ReviewFactory(paper__doi="10.5555/api.bodies.reviewed", author=author)
    return [
        ("post", "/api/v1/papers/"),
        ("post", f"/api/v1/papers/{DOI}/reviews/"),
        ("post", f"/api/v1/papers/{DOI}/videos/"),
        ("patch", f"/api/v1/reviews/{review.id}/"),
    ]


def test_deeply_nested_json_is_400_on_every_write_endpoint(client, write_requests):
    for method, url in write_requests:
        response = getattr(client, method)(url, DEEP, content_type="application/json")
        error = assert_error(response, 400, "parse_error")
        assert "nested" in error["message"], url


def test_nesting_within_the_bound_still_parses(client, write_requests):
    body = ('{"doi": ' + "[" * 10 + '"10.5555/x"' + "]" * 10 + "}").encode()
    response = client.post("/api/v1/papers/", body, content_type="application/json")
    # Parsed, then refused by the serializer as a field error: the depth guard let it through.
    assert_error(response, 400, "invalid")


def test_brackets_inside_strings_do_not_count_as_nesting(client):
    body = ('{"doi": "' + "[" * 2000 + '"}').encode()
    response = client.post("/api/v1/papers/", body, content_type="application/json")
    error = assert_error(response, 400, "invalid")
    assert "doi" in error["fields"]


@pytest.mark.parametrize("size", [MAX_JSON_BYTES + 1, 3 * 1024 * 1024])
def test_a_body_over_the_limit_is_400_in_the_error_shape(client, write_requests, size):
    # Over our JSON limit, and over Django's own ceiling for any body (DATA_UPLOAD_MAX_MEMORY_SIZE).
    body = b'{"doi": "' + b"a" * size + b'"}'
    for method, url in write_requests:
        response = getattr(client, method)(url, body, content_type="application/json")
        assert_error(response, 400, "too_large")


def test_a_form_body_over_djangos_ceiling_is_400_in_the_error_shape(client, write_requests):
    body = "doi=" + "a" * (3 * 1024 * 1024)
    response = client.post("/api/v1/papers/", body, content_type="application/x-www-form-urlencoded")
    assert_error(response, 400, "too_large")


@pytest.mark.parametrize(
    ("text", "deeper_than_two"),
    [
        ("[[1]]", False),
        ("[[[1]]]", True),
        ('{"a": {"b": {"c": 1}}}', True),
        ('["[[[[", "]]]]"]', False),
        (r'["\"[[[[", "{{{"]', False),
        (r'["\\", [[1]]]', True),
        ("[1], [2], [3]", False),
    ],
)
def test_nesting_is_measured_outside_strings(text, deeper_than_two):
    assert json_nesting_exceeds(text, limit=2) is deeper_than_two
