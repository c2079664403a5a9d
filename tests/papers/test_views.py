import json
import re

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import timezone

from paperhub.moderation import ModerationStatus
from papers import markup
from papers.demo import FIXTURES
from papers.models import Funding, Paper, PaperRelation, PaperUpdate
from tests.media_links.factories import VideoFactory
from tests.papers.factories import (
    AuthorFactory,
    AuthorshipFactory,
    PaperFactory,
    PaperTopicFactory,
    ReferenceFactory,
)
from tests.reviews.factories import CrossrefReviewFactory, ReviewFactory, UserFactory

pytestmark = pytest.mark.django_db


def page(client, path):
    response = client.get(path)
    assert response.status_code == 200, response.content[:500]
    return BeautifulSoup(response.content, "html.parser")


@pytest.fixture
def full_paper():
    paper = PaperFactory(
        doi="10.2214/ajr.19.21878",
        title="Imaging the Heart",
        pmid="31556700",
        pmcid="PMC7000001",
        arxiv_id="1901.00001",
        summary="A plain-language summary.",
        license_url="https://creativecommons.org/licenses/by/4.0/",
    )
    AuthorshipFactory(
        paper=paper,
        position=1,
        affiliations=["Radiology Dept, Example University"],
        author=AuthorFactory(given_name="Marie", family_name="Curie", orcid="0000-0002-1825-0097"),
    )
    AuthorshipFactory(
        paper=paper, position=2, affiliations=[], author=AuthorFactory(given_name="Pierre", family_name="Curie")
    )
    cited_here = PaperFactory(doi="10.5555/cited.here", title="A cited paper on PaperHub")
    ReferenceFactory(paper=paper, position=1, doi="10.5555/cited.here", pmid="12345678", cited_paper=cited_here)
    ReferenceFactory(paper=paper, position=2, doi="", pmid="", raw="Unstructured citation text, 1999.")
    ReferenceFactory(paper=paper, position=3, doi="10.5555/elsewhere", pmid="")
    PaperTopicFactory(paper=paper, is_primary=True, score=0.99, topic__name="Cardiac Imaging")
    PaperTopicFactory(paper=paper, score=0.5, topic__name="Medical Physics")
    return paper


def test_page_shows_every_section_in_order(client, full_paper):
    soup = page(client, "/doi/10.2214/ajr.19.21878")
    assert soup.h1.get_text(strip=True) == "Imaging the Heart"
    headings = [h.get_text(" ", strip=True).split(" (")[0] for h in soup.select("article h2")]
    assert headings == ["Abstract", "Summary", "Peer Reviews", "Videos", "Taxonomy", "References"]
    assert [p.get_text() for p in soup.select("#abstract p")] == [
        "First paragraph of the abstract.",
        "Second paragraph of the abstract.",
    ]
    assert "A plain-language summary." in soup.select_one("#summary").get_text()


def test_authors_link_their_orcid_with_affiliations(client, full_paper):
    soup = page(client, full_paper.get_absolute_url())
    authors = soup.select("ol.authors li")
    assert [a.select_one(".author-name").get_text() for a in authors] == ["Marie Curie", "Pierre Curie"]
    assert authors[0].select_one("a.orcid")["href"] == "https://orcid.org/0000-0002-1825-0097"
    assert authors[1].select_one("a.orcid") is None
    assert authors[0].select_one("sup.aff-marks a")["href"] == "#aff-1"
    assert authors[1].select_one("sup.aff-marks") is None
    assert soup.select_one("ol.affiliation-list li#aff-1").get_text() == "Radiology Dept, Example University"


def test_shared_affiliations_are_numbered_once():
    from papers.views import number_affiliations

    first = AuthorshipFactory.build(affiliations=["Lab A", "Lab B"])
    second = AuthorshipFactory.build(affiliations=["Lab B"])
    rows, names = number_affiliations([first, second])
    assert names == ["Lab A", "Lab B"]
    assert [marks for _, marks in rows] == [[1, 2], [2]]


def test_venue_date_type_and_identifiers(client, full_paper):
    soup = page(client, full_paper.get_absolute_url())
    venue = soup.select_one(".venue").get_text(" ", strip=True)
    for expected in ("Journal of Tests", "Vol. 12", "Issue 3", "pp. 101-117", "15 June 2021", "Journal article"):
        assert expected in venue
    links = {a.get_text(strip=True): a["href"] for a in soup.select(".identifiers a")}
    assert links["10.2214/ajr.19.21878"] == "https://doi.org/10.2214/ajr.19.21878"
    assert links["31556700"] == "https://pubmed.ncbi.nlm.nih.gov/31556700/"
    assert links["PMC7000001"] == "https://pmc.ncbi.nlm.nih.gov/articles/PMC7000001/"
    assert links["1901.00001"] == "https://arxiv.org/abs/1901.00001"


