"""Funders and awards, editors and OpenAlex's citation count, from recorded real records (fixtures' PROVENANCE.md)."""

import json
import re

import bibtexparser
import jsonschema
import pytest

from papers import citation, normalize, services
from papers.demo import FIXTURES
from papers.models import Authorship, Funding, Paper
from papers.selectors import paper_get_for_page
from tests.papers.test_citation import CSL_SCHEMA, export, ris_loads

ELIFE = "crossref/journal-article-jats-abstract-funder-license-affiliation-relation-10.7554_elife.01567.json"
ACM = "crossref/proceedings-article-funder-awards-affiliations-unstructured-refs-10.1145_3448016.3452841.json"
ACM_OPENALEX = "openalex/work-proceedings-referenced-works-49-awards-W3174427814.json"
FRONTIERS_OPENALEX = "openalex/work-frontiers-review-referenced-works-70-topics-W2955786964.json"
RSC_BOOK = "crossref/book-with-editor-subtitle-10.1039_9781788019972.json"
ELIFE_JATS = "jats/elife-publisher-jats-digest-10.7554_eLife.01567.xml"
ELIFE_09560_JATS = "jats/elife-publisher-jats-digest-10.7554_eLife.09560.xml"


def crossref(name):
    return normalize.crossref_work(json.loads((FIXTURES / name).read_text()))


def openalex(name):
    return normalize.openalex_work(json.loads((FIXTURES / name).read_text()))


def jats(name):
    return normalize.jats_article((FIXTURES / name).read_text())


# ---------------------------------------------------------------- pure mapping


def test_elife_crossref_funders_are_deduplicated_by_doi_and_name():
    funding = crossref(ELIFE).funding
    # Crossref lists SystemsX and the University of Lausanne twice each.
    assert [(f.funder_name, f.funder_doi) for f in funding] == [
        ("SystemsX", ""),
        ("EMBO longterm post-doctoral fellowships", ""),
        ("Marie Heim-Voegtlin", ""),
        ("University of Lausanne", "10.13039/501100006390"),
        ("EMBO", "10.13039/501100003043"),
        ("Swiss National Science Foundation", "10.13039/501100001711"),
    ]


def test_acm_crossref_award_strings_are_split_into_award_numbers():
    nsf, doe = crossref(ACM).funding
    assert (nsf.funder_name, nsf.funder_doi) == ("NSF (National Science Foundation)", "10.13039/100000001")
    assert nsf.awards[:3] == ["CCF 805476", "CCF 822388", "CCF 1724745"]
    # "CNS 1938709" and "CNS-1938709" are one award.
    assert len([a for a in nsf.awards if re.sub(r"\W", "", a) == "CNS1938709"]) == 1
    assert (doe.funder_doi, doe.awards) == ("10.13039/100000015", ["DE-AC02-05CH11231", "17-SC-20-SC"])


def test_openalex_awards_are_grouped_by_funder_with_the_funders_without_awards():
    funding = openalex(ACM_OPENALEX).funding
    ids = [f.funder_openalex_id for f in funding]
    assert len(ids) == len(set(ids)) == 6  # the six `funders`
    nsf = next(f for f in funding if f.funder_openalex_id == "F4320306076")
    assert nsf.funder_name == "National Science Foundation"
    assert "1637458" in nsf.awards or "CCF 1637458" in nsf.awards
    [cost] = [f for f in openalex(FRONTIERS_OPENALEX).funding if f.awards]
    assert (cost.funder_name, cost.funder_openalex_id, cost.awards) == (
        "European Cooperation in Science and Technology",
        "F4320320366",
        ["CA17111"],
    )


def test_crossref_and_openalex_funders_of_the_acm_paper_merge():
    merged = normalize.merge_funding(crossref(ACM).funding, openalex(ACM_OPENALEX).funding)
    nsf = merged[0]
    # Crossref's name and DOI, OpenAlex's id; OpenAlex's bare "1637458" is Crossref's "CCF 1637458".
    assert (nsf.funder_name, nsf.funder_doi, nsf.funder_openalex_id) == (
        "NSF (National Science Foundation)",
        "10.13039/100000001",
        "F4320306076",
    )
    assert "CCF 1637458" in nsf.awards and "1637458" not in nsf.awards
    assert merged[1].funder_openalex_id == "F4320306084"  # "DOE U.S. Department of Energy" is OpenAlex's DOE
    assert len(merged) == 6
    assert len({f.key for f in merged}) == len(merged)


def test_jats_funding_group_gives_funders_with_their_fundref_dois():
    funding = jats(ELIFE_09560_JATS).funding
    assert [(f.funder_name, f.funder_doi) for f in funding][:2] == [
        ("National Geographic Society", "10.13039/100006363"),
        ("The National Research Foundation of South Africa", "10.13039/501100001321"),
    ]
    assert ("The Palaeontological Scientific Trust", "") in [(f.funder_name, f.funder_doi) for f in funding]


def test_editors_from_crossref_and_jats():
    book = crossref(RSC_BOOK)
    assert book.authors == []
    assert [(e.given_name, e.family_name) for e in book.editors] == [("Giuseppe", "Pileio")]
    article = jats(ELIFE_JATS)
    assert [(e.given_name, e.family_name) for e in article.editors] == [("Jan", "Traas")]
    assert "Traas" not in [a.family_name for a in article.authors]


def test_openalex_cited_by_count():
    assert openalex(ACM_OPENALEX).openalex_cited_by_count == 39
    assert crossref(ACM).openalex_cited_by_count is None


# ---------------------------------------------------------------- stored


