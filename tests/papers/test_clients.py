"""The upstream clients against the local fake upstream that replays recorded responses."""

import re

import pytest

from paperhub import http, ratelimit
from papers.clients import crossref, datacite, ncbi, openalex
from tests.fake_upstream.server import Drip, Fail, Garbage, Huge, Slow, Truncated

PONE = "10.1371/journal.pone.0033693"


def test_crossref_work_is_fetched_and_mapped(fake_upstream, settings):
    settings.PAPERHUB_CONTACT_EMAIL = "team@paperhub.example"
    record = crossref.get_work(PONE)
    assert record.doi == PONE and len(record.references) == 70
    [call] = fake_upstream.calls("crossref")
    assert call.path == f"works/{PONE}"
    assert call.query["mailto"] == ["team@paperhub.example"]
    assert call.headers["User-Agent"] == "PaperHub/1.0 (mailto:team@paperhub.example)"


def test_crossref_404_is_not_found(fake_upstream):
    with pytest.raises(http.UpstreamNotFound):
        crossref.get_work("10.1371/notarealdoi")


def test_datacite_record_is_fetched_and_mapped(fake_upstream):
    record = datacite.get_doi("10.48550/arxiv.2311.16162")
    assert record.title.startswith("Leveraging Artificial Intelligence Technology")
    assert record.arxiv_id == "2311.16162"
    assert record.work_type == "posted-content"
    assert [a.family_name for a in record.authors][:2] == ["Yin", "Aryani"]


def test_openalex_topics(fake_upstream, settings):
    settings.OPENALEX_API_KEY = "secret-key"
    record = openalex.get_work("10.1145/3448016.3452841")
    assert record.topics[0].topic_id == "T11478"
    assert fake_upstream.calls("openalex")[0].path == "works/doi:10.1145/3448016.3452841"
    assert fake_upstream.calls("openalex")[0].query["api_key"] == ["secret-key"]


def test_ncbi_converts_dois_and_pmids(fake_upstream):
    [ids] = ncbi.convert_ids(["10.7554/elife.09560"])
    assert (ids.doi, ids.pmid, ids.pmcid) == ("10.7554/elife.09560", "26354291", "PMC4559886")
    assert ncbi.convert_ids(["26354291"])[0].doi == "10.7554/elife.09560"
    assert ncbi.convert_ids(["10.5555/unknown"]) == []
    call = fake_upstream.calls("ncbi")[0]
    assert (call.query["format"], call.query["tool"]) == (["json"], ["paperhub"])


def test_ncbi_batches_200_ids_per_call(fake_upstream):
    ncbi.convert_ids([f"10.5555/x{i}" for i in range(450)])
    assert [len(c.query["ids"][0].split(",")) for c in fake_upstream.calls("ncbi")] == [200, 200, 50]


@pytest.mark.parametrize(
    ("behaviour", "error", "message"),
    [
        (Fail(500), http.UpstreamUnavailable, "server error (500)"),
        (Fail(503), http.UpstreamUnavailable, "server error (503)"),
        (Fail(429, retry_after=7), http.UpstreamUnavailable, "rate limited"),
        (Fail(400), http.UpstreamBadResponse, "unexpected answer (400)"),
        (Fail(410), http.UpstreamNotFound, "no such record"),
        (Slow(3), http.UpstreamUnavailable, "timed out"),
        (Drip(0.5), http.UpstreamUnavailable, "too slow"),
        (Garbage(), http.UpstreamBadResponse, "not valid JSON"),
        (Truncated(), http.UpstreamBadResponse, "not valid JSON"),
        (Huge(50), http.UpstreamBadResponse, "limit"),
    ],
)
def test_upstream_failures_become_our_errors(fake_upstream, behaviour, error, message):
    fake_upstream.script("crossref", behaviour)
    with pytest.raises(error, match=re.escape(message)) as excinfo:
        crossref.get_work(PONE)
    assert str(excinfo.value).startswith("Crossref: ")
    if isinstance(behaviour, Fail) and behaviour.retry_after:
        assert excinfo.value.retry_after == 7


def test_unreachable_upstream_is_unavailable(fake_upstream, settings):
    settings.CROSSREF_API_URL = "http://127.0.0.1:9"  # the discard port: nothing listens
    with pytest.raises(http.UpstreamUnavailable, match="unreachable"):
        crossref.get_work(PONE)


def test_crossref_advertised_rate_limit_is_learned(fake_upstream, settings):
    from django.core.cache import cache

    cache.delete("ratelimit:crossref:advertised")
    crossref.get_work(PONE)  # the fake answers X-Rate-Limit-Limit: 50, X-Rate-Limit-Interval: 1s
    assert ratelimit.current_limit("Crossref") == 50.0
    cache.delete("ratelimit:crossref:advertised")


