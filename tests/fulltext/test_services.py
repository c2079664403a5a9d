"""The full-text and summary enrichments in this process, against the fake upstream's recorded responses."""

import datetime as dt
import json
import re

import pytest
from bs4 import BeautifulSoup
from django.test import override_settings
from django.utils import timezone

from fulltext import jats, services
from fulltext.models import FullText
from papers import enrichments
from papers.demo import FIXTURES
from papers.models import Enrichment, Paper, Reference
from tests.fake_upstream.server import Fail, Garbage
from tests.papers.factories import PaperFactory, ReferenceFactory

pytestmark = pytest.mark.django_db

NAR_DOI, NAR_PMCID = "10.1093/nar/gkr715", "PMC3258128"
NAR_FILE = FIXTURES / "europepmc/fulltextxml-nar-research-article-PMC3258128.xml"
S2_DOI = "10.1093/mind/lix.236.433"  # the one DOI Semantic Scholar's TLDR was recorded for


def nar_paper(**values):
    return PaperFactory(**{"doi": NAR_DOI, "pmcid": NAR_PMCID, **values})


def run_fulltext(paper):
    row = enrichments.enrichment_start(paper_id=paper.id, kind="fulltext")
    services.fulltext_fetch(paper=row.paper, row=row)
    return Enrichment.objects.get(paper=paper, kind="fulltext")


def test_europepmc_text_is_stored_rendered_with_its_references(fake_upstream):
    paper = nar_paper()
    row = run_fulltext(paper)
    assert (row.state, row.source, row.upstream_status) == ("done", "Europe PMC", 200)
    assert row.etag, "the ETag is kept, so the next check is a conditional request"
    full_text = FullText.objects.get(paper=paper)
    assert full_text.source == "europepmc" and full_text.converter_version == jats.CONVERTER_VERSION
    top = [s["heading"] for s in full_text.sections if s["level"] == 2]
    assert top[:4] == ["INTRODUCTION", "MATERIALS AND METHODS", "RESULTS", "DISCUSSION"]
    # The paper had no reference list: the JATS gave it one, and every citation lands on an entry.
    assert paper.references.count() == 47
    html = "".join(s["html"] for s in full_text.sections)
    targets = set(re.findall(r'href="#ref-(\d+)"', html))
    assert targets and {int(t) for t in targets} <= set(paper.references.values_list("position", flat=True))
    # A citation naming several references ("[3,4]") links to the first, and is the place each of them is cited.
    cited = Reference.objects.filter(paper=paper).exclude(cited_in=[])
    assert set(cited.values_list("position", flat=True)) >= {int(t) for t in targets}
    for reference in cited:
        for anchor in reference.cited_in:
            assert f'id="{anchor}"' in html
    paper.refresh_from_db()
    assert len(paper.body_text.split()) > 1000 and not re.search(r"</?[a-z]", paper.body_text)


def run_fulltext_row_settled(paper):
    return enrichments.enrichment_start(paper_id=paper.id, kind="fulltext") is None


def test_a_second_check_sends_the_etag_and_a_304_changes_nothing(fake_upstream):
    paper = nar_paper()
    first = run_fulltext(paper)
    rendered = FullText.objects.get(paper=paper).rendered_at
    assert run_fulltext_row_settled(paper), "a second delivery of the task leaves a settled row alone"
    # Beat's re-check, when its time comes, queues the row again; then the task asks conditionally.
    Enrichment.objects.filter(id=first.id).update(next_check_at=timezone.now() - dt.timedelta(seconds=1))
    assert enrichments.enrichments_recheck_due() == 1
    second = run_fulltext(paper)
    assert fake_upstream.calls("europepmc")[-1].headers.get("If-None-Match") == first.etag
    assert (second.state, second.upstream_status) == ("done", 304)
    assert FullText.objects.get(paper=paper).rendered_at == rendered


def test_references_already_on_file_are_matched_not_replaced(fake_upstream):
    paper = nar_paper()
    document = jats.parse(NAR_FILE.read_bytes())
    refs = jats.convert(document).references
    # The paper's list, in another order and shorter: only DOI/PMID matches may link.
    target = next(r for r in refs if r.record.pmid)
    ReferenceFactory(paper=paper, position=1, doi="", pmid=target.record.pmid, title="Matched by PMID")
    ReferenceFactory(paper=paper, position=2, doi="10.5555/unrelated", pmid="", title="Never cited")
    run_fulltext(paper)
    assert paper.references.count() == 2, "a reference list on file is kept"
    assert Reference.objects.get(paper=paper, position=1).cited_in, "matched by PMID, so citations link to it"
    assert Reference.objects.get(paper=paper, position=2).cited_in == []
    html = "".join(s["html"] for s in FullText.objects.get(paper=paper).sections)
    assert set(re.findall(r'href="#ref-(\d+)"', html)) == {"1"}, "no citation points at a wrong entry"


