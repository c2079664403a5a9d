"""Papers whose metadata never arrived (no upstream knows the DOI, or not yet): placeholders, not papers."""

import datetime as dt
import json
import xml.etree.ElementTree as ET

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone

from papers import tasks
from papers.models import Paper
from tests.media_links.factories import VideoFactory
from tests.papers.factories import PaperFactory, PaperTopicFactory
from tests.reviews.factories import ReviewFactory, UserFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
UNRESOLVED = ["pending", "fetching", "failed"]


def unresolved(state, doi, **fields):
    return PaperFactory(
        doi=doi,
        fetch_state=state,
        title="",
        container_title="",
        published_date=None,
        published_precision="",
        fetch_error="Neither Crossref nor DataCite knows the DOI.",
        **fields,
    )


@pytest.fixture
def mixed():
    ready = PaperFactory(doi="10.5555/ready", title="A described paper")
    # Its refresh failed, but its metadata arrived before: it stays a paper.
    refreshed = PaperFactory(
        doi="10.5555/refresh.failed", title="Refresh failed", fetch_state="failed", fetched_at=timezone.now()
    )
    for state in UNRESOLVED:
        unresolved(state, f"10.5555/{state}")
    return ready, refreshed


def test_home_page_lists_and_counts_only_papers_with_metadata(client, mixed):
    soup = BeautifulSoup(client.get("/").content, "html.parser")
    assert [a.get_text() for a in soup.select(".paper-list a")] == ["Refresh failed", "A described paper"]
    assert "2 papers" in soup.select_one(".counts").get_text(" ", strip=True)


def test_feeds_and_sitemap_leave_unresolved_papers_out(client, mixed):
    ready, refreshed = mixed
    PaperTopicFactory(paper=ready, topic__openalex_id="T1")
    PaperTopicFactory(paper=Paper.objects.get(doi="10.5555/failed"), topic__openalex_id="T2")
    root = ET.fromstring(client.get("/feeds/papers.atom").content)
    assert sorted(e.find(f"{ATOM}link").get("href") for e in root.iter(f"{ATOM}entry")) == [
        "http://testserver/doi/10.5555/ready",
        "http://testserver/doi/10.5555/refresh.failed",
    ]
    assert not list(ET.fromstring(client.get("/feeds/topics/T2.atom").content).iter(f"{ATOM}entry"))
    assert client.get("/topics/T2").content.count(b"/doi/10.5555/failed") == 0
    sitemap = client.get("/sitemap-papers.xml").content.decode()
    assert "10.5555/ready" in sitemap and "10.5555/refresh.failed" in sitemap
    assert not any(f"10.5555/{state}<" in sitemap for state in UNRESOLVED)


def test_api_list_and_search_leave_them_out_unless_a_state_is_asked_for(client, mixed):
    listed = {p["doi"] for p in client.get("/api/v1/papers/").json()["results"]}
    assert listed == {"10.5555/ready", "10.5555/refresh.failed"}
    for state in UNRESOLVED:
        found = {p["doi"] for p in client.get(f"/api/v1/papers/?state={state}").json()["results"]}
        assert f"10.5555/{state}" in found
    listing = BeautifulSoup(client.get("/search?sort=added").content, "html.parser").select(".paper-list a")
    assert [a.get_text() for a in listing] == ["Refresh failed", "A described paper"]
    failed = BeautifulSoup(client.get("/search?sort=added&state=failed").content, "html.parser")
    assert [a["href"] for a in failed.select(".paper-list a")] == ["/doi/10.5555/failed", "/doi/10.5555/refresh.failed"]


@pytest.mark.parametrize("state", UNRESOLVED)
def test_an_unresolved_page_is_noindex_uncitable_and_takes_no_contributions(client, state):
    paper = unresolved(state, "10.5555/nobody.knows")
    html = client.get(paper.get_absolute_url()).content.decode()
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    assert soup.find("script", type="application/ld+json") is None
    assert not soup.find_all("meta", attrs={"name": lambda n: n and n.startswith("citation_")})
    assert soup.select_one(".cite") is None and soup.select_one(".formatted-reference") is None
    assert "/reviews/new" not in html and "/videos/new" not in html and "reviews/10.5555" not in html


