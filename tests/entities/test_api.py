"""GET /api/v1/papers/{doi}/entities/, GET /api/v1/entities/{type}/{id}/ and the `entity` filter of the paper list."""

import pytest

from entities.models import EntityType
from tests.entities.factories import AnnotationsFactory, EntityFactory, PaperEntityFactory
from tests.papers.factories import PaperFactory

pytestmark = pytest.mark.django_db


def test_paper_entities_have_records_counts_and_placed_offsets(client):
    paper = PaperFactory(doi="10.5555/entities.api")
    braf = EntityFactory(type=EntityType.GENE, identifier="673", name="BRAF")
    human = EntityFactory(type=EntityType.SPECIES, identifier="9606", name="Homo sapiens")
    PaperEntityFactory(paper=paper, entity=human, mentions=1)
    PaperEntityFactory(paper=paper, entity=braf, mentions=3)
    AnnotationsFactory(
        paper=paper,
        spans=[
            {"target": "abstract", "start": 0, "end": 4, "type": "gene", "identifier": "673"},
            {"target": "sec-1", "start": 10, "end": 14, "type": "gene", "identifier": "673"},
        ],
        unlinked=[{"type": "chemical", "text": "XYZ-9", "mentions": 2}],
        mentions=6,
        placed=2,
    )
    response = client.get("/api/v1/papers/10.5555/ENTITIES.API/entities/")
    assert response.status_code == 200 and response["ETag"]
    body = response.json()
    assert (body["doi"], body["scope"], body["mentions"], body["placed"]) == ("10.5555/entities.api", "abstract", 6, 2)
    first, second = body["entities"]
    assert first == {
        "type": "gene",
        "type_label": "Gene",
        "identifier": "673",
        "name": "BRAF",
        "record_url": "https://www.ncbi.nlm.nih.gov/gene/673",
        "url": "http://testserver/api/v1/entities/gene/673/",
        "html_url": "http://testserver/entities/gene/673",
        "mentions": 3,
        "spans": [{"target": "abstract", "start": 0, "end": 4}, {"target": "sec-1", "start": 10, "end": 14}],
    }
    assert second["identifier"] == "9606" and second["spans"] == []
    assert body["unlinked"] == [{"type": "chemical", "text": "XYZ-9", "mentions": 2}]
    again = client.get("/api/v1/papers/10.5555/entities.api/entities/", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_paper_without_entities_is_a_404_saying_so(client):
    paper = PaperFactory()
    body = client.get(f"/api/v1/papers/{paper.doi}/entities/").json()
    assert body["error"]["status"] == 404 and "No entities of" in body["error"]["message"]
    assert client.get("/api/v1/papers/10.5555/nothing.here/entities/").status_code == 404


def test_entity_detail_lists_papers_most_mentions_first_paginated(client):
    entity = EntityFactory(type=EntityType.CHEMICAL, identifier="MESH:D003042", name="Cocaine")
    for n in range(3):
        PaperEntityFactory(entity=entity, mentions=n + 1, paper__doi=f"10.5555/cocaine.{n}")
    body = client.get("/api/v1/entities/chemical/MESH:D003042/", {"page_size": 2}).json()
    assert (body["type"], body["identifier"], body["name"], body["paper_count"]) == (
        "chemical",
        "MESH:D003042",
        "Cocaine",
        3,
    )
    assert body["record_url"] == "https://meshb.nlm.nih.gov/record/ui?ui=D003042"
    assert [(p["doi"], p["mentions"]) for p in body["results"]] == [("10.5555/cocaine.2", 3), ("10.5555/cocaine.1", 2)]
    assert body["previous"] is None and body["next"]
    rest = client.get(body["next"]).json()
    assert [(p["doi"], p["mentions"]) for p in rest["results"]] == [("10.5555/cocaine.0", 1)]
    assert rest["next"] is None and rest["previous"]


@pytest.mark.parametrize(
    ("path", "message"),
    [("/api/v1/entities/gene/999999/", "mentions the gene 999999"), ("/api/v1/entities/nosuch/1/", "not an entity")],
)
def test_unknown_entity_is_a_404_in_the_error_format(client, path, message):
    body = client.get(path).json()
    assert body["error"]["status"] == 404 and message in body["error"]["message"]


def test_paper_list_filters_by_entity(client):
    braf = EntityFactory(type=EntityType.GENE, identifier="673", name="BRAF")
    cocaine = EntityFactory(type=EntityType.CHEMICAL, identifier="MESH:D003042", name="Cocaine")
    gene_paper = PaperEntityFactory(entity=braf).paper
    chemical_paper = PaperEntityFactory(entity=cocaine).paper
    PaperFactory()

    def dois(value):
        return [p["doi"] for p in client.get("/api/v1/papers/", {"entity": value}).json()["results"]]

    assert dois("gene:673") == [gene_paper.doi]
    assert dois("chemical:MESH:D003042") == [chemical_paper.doi]
    assert dois("gene:1") == []


@pytest.mark.parametrize(
    ("value", "message"),
    [("gene", "Give a type and an identifier"), ("nosuchtype:1", "is not an entity type"), ("gene:", "Give a type")],
)
def test_malformed_entity_filter_is_a_400_naming_it(client, value, message):
    response = client.get("/api/v1/papers/", {"entity": value})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["message"] == "Invalid query parameter: entity."
    assert message in error["fields"]["entity"][0]


def test_entity_filter_is_in_the_schema(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "gene:673" in schema and "papers_entities_retrieve" in schema and "entities_retrieve" in schema
