"""entities.clients.pubtator against the fake upstream (tests/fake_upstream), which replays the PubTator3 recordings
inside a constructed {"PubTator3": [...]} envelope (see its docstring and PROVENANCE.md)."""

import re

import pytest

from entities.clients import pubtator as client
from paperhub import http, ratelimit
from tests.fake_upstream.server import Fail, Garbage, Huge, Slow, Truncated

CHALLENGE_PAGE = b"<!DOCTYPE html><html><head><title>Just a moment...</title></head></html>"


def test_abstracts_are_fetched_and_parsed(fake_upstream, settings):
    settings.PAPERHUB_CONTACT_EMAIL = "team@paperhub.example"
    [doc] = client.export_biocjson(["20516115"], full=False)
    assert doc.pmid == "20516115" and doc.doi == "10.1158/0008-5472.can-09-4563"
    [call] = fake_upstream.calls("pubtator")
    assert call.path == "publications/export/biocjson"
    assert call.query == {"pmids": ["20516115"]}
    assert call.headers["User-Agent"] == "PaperHub/1.0 (mailto:team@paperhub.example)"


def test_full_true_asks_for_the_full_text(fake_upstream):
    [doc] = client.export_biocjson(["22429397"], full=True)
    assert len(doc.passages) == 151 and doc.pmcid == "PMC3446384"
    assert fake_upstream.calls("pubtator")[0].query == {"pmids": ["22429397"], "full": ["true"]}
    [abstract] = client.export_biocjson(["22429397"], full=False)
    assert len(abstract.passages) == 2


def test_several_pmids_come_back_in_one_answer(fake_upstream):
    documents = client.export_biocjson(["22663011", "24633240", "37026113"], full=False)
    assert [d.pmid for d in documents] == ["22663011", "24633240", "37026113"]
    assert len(fake_upstream.calls("pubtator")) == 1


def test_150_pmids_take_two_calls_of_at_most_100(fake_upstream):
    pmids = ["20516115"] + [str(30_000_000 + i) for i in range(149)]
    documents = client.export_biocjson(pmids, full=False)
    assert [d.pmid for d in documents] == ["20516115"]
    calls = fake_upstream.calls("pubtator")
    assert [len(c.query["pmids"][0].split(",")) for c in calls] == [100, 50]


def test_full_texts_are_batched_by_what_the_size_cap_holds(fake_upstream, settings):
    settings.UPSTREAM_MAX_RESPONSE_BYTES = 10 * 1024 * 1024  # the default: five near-1 MB full texts a call
    client.export_biocjson([str(30_000_000 + i) for i in range(12)], full=True)
    assert [len(c.query["pmids"][0].split(",")) for c in fake_upstream.calls("pubtator")] == [5, 5, 2]
    fake_upstream.reset()
    settings.UPSTREAM_MAX_RESPONSE_BYTES = 2 * 1024 * 1024  # the tests' cap: one at a time
    [doc] = client.export_biocjson(["22429397", "30000000"], full=True)
    assert len(doc.passages) == 151
    assert [c.query["pmids"] for c in fake_upstream.calls("pubtator")] == [["22429397"], ["30000000"]]


def test_missing_pmids_are_the_ones_pubtator_left_out(fake_upstream):
    asked = ["20516115", "99999999", "22663011", "00012345"]
    documents = client.export_biocjson(asked, full=False)
    assert client.missing_pmids(asked, documents) == ["99999999", "12345"]


def test_repeated_pmids_are_asked_once(fake_upstream):
    client.export_biocjson(["20516115", " 20516115 "], full=False)
    assert fake_upstream.calls("pubtator")[0].query["pmids"] == ["20516115"]


@pytest.mark.parametrize("pmid", ["PMC3446384", "10.1186/bcr3151", "", "12 34", "١٢٣"])
def test_a_malformed_pmid_is_refused_before_any_request(fake_upstream, pmid):
    with pytest.raises(client.InvalidPMID):
        client.export_biocjson(["20516115", pmid], full=False)
    assert fake_upstream.calls("pubtator") == []


@pytest.mark.parametrize(
    "behaviour",
    [Fail(404), Garbage(b"", "application/json"), Garbage(b"  \n", "application/json")],
)
def test_a_404_or_an_empty_answer_means_none_annotated(fake_upstream, behaviour):
    fake_upstream.script("pubtator", behaviour)
    assert client.export_biocjson(["20516115"], full=False) == []


@pytest.mark.parametrize(
    ("behaviour", "error", "message"),
    [
        (Fail(500), http.UpstreamUnavailable, "server error (500)"),
        (Fail(503), http.UpstreamUnavailable, "server error (503)"),
        (Fail(429, retry_after=7), http.UpstreamUnavailable, "rate limited (429)"),
        (Fail(400), http.UpstreamBadResponse, "unexpected answer (400)"),
        (Slow(3), http.UpstreamUnavailable, "timed out"),
        (Garbage(), http.UpstreamBadResponse, "not BioC-JSON: not valid JSON"),
        (Garbage(b'{"error": "internal"}'), http.UpstreamBadResponse, "not BioC-JSON: neither a document"),
        (Truncated(), http.UpstreamBadResponse, "not valid JSON"),
        (Huge(5), http.UpstreamBadResponse, "limit"),
        (Garbage(CHALLENGE_PAGE, "text/html"), http.UpstreamUnavailable, "an HTML page"),
    ],
)
def test_pubtator_failures_become_our_errors(fake_upstream, behaviour, error, message):
    fake_upstream.script("pubtator", behaviour)
    with pytest.raises(error, match=re.escape(message)) as excinfo:
        client.export_biocjson(["20516115"], full=False)
    assert str(excinfo.value).startswith("PubTator: ")
    if isinstance(behaviour, Fail) and behaviour.retry_after:
        assert excinfo.value.retry_after == 7


def test_a_failed_second_batch_fails_the_call(fake_upstream):
    fake_upstream.script("pubtator", Garbage(b'{"PubTator3": []}'), Fail(503))
    with pytest.raises(http.UpstreamUnavailable):
        client.export_biocjson([str(30_000_000 + i) for i in range(150)], full=False)
    assert len(fake_upstream.calls("pubtator")) == 2


def test_pubtator_has_its_own_rate_limit(settings):
    assert settings.UPSTREAM_RATE_LIMITS["pubtator"] == 3.0
    assert ratelimit.current_limit(client.UPSTREAM) == 3.0
    settings.UPSTREAM_RATE_LIMITS = {**settings.UPSTREAM_RATE_LIMITS, "pubtator": 1.5}
    assert ratelimit.current_limit(client.UPSTREAM) == 1.5
    assert settings.PUBTATOR_API_URL == "https://www.ncbi.nlm.nih.gov/research/pubtator3-api"
