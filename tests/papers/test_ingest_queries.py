"""What the metadata stage costs in queries (set-based writes), and that it still stores the right rows.

The counts are exact: a new query per author or per reference shows up here first. The stage is the claim, the
Crossref fetch and paper_save_record; on-commit work (cache versions, tasks sent) is not run inside a test's
transaction, and needs no query anyway (the versions are known from the rows written).
"""

import json

import pytest

from papers import normalize, services
from papers.models import Author, Authorship, Enrichment, Funding, Paper, Reference, ReferenceLookup
from tests.fake_upstream.server import FIXTURES, TEMPLATE_DOI

pytestmark = pytest.mark.django_db

TEMPLATE_FILE = "proceedings-article-funder-awards-affiliations-unstructured-refs-10.1145_3448016.3452841.json"
BIORXIV = "10.1101/2025.04.10.647997"
BIORXIV_FILE = "posted-content-preprint-biorxiv-group-author-10.1101_2025.04.10.647997.json"


def template_record(doi=TEMPLATE_DOI):
    """The benchmark's template (56 references, 6 authors, 2 funders), under `doi` as serve_template answers it."""
    body = json.loads((FIXTURES / "crossref" / TEMPLATE_FILE).read_text(encoding="utf-8"))
    return normalize.crossref_work(json.loads(json.dumps(body).replace(TEMPLATE_DOI, doi)))


def claimed(doi):
    paper = Paper.objects.create(doi=doi)
    return services.paper_claim_for_import(paper_id=paper.id)


def stored(paper):
    return {
        "authors": list(
            Authorship.objects.filter(paper=paper)
            .order_by("role", "position")
            .values_list("id", "role", "position", "author__family_name", "author__orcid", "affiliations")
        ),
        "references": list(
            Reference.objects.filter(paper=paper).order_by("position").values_list("id", "position", "doi", "title")
        ),
        "funding": list(Funding.objects.filter(paper=paper).values_list("id", "position", "funder_name", "awards")),
    }


def test_first_import_of_the_template_takes_a_fixed_number_of_queries(django_assert_num_queries):
    record = template_record()
    requested = Paper.objects.create(doi=TEMPLATE_DOI)
    with django_assert_num_queries(1):  # UPDATE … RETURNING
        paper = services.paper_claim_for_import(paper_id=requested.id)
    # SAVEPOINT; the locked read of the paper and what it holds; authors, authorships and funders (one INSERT
    # each); the cited papers here; the lookups of references known only by their DOI and the missing ones
    # added; the references (one INSERT); the enrichments (one upsert for those queued, one for those that have
    # no input); the paper's UPDATE; RELEASE.
    with django_assert_num_queries(13):
        services.paper_save_record(record=record)
    rows = stored(paper)
    assert [row[2] for row in rows["authors"]] == list(range(1, 7))
    assert [row[1] for row in rows["references"]] == list(range(1, len(record.references) + 1)) == list(range(1, 57))
    assert [row[2] for row in rows["funding"]] == [f.funder_name for f in record.funding]
    kinds = dict(Enrichment.objects.filter(paper=paper).values_list("kind", "state"))
    assert kinds == {
        "topics": "queued",  # OpenAlex and NCBI follow in batches across papers
        "pubmed_ids": "queued",
        "summary": "queued",
        "crossref_reviews": "none",  # its Crossref record names no registered review
        "fulltext": "none",  # no PMCID
        "entities": "none",  # no PMID
    }
    assert Paper.objects.get(id=paper.id).fetch_state == "ready"


def test_a_second_new_paper_with_the_same_references_needs_no_new_lookups(django_assert_num_queries):
    services.paper_save_record(record=template_record("10.5555/queries.1"))
    claimed("10.5555/queries.2")
    with django_assert_num_queries(12):  # as above, without adding lookups: they are all here
        services.paper_save_record(record=template_record("10.5555/queries.2"))
    assert ReferenceLookup.objects.count() > 0


def test_saving_the_same_record_again_reads_and_writes_only_the_paper(django_assert_num_queries):
    paper = claimed(TEMPLATE_DOI)
    services.paper_save_record(record=template_record())
    before = stored(paper)
    # SAVEPOINT; the locked read; authorships with their authors, funders, references, the cited papers here,
    # the lookups, the enrichments (one read each); the paper's UPDATE; RELEASE. No row is written but the paper.
    with django_assert_num_queries(10):
        services.paper_save_record(record=template_record())
    assert stored(paper) == before, "the same rows, the same ids"


def test_saving_a_changed_record_writes_only_what_changed(django_assert_num_queries):
    paper = claimed(TEMPLATE_DOI)
    services.paper_save_record(record=template_record())
    before = stored(paper)
    record = template_record()
    record.authors[0].family_name = "Renamed"
    record.authors.pop()  # the last author leaves
    record.references[0].title = "A corrected title"
    record.references = record.references[:50]
    record.funding = record.funding[:1]
    # As unchanged, plus: the name-only author renamed in place; the last authorship deleted and its author, no
    # longer used, deleted with it (the collector reads it, then deletes its authorships and it); one funder
    # deleted; the first reference updated and six deleted.
    with django_assert_num_queries(18):
        services.paper_save_record(record=record)
    after = stored(paper)
    assert [row[3] for row in after["authors"]] == ["Renamed"] + [row[3] for row in before["authors"][1:5]]
    assert [row[0] for row in after["authors"]] == [row[0] for row in before["authors"][:5]], "rows kept"
    assert after["references"][0][3] == "A corrected title"
    assert [row[0] for row in after["references"]] == [row[0] for row in before["references"][:50]]
    assert after["funding"] == before["funding"][:1]
    assert Author.objects.count() == 5, "the author who left, known by name only, is gone"


def test_authors_with_orcids_are_one_row_per_orcid_across_papers(django_assert_num_queries):
    body = json.loads((FIXTURES / "crossref" / BIORXIV_FILE).read_text(encoding="utf-8"))
    first = normalize.crossref_work(body)
    orcids = [a.orcid for a in first.authors if a.orcid]
    assert len(orcids) == 9
    services.paper_save_record(record=first)
    Author.objects.filter(orcid=orcids[0]).update(family_name="Stale")
    second = normalize.crossref_work(json.loads(json.dumps(body).replace(BIORXIV, "10.5555/orcids.1")))
    claimed("10.5555/orcids.1")
    # The new paper's authors: one INSERT that skips the nine ORCID iDs already here, one read of those, and
    # the stale name put right (an UPDATE, and its post_save marking that author's papers changed: their ids,
    # UPDATE, DOIs); the rest as for any new paper (this one has no funders, and its lookups are all here).
    with django_assert_num_queries(16):
        paper = services.paper_save_record(record=second)
    assert Author.objects.filter(orcid__in=orcids).count() == 9
    assert Author.objects.get(orcid=orcids[0]).family_name == first.authors[0].family_name
    by_position = dict(Authorship.objects.filter(paper=paper).values_list("position", "author__orcid"))
    assert [by_position[n] for n in range(1, len(second.authors) + 1)] == [a.orcid for a in second.authors]
    shared = Authorship.objects.filter(author__orcid__in=orcids).values_list("author_id", flat=True)
    assert len(shared) == 18 and len(set(shared)) == 9, "both papers point at the same nine rows"
