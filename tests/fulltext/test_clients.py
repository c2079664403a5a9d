"""The Europe PMC and Semantic Scholar clients against the local fake upstream that replays recorded responses."""

import json
import re

import pytest

from fulltext.clients import europepmc, semanticscholar
from paperhub import http
from tests.fake_upstream.server import FIXTURES, Fail, Garbage, Huge, Slow, Truncated

SCIREP = "PMC8233371"
NAR = "PMC3258128"
SCIREP_XML = (FIXTURES / "europepmc" / "fulltextxml-scirep-figures-bibr-xrefs-PMC8233371.xml").read_bytes()
ERROR_BEAN = (FIXTURES / "europepmc" / "supplementaryfiles-errorbean-not-open-access-PMC3040717.xml").read_bytes()
# OpenReview's recorded bot-challenge page (shared/upstream-samples/openreview/v2-anonymous-challenge-200-html-in-
# fixture-wrapper.json, response.text, trimmed to its <title> there); no Europe PMC challenge page was recorded.
CHALLENGE_PAGE = (
    "<!DOCTYPE html>\n<html><head><title>Verifying your browser | OpenReview</title></head><body>…</body></html>\n"
).encode()
TURING = "10.1093/mind/lix.236.433"
TURING_TLDR = json.loads(
    (FIXTURES / "s2" / "graph-v1-paper-tldr-derived-10.1093_mind_lix.236.433.json").read_text(encoding="utf-8")
)


# -- Europe PMC


def test_full_text_is_the_recorded_bytes_with_its_etag(fake_upstream, settings):
    settings.PAPERHUB_CONTACT_EMAIL = "team@paperhub.example"
    full_text = europepmc.get_fulltext_xml(SCIREP)
    assert full_text.content == SCIREP_XML
    assert (full_text.pmcid, full_text.status) == (SCIREP, 200)
    assert full_text.etag == fake_upstream.etag(SCIREP_XML)
    assert full_text.url.endswith(f"/europepmc/{SCIREP}/fullTextXML")
    [call] = fake_upstream.calls("europepmc")
    assert call.path == f"{SCIREP}/fullTextXML"
    assert call.headers["User-Agent"] == "PaperHub/1.0 (mailto:team@paperhub.example)"
    assert call.headers["Accept"] == "application/xml"
    assert "If-None-Match" not in call.headers


def test_each_recording_is_served_by_its_own_pmcid(fake_upstream):
    nar = europepmc.get_fulltext_xml(NAR.lower())  # PMCIDs are normalised before asking
    assert nar.pmcid == NAR
    assert nar.content == (FIXTURES / "europepmc" / "fulltextxml-nar-research-article-PMC3258128.xml").read_bytes()


def test_unchanged_full_text_is_none_after_a_conditional_request(fake_upstream):
    first = europepmc.get_fulltext_xml(SCIREP)
    assert europepmc.get_fulltext_xml(SCIREP, etag=first.etag) is None
    call = fake_upstream.calls("europepmc")[-1]
    assert call.headers["If-None-Match"] == first.etag
    assert call.status == 304


def test_a_stale_etag_gets_the_full_text_again(fake_upstream):
    full_text = europepmc.get_fulltext_xml(SCIREP, etag='"not-the-current-one"', last_modified="Mon, 01 Jan 2024")
    assert full_text.content == SCIREP_XML
    call = fake_upstream.calls("europepmc")[0]
    assert call.headers["If-Modified-Since"] == "Mon, 01 Jan 2024"


@pytest.mark.parametrize(
    "behaviour",
    [
        None,  # an unknown PMCID: the fake's empty 404 (no real 404 body was recorded)
        Fail(404),
        Fail(410),
        Fail(204),
        Fail(200),  # 200 with an empty body
        Fail(200, body=ERROR_BEAN, content_type="application/xml"),  # recorded from supplementaryFiles
    ],
)
def test_articles_outside_the_open_access_subset_are_not_open_access(fake_upstream, behaviour):
    if behaviour:
        fake_upstream.script("europepmc", behaviour)
    with pytest.raises(europepmc.NotOpenAccess, match="not open access") as excinfo:
        europepmc.get_fulltext_xml(SCIREP if behaviour else "PMC1")
    assert isinstance(excinfo.value, http.UpstreamNotFound)
    assert str(excinfo.value) == "Europe PMC: not open access"
    assert excinfo.value.status == (behaviour.status if behaviour else 404)


@pytest.mark.parametrize("pmcid", ["", "8233371", "PMC", "PMC82333a71", "PMC8233371/../x", "DOI:10.1/x"])
def test_a_malformed_pmcid_is_refused_before_any_request(fake_upstream, pmcid):
    with pytest.raises(europepmc.InvalidPMCID):
        europepmc.get_fulltext_xml(pmcid)
    assert fake_upstream.calls("europepmc") == []


