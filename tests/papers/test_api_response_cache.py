"""Anonymous API records and lists answered from the shared cache before DRF (papers/api/response_cache.py).

A DRF answer is a rest_framework Response; one from the cache is a plain HttpResponse: that is how these tests
tell which path answered."""

import pytest
from django.test import Client, override_settings
from rest_framework.response import Response

from tests.api import assert_error, token_client
from tests.papers.factories import AuthorFactory, AuthorshipFactory, PaperFactory, ReferenceFactory
from tests.reviews.factories import ReviewFactory, UserFactory

pytestmark = pytest.mark.django_db

RECORD = "/api/v1/papers/10.5555/kept.record/"
MIDDLEWARE = "papers.api.response_cache.SharedApiResponseMiddleware"


@pytest.fixture
def paper():
    paper = PaperFactory(doi="10.5555/kept.record", title="Kept whole")
    AuthorshipFactory(paper=paper, position=1, author=AuthorFactory(given_name="Ada", family_name="Lovelace"))
    ReferenceFactory(paper=paper, position=1)
    return paper


def from_drf(response) -> bool:
    return isinstance(response, Response)


def same_answer(one, other) -> None:
    assert (one.status_code, one.content) == (other.status_code, other.content)
    assert dict(one.headers) == dict(other.headers)


@pytest.fixture
def drf_client(settings):
    """A client whose requests skip the cache in front of DRF: the answer DRF alone gives."""
    drf = Client()
    with override_settings(MIDDLEWARE=[name for name in settings.MIDDLEWARE if name != MIDDLEWARE]):
        drf.handler.load_middleware()  # now, not at its first request as a client does
    return drf


FORMATS = [
    pytest.param("", {}, id="json"),
    pytest.param("?format=json", {}, id="format=json"),
    pytest.param("", {"Accept": "application/json"}, id="accept-json"),
    pytest.param("", {"Accept": "*/*"}, id="accept-any"),
    pytest.param("?format=bibtex", {}, id="format=bibtex"),
    pytest.param("", {"Accept": "application/x-bibtex"}, id="accept-bibtex"),
    pytest.param("?format=ris", {}, id="format=ris"),
    pytest.param("", {"Accept": "application/x-research-info-systems"}, id="accept-ris"),
    pytest.param("?format=csl", {}, id="format=csl"),
    pytest.param("", {"Accept": "application/vnd.citationstyles.csl+json"}, id="accept-csl"),
    pytest.param("", {"Accept": "application/x-bibtex", "Origin": "https://elsewhere.example"}, id="bibtex-cors"),
]


@pytest.mark.parametrize(("query", "headers"), FORMATS)
def test_a_kept_record_equals_drfs_answer_byte_for_byte(client, paper, query, headers):
    first = client.get(RECORD + query, headers=headers)
    kept = client.get(RECORD + query, headers=headers)
    assert first.status_code == 200 and from_drf(first)
    assert not from_drf(kept)
    same_answer(kept, first)


def test_each_format_is_kept_apart(client, paper):
    for query in ("", "?format=bibtex", "?format=ris", "?format=csl"):
        client.get(RECORD + query)
    answers = {query: client.get(RECORD + query) for query in ("", "?format=bibtex", "?format=ris", "?format=csl")}
    assert not any(from_drf(answer) for answer in answers.values())
    assert answers[""]["Content-Type"] == "application/json"
    assert answers["?format=bibtex"]["Content-Type"] == "application/x-bibtex; charset=utf-8"
    assert answers["?format=ris"]["Content-Type"] == "application/x-research-info-systems; charset=utf-8"
    assert answers["?format=csl"]["Content-Type"] == "application/vnd.citationstyles.csl+json; charset=utf-8"
    assert answers["?format=bibtex"].content.startswith(b"@article{")
    assert len({answer["ETag"] for answer in answers.values()}) == 4


def test_made_up_accept_headers_are_answered_and_the_remembered_negotiations_stay_bounded(client, paper):
    from django.core.cache import cache

    from papers.api import response_cache

    for n in range(300):
        cache.clear()  # the anonymous throttle's counts: 300 reads are more than it allows a minute
        answer = client.get(RECORD, headers={"Accept": f"application/json, text/x-made-up-{n}"})
        assert answer.status_code == 200 and answer["Content-Type"] == "application/json"
    assert response_cache._negotiate.cache_info().currsize <= 256
    huge = client.get(RECORD, headers={"Accept": "text/x-made-up, " * 2000 + "application/json"})
    assert huge.status_code in (200, 406) and huge["Content-Type"] == "application/json"  # DRF truncates it