def _acm_with_openalex():
    record = crossref(ACM)
    found = openalex(ACM_OPENALEX)
    record.funding = normalize.merge_funding(record.funding, found.funding)
    record.openalex_cited_by_count = found.openalex_cited_by_count
    return services.paper_save_record(record=record)


def _rows(paper):
    return list(
        Funding.objects.filter(paper=paper).values_list(
            "id", "position", "funder_name", "funder_doi", "funder_openalex_id", "awards"
        )
    )


@pytest.mark.django_db
def test_saving_funders_again_keeps_the_same_rows_and_an_empty_record_erases_none():
    paper = _acm_with_openalex()
    rows = _rows(paper)
    assert len(rows) == 6 and rows[0][3] == "10.13039/100000001"
    _acm_with_openalex()
    assert _rows(paper) == rows
    services.paper_save_record(record=normalize.WorkRecord(doi=paper.doi, source="crossref", title="Same"))
    assert _rows(paper) == rows
    paper.refresh_from_db()
    assert paper.openalex_cited_by_count == 39 and paper.openalex_cited_by_count_at is not None


@pytest.mark.django_db
def test_an_enrichment_adds_openalex_funders_to_the_papers_own():
    paper = services.paper_save_record(record=crossref(ACM))
    assert Funding.objects.filter(paper=paper).count() == 2
    services.paper_apply_enrichment(paper=paper, record=openalex(ACM_OPENALEX))
    rows = _rows(paper)
    assert len(rows) == 6
    assert rows[0][2:5] == ("NSF (National Science Foundation)", "10.13039/100000001", "F4320306076")
    services.paper_apply_enrichment(paper=paper, record=openalex(ACM_OPENALEX))
    assert _rows(paper) == rows
    paper.refresh_from_db()
    assert paper.openalex_cited_by_count == 39


@pytest.mark.django_db
def test_editors_are_stored_apart_from_authors_and_positions_count_per_role():
    record = jats(ELIFE_JATS)
    paper = services.paper_save_record(record=record)
    roles = list(Authorship.objects.filter(paper=paper).values_list("role", "position", "author__family_name"))
    assert ("editor", 1, "Traas") in roles
    assert ("author", 1, "Sankar") in roles
    assert len([r for r in roles if r[0] == "author"]) == 5
    services.paper_save_record(record=jats(ELIFE_JATS))
    assert list(Authorship.objects.filter(paper=paper).values_list("role", "position", "author__family_name")) == roles


# ---------------------------------------------------------------- shown and exported


@pytest.mark.django_db
def test_the_page_shows_funders_editors_and_both_citation_counts(client):
    paper = _acm_with_openalex()
    book = services.paper_save_record(record=crossref(RSC_BOOK))
    html = client.get(paper.get_absolute_url()).content.decode()
    assert "Funding" in html
    assert '<a href="https://doi.org/10.13039/100000001"' in html
    assert 'NSF (National Science Foundation)</a>: <span class="awards">awards CCF 805476' in html
    assert "Cited by 39 works (OpenAlex)" in html
    page = client.get(book.get_absolute_url()).content.decode()
    assert re.search(r"Edited by <a class=\"editor-name\"[^>]*><bdi>Giuseppe Pileio</bdi></a>", page)
    assert 'class="authors"' not in page  # the editor is not listed as an author


@pytest.mark.django_db
def test_the_api_record_has_funding_editors_and_both_counts(client):
    paper = _acm_with_openalex()
    data = client.get(f"/api/v1/papers/{paper.doi}/").json()
    assert data["counts"]["cited_by"] == 0 and data["counts"]["cited_by_openalex"] == 39
    assert data["funding"][0]["funder_doi"] == "10.13039/100000001"
    assert data["funding"][0]["funder_openalex_id"] == "F4320306076"
    assert "CCF 805476" in data["funding"][0]["awards"]
    assert data["editors"] == []
    book = services.paper_save_record(record=crossref(RSC_BOOK))
    record = client.get(f"/api/v1/papers/{book.doi}/").json()
    assert record["authors"] == [] and record["editors"][0]["family_name"] == "Pileio"


@pytest.mark.django_db
def test_the_rsc_book_exports_its_editor_as_editor(client):
    services.paper_save_record(record=crossref(RSC_BOOK))
    book = paper_get_for_page(doi="10.1039/9781788019972")

    [entry] = bibtexparser.parse_string(export(client, book, "bibtex")).entries
    assert entry.entry_type == "book"
    assert entry["editor"] == "Pileio, Giuseppe"
    assert "author" not in entry.fields_dict

    ris = export(client, book, "ris")
    assert "ED  - Pileio, Giuseppe" in ris.splitlines()
    [record] = ris_loads(ris)
    assert record["editors"] == ["Pileio, Giuseppe"] and "authors" not in record

    item = json.loads(export(client, book, "csl"))
    assert item["editor"] == [{"family": "Pileio", "given": "Giuseppe"}] and item["author"] == []
    assert list(jsonschema.Draft3Validator(CSL_SCHEMA).iter_errors([item])) == []
    assert "funding" not in item  # CSL-JSON has no funder field
    assert citation.formatted_reference(book).startswith(book.title) or book.title in citation.formatted_reference(book)


@pytest.mark.django_db
def test_a_paper_without_openalex_count_shows_no_openalex_line(client):
    paper = services.paper_save_record(record=crossref(RSC_BOOK))
    assert Paper.objects.get(id=paper.id).openalex_cited_by_count is None
    assert "(OpenAlex)" not in client.get(paper.get_absolute_url()).content.decode()
