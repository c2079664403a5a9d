"""The demo's annotations, offline, from the recorded PubTator3 documents."""

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command
from django.db.models import Count

from entities.models import Annotations, Entity
from papers.models import Paper

pytestmark = pytest.mark.django_db


def test_demo_papers_carry_annotations_and_share_entities(client, capsys):
    call_command("load_demo")
    out = capsys.readouterr().out
    annotated = Annotations.objects.filter(placed__gt=0)
    assert annotated.count() >= 2, out
    for annotations in annotated:
        assert annotations.paper.has_metadata and annotations.paper.title
    shared = Entity.objects.annotate(papers=Count("paper_entities")).filter(papers__gte=2).order_by("-papers").first()
    assert shared is not None, "an entity page lists more than one demo paper"
    page = BeautifulSoup(client.get(f"/entities/{shared.type}/{shared.identifier}").content, "html.parser")
    listed = {a["href"] for a in page.select("a[href^='/doi/']")}
    assert len(listed) >= 2
    types = set(Entity.objects.filter(paper_entities__isnull=False).values_list("type", flat=True))
    assert {"gene", "chemical", "disease", "species", "variant", "cellline"} <= types
    # Built from the document's own metadata where no record was recorded, and named so.
    assert Paper.objects.filter(metadata_source="pubtator").exists()
    from entities.models import PaperEntity

    before = (Annotations.objects.count(), list(PaperEntity.objects.order_by("id").values_list("id", "mentions")))
    call_command("load_demo")
    after = (Annotations.objects.count(), list(PaperEntity.objects.order_by("id").values_list("id", "mentions")))
    assert after == before, "loading the demo again changes nothing"


def test_demo_paper_page_highlights_with_the_section_and_its_links(client):
    call_command("load_demo")
    annotations = Annotations.objects.filter(placed__gt=0).select_related("paper").first()
    soup = BeautifulSoup(client.get(annotations.paper.get_absolute_url()).content, "html.parser")
    section = soup.select_one("#entities")
    assert section is not None
    hosts = {a["href"].split("/")[2] for a in section.select("a[href^='https://']")}
    assert "www.ncbi.nlm.nih.gov" in hosts
    assert soup.select_one("[data-entity-target='abstract']") is not None
    assert soup.find("script", id=True, type="application/json") is not None
