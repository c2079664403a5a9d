"""Ways in besides search: the topic tree and pages, author pages, Atom feeds, sitemap, robots.txt."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from bs4 import BeautifulSoup

from papers import markup
from tests.atom import assert_valid_atom
from tests.papers.factories import AuthorFactory, AuthorshipFactory, PaperFactory, PaperTopicFactory, TopicFactory
from tests.reviews.factories import ReviewFactory

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def topic_papers():
    topic = TopicFactory(openalex_id="T11478", name="Caching and Content Delivery")
    papers = [PaperFactory(title=f"Caching paper {i}", published_date=dt.date(2010 + i, 1, 1)) for i in range(3)]
    for paper in papers:
        PaperTopicFactory(paper=paper, topic=topic)
    return topic, papers


def test_tree_shows_every_level_with_counts(client, topic_papers, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        soup = BeautifulSoup(client.get("/topics/").content, "html.parser")
    text = soup.select_one(".tree").get_text(" ", strip=True)
    for expected in (
        "Physical Sciences (3)",
        "Computer Science (3)",
        "Computer Networks and Communications (3)",
        "Caching and Content Delivery (3)",
    ):
        assert expected in text


@pytest.mark.parametrize(
    ("level", "openalex_id"), [("topics", "T11478"), ("subfields", "1705"), ("fields", "17"), ("domains", "3")]
)
def test_each_level_has_a_page_with_breadcrumb_and_papers(client, topic_papers, level, openalex_id):
    soup = BeautifulSoup(client.get(f"/{level}/{openalex_id}").content, "html.parser")
    crumbs = [li.get_text(strip=True) for li in soup.select(".breadcrumb li")]
    assert crumbs[0] == "Topics" and crumbs[1] == "Physical Sciences"
    assert len(soup.select(".paper-list li")) == 3


def test_topic_page_sorts_and_paginates(client, topic_papers):
    topic, _ = topic_papers
    for i in range(30):
        PaperTopicFactory(paper=PaperFactory(title=f"More {i:02d}"), topic=topic)
    soup = BeautifulSoup(client.get("/topics/T11478", {"sort": "oldest"}).content, "html.parser")
    assert soup.select(".paper-list a")[0].get_text() == "Caching paper 0"
    assert "Page 1 of 2" in soup.select_one(".pagination").get_text()
    assert client.get("/topics/T00000").status_code == 404
    assert client.get("/planets/T11478").status_code == 404


def test_author_page_lists_papers_and_affiliations(client):
    author = AuthorFactory(given_name="Marie", family_name="Curie", orcid="0000-0002-1825-0097")
    for i in range(2):
        AuthorshipFactory(paper=PaperFactory(title=f"Radium {i}"), author=author, position=1, affiliations=[f"Lab {i}"])
    soup = BeautifulSoup(client.get("/authors/0000-0002-1825-0097").content, "html.parser")
    assert soup.h1.get_text() == "Marie Curie"
    assert sorted(a.get_text() for a in soup.select(".paper-list a")) == ["Radium 0", "Radium 1"]
    assert "Lab 0; Lab 1" in soup.get_text()
    assert client.get("/authors/https://orcid.org/0000-0002-1825-0097").status_code == 404  # slashes: not an iD path
    assert client.get("/authors/0000-0002-1825-0098").status_code == 404
    assert client.get("/authors/0000-0001-5109-3700").status_code == 404


def test_paper_page_links_authors_and_topics(client, topic_papers):
    paper = topic_papers[1][0]
    AuthorshipFactory(paper=paper, position=1, author=AuthorFactory(given_name="Ada", family_name="Lovelace"))
    AuthorshipFactory(paper=paper, position=2, author=AuthorFactory(orcid="0000-0002-1825-0097"))
    soup = BeautifulSoup(client.get(paper.get_absolute_url()).content, "html.parser")
    links = [a["href"] for a in soup.select("ol.authors a.author-name")]
    assert links == ["/search?q=%22Ada%20Lovelace%22", "/authors/0000-0002-1825-0097"]
    assert soup.select_one("a.topic-name")["href"] == "/topics/T11478"


def parse_atom(response):
    assert response["Content-Type"].startswith("application/atom+xml")
    return assert_valid_atom(response.content)


def test_paper_feeds_are_valid_atom(client, topic_papers):
    root = parse_atom(client.get("/feeds/papers.atom"))
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 3 and all(e.find(f"{ATOM}id").text.startswith("https://doi.org/") for e in entries)
    topic_root = parse_atom(client.get("/feeds/topics/T11478.atom"))
    assert "Caching and Content Delivery" in topic_root.find(f"{ATOM}title").text
    assert client.get("/feeds/topics/T00000.atom").status_code == 404


def test_paper_feed_ids_and_links_percent_encode_the_doi(client):
    PaperFactory(doi="10.1000/456#789")
    [entry] = parse_atom(client.get("/feeds/papers.atom")).findall(f"{ATOM}entry")
    assert entry.find(f"{ATOM}id").text == "https://doi.org/10.1000/456%23789"
    assert entry.find(f"{ATOM}link").get("href") == "http://testserver/doi/10.1000/456%23789"


FEEDS = (
    "/feeds/papers.atom",
    "/feeds/topics/T11478.atom",
    "/feeds/reviews.atom",
    "/feeds/reviews/10.5555/feed.paper.atom",
)


def test_every_feed_and_entry_has_an_author(client, topic_papers):
    paper = PaperFactory(doi="10.5555/feed.paper", title="Fed paper")
    PaperTopicFactory(paper=paper, topic=topic_papers[0])
    ReviewFactory(paper=paper, reviewer_name="")  # a review without a reviewer's name: the feed's author stands in
    for path in FEEDS:
        root = parse_atom(client.get(path))
        assert root.find(f"{ATOM}author/{ATOM}name").text == "PaperHub", path
        assert root.findall(f"{ATOM}entry"), path


@pytest.mark.parametrize("path", FEEDS)
def test_feeds_answer_conditional_requests(client, topic_papers, path):
    paper = PaperFactory(doi="10.5555/feed.paper", title="Fed paper")
    PaperTopicFactory(paper=paper, topic=topic_papers[0])
    ReviewFactory(paper=paper)
    first = client.get(path)
    assert first.status_code == 200 and first["Last-Modified"] and first["ETag"]
    assert client.get(path, headers={"If-Modified-Since": first["Last-Modified"]}).status_code == 304
    assert client.get(path, headers={"If-None-Match": first["ETag"]}).status_code == 304
    assert client.get(path, headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}).status_code == 200


def test_review_feeds_are_valid_atom_and_only_approved(client):
    paper = PaperFactory(doi="10.5555/feed.paper", title="Fed paper")
    ReviewFactory(paper=paper, body="visible review")
    ReviewFactory(paper=paper, body="hidden review", status="pending")
    for path in ("/feeds/reviews.atom", "/feeds/reviews/10.5555/feed.paper.atom"):
        root = parse_atom(client.get(path))
        text = ET.tostring(root, encoding="unicode")
        assert len(root.findall(f"{ATOM}entry")) == 1 and "hidden review" not in text


def test_pages_announce_their_feeds(client):
    paper = PaperFactory(doi="10.5555/feeds.linked")
    home = BeautifulSoup(client.get("/").content, "html.parser")
    assert {link["href"] for link in home.select('link[rel=alternate][type="application/atom+xml"]')} == {
        "/feeds/papers.atom",
        "/feeds/reviews.atom",
    }
    page = BeautifulSoup(client.get(paper.get_absolute_url()).content, "html.parser")
    assert page.select_one('link[rel=alternate][type="application/atom+xml"]')["href"] == (
        "/feeds/reviews/10.5555/feeds.linked.atom"
    )


def test_sitemap_is_valid_xml_listing_paper_pages(client):
    PaperFactory(doi="10.5555/in.sitemap")
    PaperFactory(doi="10.5555/pending.paper", fetch_state="pending")
    index = ET.fromstring(client.get("/sitemap.xml").content)
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    [location] = [el.text for el in index.iter(f"{ns}loc")]
    urls = ET.fromstring(client.get(location.replace("http://testserver", "")).content)
    pages = [el.text for el in urls.iter(f"{ns}loc")]
    assert pages == ["http://testserver/doi/10.5555/in.sitemap"]


def test_robots_txt_points_at_the_sitemap(client):
    text = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in text and "Disallow: /admin/" in text


def test_feeds_and_topic_and_author_pages_with_title_markup(client):
    # Constructed: an entity-escaped Crossref-style title (no recorded one carries markup).
    title = markup.title("&lt;i&gt;Shigella&lt;/i&gt; &amp;amp; CO&lt;sub&gt;2&lt;/sub&gt;<script>alert(1)</script>")
    paper = PaperFactory(doi="10.5555/feed.marked", title=title.text, title_html=title.html)
    PaperTopicFactory(paper=paper, topic=TopicFactory(openalex_id="T11479"))
    AuthorshipFactory(paper=paper, position=1, author=AuthorFactory(orcid="0000-0002-1825-0097"))
    ReviewFactory(paper=paper)
    titles = []
    for path in ("/feeds/papers.atom", "/feeds/topics/T11479.atom", "/feeds/reviews.atom"):
        root = parse_atom(client.get(path))
        titles += [entry.find(f"{ATOM}title").text for entry in root.findall(f"{ATOM}entry")]
    root = parse_atom(client.get("/feeds/reviews/10.5555/feed.marked.atom"))
    titles.append(root.find(f"{ATOM}title").text)
    assert titles[:2] == ["Shigella & CO2", "Shigella & CO2"]
    assert (
        titles[2].startswith("Review of “Shigella & CO2” by ") and titles[3] == "PaperHub: reviews of “Shigella & CO2”"
    )
    for text in titles:
        assert "<" not in text and ">" not in text and "&lt;" not in text and "alert" not in text
    for path in ("/topics/T11479", "/authors/0000-0002-1825-0097"):
        row = BeautifulSoup(client.get(path).content, "html.parser").find("a", href=paper.get_absolute_url())
        assert str(row) == f'<a href="{paper.get_absolute_url()}"><i>Shigella</i> &amp; CO<sub>2</sub></a>'
