"""The paper page's entity section, the entity pages and the `entity` filter of the search page."""

import json
import re

import pytest
from django.urls import reverse

from entities.models import EntityType
from entities.selectors import entities_for_page
from tests.entities.factories import AnnotationsFactory, EntityFactory, PaperEntityFactory
from tests.papers.factories import PaperFactory

pytestmark = pytest.mark.django_db

ABSTRACT = "BRAF V600E drives melanoma in humans.\n\nVemurafenib inhibits it in A375 cells."


@pytest.fixture
def annotated():
    paper = PaperFactory(abstract=ABSTRACT)
    braf = EntityFactory(type=EntityType.GENE, identifier="673", name="BRAF")
    kras = EntityFactory(type=EntityType.GENE, identifier="3845", name="KRAS")
    melanoma = EntityFactory(type=EntityType.DISEASE, identifier="MESH:D008545", name="Melanoma")
    human = EntityFactory(type=EntityType.SPECIES, identifier="9606", name="Homo sapiens")
    v600e = EntityFactory(type=EntityType.VARIANT, identifier="rs113488022", name="V600E")
    drug = EntityFactory(type=EntityType.CHEMICAL, identifier="MESH:C551177", name="vemurafenib")
    a375 = EntityFactory(type=EntityType.CELL_LINE, identifier="CVCL_0132", name="A-375")
    for entity, mentions in ((kras, 1), (braf, 4), (melanoma, 2), (human, 1), (v600e, 1), (drug, 1), (a375, 1)):
        PaperEntityFactory(paper=paper, entity=entity, mentions=mentions)
    text = ABSTRACT.replace("\n\n", "")  # the abstract's paragraphs, as its element's textContent has them

    def span(word, entity):
        start = text.index(word)
        return {
            "target": "abstract",
            "start": start,
            "end": start + len(word),
            "type": entity.type,
            "identifier": entity.identifier,
        }

    AnnotationsFactory(
        paper=paper,
        spans=[
            span("BRAF", braf),
            span("V600E", v600e),
            span("melanoma", melanoma),
            span("humans", human),
            span("Vemurafenib", drug),
            span("A375", a375),
        ],
        unlinked=[
            {"type": "gene", "text": "p-ERK", "mentions": 1},
            {"type": "chemical", "text": "XYZ-9", "mentions": 3},
        ],
        mentions=13,
        placed=6,
    )
    return paper


def section_html(client, paper) -> str:
    html = client.get(paper.get_absolute_url()).content.decode()
    match = re.search(r'<section id="entities".*?</section>', html, re.S)
    assert match, "no entities section"
    return match.group(0)


def test_section_groups_entities_by_type_in_order_most_mentioned_first(client, annotated):
    html = section_html(client, annotated)
    assert "Genes, proteins, chemicals, diseases, species, mutations and cell lines" in html
    headings = re.findall(r'<h3 id="entities-[a-z]+">([^<]+?) <span', html)
    assert headings == ["Genes and proteins", "Chemicals", "Diseases", "Species", "Mutations", "Cell lines"]
    genes = html[html.index('id="entities-gene"') : html.index('id="entities-chemical"')]
    assert genes.index("BRAF") < genes.index("KRAS")  # 4 mentions before 1
    assert "4 mentions" in genes


def test_section_is_between_the_abstract_and_the_full_text(client, annotated):
    html = client.get(annotated.get_absolute_url()).content.decode()
    assert html.index('id="abstract"') < html.index('id="entities"')
    assert 'data-entity-target="abstract"' in html


def test_names_link_to_entity_pages_and_identifiers_to_their_records(client, annotated):
    html = section_html(client, annotated)
    for path, record in (
        ("/entities/gene/673", "https://www.ncbi.nlm.nih.gov/gene/673"),
        ("/entities/disease/MESH:D008545", "https://meshb.nlm.nih.gov/record/ui?ui=D008545"),
        ("/entities/species/9606", "https://www.ncbi.nlm.nih.gov/Taxonomy/Browser/wwwtax.cgi?id=9606"),
        ("/entities/variant/rs113488022", "https://www.ncbi.nlm.nih.gov/snp/rs113488022"),
        ("/entities/cellline/CVCL_0132", "https://www.cellosaurus.org/CVCL_0132"),
    ):
        assert f'href="{path}"' in html, path
        assert f'href="{record}"' in html, record


def test_unlinked_mentions_are_listed_as_plain_text(client, annotated):
    html = section_html(client, annotated)
    unlinked = html[html.index("without a record") :]
    assert "p-ERK" in unlinked and "XYZ-9" in unlinked
    assert unlinked.index("XYZ-9") < unlinked.index("p-ERK")  # 3 mentions before 1
    assert not re.search(r"<a[^>]*>\s*(p-ERK|XYZ-9)", html)


