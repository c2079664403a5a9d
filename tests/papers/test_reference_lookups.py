"""References known only by their DOI get their title, authors, container and year from Crossref, many DOIs (from any
papers) per request, against the fake upstream.

The fake answers `/crossref/works?filter=doi:…` with the recorded work list
(crossref/lists/works-list-rows2-work-list.json) when exactly its two DOIs are asked for, and otherwise with a
CONSTRUCTED list around the recorded records of the DOIs asked for (PROVENANCE.md); tests that meet a constructed list
say so.
"""

import datetime as dt

import pytest
from bs4 import BeautifulSoup
from django.db import transaction
from django.utils import timezone

from papers import services, tasks
from papers.clients import crossref
from papers.demo import demo_reference_lookups_load
from papers.models import Paper, Reference, ReferenceLookup
from papers.normalize import ReferenceRecord, UnusableRecord, WorkRecord
from tests.claims import claims_side_by_side
from tests.fake_upstream.server import Fail, Garbage
from tests.workers import wait_until

pytestmark = pytest.mark.django_db

# The two works of the recorded list, and DOIs with single-work recordings.
CHROMA = "10.1016/j.chroma.2008.01.017"
BCHM = "10.1515/bchm2.1969.350.2.1437"
SCIENCE = "10.1126/science.280.5362.421"
ELIFE = "10.7554/elife.01567"
PONE = "10.1371/journal.pone.0033693"
NOT_RECORDED = "10.5555/never.recorded"
CHROMA_TITLE = "A new generation of more pH stable reversed phases prepared by silanization of zirconized silica"


def paper_citing(doi: str, cited: list, **values) -> Paper:
    """A paper saved the way imports save it, citing `cited` (DOIs, or ReferenceRecords) in that order."""
    references = [ReferenceRecord(doi=c) if isinstance(c, str) else c for c in cited]
    record = WorkRecord(doi=doi, source="crossref", title=f"Paper {doi}", references=references, **values)
    return services.paper_save_record(record=record)


def run_batch() -> list[str]:
    dois = services.reference_lookups_claim_batch()
    if dois:
        services.reference_lookups_fetch(dois=dois)
    return dois


def lookup(doi: str) -> ReferenceLookup:
    return ReferenceLookup.objects.get(doi=doi)


def asked(call) -> list[str]:
    return [f.removeprefix("doi:") for f in call.query["filter"][0].split(",")]


def test_saving_a_reference_list_queues_each_cited_doi_once():
    paper_citing("10.5555/citing.1", [CHROMA, SCIENCE, ReferenceRecord(doi=PONE, title="Already a title")])
    paper_citing("10.5555/citing.2", [SCIENCE, ReferenceRecord(doi=ELIFE, raw="Printed citation, 2013.")])
    # Only references known by their DOI alone need a lookup; SCIENCE, cited twice, is one row.
    assert sorted(ReferenceLookup.objects.values_list("doi", "state")) == [
        (CHROMA, "queued"),
        (SCIENCE, "queued"),
    ]


def test_references_read_as_references_after_the_batch(client, fake_upstream):
    paper = paper_citing("10.5555/citing.1", [CHROMA, BCHM])
    assert run_batch() == sorted([CHROMA, BCHM])
    [call] = fake_upstream.calls("crossref-list")
    assert sorted(asked(call)) == sorted([CHROMA, BCHM])  # the recorded list, served verbatim
    chroma = paper.references.get(doi=CHROMA)
    assert chroma.title == CHROMA_TITLE
    assert (chroma.authors, chroma.journal, chroma.year) == (
        "Silva CR, Airoldi C, Collins KE, Collins CH",
        "Journal of Chromatography A",
        "2008",
    )
    assert chroma.lookup_fields == ["title", "title_html", "authors", "journal", "year", "volume", "pages"]
    assert lookup(CHROMA).state == "found" and lookup(CHROMA).checked_at is not None

    soup = BeautifulSoup(client.get(paper.get_absolute_url()).content, "html.parser")
    row = soup.select_one("#ref-1")
    assert row.select_one(".reference-text").get_text() == (
        f"Silva CR, Airoldi C, Collins KE, Collins CH. (2008). {CHROMA_TITLE}. Journal of Chromatography A, 1191, 90-98"
    )
    assert row.select_one(".ref-doi")["href"] == f"https://doi.org/{CHROMA}"
    assert soup.select_one("#ref-2 .reference-text").get_text().startswith("KIRSCHKE H, HANSON H. (1969). Unters")


