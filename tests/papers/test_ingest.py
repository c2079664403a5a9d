"""The import service end to end in this process, against the fake upstream (the worker tests add Celery)."""

import datetime as dt
import json

import pytest

from paperhub.http import UpstreamNotFound, UpstreamUnavailable
from papers import enrichments, services
from papers.demo import FIXTURES
from papers.models import Author, Enrichment, Paper, Reference, Topic
from tests.callbacks import queued_work, run_enrichment_batches
from tests.fake_upstream.server import Fail
from tests.papers.factories import PaperFactory, ReferenceFactory
from tests.reviews.factories import ReviewFactory

pytestmark = pytest.mark.django_db

PONE = "10.1371/journal.pone.0033693"
PONE_FILE = "journal-article-70-refs-doi-less-refs-sici-dois-updated-by-correction-10.1371_journal.pone.0033693.json"
SIGMOD = "10.1145/3448016.3452841"
ARXIV = "10.48550/arxiv.2311.16162"


def import_doi(doi):
    """The metadata import, then the batched enrichments it queued (topics, PubMed ids)."""
    paper = Paper.objects.create(doi=doi)
    services.paper_import(paper=services.paper_claim_for_import(paper_id=paper.id))
    run_enrichment_batches()
    return Paper.objects.get(id=paper.id)


def test_crossref_paper_gets_every_field(fake_upstream):
    paper = import_doi(PONE)
    assert paper.fetch_state == "ready" and paper.metadata_source == "crossref" and paper.fetched_at
    assert paper.title.startswith("Methylphenidate Exposure")
    assert (paper.container_title, paper.volume, paper.issue, paper.pages) == ("PLoS ONE", "7", "3", "e33693")
    assert paper.published_precision == "day"
    assert paper.authorships.filter(role="author").count() == 6
    # Crossref names the academic editor: an authorship of its own role, numbered apart from the authors.
    assert list(paper.authorships.filter(role="editor").values_list("position", "author__family_name")) == [
        (1, "Borlongan")
    ]
    assert list(paper.references.values_list("position", flat=True)) == list(range(1, 71))
    assert paper.updates.get().kind == "correction"


def test_openalex_adds_topics_and_open_access(fake_upstream):
    paper = import_doi(SIGMOD)
    assert paper.oa_url == "https://dl.acm.org/doi/pdf/10.1145/3448016.3452841"
    primary = paper.paper_topics.get(is_primary=True)
    assert primary.topic.openalex_id == "T11478"
    assert primary.topic.subfield.field.domain.name == "Physical Sciences"


def test_datacite_doi_goes_to_datacite_first(fake_upstream):
    paper = import_doi(ARXIV)
    assert paper.metadata_source == "datacite"
    assert paper.arxiv_id == "2311.16162"
    assert fake_upstream.calls("crossref") == []


def test_crossref_404_falls_back_to_datacite(fake_upstream):
    paper = import_doi("10.5061/dryad.wstqjq2n3")  # a DataCite DOI whose prefix we do not list
    assert paper.metadata_source == "datacite"
    fake_upstream.reset()
    services.DATACITE_PREFIXES = ()
    try:
        paper = import_doi_again(paper)
    finally:
        services.DATACITE_PREFIXES = ("10.48550/", "10.5281/", "10.5061/", "10.6084/", "10.17605/")
    assert [c.service for c in fake_upstream.requests][:2] == ["crossref", "datacite"]
    assert paper.fetch_state == "ready"


def import_doi_again(paper):
    return services.paper_import(paper=services.paper_claim_for_import(paper_id=paper.id, force=True))


def test_unknown_doi_is_not_found_in_either_registry(fake_upstream):
    paper = Paper.objects.create(doi="10.5555/nobody.knows")
    with pytest.raises(UpstreamNotFound, match="neither knows the DOI 10.5555/nobody.knows"):
        services.paper_import(paper=paper)


def test_metadata_does_not_wait_for_openalex_and_a_failing_batch_changes_nothing(fake_upstream):
    paper = Paper.objects.create(doi=SIGMOD)
    fake_upstream.always("openalex", Fail(503))
    saved = services.paper_import(paper=services.paper_claim_for_import(paper_id=paper.id))
    assert saved.fetch_state == "ready" and saved.fetch_error == "" and not saved.paper_topics.exists()
    assert fake_upstream.calls("openalex") == [], "OpenAlex is asked by the batch, not by the import"
    paper_ids = enrichments.batch_claim(kind=services.TOPICS, limit=100)
    assert paper_ids == [paper.id]
    with pytest.raises(UpstreamUnavailable):
        services.topics_fetch_batch(paper_ids=paper_ids)  # the task retries it (tests/papers/test_batches.py)
    assert Enrichment.objects.get(paper=paper, kind="topics").state == "running"
    assert not Paper.objects.get(id=paper.id).paper_topics.exists()