@pytest.mark.parametrize(
    ("behaviour", "error", "message"),
    [
        (Fail(429, retry_after=7), http.UpstreamUnavailable, "rate limited (429)"),
        (Fail(500), http.UpstreamUnavailable, "server error (500)"),
        (Fail(503, retry_after=30), http.UpstreamUnavailable, "server error (503)"),
        (Fail(400), http.UpstreamBadResponse, "unexpected answer (400)"),
        (Slow(3), http.UpstreamUnavailable, "timed out"),
        (Garbage(b"Service temporarily moved", "text/plain"), http.UpstreamBadResponse, "not a JATS article"),
        (Truncated(), http.UpstreamBadResponse, "not well-formed XML"),
        (Garbage(CHALLENGE_PAGE, "text/html; charset=utf-8"), http.UpstreamUnavailable, "an HTML page"),
        (Huge(50), http.UpstreamBadResponse, "limit"),
    ],
)
def test_europepmc_failures_become_our_errors(fake_upstream, behaviour, error, message):
    fake_upstream.script("europepmc", behaviour)
    with pytest.raises(error, match=re.escape(message)) as excinfo:
        europepmc.get_fulltext_xml(SCIREP)
    assert str(excinfo.value).startswith("Europe PMC: ")
    assert not isinstance(excinfo.value, europepmc.NotOpenAccess)
    if isinstance(behaviour, Fail):
        assert excinfo.value.status == behaviour.status
        if behaviour.retry_after:
            assert excinfo.value.retry_after == behaviour.retry_after


def test_an_html_challenge_page_says_so(fake_upstream):
    fake_upstream.script("europepmc", Garbage(CHALLENGE_PAGE, "text/html; charset=utf-8"))
    with pytest.raises(http.UpstreamUnavailable) as excinfo:
        europepmc.get_fulltext_xml(SCIREP)
    assert str(excinfo.value) == "Europe PMC: answered with an HTML page (a bot challenge?)"
    assert (excinfo.value.status, excinfo.value.retry_after) == (200, None)


def test_europepmc_has_its_own_rate_limit(settings):
    from paperhub import ratelimit

    settings.UPSTREAM_RATE_LIMITS = {**settings.UPSTREAM_RATE_LIMITS, "europepmc": 4.0, "semanticscholar": 0.5}
    assert ratelimit.current_limit(europepmc.UPSTREAM) == 4.0
    assert ratelimit.current_limit(semanticscholar.UPSTREAM) == 0.5


# -- Semantic Scholar


def test_tldr_is_fetched_by_doi(fake_upstream, settings):
    settings.SEMANTIC_SCHOLAR_API_KEY = ""
    tldr = semanticscholar.get_tldr(TURING)
    assert tldr == semanticscholar.Tldr(text=TURING_TLDR["tldr"]["text"], model="tldr@v2.0.0")
    assert tldr.text.startswith("If the meaning of the words \u201cmachine\u201d and \u201cthink\u201d")
    [call] = fake_upstream.calls("semanticscholar")
    assert call.path == f"paper/DOI:{TURING}"
    assert call.query == {"fields": ["tldr"]}
    assert call.headers["User-Agent"].startswith("PaperHub/")
    assert "x-api-key" not in {name.lower() for name in call.headers}


def test_api_key_is_sent_when_configured(fake_upstream, settings):
    settings.SEMANTIC_SCHOLAR_API_KEY = "s2-secret"
    semanticscholar.get_tldr(TURING)
    [call] = fake_upstream.calls("semanticscholar")
    assert {name.lower(): value for name, value in call.headers.items()}["x-api-key"] == "s2-secret"


@pytest.mark.parametrize(
    "body",
    [
        # Constructed: no record without a TLDR was recorded; the recorded paperId with "tldr" null, and without it.
        {"paperId": TURING_TLDR["paperId"], "tldr": None},
        {"paperId": TURING_TLDR["paperId"]},
    ],
)
def test_a_paper_without_tldr_is_none(fake_upstream, body):
    fake_upstream.script("semanticscholar", Garbage(json.dumps(body).encode(), "application/json"))
    assert semanticscholar.get_tldr(TURING) is None


def test_unknown_doi_is_not_found(fake_upstream):
    with pytest.raises(http.UpstreamNotFound) as excinfo:
        semanticscholar.get_tldr("10.5555/unknown")
    assert str(excinfo.value).startswith("Semantic Scholar: ")
    assert excinfo.value.status == 404


def test_rate_limited_tldr_is_unavailable_with_retry_after(fake_upstream):
    fake_upstream.script("semanticscholar", Fail(429, retry_after=5))
    with pytest.raises(http.UpstreamUnavailable, match=re.escape("rate limited (429)")) as excinfo:
        semanticscholar.get_tldr(TURING)
    assert (excinfo.value.retry_after, excinfo.value.status) == (5, 429)


def test_a_challenge_page_instead_of_json_is_unavailable(fake_upstream):
    fake_upstream.script("semanticscholar", Garbage(CHALLENGE_PAGE, "text/html"))
    with pytest.raises(http.UpstreamUnavailable, match=re.escape("answered with an HTML page")):
        semanticscholar.get_tldr(TURING)