@pytest.mark.parametrize("failure", [Fail(404), Fail(204)], ids=["404", "204"])
def test_not_open_access_is_a_normal_outcome(fake_upstream, failure):
    paper = nar_paper()
    fake_upstream.script("europepmc", failure)
    row = run_fulltext(paper)
    assert (row.state, row.detail, row.source) == ("none", "not open access", "Europe PMC")
    assert row.next_check_at is not None, "beat asks again later: embargoes end"
    assert not FullText.objects.filter(paper=paper).exists()


def test_errorbean_answer_is_not_open_access(fake_upstream):
    paper = nar_paper()
    body = (FIXTURES / "europepmc/supplementaryfiles-errorbean-not-open-access-PMC3040717.xml").read_bytes()
    fake_upstream.script("europepmc", Fail(200, body=body, content_type="application/xml"))
    assert run_fulltext(paper).state == "none"


@pytest.mark.parametrize(
    "failure",
    [
        Fail(503),
        Fail(429, retry_after=7),
        Garbage(b"<!DOCTYPE html><html><title>Just a moment</title></html>", content_type="text/html"),
    ],
)
def test_outages_raise_to_be_retried(fake_upstream, failure):
    from paperhub.http import UpstreamUnavailable

    paper = nar_paper()
    fake_upstream.script("europepmc", failure)
    with pytest.raises(UpstreamUnavailable):
        run_fulltext(paper)
    assert not FullText.objects.filter(paper=paper).exists()


def test_paper_without_pmcid_records_why_nothing_is_fetched():
    paper = PaperFactory(pmcid="")
    queued = enrichments.enrichments_queue(paper=paper)
    assert queued == ["topics", "pubmed_ids", "summary"]  # the kinds that need only the DOI (reviews: none named)
    row = Enrichment.objects.get(paper=paper, kind="fulltext")
    assert row.state == "none" and "PubMed Central" in row.detail


def test_a_pmcid_arriving_later_queues_the_full_text():
    paper = PaperFactory(pmcid="")
    enrichments.enrichments_queue(paper=paper)
    Paper.objects.filter(id=paper.id).update(pmcid=NAR_PMCID)
    paper.refresh_from_db()
    assert enrichments.enrichments_queue(paper=paper) == ["fulltext"]
    assert Enrichment.objects.get(paper=paper, kind="fulltext").input_key == NAR_PMCID
    assert enrichments.enrichments_queue(paper=paper) == [], "queued once per input"


def test_converter_change_rerenders_from_the_stored_xml_without_network(fake_upstream):
    paper = nar_paper()
    run_fulltext(paper)
    FullText.objects.filter(paper=paper).update(converter_version=0, sections=[])
    calls = len(fake_upstream.requests)
    assert services.fulltexts_outdated() == [FullText.objects.get(paper=paper).id]
    services.fulltext_rerender(full_text=FullText.objects.get(paper=paper))
    full_text = FullText.objects.get(paper=paper)
    assert full_text.converter_version == jats.CONVERTER_VERSION and full_text.sections
    assert len(fake_upstream.requests) == calls


# ---------------------------------------------------------------- summary


def run_summary(paper):
    """The summary as its batch task runs it: queued, claimed, fetched with any other queued papers'."""
    enrichments.enrichments_queue(paper=paper, only=("summary",))
    services.summary_fetch_batch(paper_ids=enrichments.batch_claim(kind="summary", limit=500))
    return Enrichment.objects.get(paper=paper, kind="summary")


def test_one_semantic_scholar_call_serves_a_batch_of_papers(fake_upstream):
    known, unknown = PaperFactory(doi=S2_DOI, summary=""), PaperFactory(doi="10.5555/not-in-s2", summary="")
    digest = PaperFactory(doi="10.5555/with-digest", summary="What the authors wrote.", summary_source="eLife digest")
    for paper in (known, unknown, digest):
        enrichments.enrichments_queue(paper=paper, only=("summary",))
    services.summary_fetch_batch(paper_ids=enrichments.batch_claim(kind="summary", limit=500))
    [call] = fake_upstream.calls("semanticscholar")
    assert call.path == "paper/batch" and call.query == {"fields": ["tldr"]}
    assert sorted(json.loads(call.body)["ids"]) == sorted([f"DOI:{S2_DOI}", "DOI:10.5555/not-in-s2"])
    states = dict(Enrichment.objects.filter(kind="summary").values_list("paper__doi", "state"))
    assert states == {S2_DOI: "done", "10.5555/not-in-s2": "none", "10.5555/with-digest": "done"}
    assert Paper.objects.get(id=known.id).summary_source == "TLDR by Semantic Scholar"