def test_reimport_yields_the_same_rows_and_keeps_user_content(fake_upstream):
    paper = import_doi(PONE)
    review = ReviewFactory(paper=paper)
    before = {
        "refs": list(paper.references.order_by("position").values_list("id", "position", "doi", "title")),
        "authors": list(paper.authorships.order_by("position").values_list("id", "author_id")),
    }
    again = import_doi_again(paper)
    assert list(again.references.order_by("position").values_list("id", "position", "doi", "title")) == before["refs"]
    assert list(again.authorships.order_by("position").values_list("id", "author_id")) == before["authors"]
    assert again.reviews.get() == review


def test_papers_sharing_topics_are_imported_without_touching_each_other(fake_upstream):
    fake_upstream.serve_template("10.5555/shared.")  # SIGMOD's recordings under other DOIs: the same topics
    first = import_doi("10.5555/shared.1")
    Paper.objects.filter(id=first.id).update(updated_at=first.updated_at - dt.timedelta(days=1))
    import_doi("10.5555/shared.2")
    assert Paper.objects.get(id=first.id).updated_at < first.updated_at, "an unchanged topic marks no paper changed"
    assert Topic.objects.count() == 2 and Author.objects.count() == 12

    Topic.objects.filter(openalex_id="T11478").update(name="Old name")
    import_doi("10.5555/shared.3")
    assert Topic.objects.get(openalex_id="T11478").name != "Old name", "a topic renamed upstream is renamed here"
    assert Paper.objects.get(id=first.id).updated_at >= first.updated_at, "and its papers are marked changed"


def test_citations_are_linked_both_ways(fake_upstream):
    citing = PaperFactory()
    ReferenceFactory(paper=citing, position=1, doi=PONE)
    cited = PaperFactory(doi="10.1038/sj.npp.1301164")  # reference 1 of the PLoS ONE paper
    paper = import_doi(PONE)
    assert Reference.objects.get(paper=citing).cited_paper == paper, "an older paper's reference now points here"
    assert paper.references.get(position=1).cited_paper == cited, "this paper's reference points to a paper here"


def test_pmids_come_from_ncbi_for_papers_and_references_in_one_call(fake_upstream):
    # The recorded ID-converter answer knows 10.7554/eLife.09560; make it a reference of a paper here.
    paper = PaperFactory(doi="10.5555/citing.1")
    ReferenceFactory(paper=paper, position=1, doi="10.7554/elife.09560", pmid="")
    other = PaperFactory(doi="10.7554/elife.09560")
    for each in (paper, other):
        enrichments.enrichments_queue(paper=each, only=(services.PUBMED_IDS,))
    run_enrichment_batches()
    assert paper.references.get().pmid == "26354291"
    other.refresh_from_db()
    assert (other.pmid, other.pmcid) == ("26354291", "PMC4559886")
    [call] = fake_upstream.calls("ncbi")
    assert sorted(call.query["ids"][0].split(",")) == ["10.5555/citing.1", "10.7554/elife.09560"], "each DOI once"
    assert Enrichment.objects.get(paper=paper, kind="pubmed_ids").state == "done"