def test_one_request_serves_many_references_across_two_papers(fake_upstream):
    first = paper_citing("10.5555/citing.1", [CHROMA, SCIENCE, PONE])
    second = paper_citing("10.5555/citing.2", [BCHM, SCIENCE, ELIFE, NOT_RECORDED])
    wanted = {CHROMA, SCIENCE, PONE, BCHM, ELIFE, NOT_RECORDED}
    assert set(run_batch()) == wanted
    # One call for all six DOIs of both papers (a CONSTRUCTED list around their recorded records).
    [call] = fake_upstream.calls("crossref-list")
    assert set(asked(call)) == wanted and len(asked(call)) == 6
    assert call.query["rows"] == ["6"]
    assert set(call.query["select"][0].split(",")) >= {"DOI", "title", "author", "container-title", "issued"}
    assert fake_upstream.calls("crossref") == []  # no single-work request
    titled = {(r.paper_id, r.doi) for r in Reference.objects.exclude(title="")}
    assert titled == {(first.id, d) for d in (CHROMA, SCIENCE, PONE)} | {(second.id, d) for d in (BCHM, SCIENCE, ELIFE)}
    assert second.references.get(doi=SCIENCE).title == first.references.get(doi=SCIENCE).title != ""


def test_an_unknown_doi_is_recorded_and_not_asked_again_soon(fake_upstream, settings):
    paper = paper_citing("10.5555/citing.1", [NOT_RECORDED])
    run_batch()
    row = lookup(NOT_RECORDED)
    assert (row.state, row.detail, row.upstream_status) == ("unknown", "Crossref does not know this DOI.", 200)
    days = settings.REFERENCES_LOOKUP_UNKNOWN_DAYS
    assert abs(row.next_check_at - (timezone.now() + dt.timedelta(days=days))) < dt.timedelta(minutes=1)
    assert paper.references.get().title == ""  # still its DOI link

    # Another paper citing it, a re-import, beat's sweep: none asks Crossref again before it is due.
    paper_citing("10.5555/citing.2", [NOT_RECORDED])
    paper_citing("10.5555/citing.1", [NOT_RECORDED])
    assert services.reference_lookups_sweep() == 0
    assert run_batch() == []
    assert len(fake_upstream.calls("crossref-list")) == 1
    # Once due, beat queues it again.
    ReferenceLookup.objects.filter(doi=NOT_RECORDED).update(next_check_at=timezone.now() - dt.timedelta(seconds=1))
    assert services.reference_lookups_sweep() == 1
    assert run_batch() == [NOT_RECORDED]


def test_a_reimport_keeps_the_titles_without_asking_again(fake_upstream):
    paper_citing("10.5555/citing.1", [CHROMA, BCHM])
    run_batch()
    before = {r.position: (r.id, r.title, r.lookup_fields) for r in Reference.objects.all()}
    # The periodic refresh saves the deposit again: its references carry no titles, the known answers fill them.
    paper = paper_citing("10.5555/citing.1", [CHROMA, BCHM])
    assert {r.position: (r.id, r.title, r.lookup_fields) for r in paper.references.all()} == before
    assert ReferenceLookup.objects.filter(state="queued").count() == 0
    assert len(fake_upstream.calls("crossref-list")) == 1


