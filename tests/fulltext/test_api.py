"""The API: /papers/{doi}/fulltext/, and the paper record's full_text and summary."""

import pytest
from django.core.management import call_command

from papers.demo import FIXTURES
from papers.models import Paper
from tests.papers.factories import PaperFactory

pytestmark = pytest.mark.django_db

ELIFE = FIXTURES / "jats/elife-publisher-jats-digest-10.7554_eLife.01567.xml"


@pytest.fixture
def elife():
    call_command("import_jats", str(ELIFE))
    return Paper.objects.get(doi="10.7554/elife.01567")


def test_full_text_endpoint_gives_sections_source_and_licence(client, elife):
    response = client.get("/api/v1/papers/10.7554/elife.01567/fulltext/")
    assert response.status_code == 200
    body = response.json()
    assert body["source"] == "publisher" and body["source_name"] == "the publisher's JATS"
    assert body["license_url"].startswith("http://creativecommons.org/licenses/by/")
    assert body["sections"] and {"id", "level", "heading", "heading_html", "html"} <= set(body["sections"][0])
    assert all(2 <= s["level"] <= 4 for s in body["sections"])
    ids = [s["id"] for s in body["sections"]]
    assert len(ids) == len(set(ids)), "section ids are unique anchors"
    again = client.get("/api/v1/papers/10.7554/elife.01567/fulltext/", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_paper_record_names_its_full_text_and_summary(client, elife):
    record = client.get("/api/v1/papers/10.7554/elife.01567/").json()
    assert record["summary"]["source"] == "eLife digest" and record["summary"]["text"]
    assert record["full_text"]["state"] == "done"
    assert record["full_text"]["source"] == "the publisher's JATS"
    assert record["full_text"]["url"].endswith("/api/v1/papers/10.7554/elife.01567/fulltext/")
    # The decision letter; the authors' response is on the page beside it but is not a review.
    assert record["counts"]["reviews"] == 1


def test_no_full_text_is_a_404_that_says_why(client):
    from papers import enrichments

    enrichments.enrichments_queue(paper=PaperFactory(doi="10.5555/closed", pmcid=""))
    response = client.get("/api/v1/papers/10.5555/closed/fulltext/")
    assert response.status_code == 404
    assert (
        "No full text of 10.5555/closed is on PaperHub. Full text: no PubMed Central copy"
        in response.json()["error"]["message"]
    )
    record = client.get("/api/v1/papers/10.5555/closed/").json()
    assert record["full_text"]["state"] == "none" and record["full_text"]["url"] == ""
    assert record["summary"] is None


def test_schema_documents_the_endpoint(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    assert "/api/v1/papers/{doi}/fulltext/" in schema["paths"]
    detail = schema["components"]["schemas"]["PaperDetail"]["properties"]
    assert "full_text" in detail and "summary" in detail
