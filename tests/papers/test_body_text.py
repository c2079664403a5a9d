"""Paper.body_text: the full text's words for search, stored bounded, never read by pages, lists or the API."""

import importlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from papers.models import Paper
from papers.services import paper_set_body_text, papers_touch
from tests.media_links.factories import VideoFactory
from tests.papers.factories import AuthorFactory, AuthorshipFactory, PaperFactory
from tests.reviews.factories import ReviewFactory

pytestmark = pytest.mark.django_db

search_body_text = importlib.import_module("papers.migrations.0009_search_body_text")


def stored(paper) -> tuple[str, object]:
    return Paper.objects.filter(id=paper.id).values_list("body_text", "updated_at").get()


def vector(paper) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT search_vector::text FROM papers_paper WHERE id = %s", [paper.id])
        return cursor.fetchone()[0]


def test_the_text_is_cut_at_a_word_boundary(settings):
    settings.PAPERHUB_SEARCH_BODY_MAX_CHARS = 20
    paper = PaperFactory()
    paper_set_body_text(paper_id=paper.id, text="Sixteen letters ninetynine bottles")
    assert stored(paper)[0] == "Sixteen letters"
    paper_set_body_text(paper_id=paper.id, text="Exactly twenty chars and more")
    assert stored(paper)[0] == "Exactly twenty chars"
    paper_set_body_text(paper_id=paper.id, text="Pneumonoultramicroscopicsilicovolcanoconiosis")
    assert stored(paper)[0] == "Pneumonoultramicrosc"  # one word longer than the limit: cut inside it


def test_whitespace_is_folded_and_nul_dropped():
    paper = PaperFactory()
    paper_set_body_text(paper_id=paper.id, text="  Methods\n\n\tWe\x00 measured  it.\n")
    assert stored(paper)[0] == "Methods We measured it."


def test_an_unchanged_text_writes_nothing_and_a_changed_one_moves_updated_at():
    paper = PaperFactory()
    paper_set_body_text(paper_id=paper.id, text="Some words of the body.")
    text, first = stored(paper)
    with CaptureQueriesContext(connection) as queries:
        paper_set_body_text(paper_id=paper.id, text="Some  words of the body.\n")
    assert stored(paper) == (text, first)
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["UPDATE"]  # compared in the database
    paper_set_body_text(paper_id=paper.id, text="Other words.")
    assert stored(paper)[0] == "Other words." and stored(paper)[1] > first


def test_the_default_is_a_long_article_whole():
    from django.conf import settings

    assert settings.PAPERHUB_SEARCH_BODY_MAX_CHARS == 100_000
    paper = PaperFactory()
    paper_set_body_text(paper_id=paper.id, text="word " * 30_000)  # 150,000 characters
    assert len(stored(paper)[0]) == 99_999  # 20,000 words and the spaces between them


def test_touching_or_saving_a_paper_unchanged_never_recomputes_its_vector():
    paper = PaperFactory(title="Kelp forests")
    paper_set_body_text(paper_id=paper.id, text="Sea urchins graze the kelp.")
    # A marker only this test writes: updating search_vector alone fires no trigger.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE papers_paper SET search_vector = 'marker'::tsvector WHERE id = %s", [paper.id])
    papers_touch(paper_ids=[paper.id])
    Paper.objects.get(id=paper.id).save()  # every loaded column rewritten, unchanged
    everything = Paper.objects.defer(None).get(id=paper.id)
    everything.search_vector = None  # a vector sent back with unchanged columns is ignored
    everything.save(update_fields=["title", "body_text", "search_vector"])
    assert vector(paper) == "'marker'"
    paper.title = "Kelp forests of Tasmania"
    paper.save()
    assert "'tasmania':4A" in vector(paper) and "'urchin'" in vector(paper)


def test_weights_title_a_authors_and_venue_b_abstract_c_body_d():
    paper = PaperFactory(title="Kelp", container_title="Oceanography", abstract="Urchins")
    AuthorshipFactory(paper=paper, position=1, author=AuthorFactory(given_name="", family_name="Otter"))
    paper_set_body_text(paper_id=paper.id, text="Crabs")
    assert vector(paper) == "'crab':5 'kelp':1A 'oceanographi':3B 'otter':2B 'urchin':4C"


def test_the_migration_rebuilds_every_vector_and_reverses():
    papers = [PaperFactory(title=f"Seagrass meadow {n}") for n in range(5)]
    paper_set_body_text(paper_id=papers[0].id, text="Dugongs feed here.")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE papers_paper SET search_vector = NULL")
    with connection.schema_editor() as editor:
        search_body_text.BATCH, batch = 2, search_body_text.BATCH
        try:
            search_body_text._rebuild_vectors(editor)
        finally:
            search_body_text.BATCH = batch
    assert all("'seagrass':1A" in vector(p) for p in papers) and "'dugong'" in vector(papers[0])

    with connection.schema_editor() as editor:
        search_body_text.backward(None, editor)
    assert "'dugong'" not in vector(papers[0]) and "'seagrass':1A" in vector(papers[0])
    with connection.schema_editor() as editor:
        search_body_text.forward(None, editor)
    assert "'dugong'" in vector(papers[0])


def test_pages_lists_feeds_and_the_api_never_read_the_body(client):
    paper = PaperFactory(title="Kelp forests", pmid="123456")
    author = AuthorFactory(orcid="0000-0002-1825-0097")
    AuthorshipFactory(paper=paper, position=1, author=author)
    citing = PaperFactory(title="Kelp again")
    citing.references.create(position=1, doi=paper.doi, cited_paper=paper)
    for each in (paper, citing):
        paper_set_body_text(paper_id=each.id, text="Sea urchins graze the kelp.")
    review = ReviewFactory(paper=paper)
    video = VideoFactory(paper=paper)
    doi = paper.doi
    urls = [
        "/",
        f"/doi/{doi}",
        f"/authors/{author.orcid}",
        "/feeds/papers.atom",
        "/feeds/reviews.atom",
        f"/feeds/reviews/{doi}.atom",
        f"/reviews/{review.pk}",
        "/sitemap.xml",
        "/sitemap-papers.xml",
        "/api/v1/papers/",
        f"/api/v1/papers/{doi}/",
        f"/api/v1/papers/{doi}/references/",
        f"/api/v1/papers/{citing.doi}/references/",
        f"/api/v1/papers/{doi}/citations/",
        f"/api/v1/papers/{doi}/reviews/",
        f"/api/v1/papers/{doi}/videos/",
        f"/api/v1/videos/{video.pk}/",
        f"/api/v1/reviews/{review.pk}/",
    ]
    searches = ["/search?q=kelp", "/search?q=urchins&sort=newest", "/search/suggest?q=kel", "/api/v1/papers/?q=kelp"]
    for url in urls + searches:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        sql = " ".join(q["sql"] for q in queries.captured_queries)
        assert "body_text" not in sql, url
        if url not in searches:  # search filters and ranks on the vector, but never loads it
            assert "search_vector" not in sql, url
