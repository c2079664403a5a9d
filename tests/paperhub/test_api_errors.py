"""Under /api/v1/ every error has the documented shape, and a query parameter the API can't honour is a 400 that
names it: never silently ignored, never a 404 as if the resource were missing, never Django's own wording."""

import base64

import pytest
from django.core.cache import cache

from tests.api import assert_error
from tests.papers.factories import PaperFactory
from tests.reviews.factories import ReviewFactory

pytestmark = pytest.mark.django_db


def crafted_cursor(querystring: str) -> str:
    return base64.b64encode(querystring.encode()).decode()


def assert_names_parameter(response, name):
    error = assert_error(response, 400, "invalid")
    assert list(error["fields"]) == [name]
    assert error["message"] == f"Invalid query parameter: {name}."
    return error


@pytest.fixture
def papers():
    return [PaperFactory(doi=f"10.5555/errors.{n}") for n in range(3)]


@pytest.mark.parametrize("url", ["/api/v1/nope/", "/api/v1/reviews/abc/", "/api/v1/videos/abc/", "/api/v1/"])
def test_unknown_routes_are_404_in_the_error_shape(client, url):
    assert_error(client.get(url), 404, "not_found")


@pytest.mark.parametrize("url", ["/api/v1/nope/", "/api/v1/reviews/abc/", "/api/v1/"])
def test_unknown_routes_are_json_even_with_debug_on(client, settings, url):
    """`make run` serves with DEBUG on, where Django's own 404 is an HTML debug page."""
    settings.DEBUG = True
    assert_error(client.get(url), 404, "not_found")


def test_an_address_without_its_slash_is_still_redirected(client):
    response = client.get("/api/v1/papers")
    assert response.status_code == 301 and response["Location"] == "/api/v1/papers/"


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "%%%",
        crafted_cursor("o=-1"),
        crafted_cursor("o=abc"),
        crafted_cursor("r=x"),
        crafted_cursor("x=1"),
        crafted_cursor("p=2024-bogus"),
        crafted_cursor("p=2024-13-45 99:99"),
    ],
)
def test_a_garbage_or_crafted_cursor_is_400_naming_it(client, papers, cursor):
    error = assert_names_parameter(client.get("/api/v1/papers/", {"cursor": cursor}), "cursor")
    assert "format" not in error["fields"]["cursor"][0]  # not Django's date-format message


@pytest.mark.parametrize("ordering", ["published_date", "title"])
def test_a_crafted_cursor_position_is_400_for_every_ordering(client, papers, ordering):
    for position in ("not-a-date", "\x00", "%00"):
        params = {"cursor": crafted_cursor(f"p={position}"), "ordering": ordering}
        response = client.get("/api/v1/papers/", params)
        if response.status_code != 200:  # any text is a position in a title ordering
            assert_names_parameter(response, "cursor")


def test_a_crafted_cursor_on_a_papers_reviews_is_400(client):
    review = ReviewFactory(status="approved")
    response = client.get(f"/api/v1/papers/{review.paper.doi}/reviews/", {"cursor": crafted_cursor("p=yesterday")})
    assert_names_parameter(response, "cursor")


def test_the_cursors_the_api_gives_out_still_work(client, papers):
    first = client.get("/api/v1/papers/", {"page_size": 2}).json()
    second = client.get(first["next"]).json()
    assert len(first["results"]) == 2 and len(second["results"]) == 1


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"has_reviews": "maybe"}, "has_reviews"),
        ({"has_videos": "yes please"}, "has_videos"),
        ({"ordering": "bogus"}, "ordering"),
        ({"ordering": "title,bogus"}, "ordering"),
        ({"ordering": "-fetch_state"}, "ordering"),
        ({"page_size": "abc"}, "page_size"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "-3"}, "page_size"),
        ({"format": "bogus"}, "format"),
        ({"year_min": "abc"}, "year_min"),
        ({"state": "bogus"}, "state"),
    ],
)
def test_invalid_listing_parameters_are_400_naming_them(client, papers, params, name):
    assert_names_parameter(client.get("/api/v1/papers/", params), name)


def test_invalid_topic_ordering_is_400(client):
    assert_names_parameter(client.get("/api/v1/topics/", {"ordering": "bogus"}), "ordering")


def test_an_unknown_export_format_of_a_paper_is_400_naming_it(client, papers):
    error = assert_names_parameter(client.get("/api/v1/papers/10.5555/errors.0/", {"format": "docx"}), "format")
    assert "bibtex" in error["fields"]["format"][0]


@pytest.mark.parametrize(
    "params",
    [
        {"has_reviews": "true"},
        {"has_reviews": "false"},
        {"has_reviews": "1"},
        {"has_videos": "0"},
        {"ordering": "-title,created_at"},
        {"page_size": "500"},  # more than the maximum gives the maximum, as documented
        {"page_size": "", "ordering": "", "has_reviews": "", "cursor": ""},  # left empty by a form: not given
        {"format": "json"},
    ],
)
def test_valid_listing_parameters_still_answer(client, papers, params):
    assert client.get("/api/v1/papers/", params).status_code == 200


def test_errors_are_not_kept_in_the_listing_cache(client, papers):
    cache.clear()
    for _ in range(2):
        assert_names_parameter(client.get("/api/v1/papers/", {"has_reviews": "maybe"}), "has_reviews")
    assert client.get("/api/v1/papers/", {"has_reviews": "false"}).status_code == 200


def test_errors_are_not_kept_in_the_record_cache(client):
    cache.clear()
    url = "/api/v1/papers/10.5555/errors.late/"
    assert_error(client.get(url), 404, "not_found")
    assert_names_parameter(client.get(url, {"format": "docx"}), "format")
    PaperFactory(doi="10.5555/errors.late")
    assert client.get(url).status_code == 200
    assert client.get(url, {"format": "bibtex"}).content.startswith(b"@")