def test_what_the_deposit_gave_stays_and_only_filled_fields_follow_the_record():
    # A deposit with author, year and journal but no title (as Elsevier's are).
    deposited = ReferenceRecord(doi=CHROMA, authors="Claessens", year="2004", journal="J. Chromatogr. A")
    paper = paper_citing("10.5555/citing.1", [deposited])
    record = WorkRecord(
        doi=CHROMA, source="crossref", title="First title", title_html="First title", container_title="J A", volume="9"
    )
    services.reference_lookups_store(dois=[CHROMA], works=[record])
    reference = paper.references.get()
    assert (reference.title, reference.authors, reference.year, reference.journal, reference.volume) == (
        "First title",
        "Claessens",
        "2004",
        "J. Chromatogr. A",
        "9",
    )
    assert reference.lookup_fields == ["title", "title_html", "volume"]
    # A later answer (a record built here: the record changed its title, lost its volume) moves what it filled.
    changed = WorkRecord(
        doi=CHROMA,
        source="crossref",
        title="Corrected title",
        title_html="Corrected <i>title</i>",
        published_date=dt.date(2008, 5, 1),
    )
    outcome = services.reference_lookups_store(dois=[CHROMA], works=[changed])
    reference.refresh_from_db()
    assert (reference.title, reference.volume, reference.year, reference.authors) == (
        "Corrected title",
        "",
        "2004",
        "Claessens",
    )
    assert reference.title_html == "Corrected <i>title</i>"
    assert reference.lookup_fields == ["title", "title_html"] and outcome.references == 1
    # The same answer again changes nothing.
    again = services.reference_lookups_store(dois=[CHROMA], works=[changed])
    assert (again.found, again.unknown, again.references) == (1, 0, 0)


def test_a_crossref_answer_that_is_not_a_work_list_changes_nothing(fake_upstream):
    paper = paper_citing("10.5555/citing.1", [CHROMA])
    fake_upstream.script("crossref-list", Fail(200, body=b'{"status": "ok", "message-type": "work"}'))
    dois = services.reference_lookups_claim_batch()
    with pytest.raises(UnusableRecord, match="not a list of works"):
        services.reference_lookups_fetch(dois=dois)
    assert paper.references.get().doi == CHROMA and lookup(CHROMA).state == "running"  # the task records it


@pytest.mark.django_db(transaction=True)
def test_claims_do_not_overlap_between_two_concurrent_runs():
    ReferenceLookup.objects.bulk_create([ReferenceLookup(doi=f"10.5555/lookup.{n}") for n in range(150)])
    first, second = claims_side_by_side(lambda: services.reference_lookups_claim_batch(limit=100))
    assert len(first) == 100 and len(second) == 50
    assert not set(first) & set(second)
    assert services.reference_lookups_claim_batch() == []  # all running, none stuck
    assert ReferenceLookup.objects.filter(state="running").count() == 150


def test_a_batch_holds_what_one_request_line_holds(settings):
    settings.REFERENCES_LOOKUP_BATCH_SIZE = 1000
    ReferenceLookup.objects.bulk_create([ReferenceLookup(doi=f"10.5555/lookup.{n:04d}") for n in range(400)])
    dois = services.reference_lookups_claim_batch()
    assert 100 < len(dois) < 400
    assert len(crossref._works_url(dois).raw_path) <= crossref.MAX_REQUEST_TARGET_BYTES
    assert ReferenceLookup.objects.filter(state="queued").count() == 400 - len(dois)


def test_a_doi_with_a_comma_is_asked_alone(fake_upstream):
    comma = "10.1002/(sici)1097-4636(199706)35:4<481::aid-jbm8>3.0.co;2-h,x"
    ReferenceLookup.objects.create(doi=comma)
    ReferenceLookup.objects.create(doi=CHROMA)
    assert run_batch() == [comma]
    [single] = fake_upstream.calls("crossref")
    assert single.path.startswith("works/") and single.status == 404
    assert lookup(comma).state == "unknown"
    assert run_batch() == [CHROMA]