def test_a_very_long_path_is_answered_and_not_remembered(client):
    from paperhub import caching

    before = caching._resolved.cache_info().currsize
    assert client.get("/doi/10.5555/" + "x" * 5000).status_code in (400, 404)
    assert client.get("/api/v1/papers/10.5555/" + "x" * 5000 + "/").status_code in (400, 404)
    assert caching._resolved.cache_info().currsize == before


@pytest.mark.parametrize(
    "path", ["/api/v1/papers/", "/api/v1/papers/?page_size=50", "/api/v1/papers/?page_size=2&ordering=title"]
)
def test_a_kept_list_equals_drfs_answer_byte_for_byte(client, paper, path):
    PaperFactory.create_batch(3)
    first = client.get(path, headers={"Origin": "https://elsewhere.example"})
    kept = client.get(path, headers={"Origin": "https://elsewhere.example"})
    assert first.status_code == 200 and from_drf(first)
    assert not from_drf(kept)
    same_answer(kept, first)


def test_a_change_to_the_paper_changes_the_next_answer(client, paper):
    before = client.get(RECORD).json()
    assert not from_drf(client.get(RECORD))
    bibtex = client.get(RECORD + "?format=bibtex")
    ReviewFactory(paper=paper)  # approved: moves the paper's version
    after = client.get(RECORD)
    assert from_drf(after) and after.json()["counts"]["reviews"] == before["counts"]["reviews"] + 1
    assert client.get(RECORD).json() == after.json()
    paper.refresh_from_db()
    paper.title = "Renamed"
    paper.save()
    renamed = client.get(RECORD + "?format=bibtex")
    assert renamed.content != bibtex.content and b"Renamed" in renamed.content


def test_a_new_paper_changes_the_next_list(client, paper):
    assert [p["doi"] for p in client.get("/api/v1/papers/").json()["results"]] == [paper.doi]
    assert not from_drf(client.get("/api/v1/papers/"))
    PaperFactory(doi="10.5555/newer")
    listed = client.get("/api/v1/papers/")
    assert from_drf(listed) and [p["doi"] for p in listed.json()["results"]] == ["10.5555/newer", paper.doi]


def test_a_hit_costs_no_query_and_a_miss_what_drf_costs(client, paper, django_assert_num_queries):
    # The record: the paper's version, then the record's nine (tests/papers/test_api.py counts them).
    with django_assert_num_queries(10):
        client.get(RECORD)
    with django_assert_num_queries(0):
        assert not from_drf(client.get(RECORD))
    # RIS: the version is cached now; the citation needs eight of the record's nine queries.
    with django_assert_num_queries(8):
        client.get(RECORD + "?format=ris")
    with django_assert_num_queries(0):
        assert not from_drf(client.get(RECORD + "?format=ris"))
    with django_assert_num_queries(1):
        client.get("/api/v1/papers/?page_size=50")
    with django_assert_num_queries(0):
        assert not from_drf(client.get("/api/v1/papers/?page_size=50"))


def test_the_throttle_counts_hits(client, paper, settings):
    settings.API_THROTTLE_ANON = "3/day"  # a day-long window: the requests cannot straddle two windows
    warm = Client(REMOTE_ADDR="192.0.2.1")  # another caller fills the cache, on its own counter
    warm.get(RECORD)
    warm.get("/api/v1/papers/")
    answers = [client.get(RECORD), client.get("/api/v1/papers/"), client.get(RECORD)]
    assert [a.status_code for a in answers] == [200, 200, 200] and not any(from_drf(a) for a in answers)
    for path in (RECORD, "/api/v1/papers/", "/api/v1/topics/"):
        refused = client.get(path)
        error = assert_error(refused, 429, "throttled")
        assert int(refused["Retry-After"]) > 0 and "seconds" in error["message"]
    assert warm.get(RECORD).status_code == 200


def test_the_throttle_counts_drf_answers_before_hits(client, paper, settings):
    settings.API_THROTTLE_ANON = "3/day"
    first = [client.get(RECORD + "?format=csl"), client.get("/api/v1/topics/")]  # both DRF's
    assert all(from_drf(answer) for answer in first)
    assert not from_drf(client.get(RECORD + "?format=csl"))
    assert_error(client.get(RECORD + "?format=csl"), 429, "throttled")