def test_references_are_numbered_and_link_out(client, full_paper):
    soup = page(client, full_paper.get_absolute_url())
    rows = soup.select("ol.references li")
    assert [row["value"] for row in rows] == ["1", "2", "3"]
    assert rows[0].select_one("a.ref-doi")["href"] == "https://doi.org/10.5555/cited.here"
    assert rows[0].select_one("a.ref-pubmed")["href"] == "https://pubmed.ncbi.nlm.nih.gov/12345678/"
    assert rows[0].select_one("a.ref-local")["href"] == "/doi/10.5555/cited.here"
    assert rows[1].select_one(".reference-text").get_text() == "Unstructured citation text, 1999."
    assert rows[1].select("a") == []
    assert rows[2].select_one("a.ref-local") is None and rows[2].select_one("a.ref-pubmed") is None


def test_cited_paper_shows_cited_by_count(client, full_paper):
    soup = page(client, "/doi/10.5555/cited.here")
    assert soup.select_one(".cited-by").get_text(strip=True) == "Cited by 1 paper on PaperHub"


def test_taxonomy_shows_topic_with_hierarchy_primary_first(client, full_paper):
    soup = page(client, full_paper.get_absolute_url())
    topics = soup.select("ul.topics li")
    assert topics[0].select_one(".topic-name").get_text() == "Cardiac Imaging"
    assert topics[0].select_one(".badge").get_text() == "primary"
    assert topics[0].select_one(".topic-path").get_text() == (
        "Computer Networks and Communications > Computer Science > Physical Sciences"
    )


def test_empty_states_invite_reviews_and_videos(client):
    paper = PaperFactory(summary="")
    soup = page(client, paper.get_absolute_url())
    reviews = soup.select_one("#reviews").get_text(" ", strip=True)
    assert "No reviews pasted here yet" in reviews and "OpenReview, ICLR, NeurIPS or ICML" in reviews
    assert "talk, walkthrough or lecture" in soup.select_one("#videos").get_text()
    assert soup.select_one("#summary") is None
    assert "No reference list on file." in soup.select_one("#references").get_text()


def test_only_approved_reviews_and_videos_are_shown(client):
    paper = PaperFactory()
    ReviewFactory(paper=paper, body="Approved review body")
    ReviewFactory(paper=paper, body="Pending review body", status=ModerationStatus.PENDING)
    ReviewFactory(paper=paper, body="Rejected review body", status=ModerationStatus.REJECTED)
    VideoFactory(paper=paper, title="Approved talk")
    VideoFactory(paper=paper, title="Pending talk", status=ModerationStatus.PENDING)
    html = client.get(paper.get_absolute_url()).content.decode()
    assert "Approved review body" in html and "Approved talk" in html
    assert "Pending review body" not in html and "Rejected review body" not in html and "Pending talk" not in html
    soup = BeautifulSoup(html, "html.parser")
    assert soup.select_one("#reviews-heading").get_text(" ", strip=True) == "Peer Reviews (1)"