def test_beat_queues_references_stored_before_lookups_and_lookups_left_running():
    from tests.papers.factories import ReferenceFactory

    ReferenceFactory(doi=CHROMA, title="", raw="")  # stored before lookups existed: no row
    ReferenceFactory(doi=SCIENCE, title="A title", raw="")  # needs none
    stuck = ReferenceLookup.objects.create(doi=BCHM, state="running")
    ReferenceFactory(doi=BCHM, title="", raw="")
    ReferenceLookup.objects.filter(id=stuck.id).update(updated_at=timezone.now() - dt.timedelta(hours=1))
    with transaction.atomic():
        assert services.reference_lookups_sweep() == 2
    assert sorted(ReferenceLookup.objects.values_list("doi", "state")) == [(CHROMA, "queued"), (BCHM, "queued")]


def test_the_demo_answers_recorded_dois_through_the_same_service_and_leaves_the_rest_queued():
    # The demo papers cite no DOI that has a recording (see the report); a paper citing one shows the path.
    paper = paper_citing("10.5555/citing.1", [CHROMA, NOT_RECORDED])
    result = demo_reference_lookups_load()
    assert (result.answered, result.waiting, result.references) == (1, 1, 1)
    assert paper.references.get(doi=CHROMA).title == CHROMA_TITLE
    # Not recorded is not "unknown to Crossref": the worker asks when online.
    assert lookup(NOT_RECORDED).state == "queued"


# ---------------------------------------------------------------- through a real worker


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_worker_fills_titles_after_an_import_retrying_429_and_503(client, fake_upstream, celery_worker):
    fake_upstream.script("crossref-list", Fail(429, retry_after=1), Fail(503))
    paper = paper_citing("10.5555/citing.1", [CHROMA, BCHM])  # commits: the batch is queued on commit
    wait_until(lambda: not ReferenceLookup.objects.exclude(state="found").exists(), 60, "the lookups")
    assert [c.status for c in fake_upstream.calls("crossref-list")] == [429, 503, 200]
    assert paper.references.get(doi=CHROMA).title == CHROMA_TITLE
    html = client.get(paper.get_absolute_url()).content.decode()
    assert CHROMA_TITLE in html and "Hoppe-Seyler´s Zeitschrift für physiologische Chemie" in html


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_garbage_fails_the_lookup_clearly_and_keeps_the_references(fake_upstream, celery_worker):
    fake_upstream.always("crossref-list", Garbage())
    paper = paper_citing("10.5555/citing.1", [CHROMA, NOT_RECORDED])
    row = wait_until(lambda: ReferenceLookup.objects.filter(doi=CHROMA, state="failed").first(), 60, "the failure")
    assert row.detail == "Crossref: the response is not valid JSON"
    assert row.next_check_at > timezone.now()
    assert len(fake_upstream.calls("crossref-list")) == 1  # a bad answer is not retried
    assert list(paper.references.values_list("doi", "title")) == [(CHROMA, ""), (NOT_RECORDED, "")]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_two_workers_never_ask_for_the_same_doi(fake_upstream, celery_worker):
    # 250 DOIs no recording holds: each batch is a CONSTRUCTED empty list, and every DOI ends unknown.
    ReferenceLookup.objects.bulk_create([ReferenceLookup(doi=f"10.5555/lookup.{n}") for n in range(250)])
    for _ in range(3):  # three batches at once, on the worker's two processes
        tasks.reference_lookups_fetch_batch.delay()
    wait_until(lambda: ReferenceLookup.objects.filter(state="unknown").count() == 250, 60, "every lookup")
    calls = fake_upstream.calls("crossref-list")
    every = [doi for call in calls for doi in asked(call)]
    assert len(every) == len(set(every)) == 250
    assert len(calls) == 3