def test_a_batch_answer_of_another_length_is_refused(fake_upstream):
    from paperhub.http import UpstreamBadResponse

    fake_upstream.always("semanticscholar", Garbage(body=b"[]", content_type="application/json"))
    with pytest.raises(UpstreamBadResponse, match="not a list with one entry per id asked"):
        run_summary(PaperFactory(doi=S2_DOI, summary=""))
    assert Paper.objects.get(doi=S2_DOI).summary == ""


def test_tldr_fills_the_summary_with_its_source(fake_upstream):
    paper = PaperFactory(doi=S2_DOI, summary="")
    row = run_summary(paper)
    paper.refresh_from_db()
    assert row.state == "done" and paper.summary_source == "TLDR by Semantic Scholar"
    assert paper.summary and "<" not in paper.summary


def test_a_jats_digest_wins_over_the_tldr(fake_upstream):
    paper = PaperFactory(doi=S2_DOI, summary="What the authors wrote.", summary_source="eLife digest")
    row = run_summary(paper)
    assert row.state == "done" and row.source == "eLife digest"
    assert fake_upstream.calls("semanticscholar") == [], "Semantic Scholar is not asked"
    assert Paper.objects.get(id=paper.id).summary == "What the authors wrote."


def test_unknown_to_semantic_scholar_is_none_available(fake_upstream):
    row = run_summary(PaperFactory(doi="10.5555/not-in-s2"))
    assert (row.state, row.detail, row.upstream_status) == ("none", "not in Semantic Scholar", 200)


def test_semantic_scholar_429_is_retried(fake_upstream):
    from paperhub.http import UpstreamUnavailable

    fake_upstream.script("semanticscholar", Fail(429, retry_after=3))
    with pytest.raises(UpstreamUnavailable) as raised:
        run_summary(PaperFactory(doi=S2_DOI))
    assert raised.value.retry_after == 3


@override_settings(SEMANTIC_SCHOLAR_API_KEY="k-123")
def test_semantic_scholar_key_is_sent(fake_upstream):
    run_summary(PaperFactory(doi=S2_DOI))
    assert fake_upstream.calls("semanticscholar")[-1].headers.get("x-api-key") == "k-123"


# ---------------------------------------------------------------- the page


def test_page_shows_the_text_with_contents_citations_and_source(client, fake_upstream):
    paper = nar_paper(title="Nucleic acids", license_url="")
    run_fulltext(paper)
    soup = BeautifulSoup(client.get(paper.get_absolute_url()).content, "html.parser")
    section = soup.select_one("#fulltext")
    assert section is not None
    assert "Full text from Europe PMC" in section.select_one(".fulltext-source").get_text(" ", strip=True)
    toc = [a["href"] for a in section.select("nav.toc a")]
    assert toc and all(soup.find(id=href[1:]) for href in toc)
    citations = section.select("a.citation")
    assert citations and all(soup.find(id=a["href"][1:]) for a in citations), "every citation lands in the list"
    backs = soup.select("#references .cited-at a")
    assert backs and all(soup.find(id=a["href"][1:]) for a in backs), "every reference links back"
    order = [s.get("id") for s in soup.select("article > section")]
    assert order.index("abstract") < order.index("fulltext") < order.index("reviews") < order.index("references")


def test_page_says_each_enrichment_state_in_words_as_recorded(client):
    paper = PaperFactory(pmcid="", pmid="")
    enrichments.enrichments_queue(paper=paper)
    enrichments.enrichment_note_retry(
        paper_id=paper.id, kind="summary", reason="Semantic Scholar: unreachable (ConnectError); trying again in 15 s."
    )
    html = client.get(paper.get_absolute_url()).content.decode()
    assert "Full text: no PubMed Central copy is known" in html
    assert "Summary: Semantic Scholar: unreachable (ConnectError); trying again in 15 s." in html
    assert "Entities: not in PubMed (no PMID)" in html