def test_spans_legend_and_script_are_in_the_section(client, annotated):
    html = section_html(client, annotated)
    data = json.loads(re.search(r'<script id="entity-spans" type="application/json">(.*?)</script>', html, re.S)[1])
    assert len(data["spans"]) == 6 and data["names"]["gene:673"] == "BRAF" and data["types"]["variant"] == "Mutation"
    assert re.search(r'<script src="[^"]*js/entity-highlight\.js" defer></script>', html)
    assert html.count("data-entity-toggle=") == 6
    assert "6 of 13 mentions highlighted" in html


def test_a_paper_without_annotations_has_no_section(client):
    paper = PaperFactory()
    assert 'id="entities"' not in client.get(paper.get_absolute_url()).content.decode()
    assert entities_for_page(paper) is None


@pytest.mark.parametrize("count", [3, 300])
def test_section_loads_in_two_queries_whatever_the_number_of_entities(django_assert_num_queries, count):
    paper = PaperFactory()
    types = list(EntityType)
    for n in range(count):
        PaperEntityFactory(paper=paper, entity=EntityFactory(type=types[n % len(types)]), mentions=n + 1)
    AnnotationsFactory(paper=paper)
    with django_assert_num_queries(2):
        section = entities_for_page(paper)
        rendered = [(row.entity.name, row.entity.url, row.mentions) for group in section.groups for row in group.rows]
    assert len(rendered) == count
    assert [group.type for group in section.groups] == [t.value for t in types][: min(count, len(types))]


def test_entity_page_lists_papers_most_mentions_first(client):
    entity = EntityFactory(type=EntityType.CHEMICAL, identifier="MESH:D003042", name="Cocaine")
    few = PaperEntityFactory(entity=entity, mentions=2, paper__title="Few mentions")
    many = PaperEntityFactory(entity=entity, mentions=9, paper__title="Many mentions")
    PaperEntityFactory(mentions=50)  # another entity's
    response = client.get("/entities/chemical/MESH:D003042")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1" in html and "Cocaine" in html and "Chemical" in html
    assert 'href="https://meshb.nlm.nih.gov/record/ui?ui=D003042"' in html
    assert html.index("Many mentions") < html.index("Few mentions")
    assert "9 mentions" in html and "2 mentions" in html
    assert "2 papers" in html
    assert reverse("entities:detail", kwargs={"type": "chemical", "identifier": "MESH:D003042"}) == (
        "/entities/chemical/MESH:D003042"
    )
    assert few.paper.get_absolute_url() in html and many.paper.get_absolute_url() in html


def test_entity_page_is_paginated(client):
    entity = EntityFactory(type=EntityType.CELL_LINE, identifier="CVCL_0062", name="HeLa")
    for n in range(30):
        PaperEntityFactory(entity=entity, mentions=n + 1)
    first = client.get("/entities/cellline/CVCL_0062").content.decode()
    second = client.get("/entities/cellline/CVCL_0062?page=2").content.decode()
    assert ">30 mentions<" in first and "Page 1 of 2" in first and ">5 mentions<" not in first
    assert ">5 mentions<" in second and ">30 mentions<" not in second


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/entities/gene/999999", "No paper on PaperHub mentions the gene 999999"),
        ("/entities/nosuchtype/1", "is not an entity type"),
    ],
)
def test_unknown_entity_is_a_404_that_says_why(client, path, message):
    response = client.get(path)
    assert response.status_code == 404
    assert message in response.content.decode()


def test_search_filters_by_entity(client):
    braf = EntityFactory(type=EntityType.GENE, identifier="673", name="BRAF")
    mentioning = PaperEntityFactory(entity=braf, paper__title="Mentions the gene").paper
    PaperEntityFactory(paper__title="Mentions another gene")
    html = client.get("/search", {"entity": "gene:673"}).content.decode()
    assert mentioning.doi in html and "Mentions another gene" not in html
    assert 'name="entity" value="gene:673"' in html  # the search form keeps it


def test_search_filter_reads_identifiers_with_colons(client):
    cocaine = EntityFactory(type=EntityType.CHEMICAL, identifier="MESH:D003042", name="Cocaine")
    paper = PaperEntityFactory(entity=cocaine).paper
    assert paper.doi in client.get("/search", {"entity": "chemical:MESH:D003042"}).content.decode()


@pytest.mark.parametrize(
    ("value", "message"), [("gene", "Give a type and an identifier"), ("nosuchtype:1", "is not an entity type")]
)
def test_malformed_entity_filter_shows_an_error_on_the_search_page(client, value, message):
    PaperEntityFactory()
    response = client.get("/search", {"entity": value})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="form-errors" role="alert"' in html and message in html
