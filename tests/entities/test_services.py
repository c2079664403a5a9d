"""Annotations from PubTator3, through the fake upstream's recordings: stored in bulk, idempotently, per paper."""

import json

import pytest
from bs4 import BeautifulSoup
from django.db import transaction

from entities import services
from entities.models import Annotations, Entity, PaperEntity
from papers import enrichments
from papers.demo import FIXTURES
from papers.models import Enrichment
from tests.fake_upstream.server import Fail, Garbage
from tests.papers.factories import PaperFactory
from tests.workers import wait_until

pytestmark = pytest.mark.django_db

BRCA_PMID = "20516115"  # its PubTator abstract equals PMC3040717's JATS abstract character for character
BRCA_ABSTRACT_START = "Genetic screening of the breast and ovarian cancer susceptibility gene BRCA1"


def brca_recording():
    return json.loads(
        (FIXTURES / "pubtator/pubtator3-biocjson-wrapped-pmid-20516115-abstract-pairs-jats-PMC3040717.json").read_text()
    )["PubTator3"][0]


def brca_paper(**values):
    recorded = json.loads(
        (FIXTURES / "pubtator/pubtator3-biocjson-wrapped-pmid-20516115-abstract-pairs-jats-PMC3040717.json").read_text()
    )
    abstract = next(p["text"] for p in recorded["PubTator3"][0]["passages"] if p["infons"].get("type") == "abstract")
    return PaperFactory(
        **{"doi": "10.1158/0008-5472.can-09-4563", "pmid": BRCA_PMID, "pmcid": "", "abstract": abstract, **values}
    )


def run_batch():
    papers = services.entities_claim_batch()
    services.entities_fetch(papers=papers)
    return papers


def queue(paper):
    assert enrichments.enrichments_queue(paper=paper, only=("entities",)) == ["entities"]


def test_annotations_are_stored_linked_and_placed_in_the_abstract(client, fake_upstream):
    paper = brca_paper()
    queue(paper)
    assert [p.id for p in run_batch()] == [paper.id]
    row = Enrichment.objects.get(paper=paper, kind="entities")
    assert row.state == "done" and row.source == "PubTator3"
    brca1 = Entity.objects.get(type="gene", identifier="672")
    assert brca1.url == "https://www.ncbi.nlm.nih.gov/gene/672" and brca1.name == "BRCA1"
    assert PaperEntity.objects.get(paper=paper, entity=brca1).mentions >= 5
    annotations = Annotations.objects.get(paper=paper)
    assert annotations.scope == "abstract" and annotations.placed > 0
    abstract = "".join(paper.abstract_paragraphs)
    wanted = {(s["start"], s["end"]) for s in annotations.spans}
    mention_texts = {a["text"].lower() for p in brca_recording()["passages"] for a in p["annotations"]}
    for span in annotations.spans:
        assert span["target"] == "abstract"
        assert abstract[span["start"] : span["end"]].lower() in mention_texts, "a span covers a mention's own words"
    assert len(wanted) == len(annotations.spans), "no span twice"
    soup = BeautifulSoup(client.get(paper.get_absolute_url()).content, "html.parser")
    section = soup.select_one("#entities")
    assert section is not None and section.find("a", href="https://www.ncbi.nlm.nih.gov/gene/672")


def test_a_second_import_leaves_the_same_rows(fake_upstream):
    paper = brca_paper()
    queue(paper)
    run_batch()
    before = (
        list(PaperEntity.objects.filter(paper=paper).order_by("id").values_list("id", "entity_id", "mentions")),
        Annotations.objects.get(paper=paper).spans,
        Entity.objects.count(),
    )
    enrichments.enrichments_queue(paper=paper, force=True, only=("entities",))
    run_batch()
    after = (
        list(PaperEntity.objects.filter(paper=paper).order_by("id").values_list("id", "entity_id", "mentions")),
        Annotations.objects.get(paper=paper).spans,
        Entity.objects.count(),
    )
    assert after == before


def test_papers_are_asked_for_in_one_call_and_a_missing_pmid_is_not_annotated_yet(fake_upstream):
    first, second = brca_paper(), PaperFactory(pmid="1", pmcid="")
    queue(first)
    queue(second)
    run_batch()
    calls = fake_upstream.calls("pubtator")
    assert len(calls) == 1 and set(calls[0].query["pmids"][0].split(",")) == {BRCA_PMID, "1"}
    row = Enrichment.objects.get(paper=second, kind="entities")
    assert (row.state, row.detail) == ("none", "not annotated by PubTator yet")
    assert row.next_check_at is not None


def test_a_paper_without_pmid_is_not_in_pubmed():
    paper = PaperFactory(pmid="")
    enrichments.enrichments_queue(paper=paper)
    row = Enrichment.objects.get(paper=paper, kind="entities")
    assert row.state == "none" and "not in PubMed" in row.detail


@pytest.mark.parametrize("failure", [Fail(503), Fail(429, retry_after=2)])
def test_outages_are_raised_for_the_task_to_retry_and_nothing_is_written(fake_upstream, failure):
    from paperhub.http import UpstreamUnavailable

    paper = brca_paper()
    queue(paper)
    fake_upstream.script("pubtator", failure)
    with pytest.raises(UpstreamUnavailable):
        run_batch()
    assert not Annotations.objects.filter(paper=paper).exists()


def test_garbage_is_a_bad_response(fake_upstream):
    from paperhub.http import UpstreamBadResponse

    paper = brca_paper()
    queue(paper)
    fake_upstream.script("pubtator", Garbage())
    with pytest.raises(UpstreamBadResponse):
        run_batch()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_worker_annotates_a_batch_and_retries_an_outage(fake_upstream, celery_worker):
    paper = brca_paper()
    fake_upstream.script("pubtator", Fail(503))
    with transaction.atomic():
        queue(paper)
    row = wait_until(
        lambda: Enrichment.objects.filter(paper=paper, kind="entities", state="done").first(), 30, "annotations"
    )
    assert row.source == "PubTator3" and row.upstream_status == 200
    assert [c.status for c in fake_upstream.calls("pubtator")] == [503, 200]
    assert Annotations.objects.get(paper=paper).placed > 0