def test_cors_headers_on_hits(client, paper):
    client.get(RECORD)
    crossing = client.get(RECORD, headers={"Origin": "https://elsewhere.example"})
    assert not from_drf(crossing)
    assert crossing["Access-Control-Allow-Origin"] == "*"
    assert crossing["Access-Control-Expose-Headers"] == "ETag, Last-Modified, Retry-After, Location"
    same_origin = client.get(RECORD)
    assert not from_drf(same_origin) and "Access-Control-Allow-Origin" not in same_origin
    assert "origin" in same_origin["Vary"]


@pytest.mark.parametrize("query", ["", "?format=bibtex"])
def test_a_hit_answers_304_as_drf_does(client, drf_client, paper, query):
    # drf_client's own handler was built without the cache middleware; `client` has it.
    tag = client.get(RECORD + query)
    assert not from_drf(client.get(RECORD + query))
    for conditions in ({"If-None-Match": tag["ETag"]}, {"If-Modified-Since": tag["Last-Modified"]}):
        kept = client.get(RECORD + query, headers=conditions)
        drf = drf_client.get(RECORD + query, headers=conditions)
        assert kept.status_code == 304 and not from_drf(kept)
        same_answer(kept, drf)
        # No body, even from the citation renderers (which once rendered a 304's nothing as "null").
        assert "Content-Type" not in drf and drf["Content-Length"] == "0"
    stale = client.get(RECORD + query, headers={"If-None-Match": '"elsewhere"'})
    assert stale.status_code == 200 and not from_drf(stale)


def test_a_list_hit_answers_if_none_match(client, paper):
    tag = client.get("/api/v1/papers/")["ETag"]
    again = client.get("/api/v1/papers/", headers={"If-None-Match": tag})
    assert again.status_code == 304 and again["ETag"] == tag


def test_signed_in_callers_are_not_served_the_anonymous_copy(client, paper):
    client.get(RECORD)
    client.get("/api/v1/papers/")
    assert not from_drf(client.get(RECORD))
    for path in (RECORD, "/api/v1/papers/"):
        by_token = token_client(UserFactory()).get(path)
        assert from_drf(by_token) and "private" in by_token["Cache-Control"]
        session = Client()
        session.force_login(UserFactory())
        signed_in = session.get(path)
        assert from_drf(signed_in) and "private" in signed_in["Cache-Control"]
    bad_token = client.get(RECORD, headers={"Authorization": "Bearer not-a-token"})
    assert_error(bad_token, 401, "authentication_failed")


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        pytest.param(RECORD + "?utm_source=x", {}, id="other-query-parameter"),
        pytest.param(RECORD, {"Accept": "application/json; indent=4"}, id="media-type-parameters"),
        pytest.param(RECORD, {"Accept": "text/html"}, id="browsable-api"),
    ],
)
def test_unusual_reads_go_to_drf_every_time(client, paper, path, headers):
    answers = [client.get(path, headers=headers) for _ in range(2)]
    assert all(from_drf(answer) and answer.status_code == 200 for answer in answers)


def test_any_casing_of_the_doi_is_the_same_kept_record(client, drf_client, paper):
    client.get(RECORD)
    other = client.get("/api/v1/papers/10.5555/KEPT.RECORD/")
    assert not from_drf(other)
    same_answer(other, drf_client.get("/api/v1/papers/10.5555/KEPT.RECORD/"))


def test_a_head_request_goes_to_drf(client, paper):
    client.get(RECORD)
    head = client.head(RECORD)
    assert from_drf(head) and head.status_code == 200


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/api/v1/papers/10.5555/nothere/", 404, "not_found"),
        ("/api/v1/papers/banana/", 404, "not_found"),
        (RECORD + "?format=xml", 400, "invalid"),
        ("/api/v1/papers/?page_size=0", 400, "invalid"),
    ],
)
def test_bad_reads_get_drfs_error_every_time(client, paper, path, status, code):
    for _ in range(2):
        assert_error(client.get(path), status, code)


@pytest.mark.parametrize("path", [RECORD, "/doi/10.5555/kept.record"])
def test_a_host_not_allowed_gets_400_from_the_caches_too(client, paper, settings, path):
    settings.ALLOWED_HOSTS = ["paperhub.example"]
    assert client.get(path, headers={"Host": "paperhub.example"}).status_code == 200
    assert client.get(path, headers={"Host": "paperhub.example"}).status_code == 200  # kept, then a hit
    assert client.get(path, headers={"Host": "attacker.example"}).status_code == 400
