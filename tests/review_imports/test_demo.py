"""The demo's OpenReview forum, offline, from the recorded ICLR 2018 listing."""

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command

from papers.models import Paper
from review_imports.models import ForumImport
from reviews.models import Review

pytestmark = pytest.mark.django_db


def test_the_demo_shows_an_imported_forum_and_loading_it_again_changes_nothing(client, capsys):
    call_command("load_demo")
    assert "OpenReview forum B1CEaMbR-, 5 notes" in capsys.readouterr().out
    paper = Paper.objects.get(doi="10.48550/arxiv.1801.07648")
    assert (paper.metadata_source, paper.arxiv_id, paper.has_metadata) == ("openreview", "1801.07648", True)
    forum_import = ForumImport.objects.get(paper=paper)
    assert (forum_import.status, forum_import.match, forum_import.state) == ("approved", "matched", "done")
    soup = BeautifulSoup(client.get(paper.get_absolute_url()).content, "html.parser")
    block = soup.select_one("#openreview")
    assert block.h3.get_text(" ", strip=True).startswith("OpenReview · ICLR 2018 · 3 reviews")
    assert len(block.select(".forum-reviews > li")) == 3
    assert block.select_one(".review-scores th").get_text() == "Rating"
    before = list(Review.objects.order_by("id").values_list("id", "updated_at"))
    call_command("load_demo")
    assert list(Review.objects.order_by("id").values_list("id", "updated_at")) == before