def test_a_paper_with_metadata_is_indexable_and_open_to_contributions(client, mixed):
    for paper in mixed:
        html = client.get(paper.get_absolute_url()).content.decode()
        soup = BeautifulSoup(html, "html.parser")
        assert soup.find("meta", attrs={"name": "robots"}) is None
        assert json.loads(soup.find("script", type="application/ld+json").string)["name"] == paper.title
        assert "/reviews/new" in html and "/videos/new" in html and soup.select_one(".cite")


def test_contributions_to_an_unresolved_paper_are_refused_on_the_site_and_the_api(client):
    unresolved("failed", "10.5555/nobody.knows")
    client.force_login(UserFactory())
    assert client.get("/doi/10.5555/nobody.knows/reviews/new").status_code == 404
    assert client.get("/doi/10.5555/nobody.knows/videos/new").status_code == 404
    review = client.post("/api/v1/papers/10.5555/nobody.knows/reviews/", {}, content_type="application/json")
    video = client.post("/api/v1/papers/10.5555/nobody.knows/videos/", {}, content_type="application/json")
    for response in (review, video):
        assert response.status_code == 404 and "has not arrived" in response.json()["error"]["message"]


def _age(paper, days):
    Paper.objects.filter(id=paper.id).update(updated_at=timezone.now() - dt.timedelta(days=days))


def test_beat_removes_never_resolved_papers_after_the_configured_time(settings):
    settings.PAPERHUB_REMOVE_UNRESOLVED_AFTER_DAYS = 30
    gone = [unresolved(state, f"10.5555/old.{state}") for state in UNRESOLVED]
    recent = unresolved("failed", "10.5555/recent.failed")
    ready = PaperFactory(doi="10.5555/old.ready")
    refreshed = PaperFactory(doi="10.5555/old.refreshed", fetch_state="failed", fetched_at=timezone.now())
    reviewed = unresolved("failed", "10.5555/old.reviewed")
    ReviewFactory(paper=reviewed, status="pending")
    with_video = unresolved("pending", "10.5555/old.video")
    VideoFactory(paper=with_video)
    for paper in [*gone, ready, refreshed, reviewed, with_video]:
        _age(paper, 31)
    _age(recent, 29)
    assert tasks.papers_remove_unresolved() == 3
    assert sorted(Paper.objects.values_list("doi", flat=True)) == sorted(
        p.doi for p in [recent, ready, refreshed, reviewed, with_video]
    )


def test_zero_days_keeps_unresolved_papers(settings):
    settings.PAPERHUB_REMOVE_UNRESOLVED_AFTER_DAYS = 0
    paper = unresolved("failed", "10.5555/kept")
    _age(paper, 3650)
    assert tasks.papers_remove_unresolved() == 0 and Paper.objects.filter(id=paper.id).exists()


def test_beat_runs_the_removal():
    from django.conf import settings

    assert {
        "task": "papers.tasks.papers_remove_unresolved",
        "schedule": 3600.0,
    } in settings.CELERY_BEAT_SCHEDULE.values()


@pytest.mark.parametrize("state", ["pending", "failed"])
def test_an_unresolved_page_costs_what_a_paper_page_costs(client, django_assert_num_queries, state):
    paper = unresolved(state, "10.5555/nobody.knows")
    # The version, the paper, the eight queries of papers' own parts (the seventh: its funders; the eighth: its
    # other versions, since versions were added), then one query per section other apps add (reviews, videos, full
    # text, OpenReview forums) and two for the entities section; then the cache alone.
    with django_assert_num_queries(16):
        first = client.get(paper.get_absolute_url())
    with django_assert_num_queries(0):
        assert client.get(paper.get_absolute_url()).content == first.content