def test_review_body_html_is_escaped(client):
    paper = PaperFactory()
    ReviewFactory(paper=paper, body="<script>alert(1)</script>")
    html = client.get(paper.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize(
    ("kind", "text", "css"),
    [
        ("retraction", "This paper has been retracted.", "notice-retracted"),
        ("correction", "This paper has a correction.", "notice-corrected"),
    ],
)
def test_retracted_or_corrected_paper_says_so_at_the_top(client, kind, text, css):
    paper = PaperFactory()
    PaperUpdate.objects.create(paper=paper, kind=kind, notice_doi="10.5555/notice.1", label=kind.title())
    soup = page(client, paper.get_absolute_url())
    notice = soup.select_one(f"article > .{css}")
    assert text in notice.get_text()
    assert notice.a["href"] == "https://doi.org/10.5555/notice.1"
    assert soup.select_one("article").find(recursive=False) == notice


def test_highwire_meta_tags(client, full_paper):
    soup = page(client, full_paper.get_absolute_url())

    def meta(name):
        return [m["content"] for m in soup.find_all("meta", attrs={"name": name})]

    assert meta("citation_title") == ["Imaging the Heart"]
    assert meta("citation_author") == ["Curie, Marie", "Curie, Pierre"]
    assert meta("citation_publication_date") == ["2021/06/15"]
    assert meta("citation_journal_title") == ["Journal of Tests"]
    assert (meta("citation_volume"), meta("citation_issue")) == (["12"], ["3"])
    assert (meta("citation_firstpage"), meta("citation_lastpage")) == (["101"], ["117"])
    assert meta("citation_doi") == ["10.2214/ajr.19.21878"]
    assert meta("citation_pmid") == ["31556700"]
    assert meta("citation_abstract_html_url") == ["http://testserver/doi/10.2214/ajr.19.21878"]


def test_json_ld_scholarly_article(client, full_paper):
    soup = page(client, full_paper.get_absolute_url())
    data = json.loads(soup.find("script", type="application/ld+json").string)
    assert data["@type"] == "ScholarlyArticle"
    assert data["name"] == "Imaging the Heart"
    assert data["@id"] == "https://doi.org/10.2214/ajr.19.21878"
    assert data["datePublished"] == "2021-06-15"
    assert data["author"][0] == {
        "@type": "Person",
        "name": "Marie Curie",
        "givenName": "Marie",
        "familyName": "Curie",
        "@id": "https://orcid.org/0000-0002-1825-0097",
        "sameAs": "https://orcid.org/0000-0002-1825-0097",
        "affiliation": [{"@type": "Organization", "name": "Radiology Dept, Example University"}],
    }
    assert {"@type": "PropertyValue", "propertyID": "PMID", "value": "31556700"} in data["identifier"]


def test_json_ld_cannot_break_out_of_its_script(client):
    paper = PaperFactory(title="</script><script>alert(1)</script>")
    html = client.get(paper.get_absolute_url()).content.decode()
    head = html.split("</head>")[0]
    assert "<script>alert(1)" not in head
    soup = BeautifulSoup(html, "html.parser")
    assert json.loads(soup.find("script", type="application/ld+json").string)["name"] == paper.title


@pytest.mark.parametrize(
    "path",
    [
        "/doi/10.2214/AJR.19.21878",
        "/doi/https://doi.org/10.2214/ajr.19.21878",
        "/doi/doi:10.2214/ajr.19.21878",
        "/doi/https%3A%2F%2Fdoi.org%2F10.2214%2FAJR.19.21878",
        "/doi/10.2214%2FAJR.19.21878",
        "/doi/10.2214/ajr.19.21878/",
        "/doi/10.2214/ajr.19.21878.",
        "/doi/https://doi.org/10.2214/ajr.19.21878%3Futm_source=x",
    ],
)
def test_non_canonical_forms_redirect_permanently(client, path):
    PaperFactory(doi="10.2214/ajr.19.21878")
    response = client.get(path)
    assert response.status_code == 301
    assert response["Location"] == "/doi/10.2214/ajr.19.21878"


def test_percent_encoded_raw_path_redirects_when_the_server_reports_it(client):
    PaperFactory(doi="10.2214/ajr.19.21878")
    response = client.get("/doi/10.2214/ajr.19.21878", RAW_URI="/doi/10.2214%2Fajr.19.21878")
    assert (response.status_code, response["Location"]) == (301, "/doi/10.2214/ajr.19.21878")
    assert client.get("/doi/10.2214/ajr.19.21878", RAW_URI="/doi/10.2214/ajr.19.21878?x=1").status_code == 200


def test_doi_with_special_characters_round_trips(client):
    sici = "10.1002/(sici)1097-4636(199706)35:4<421::aid-jbm2>3.0.co;2-o"
    paper = PaperFactory(doi=sici, title="SICI paper")
    url = paper.get_absolute_url()
    assert "%3C" in url
    assert page(client, url).h1.get_text() == "SICI paper"


@pytest.fixture
def hash_paper():
    """DOIs with the characters a URL gives other meanings: "#" (fragment), "?" (query) and "%" (an escape)."""
    paper = PaperFactory(doi="10.1000/456#789", title="Hash paper")
    cited = PaperFactory(doi="10.1000/here#2", title="Cited here")
    ReferenceFactory(paper=paper, position=1, doi="10.1000/ref?50%", pmid="")
    ReferenceFactory(paper=paper, position=2, doi="10.1000/here#2", pmid="", cited_paper=cited)
    PaperUpdate.objects.create(paper=paper, kind="correction", notice_doi="10.1000/fix#1")
    return paper


def test_every_link_built_from_a_doi_is_percent_encoded(client, hash_paper):
    soup = page(client, "/doi/10.1000/456%23789")
    assert soup.h1.get_text() == "Hash paper"
    own = "http://testserver/doi/10.1000/456%23789"
    assert soup.find("link", rel="canonical")["href"] == own
    assert soup.find("meta", attrs={"name": "citation_abstract_html_url"})["content"] == own
    assert soup.find("meta", attrs={"name": "citation_doi"})["content"] == "10.1000/456#789"
    assert soup.select_one("dd a[href^='https://doi.org/']")["href"] == "https://doi.org/10.1000/456%23789"
    data = json.loads(soup.find("script", type="application/ld+json").string)
    assert (data["@id"], data["url"], data["sameAs"][0]) == ("https://doi.org/10.1000/456%23789", own, data["@id"])
    assert [a["href"] for a in soup.select("a.ref-doi")] == [
        "https://doi.org/10.1000/ref%3F50%25",
        "https://doi.org/10.1000/here%232",
    ]
    assert soup.select_one("a.ref-local")["href"] == "/doi/10.1000/here%232"
    assert soup.select_one(".notice-corrected a")["href"] == "https://doi.org/10.1000/fix%231"
    assert "https://doi.org/10.1000/456%23789" in soup.select_one(".formatted-reference").get_text()
    exports = [a["href"] for a in soup.select("a[download]")]
    assert exports and all(href.startswith("/api/v1/papers/10.1000/456%23789/?format=") for href in exports)
    for href in exports:
        assert client.get(href).status_code == 200, href
    assert page(client, soup.select_one("a.ref-local")["href"]).h1.get_text() == "Cited here"


def test_unknown_doi_page_links_to_doi_org_encoded(client):
    soup = BeautifulSoup(client.get("/doi/10.1000/gone%23x").content, "html.parser")
    assert soup.select_one("main a[href^='https://doi.org/']")["href"] == "https://doi.org/10.1000/gone%23x"


def test_unknown_doi_gives_404_that_offers_to_add_it(client):
    response = client.get("/doi/10.5555/not.here")
    assert response.status_code == 404
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.h1.get_text() == "This paper is not on PaperHub yet"
    assert "10.5555/not.here" in soup.main.get_text()


@pytest.mark.parametrize(
    ("path", "reason"),
    [("/doi/11.1234/abc", "a DOI starts with “10.”"), ("/doi/10.1234", "has no “/”"), ("/doi/banana", "is not a DOI")],
)
def test_malformed_doi_gives_404_that_says_why(client, path, reason):
    response = client.get(path)
    assert response.status_code == 404
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.h1.get_text() == "That is not a DOI"
    assert reason in soup.select_one(".error-reason").get_text()


@pytest.mark.parametrize("references", [3, 60])
def test_paper_page_query_count_is_fixed(client, django_assert_num_queries, references):
    paper = PaperFactory()
    for position in range(1, references + 1):
        ReferenceFactory(paper=paper, position=position, cited_paper=PaperFactory() if position % 2 else None)
    for position in range(1, references // 3 + 2):
        AuthorshipFactory(paper=paper, position=position)
        AuthorshipFactory(paper=paper, position=position, role="editor")
        Funding.objects.create(
            paper=paper, position=position, key=f"f{position}", funder_name=f"Funder {position}", awards=["A-1"]
        )
        PaperTopicFactory(paper=paper, is_primary=position == 1)
        ReviewFactory(paper=paper)
        CrossrefReviewFactory(paper=paper)  # registered with Crossref: in the same reviews query
        VideoFactory(paper=paper)
    PaperUpdate.objects.create(paper=paper, kind="correction", notice_doi="10.5555/fix")
    for position in range(1, references // 3 + 2):  # other versions, here or not, named by either side's record
        PaperRelation.objects.create(paper=paper, kind="preprint_of", other_doi=f"10.5555/published.{position}")
        PaperRelation.objects.create(paper=PaperFactory(), kind="preprint_of", other_doi=paper.doi)
    # First view: the page's version, the paper, then papers' eight (paper with its cited-by, review and video counts,
    # authorships+authors (authors and editors in one query), references+cited papers with the cited papers' review
    # and video counts (subqueries of the same query), topics+hierarchy, updates, enrichment states, funders: the
    # one added with funding; other versions in both directions with their papers: the one added with versions),
    # then one per section another app adds (reviews, videos, full text, published OpenReview forums; entities:
    # their annotations and their rows): the same for 3 references as for 60.
    with django_assert_num_queries(16):
        response = client.get(paper.get_absolute_url())
    assert response.status_code == 200
    assert response.content.decode().count('class="reference"') == references
    assert response.content.decode().count("Funder ") == references // 3 + 1
    assert response.content.decode().count("Read it at the journal") == references // 3 + 1
    assert response.content.decode().count('class="version"') == 2 * (references // 3 + 1)
    # Later anonymous views, until something on the page changes: the version and the page, both from the cache.
    with django_assert_num_queries(0):
        again = client.get(paper.get_absolute_url())
    assert again.content == response.content
    assert again["ETag"] == response["ETag"]
    # A browser that has the page gets a 304.
    with django_assert_num_queries(0):
        assert client.get(paper.get_absolute_url(), HTTP_IF_NONE_MATCH=again["ETag"]).status_code == 304


def test_a_reference_on_paperhub_shows_the_cited_papers_review_and_video_counts(client, django_assert_num_queries):
    cited, quiet = PaperFactory(), PaperFactory()
    ReviewFactory.create_batch(2, paper=cited)
    pending = ReviewFactory(paper=cited, status=ModerationStatus.PENDING)
    VideoFactory(paper=cited)
    paper = PaperFactory()
    ReferenceFactory(paper=paper, position=1, doi=cited.doi, cited_paper=cited)
    ReferenceFactory(paper=paper, position=2, doi=quiet.doi, cited_paper=quiet)
    ReferenceFactory(paper=paper, position=3)
    # The counts are subqueries of the references' own query: the page costs what it costs without them (16,
    # with the versions query).
    with django_assert_num_queries(16):
        soup = BeautifulSoup(client.get(paper.get_absolute_url()).content, "html.parser")
    assert soup.select_one("#ref-1 .ref-local")["href"] == cited.get_absolute_url()
    assert soup.select_one("#ref-1 .ref-counts").get_text() == "(2 reviews, 1 video)"
    assert soup.select_one("#ref-2 .ref-local") and not soup.select_one("#ref-2 .ref-counts")  # nothing to count
    assert not soup.select("#ref-3 .ref-local, #ref-3 .ref-counts")
    # A review of the cited paper published later reaches the citing paper's cached page.
    pending.status = ModerationStatus.APPROVED
    pending.save()
    soup = BeautifulSoup(client.get(paper.get_absolute_url()).content, "html.parser")
    assert soup.select_one("#ref-1 .ref-counts").get_text() == "(3 reviews, 1 video)"


def test_with_a_per_process_cache_the_version_comes_from_the_database(client, settings, django_assert_num_queries):
    settings.PAPERHUB_SHARED_CACHE = False  # make run's local-memory cache: a worker's change would not reach it
    paper = PaperFactory(title="Versioned by the database")
    client.get(paper.get_absolute_url())
    with django_assert_num_queries(1):
        assert "Versioned by the database" in client.get(paper.get_absolute_url()).content.decode()
    Paper.objects.filter(id=paper.id).update(title="Changed behind the cache's back", updated_at=timezone.now())
    assert "Changed behind the cache" in client.get(paper.get_absolute_url()).content.decode()


def test_cached_page_follows_the_fetch_state(client):
    from papers import services

    paper = PaperFactory(title="Being fetched", fetch_state=Paper.FetchState.PENDING)
    assert "<strong>Waiting to fetch metadata…</strong>" in client.get(paper.get_absolute_url()).content.decode()
    assert services.paper_claim_for_import(paper_id=paper.id) is not None
    assert "<strong>Fetching metadata…</strong>" in client.get(paper.get_absolute_url()).content.decode()
    services.paper_note_retry(paper_id=paper.id, reason="Crossref: unreachable; trying again in 4 s")
    assert "trying again in 4 s" in client.get(paper.get_absolute_url()).content.decode()
    services.paper_mark_failed(paper_id=paper.id, reason="Crossref answered 500 four times")
    page = client.get(paper.get_absolute_url()).content.decode()
    assert "Fetching the metadata failed" in page and "answered 500 four times" in page
    paper.delete()
    assert client.get(paper.get_absolute_url()).status_code == 404


def test_a_page_from_the_cache_has_the_headers_of_a_rendered_one(client):
    paper = PaperFactory(title="Headers kept")
    first = client.get(paper.get_absolute_url())
    second = client.get(paper.get_absolute_url())
    assert second.content == first.content
    for name in ("Content-Type", "Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "ETag"):
        assert second[name] == first[name], name
    assert "Cookie" in second["Vary"] and not second.cookies
    assert client.head(paper.get_absolute_url())["ETag"] == first["ETag"]


def test_a_visitor_with_a_message_waiting_gets_a_rendered_page(client, django_assert_num_queries):
    paper = PaperFactory(title="Message waiting")
    client.get(paper.get_absolute_url())
    client.cookies["messages"] = "anything"
    with django_assert_num_queries(2):  # the paper and its videos: the view ran, around the cached fragments
        assert client.get(paper.get_absolute_url()).status_code == 200


def test_signed_in_visitors_get_their_own_page_around_the_cached_fragments(client, django_assert_num_queries):
    paper = PaperFactory(title="Shared or personal")
    VideoFactory(paper=paper)
    anonymous = client.get(paper.get_absolute_url())
    assert "Sign out" not in anonymous.content.decode()
    assert "Cookie" in anonymous["Vary"]

    user = UserFactory()
    client.force_login(user)
    # Session, user, paper, videos, their own OpenReview imports still waiting: the fragments come from the cache.
    with django_assert_num_queries(5):
        personal = client.get(paper.get_absolute_url())
    assert "Sign out" in personal.content.decode()
    assert "ETag" not in personal


def test_cached_page_follows_every_change_that_shows_on_it(client):
    from papers import services

    paper = PaperFactory(title="Cached paper")
    author = AuthorFactory(family_name="Before", orcid="0000-0002-1825-0097")
    AuthorshipFactory(paper=paper, position=1, author=author)
    assert "Before" in client.get(paper.get_absolute_url()).content.decode()

    review = ReviewFactory(paper=paper, body="A new review appears", status=ModerationStatus.PENDING)
    assert "A new review appears" not in client.get(paper.get_absolute_url()).content.decode()
    review.status = ModerationStatus.APPROVED
    review.save()
    assert "A new review appears" in client.get(paper.get_absolute_url()).content.decode()

    author.family_name = "Renamed"
    author.save()
    assert "Renamed" in client.get(paper.get_absolute_url()).content.decode()

    citing = PaperFactory(title="Citing paper")
    ReferenceFactory(paper=citing, position=1, doi=paper.doi)
    services.paper_link_citations(paper=citing)
    services.paper_link_citations(paper=paper)
    assert "Cited by 1 paper on PaperHub" in client.get(paper.get_absolute_url()).content.decode()

    review.delete()
    assert "A new review appears" not in client.get(paper.get_absolute_url()).content.decode()

    # Moderating a video in the admin goes through these services; the page follows both ways.
    from media_links import services as video_services

    video = VideoFactory(paper=paper, title="A talk about it", status=ModerationStatus.PENDING)
    assert "A talk about it" not in client.get(paper.get_absolute_url()).content.decode()
    video_services.video_approve(video=video)
    assert "A talk about it" in client.get(paper.get_absolute_url()).content.decode()
    video_services.video_reject(video=video, reason="Off topic")
    assert "A talk about it" not in client.get(paper.get_absolute_url()).content.decode()

    paper.title = "Cached paper, retitled"
    paper.save()
    assert "Cached paper, retitled" in client.get(paper.get_absolute_url()).content.decode()


def test_home_page_shows_search_recent_papers_and_counts(client):
    papers = [PaperFactory(title=f"Recent paper {i}") for i in range(3)]
    ReviewFactory(paper=papers[0])
    soup = page(client, reverse("papers:home"))
    assert soup.select_one("form[role=search] input[name=q]") is not None
    assert [a.get_text() for a in soup.select(".paper-list a")] == [
        "Recent paper 2",
        "Recent paper 1",
        "Recent paper 0",
    ]
    counts = soup.select_one(".counts").get_text(" ", strip=True)
    assert "3 papers" in counts and "1 public review" in counts


def test_home_page_keeps_its_recent_papers_until_a_paper_changes(client, django_assert_num_queries):
    PaperFactory(title="Older paper")
    client.get(reverse("papers:home"))  # counts (cached a minute) and the recent list are built
    with django_assert_num_queries(0):
        again = client.get(reverse("papers:home"))
    assert "Older paper" in again.content.decode()
    PaperFactory(title="Newer paper")
    titles = [a.get_text() for a in page(client, reverse("papers:home")).select(".paper-list a")]
    assert titles == ["Newer paper", "Older paper"]


def test_the_anonymous_home_page_is_shared_whole_without_a_token_or_anything_personal(
    client, django_assert_num_queries
):
    from django.core.cache import cache
    from django.test import Client

    PaperFactory(title="Shared home paper")
    ReviewFactory()
    # Counts of papers, reviews and videos, then the recent papers: the page is built once.
    with django_assert_num_queries(4):
        first = client.get(reverse("papers:home"))
    html = first.content.decode()
    assert "Shared home paper" in html and "csrfmiddlewaretoken" not in html and "Sign out" not in html
    assert not first.cookies and first["Cache-Control"] == "public, no-cache" and "Cookie" in first["Vary"]

    cache.delete("home:site_counts")  # a page the view built would have to count again
    stranger = Client()
    with django_assert_num_queries(0):
        second = stranger.get(reverse("papers:home"))
    assert second.content == first.content and second["ETag"] == first["ETag"] and not second.cookies
    assert stranger.get(reverse("papers:home"), HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_signed_in_visitors_get_their_own_home_page(client, django_assert_num_queries):
    client.get(reverse("papers:home"))  # the shared page is kept
    client.force_login(UserFactory())
    with django_assert_num_queries(2):  # session and user; counts and recent papers come from the cache
        personal = client.get(reverse("papers:home"))
    html = personal.content.decode()
    assert "Sign out" in html and "ETag" not in personal and "private" in personal["Cache-Control"]
    soup = BeautifulSoup(html, "html.parser")
    assert soup.select_one("form.add-form")["method"] == "get", "the same add form as everyone's"


@pytest.mark.both_databases
def test_search_box_goes_straight_to_a_pasted_doi(client):
    PaperFactory(doi="10.2214/ajr.19.21878")
    response = client.get("/search", {"q": "https://doi.org/10.2214/AJR.19.21878"})
    assert (response.status_code, response["Location"]) == (302, "/doi/10.2214/ajr.19.21878")


@pytest.mark.both_databases
def test_search_matches_title_words(client):
    PaperFactory(title="Dopamine neurons in mice")
    PaperFactory(title="Something else")
    soup = page(client, "/search?q=dopamine")
    assert [a.get_text() for a in soup.select(".paper-list a")] == ["Dopamine neurons in mice"]


@pytest.mark.both_databases
@pytest.mark.parametrize("query", ['"unbalanced', "a\x00b", "x" * 10_000, "' OR 1=1 --", "<script>"])
def test_search_survives_hostile_queries(client, query):
    response = client.get("/search", {"q": query})
    assert response.status_code == 200


# ---------------------------------------------------------------- titles with markup (papers.markup)

OPENALEX_SHIGELLA = FIXTURES / "openalex" / "work-preprint-biorxiv-topics-W4407166645.json"
TITLE_ELEMENTS = {"i", "b", "sub", "sup", "span", "math", "mi", "mn", "mo", "msup", "msub", "mrow"}
LEFTOVER = re.compile(r"[<>]|&(#\d+|#x[0-9a-f]+|[a-z]+);", re.IGNORECASE)
# (upstream title, an element the heading must show). All but the first are constructed: no recorded Crossref
# title carries markup.
MARKED_TITLES = [
    (json.loads(OPENALEX_SHIGELLA.read_text())["display_name"], "i"),
    ("Uptake by &lt;i&gt;Escherichia coli&lt;/i&gt; of CO&lt;sub&gt;2&lt;/sub&gt; &amp;amp; O<sub>2</sub>", "sub"),
    ("&amp;lt;i&amp;gt;Twice&amp;lt;/i&amp;gt; escaped &amp;amp;lt;b&amp;amp;gt;thrice&amp;amp;lt;/b&amp;amp;gt;", "b"),
    (
        'Sums of <mml:math xmlns:mml="http://www.w3.org/1998/Math/MathML"><mml:msup><mml:mi>x</mml:mi>'
        "<mml:mn>2</mml:mn></mml:msup></mml:math> in <scp>Lean</scp>",
        "math",
    ),
    (
        '<script>alert(1)</script><i onclick="alert(2)">Evil</i> <a href="javascript:alert(3)">link</a>'
        "<img src=x onerror=alert(4)> &lt;style&gt;h1{}&lt;/style&gt;<!-- c --> <b>unclosed",
        "b",
    ),
]


def marked_paper(raw, **fields):
    title = markup.title(raw)
    return PaperFactory(title=title.text, title_html=title.html, **fields)


def assert_plain(text):
    assert text and not LEFTOVER.search(text), text


def assert_heading_markup(h1, element):
    assert h1.find(element) is not None, h1
    for tag in h1.find_all(True):
        assert tag.name in TITLE_ELEMENTS, h1
        assert tag.attrs == ({"class": ["small-caps"]} if tag.name == "span" else {}), h1


MARKED_IDS = ["openalex-recorded", "escaped-once", "escaped-twice-and-thrice", "mathml-small-caps", "hostile"]


@pytest.mark.parametrize(("raw", "element"), MARKED_TITLES, ids=MARKED_IDS)
def test_page_heading_shows_allowed_markup_and_text_outputs_are_plain(client, raw, element):
    paper = marked_paper(raw)
    AuthorshipFactory(paper=paper, position=1)
    html = client.get(paper.get_absolute_url()).content.decode()
    soup = BeautifulSoup(html, "html.parser")
    h1 = soup.find("h1", id="paper-title")
    assert_heading_markup(h1, element)
    assert h1.get_text() == paper.title
    assert "alert" not in str(h1) and "<script>alert" not in html
    assert_plain(paper.title)
    assert soup.title.string == f"{paper.title} · PaperHub"
    assert_plain(soup.title.string)
    [citation_title] = [m["content"] for m in soup.find_all("meta", attrs={"name": "citation_title"})]
    assert citation_title == paper.title
    data = json.loads(soup.find("script", type="application/ld+json").string)
    assert data["name"] == paper.title and data["headline"] == paper.title[:110]
    assert_plain(soup.select_one(".formatted-reference").get_text())


def test_recorded_openalex_title_shows_its_italics_in_the_heading(client):
    paper = marked_paper(MARKED_TITLES[0][0])
    h1 = page(client, paper.get_absolute_url()).find("h1", id="paper-title")
    assert str(h1.i) == "<i>Shigella sonnei</i>"
    assert paper.title.endswith("successful Shigella sonnei")


def test_small_caps_become_a_styled_span(client):
    paper = marked_paper(MARKED_TITLES[3][0])
    h1 = page(client, paper.get_absolute_url()).find("h1", id="paper-title")
    assert h1.find("span", class_="small-caps").get_text() == "Lean"
    assert str(h1.math) == "<math><msup><mi>x</mi><mn>2</mn></msup></math>"


def test_a_title_with_literal_brackets_and_ampersands_is_escaped_not_eaten(client):
    paper = marked_paper("When x < y & a<b hold")
    html = client.get(paper.get_absolute_url()).content.decode()
    assert '<h1 id="paper-title">When x &lt; y &amp; a&lt;b hold</h1>' in html
    assert "<title>When x &lt; y &amp; a&lt;b hold · PaperHub</title>" in html


def test_a_title_without_stored_markup_falls_back_to_its_escaped_text(client):
    paper = PaperFactory(title="Stored <before> the markup column", title_html="")
    h1 = page(client, paper.get_absolute_url()).find("h1", id="paper-title")
    assert h1.find(True) is None and h1.get_text() == "Stored <before> the markup column"


def test_lists_and_reference_rows_show_the_markup(client):
    paper = marked_paper(MARKED_TITLES[1][0], doi="10.5555/marked.list")
    cited = markup.title("On &lt;i&gt;Drosophila&lt;/i&gt; wings")
    ReferenceFactory(paper=paper, position=1, title=cited.text, title_html=cited.html, authors="Doe J", year="2001")
    ReferenceFactory(paper=paper, position=2, raw="Smith &lt;i&gt;raw&lt;/i&gt;, 1999.", title="")
    home = page(client, "/")
    [row] = [a for a in home.select(".paper-row a") if a["href"] == paper.get_absolute_url()]
    assert row.sub is not None and row.get_text() == paper.title
    detail = page(client, paper.get_absolute_url())
    first, second = detail.select(".reference-text")
    assert str(first.i) == "<i>Drosophila</i>"
    assert first.get_text() == "Doe J. (2001). On Drosophila wings. Cited Journal"
    assert second.find(True) is None  # a printed citation stays text
    results = page(client, "/search?q=Escherichia")
    assert [a.get_text() for a in results.select("a") if a.get("href") == paper.get_absolute_url()] == [paper.title]
    assert results.find("a", href=paper.get_absolute_url()).sub is not None


def test_review_pages_show_the_paper_title_markup(client):
    paper = marked_paper(MARKED_TITLES[0][0])
    review = ReviewFactory(paper=paper)
    soup = page(client, review.get_absolute_url())
    link = soup.find("a", href=paper.get_absolute_url())
    assert str(link.i) == "<i>Shigella sonnei</i>"
    assert_plain(soup.title.string)


def test_suggestions_are_plain_text(client):
    paper = marked_paper(MARKED_TITLES[1][0])
    data = client.get("/search/suggest", {"q": "escherich"}).json()
    assert [s["title"] for s in data["suggestions"]] == [paper.title]
    assert_plain(data["suggestions"][0]["title"])


def test_affiliation_marks_have_an_accessible_name(client, full_paper):
    soup = page(client, full_paper.get_absolute_url())
    mark = soup.select_one("ol.authors sup.aff-marks a")
    # Read out as "Affiliation 1", described by the affiliation it points to, not as a bare "1".
    assert mark.get_text() == "1"
    assert mark["aria-label"] == "Affiliation 1"
    assert soup.select_one(f"#{mark['aria-describedby']}").get_text() == "Radiology Dept, Example University"


@pytest.mark.parametrize(
    ("language", "lang"), [("pt", "pt"), ("pt-BR", "pt-BR"), ("", None), ("English", None), ("und", None)]
)
def test_title_and_abstract_carry_the_papers_language(client, language, lang):
    # Our own data (no recorded Portuguese payload): the page is English, the paper's own words are not.
    paper = PaperFactory(
        doi="10.5555/lingua", title="Efeito da temperatura", abstract="Resumo em português.", language=language
    )
    soup = page(client, paper.get_absolute_url())
    assert soup.html["lang"] == "en"
    assert soup.h1.get("lang") == lang
    assert soup.select_one("#abstract p").find_parent(attrs={"lang": True}).get("lang") == (lang or "en")
    for path in ("/", "/search?q=temperatura"):
        row = page(client, path).find("a", href=paper.get_absolute_url(), string="Efeito da temperatura")
        assert row.get("lang") == lang, path


@pytest.mark.parametrize("path", ["/", "/search?q=heart", "/doi/10.2214/ajr.19.21878"])
def test_search_landmarks_have_distinct_names(client, full_paper, path):
    soup = page(client, path)
    names = []
    for landmark in soup.select("[role=search], search"):
        if labelledby := landmark.get("aria-labelledby"):
            names.append(soup.find(id=labelledby).get_text(strip=True))
        else:
            names.append(landmark.get("aria-label"))
    assert None not in names and "" not in names
    assert len(set(names)) == len(names) >= 1
