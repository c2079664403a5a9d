"""Every citation export of every demo paper parses back with a real parser to what the paper says."""

import json
import re
from pathlib import Path

import bibtexparser
import jsonschema
import pytest
import rispy
from django.core.management import call_command

from papers import citation
from papers.models import Paper
from papers.selectors import paper_get_for_page

pytestmark = pytest.mark.django_db

RIS_LINE = re.compile(r"[A-Z][A-Z0-9]  - ")
CSL_SCHEMA = json.loads((Path(__file__).parent / "csl_schema" / "csl-data.json").read_text())


@pytest.fixture
def demo_papers():
    call_command("load_demo", verbosity=0)
    papers = [paper_get_for_page(doi=doi) for doi in Paper.objects.order_by("doi").values_list("doi", flat=True)]
    # 11 from papers' demo, 5 built from recorded PubTator3 documents, 1 from a recorded OpenReview submission
    assert len(papers) == 17
    # Accented, non-Latin or group names are what exports get wrong: the demo has some.
    names = [a.author.display_name for paper in papers for a in paper.authorships.all()]
    assert any(not name.isascii() for name in names)
    return papers


def export(client, paper, fmt):
    response = client.get(f"/api/v1/papers/{paper.doi}/", {"format": fmt})
    assert response.status_code == 200, response.content
    return response.content.decode("utf-8")


def authors(paper):
    return [a.author for a in paper.author_rows]


def editors(paper):
    return [a.author for a in paper.editor_rows]


def ris_loads(text):
    # Our RIS writes editors as ED, a tag rispy's default mapping lacks.
    return rispy.loads(text, mapping=citation.RIS_MAPPING, list_tags=citation.RIS_LIST_TAGS)


def test_ris_of_every_demo_paper_parses_back(client, demo_papers):
    for paper in demo_papers:
        text = export(client, paper, "ris")
        assert text.startswith("TY  - "), (paper.doi, text[:40])
        # One tag per line: a value's own line breaks (an abstract's paragraphs) would make untagged lines.
        lines = text.splitlines()
        assert lines[-1] == "ER  - " and all(RIS_LINE.match(line) for line in lines), paper.doi
        [record] = ris_loads(text)
        assert record["doi"] == paper.doi
        assert record["title"] == paper.title
        assert record.get("authors", []) == [
            f"{a.family_name}, {a.given_name}" if a.family_name and a.given_name else a.display_name
            for a in authors(paper)
        ]
        if paper.container_title:
            assert record["secondary_title"] == paper.container_title
        if paper.abstract_paragraphs:
            assert record["abstract"].split() == " ".join(paper.abstract_paragraphs).split(), paper.doi
        assert record.get("editors", []) == [
            f"{a.family_name}, {a.given_name}" if a.family_name and a.given_name else a.display_name
            for a in editors(paper)
        ]
        assert set(record) <= set(citation.RIS_MAPPING.values()), paper.doi


def test_bibtex_of_every_demo_paper_parses_back(client, demo_papers):
    for paper in demo_papers:
        text = export(client, paper, "bibtex")
        library = bibtexparser.parse_string(text)
        assert library.failed_blocks == [], paper.doi
        [entry] = library.entries
        assert entry["doi"] == paper.doi
        assert entry.key == citation.citation_key(paper)
        title = re.sub(r"\\([&%$#_{}])", r"\1", entry["title"])
        assert title == "{" + paper.title + "}", paper.doi
        names = [name.strip("{}") for name in entry["author"].split(" and ")] if authors(paper) else []
        assert len(names) == len(authors(paper)), paper.doi
        for name, author in zip(names, authors(paper), strict=True):
            assert (author.family_name or author.display_name) in name, paper.doi


def test_csl_json_of_every_demo_paper_is_valid_against_the_csl_schema(client, demo_papers):
    validator = jsonschema.Draft3Validator(CSL_SCHEMA)
    for paper in demo_papers:
        item = json.loads(export(client, paper, "csl"))
        errors = [f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors([item])]
        assert errors == [], paper.doi
        assert item["DOI"] == paper.doi and item["title"] == paper.title
        assert len(item["author"]) == len(authors(paper))


def test_the_vendored_schema_is_the_csl_projects_and_checks_something():
    assert CSL_SCHEMA["id"] == "https://github.com/citation-style-language/schema/raw/master/csl-data.json"
    validator = jsonschema.Draft3Validator(CSL_SCHEMA)
    assert not validator.is_valid([{"id": "x", "type": "not-a-csl-type"}])
    assert not validator.is_valid([{"id": "x", "type": "book", "issued": {"date-parts": "2020"}}])


def test_ris_keeps_a_multi_paragraph_abstract_on_its_tag_line(client):
    from tests.papers.factories import PaperFactory

    paper = PaperFactory(doi="10.5555/ris.paragraphs", abstract="First paragraph.\n\nSecond paragraph.")
    text = export(client, paper, "ris")
    assert all(RIS_LINE.match(line) for line in text.splitlines()), text
    [record] = rispy.loads(text)
    assert record["abstract"] == "First paragraph. Second paragraph."