def test_retry_after_http_date_is_understood():
    import email.utils
    import time

    import httpx

    later = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 25 <= http.parse_retry_after(httpx.Headers({"Retry-After": later})) <= 31
    assert http.parse_retry_after(httpx.Headers({"Retry-After": "12"})) == 12
    assert http.parse_retry_after(httpx.Headers({"Retry-After": "soon"})) is None


def test_fake_upstream_rate_limit_counts_each_service_on_its_own(fake_upstream):
    import httpx

    fake_upstream.limit_rate(2)
    with httpx.Client(base_url=fake_upstream.url) as client:
        crossref_answers = [client.get(f"/crossref/works/{PONE}") for _ in range(3)]
        openalex_answer = client.get("/openalex/works/doi:10.1145/3448016.3452841")
    assert [answer.status_code for answer in crossref_answers] == [200, 200, 429]
    assert crossref_answers[2].headers["Retry-After"] == "1"
    assert openalex_answer.status_code == 200
    assert fake_upstream.rate_limited == {"crossref": 1}


def test_html_challenge_page_instead_of_json_is_unavailable(fake_upstream):
    # OpenReview's recorded challenge page (shared upstream-samples, trimmed there); any upstream may send one.
    page = (
        "<!DOCTYPE html>\n<html><head><title>Verifying your browser | OpenReview</title></head><body>…</body></html>\n"
    )
    fake_upstream.script("crossref", Garbage(page.encode(), "text/html; charset=utf-8"))
    with pytest.raises(http.UpstreamUnavailable, match=re.escape("answered with an HTML page (a bot challenge?)")):
        crossref.get_work(PONE)


def test_no_content_statuses_are_not_errors(fake_upstream, settings):
    url = f"{settings.CROSSREF_API_URL}/works/{PONE}"
    fake_upstream.script("crossref", Fail(204), Fail(204))
    response = http.get_json("Crossref", url, no_content_statuses=(204,))
    assert (response.no_content, response.data, response.content, response.status) == (True, None, b"", 204)
    with pytest.raises(http.UpstreamBadResponse, match="not valid JSON"):
        http.get_json("Crossref", url)  # unless asked for, an empty 204 is no JSON


def test_unasked_for_304_is_unexpected(fake_upstream):
    fake_upstream.script("crossref", Fail(304))
    with pytest.raises(http.UpstreamBadResponse, match=re.escape("unexpected answer (304)")):
        crossref.get_work(PONE)


CHROMA, BCHM = "10.1016/j.chroma.2008.01.017", "10.1515/bchm2.1969.350.2.1437"


def test_crossref_works_asks_for_many_dois_in_one_request(fake_upstream, settings):
    settings.PAPERHUB_CONTACT_EMAIL = "team@paperhub.example"
    works = crossref.get_works([CHROMA, BCHM])
    assert [w.doi for w in works] == [CHROMA, BCHM]
    [call] = fake_upstream.calls("crossref-list")  # answered with the recorded list, verbatim
    assert call.path == "works"
    assert call.query["filter"] == [f"doi:{CHROMA},doi:{BCHM}"] and call.query["rows"] == ["2"]
    assert call.query["mailto"] == ["team@paperhub.example"]


def test_a_list_request_stays_within_crossrefs_request_line(settings):
    settings.PAPERHUB_CONTACT_EMAIL = "team@paperhub.example"
    dois = [f"10.5555/paperhub.lookup.{n:05d}" for n in range(1500)]
    fitting = crossref.dois_per_request(dois)
    assert len(crossref._works_url(dois[:fitting]).raw_path) <= crossref.MAX_REQUEST_TARGET_BYTES
    assert len(crossref._works_url(dois[: fitting + 1]).raw_path) > crossref.MAX_REQUEST_TARGET_BYTES
    with pytest.raises(ValueError, match="do not fit one Crossref list request"):
        crossref.get_works(dois[: fitting + 1])


def test_a_list_request_asks_for_at_most_1000_rows(monkeypatch):
    monkeypatch.setattr(crossref, "MAX_REQUEST_TARGET_BYTES", 10**6)
    assert crossref.dois_per_request([f"10.5555/{n}" for n in range(1500)]) == 1000


def test_a_doi_with_a_comma_is_never_put_in_a_list():
    comma = "10.1002/(sici)1097-4636(199706)35:4<481::aid-jbm8>3.0.co;2-h,x"
    assert not crossref.can_list(comma)
    assert crossref.dois_per_request([comma, CHROMA]) == 0
    assert crossref.dois_per_request([CHROMA, comma]) == 1