def test_request_import_twice_makes_one_paper(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        first, created = services.paper_request_import(doi="10.5555/ABC")
        second, created_again = services.paper_request_import(doi="https://doi.org/10.5555/abc")
    assert first == second and created and not created_again
    assert len(queued_work(callbacks)) == 1, "one task queued"
    assert Paper.objects.get().fetch_state == "pending"


def test_claim_is_exclusive_and_skips_ready_papers():
    paper = PaperFactory(fetch_state="pending")
    assert services.paper_claim_for_import(paper_id=paper.id).fetch_state == "fetching"
    Paper.objects.filter(id=paper.id).update(fetch_state="ready")
    assert services.paper_claim_for_import(paper_id=paper.id) is None
    assert services.paper_claim_for_import(paper_id=paper.id, force=True) is not None
    assert services.paper_claim_for_import(paper_id=999999) is None


def test_retry_delay_grows_is_capped_and_honours_retry_after(settings):
    from paperhub.retries import retry_delay

    settings.PAPERHUB_RETRY_BASE_SECONDS, settings.PAPERHUB_RETRY_MAX_SECONDS = 2, 60
    assert all(2 <= retry_delay(0) <= 2 for _ in range(20))
    assert all(2 <= retry_delay(3) <= 16 for _ in range(50))
    assert all(retry_delay(10) <= 60 for _ in range(50))
    assert retry_delay(0, retry_after=30) == 30
    assert retry_delay(0, retry_after=100_000) == 600


def test_a_retraction_notice_marks_the_paper_it_retracts():
    from papers.normalize import UpdateRecord, WorkRecord

    target = PaperFactory(doi="10.5555/retracted")
    notice = WorkRecord(
        doi="10.5555/retraction-notice",
        source="crossref",
        title="Retraction: something",
        update_targets=[UpdateRecord(kind="retraction", notice_doi="10.5555/retracted", label="Retraction")],
    )
    services.paper_save_record(record=notice)
    services.paper_save_record(record=notice)  # again: still one update
    update = target.updates.get()
    assert (update.kind, update.notice_doi) == ("retraction", "10.5555/retraction-notice")


def test_beat_requeues_stuck_papers_and_refreshes_stale_ones(django_capture_on_commit_callbacks):
    import datetime as dt

    from django.utils import timezone

    long_ago = timezone.now() - dt.timedelta(days=90)
    stuck = PaperFactory(fetch_state="fetching")
    fresh_pending = PaperFactory(fetch_state="pending")
    stale = PaperFactory(fetch_state="ready", fetched_at=long_ago)
    PaperFactory(fetch_state="ready", fetched_at=timezone.now())
    Paper.objects.filter(id=stuck.id).update(updated_at=long_ago)
    with django_capture_on_commit_callbacks() as callbacks:
        assert services.papers_requeue_stuck(older_than=dt.timedelta(minutes=15)) == [stuck.id]
        assert services.papers_refresh_stale(older_than=dt.timedelta(days=30)) == [stale.id]
    assert len(queued_work(callbacks)) == 2, (
        "one task queued for each, none for the fresh pending or fresh ready papers"
    )
    # With no grace period, the fresh pending paper counts as stuck too; the ready ones never do.
    assert sorted(services.papers_requeue_stuck(older_than=dt.timedelta(0))) == sorted([fresh_pending.id, stuck.id])


def test_beat_schedule_names_real_tasks():
    from django.conf import settings

    from paperhub.celery import app

    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks


def test_imported_title_is_stored_plain_with_its_markup_beside_it(fake_upstream):
    # Constructed case: the recorded PONE answer with an entity-escaped italic title (no recorded Crossref title
    # carries markup), served by the fake Crossref in place of the recording.
    recorded = json.loads((FIXTURES / "crossref" / PONE_FILE).read_text())
    recorded["message"]["title"] = ["Methylphenidate in &lt;i&gt;Mus musculus&lt;/i&gt; &amp;amp; CO<sub>2</sub>"]
    fake_upstream.script("crossref", Fail(200, body=json.dumps(recorded).encode()))
    paper = import_doi(PONE)
    paper.refresh_from_db()
    assert paper.title == "Methylphenidate in Mus musculus & CO2"
    assert paper.title_html == "Methylphenidate in <i>Mus musculus</i> &amp; CO<sub>2</sub>"
    # The recorded reference titles escape their apostrophes as &apos;: stored as apostrophes, in both columns.
    reference = paper.references.get(title__startswith="Progressive dopamine neuron loss")
    assert reference.title == "Progressive dopamine neuron loss in Parkinson's disease: the multiple hit hypothesis."
    assert reference.title_html == reference.title
    assert not paper.references.filter(title__contains="&").exists()
    assert not paper.references.filter(title_html__contains="&apos;").exists()


def test_bidi_controls_in_upstream_text_are_stripped(fake_upstream):
    # Constructed case: the recorded PONE answer with Trojan-source characters in its title and an author's name.
    recorded = json.loads((FIXTURES / "crossref" / PONE_FILE).read_text())
    recorded["message"]["title"] = ["Methylphenidate \u202eExposure\u202c \u2066Induces\u2069 Dopamine"]
    recorded["message"]["author"][0]["family"] = "\u202eOliver\u202c"
    fake_upstream.script("crossref", Fail(200, body=json.dumps(recorded).encode()))
    paper = import_doi(PONE)
    paper.refresh_from_db()
    assert paper.title == paper.title_html == "Methylphenidate Exposure Induces Dopamine"
    assert paper.authorships.order_by("position").first().author.family_name == "Oliver"
