import re

import bibtexparser
import pytest
import rispy
from django.core.cache import cache

from paperhub.moderation import ModerationStatus
from papers import markup
from papers.models import Paper
from tests.callbacks import queued_work
from tests.media_links.factories import VideoFactory
from tests.papers.factories import (
    AuthorFactory,
    AuthorshipFactory,
    PaperFactory,
    PaperTopicFactory,
    ReferenceFactory,
    TopicFactory,
)
from tests.reviews.factories import ReviewFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def paper():
    paper = PaperFactory(
        doi="10.2214/ajr.19.21878",
        title="Imaging the Heart & Lungs",
        pmid="31556700",
        container_title="American Journal of Roentgenology",
        volume="214",
        issue="2",
        pages="101-117",
        published_precision="month",
    )
    AuthorshipFactory(
        paper=paper,
        position=1,
        author=AuthorFactory(given_name="Marie", family_name="Curie", orcid="0000-0002-1825-0097"),
    )
    AuthorshipFactory(paper=paper, position=2, author=AuthorFactory(given_name="Pierre", family_name="Curie"))
    cited = PaperFactory(doi="10.5555/cited")
    ReferenceFactory(paper=paper, position=1, doi="10.5555/cited", cited_paper=cited)
    ReferenceFactory(paper=paper, position=2, doi="", raw="A book, 1999.")
    PaperTopicFactory(paper=paper, is_primary=True, topic__openalex_id="T11478", topic__name="Caching")
    return paper


def test_detail_has_the_full_record(client, paper):
    data = client.get("/api/v1/papers/10.2214/AJR.19.21878/").json()  # any casing
    assert data["identifiers"] == {"doi": "10.2214/ajr.19.21878", "pmid": "31556700", "pmcid": "", "arxiv_id": ""}
    assert [a["name"] for a in data["authors"]] == ["Marie Curie", "Pierre Curie"]
    assert data["authors"][0]["orcid"] == "0000-0002-1825-0097"
    assert data["published"] == {"date": "2021-06", "precision": "month"}
    assert data["venue"]["container_title"] == "American Journal of Roentgenology"
    assert data["topics"][0]["id"] == "T11478" and data["topics"][0]["domain"]["name"] == "Physical Sciences"
    assert data["counts"] == {
        "references": 2,
        "cited_by": 0,
        "cited_by_openalex": None,  # not read from OpenAlex
        "cited_by_openalex_at": None,
        "reviews": 0,
        "videos": 0,
    }
    assert data["fetch"]["state"] == "ready"
    assert data["links"]["html"] == "http://testserver/doi/10.2214/ajr.19.21878"
    assert data["links"]["references"] == "http://testserver/api/v1/papers/10.2214/ajr.19.21878/references/"


def test_unknown_and_malformed_dois_are_404_in_the_error_format(client):
    body = client.get("/api/v1/papers/10.5555/nothere/").json()
    assert body == {
        "error": {"status": 404, "code": "not_found", "message": "No paper with DOI 10.5555/nothere is on PaperHub."}
    }
    body = client.get("/api/v1/papers/banana/").json()
    assert body["error"]["status"] == 404 and "is not a DOI" in body["error"]["message"]


def test_references_in_order_with_linked_paper(client, paper):
    refs = client.get("/api/v1/papers/10.2214/ajr.19.21878/references/").json()
    assert [r["position"] for r in refs] == [1, 2]
    assert refs[0]["linked_paper"] == "http://testserver/api/v1/papers/10.5555/cited/"
    assert refs[1]["linked_paper"] is None and refs[1]["raw"] == "A book, 1999."


def test_citations_list_papers_here_that_cite_it(client, paper):
    data = client.get("/api/v1/papers/10.5555/cited/citations/").json()
    assert [p["doi"] for p in data["results"]] == ["10.2214/ajr.19.21878"]


@pytest.mark.parametrize(
    ("accept", "content_type"),
    [
        ("application/x-bibtex", "application/x-bibtex"),
        ("application/x-research-info-systems", "application/x-research-info-systems"),
        ("application/vnd.citationstyles.csl+json", "application/vnd.citationstyles.csl+json"),
    ],
)
def test_citation_export_by_content_negotiation(client, paper, accept, content_type):
    response = client.get("/api/v1/papers/10.2214/ajr.19.21878/", HTTP_ACCEPT=accept)
    assert response.status_code == 200
    assert response["Content-Type"].split(";")[0] == content_type


def test_bibtex_parses_with_the_right_fields(client, paper):
    text = client.get("/api/v1/papers/10.2214/ajr.19.21878/?format=bibtex").content.decode()
    library = bibtexparser.parse_string(text)
    assert library.failed_blocks == []
    [entry] = library.entries
    assert entry.entry_type == "article"
    assert entry["author"] == "Curie, Marie and Curie, Pierre"
    assert entry["doi"] == "10.2214/ajr.19.21878"
    assert entry["journal"] == "American Journal of Roentgenology"
    assert (entry["year"], entry["volume"], entry["number"], entry["pages"]) == ("2021", "214", "2", "101--117")
    assert "Imaging the Heart \\& Lungs" in entry["title"]


def test_ris_has_the_required_tags(client, paper):
    text = client.get(
        "/api/v1/papers/10.2214/ajr.19.21878/", HTTP_ACCEPT="application/x-research-info-systems"
    ).content.decode()
    for tag in (
        "TY  - JOUR",
        "AU  - Curie, Marie",
        "AU  - Curie, Pierre",
        "TI  - Imaging the Heart & Lungs",
        "DO  - 10.2214/ajr.19.21878",
        "ER  -",
    ):
        assert tag in text
    [record] = rispy.loads(text)
    assert record["authors"] == ["Curie, Marie", "Curie, Pierre"]


def test_csl_json(client, paper):
    data = client.get(
        "/api/v1/papers/10.2214/ajr.19.21878/", HTTP_ACCEPT="application/vnd.citationstyles.csl+json"
    ).json()
    assert data["type"] == "article-journal" and data["title"] == "Imaging the Heart & Lungs"
    assert data["author"] == [{"family": "Curie", "given": "Marie"}, {"family": "Curie", "given": "Pierre"}]
    assert data["issued"] == {"date-parts": [[2021, 6]]} and data["DOI"] == "10.2214/ajr.19.21878"


def test_export_of_an_unknown_paper_is_a_json_error(client):
    response = client.get("/api/v1/papers/10.5555/none/", HTTP_ACCEPT="application/x-bibtex")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_paper_page_offers_downloads_and_a_cite_box(client, paper):
    html = client.get(paper.get_absolute_url()).content.decode()
    assert 'href="/api/v1/papers/10.2214/ajr.19.21878/?format=bibtex"' in html
    expected = (
        "Curie, M., &amp; Curie, P. (2021). Imaging the Heart &amp; Lungs. American Journal of Roentgenology, "
        "214(2), 101-117. https://doi.org/10.2214/ajr.19.21878"
    )
    assert expected in html


def test_etag_and_last_modified_give_304(client, paper):
    first = client.get("/api/v1/papers/10.2214/ajr.19.21878/")
    etag, modified = first["ETag"], first["Last-Modified"]
    assert client.get("/api/v1/papers/10.2214/ajr.19.21878/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get("/api/v1/papers/10.2214/ajr.19.21878/", HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    ReviewFactory(paper=paper)  # a new approved review changes what the client would see
    changed = client.get("/api/v1/papers/10.2214/ajr.19.21878/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    video = VideoFactory(paper=paper)  # and so does a video, and its removal
    with_video = client.get("/api/v1/papers/10.2214/ajr.19.21878/", HTTP_IF_NONE_MATCH=changed["ETag"])
    assert with_video.status_code == 200 and with_video.json()["counts"]["videos"] == 1
    video.delete()
    assert client.get("/api/v1/papers/10.2214/ajr.19.21878/", HTTP_IF_NONE_MATCH=with_video["ETag"]).status_code == 200
    bibtex = client.get("/api/v1/papers/10.2214/ajr.19.21878/?format=bibtex")
    assert bibtex["ETag"] != changed["ETag"], "each representation has its own ETag"


def test_list_is_cursor_paginated_and_filtered(client, paper):
    for i in range(5):
        PaperFactory(title=f"Filler {i}", work_type="posted-content")
    page = client.get("/api/v1/papers/", {"page_size": 3}).json()
    assert len(page["results"]) == 3 and page["next"]
    rest = client.get(page["next"]).json()
    seen = [p["doi"] for p in page["results"] + rest["results"]]
    assert len(seen) == len(set(seen))
    assert client.get("/api/v1/papers/", {"page_size": 1000}).json()["results"].__len__() <= 100
    assert [p["doi"] for p in client.get("/api/v1/papers/", {"topic": "T11478"}).json()["results"]] == [paper.doi]
    assert [p["doi"] for p in client.get("/api/v1/papers/", {"domain": "3"}).json()["results"]] == [paper.doi]
    assert len(client.get("/api/v1/papers/", {"type": "posted-content"}).json()["results"]) == 5
    assert [p["doi"] for p in client.get("/api/v1/papers/", {"container": "roentgen"}).json()["results"]] == [paper.doi]
    assert client.get("/api/v1/papers/", {"year_min": 2022}).json()["results"] == []
    ReviewFactory(paper=paper)
    VideoFactory(paper=paper, status=ModerationStatus.PENDING)
    with_reviews = client.get("/api/v1/papers/", {"has_reviews": "true"}).json()["results"]
    assert [(p["doi"], p["review_count"]) for p in with_reviews] == [(paper.doi, 1)]
    assert client.get("/api/v1/papers/", {"has_videos": "true"}).json()["results"] == []
    assert len(client.get("/api/v1/papers/", {"state": "ready"}).json()["results"]) == 7
    assert client.get("/api/v1/papers/", {"state": "lost"}).status_code == 400
    titles = [
        p["title"] for p in client.get("/api/v1/papers/", {"ordering": "title", "page_size": 100}).json()["results"]
    ]
    assert titles == sorted(titles)
    assert [p["doi"] for p in client.get("/api/v1/papers/", {"q": "heart"}).json()["results"]] == [paper.doi]


@pytest.mark.parametrize("page_size", [10, 50])
def test_list_query_count_is_constant_in_page_size(client, django_assert_num_queries, page_size):
    for _ in range(page_size):
        paper = PaperFactory()
        ReviewFactory(paper=paper)
        VideoFactory(paper=paper)
        PaperTopicFactory(paper=paper)
    with django_assert_num_queries(1):
        response = client.get("/api/v1/papers/", {"page_size": page_size})
    assert len(response.json()["results"]) == page_size


def test_a_listing_is_kept_until_any_paper_changes(client, django_assert_num_queries):
    first = PaperFactory(title="First listed")
    assert [p["title"] for p in client.get("/api/v1/papers/").json()["results"]] == ["First listed"]
    with django_assert_num_queries(0):
        assert client.get("/api/v1/papers/").json()["results"][0]["title"] == "First listed"
    PaperFactory(title="Second listed")
    assert len(client.get("/api/v1/papers/").json()["results"]) == 2
    ReviewFactory(paper=first)  # approved: touches its paper
    listed = {p["title"]: p for p in client.get("/api/v1/papers/").json()["results"]}
    assert listed["First listed"]["review_count"] == 1
    first.delete()
    assert [p["title"] for p in client.get("/api/v1/papers/").json()["results"]] == ["Second listed"]


def test_detail_query_count_is_fixed(client, django_assert_num_queries, paper):
    # The paper's version (id, updated_at), then the paper with its review and video counts as subqueries,
    # authorships (authors and editors in one), references, topics, updates, enrichment states and funders (the
    # eighth, since funders were added), its other versions in both directions (the ninth, since versions were
    # added), and review_imports' published OpenReview forums (the tenth: none here, so no query for their notes);
    # ETag and Last-Modified come from the version.
    with django_assert_num_queries(10):
        first = client.get("/api/v1/papers/10.2214/ajr.19.21878/")
    assert first.status_code == 200
    # The record and the version are cached: later clients, and 304s, cost no query.
    with django_assert_num_queries(0):
        again = client.get("/api/v1/papers/10.2214/ajr.19.21878/")
    assert again.json() == first.json()
    with django_assert_num_queries(0):
        assert client.get("/api/v1/papers/10.2214/ajr.19.21878/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_cached_record_follows_changes_to_the_paper_its_reviews_and_videos(client, paper):
    path = "/api/v1/papers/10.2214/ajr.19.21878/"
    before = client.get(path).json()
    ReviewFactory(paper=paper)
    VideoFactory(paper=paper)
    paper.refresh_from_db()
    paper.title = "A new title"
    paper.save()
    after = client.get(path).json()
    assert after["title"] == "A new title"
    assert after["counts"]["reviews"] == before["counts"]["reviews"] + 1
    assert after["counts"]["videos"] == before["counts"]["videos"] + 1


def test_post_queues_a_new_paper_202_and_finds_an_existing_one_200(client, django_capture_on_commit_callbacks):
    client.force_login(UserFactory())
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            "/api/v1/papers/", {"doi": "https://doi.org/10.5555/NEW"}, content_type="application/json"
        )
    assert response.status_code == 202 and len(queued_work(callbacks)) == 1
    assert response["Location"] == "http://testserver/api/v1/papers/10.5555/new/"
    assert response.json()["state"] == "pending" and response.json()["created"] is True
    again = client.post("/api/v1/papers/", {"doi": "doi:10.5555/new"}, content_type="application/json")
    assert again.status_code == 200 and again.json()["created"] is False
    assert Paper.objects.filter(doi="10.5555/new").count() == 1


def test_post_with_a_pmid_starts_a_lookup(client, django_capture_on_commit_callbacks):
    client.force_login(UserFactory())
    with django_capture_on_commit_callbacks():
        response = client.post("/api/v1/papers/", {"doi": "PMID:26354291"}, content_type="application/json")
    assert response.status_code == 202 and "/lookups/" in response.json()["url"]


@pytest.mark.parametrize(
    "value", ["", "banana", "10.12/x", "x" * 3000, "PMID: 0", "PMC0", "arXiv:9999.99999", "10.5555/x\u200b"]
)
def test_post_invalid_identifier_is_400_with_field_errors(client, value):
    client.force_login(UserFactory())
    body = client.post("/api/v1/papers/", {"doi": value}, content_type="application/json").json()
    assert body["error"]["status"] == 400 and body["error"]["code"] == "invalid"
    assert body["error"]["fields"]["doi"]
    assert Paper.objects.count() == 0


def test_post_drops_pasted_noise_and_finds_the_paper(client):
    PaperFactory(doi="10.5555/here")
    client.force_login(UserFactory())
    pasted = "https://doi.org/10.5555/here/?utm_source=x#abstract"
    response = client.post("/api/v1/papers/", {"doi": pasted}, content_type="application/json")
    assert response.status_code == 200 and Paper.objects.count() == 1


def test_post_needs_authentication(client):
    body = client.post("/api/v1/papers/", {"doi": "10.5555/x"}, content_type="application/json")
    assert body.status_code in (401, 403) and body.json()["error"]["code"] in (
        "not_authenticated",
        "authentication_failed",
    )


def test_topics_with_hierarchy_and_counts(client, paper):
    TopicFactory(openalex_id="T00001", name="Unused topic")
    data = client.get("/api/v1/topics/").json()["results"]
    caching = next(t for t in data if t["id"] == "T11478")
    assert caching["paper_count"] == 1 and caching["field"]["name"] == "Computer Science"
    assert next(t for t in data if t["id"] == "T00001")["paper_count"] == 0
    assert client.get("/api/v1/topics/T11478/").json()["name"] == "Caching"
    assert client.get("/api/v1/topics/T99999/").json()["error"]["status"] == 404


def test_anonymous_throttle_answers_429_with_retry_after(client, settings):
    settings.API_THROTTLE_ANON = "3/day"  # a day-long window: the four requests cannot straddle two windows
    cache.clear()
    codes = [client.get("/api/v1/topics/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    response = client.get("/api/v1/topics/")
    assert int(response["Retry-After"]) > 0 and response.json()["error"]["code"] == "throttled"


def test_signed_in_clients_have_their_own_rate(client, settings):
    settings.API_THROTTLE_ANON, settings.API_THROTTLE_USER = "2/day", "4/day"
    cache.clear()
    assert [client.get("/api/v1/topics/").status_code for _ in range(3)] == [200, 200, 429]
    client.force_login(UserFactory())
    assert [client.get("/api/v1/topics/").status_code for _ in range(5)] == [200, 200, 200, 200, 429]


def test_cors_is_open_for_reading_only(client, paper):
    response = client.get("/api/v1/papers/10.2214/ajr.19.21878/", HTTP_ORIGIN="https://elsewhere.example")
    assert response["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(
        "/api/v1/papers/", HTTP_ORIGIN="https://elsewhere.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST"
    )
    assert "POST" not in preflight.get("Access-Control-Allow-Methods", "")
    assert "GET" in preflight["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Origin" not in client.get(paper.get_absolute_url(), HTTP_ORIGIN="https://x.example")


@pytest.mark.parametrize("suffix", ["references/", "citations/", "reviews/", "videos/"])
def test_sub_resources_of_unknown_or_malformed_dois_say_why(client, suffix):
    unknown = client.get(f"/api/v1/papers/10.5555/nothere/{suffix}").json()
    assert unknown["error"] == {
        "status": 404,
        "code": "not_found",
        "message": "No paper with DOI 10.5555/nothere is on PaperHub.",
    }
    malformed = client.get(f"/api/v1/papers/11.1234/x/{suffix}").json()
    assert malformed["error"]["status"] == 404 and "starts with “10.”" in malformed["error"]["message"]


def test_list_items_built_directly_match_what_the_declared_fields_give(rf):
    from rest_framework import serializers as drf_serializers

    from papers.api.serializers import PaperListSerializer
    from papers.selectors import papers_for_listing

    paper = PaperFactory(doi="10.1000/a(b)<c>#d?e%f ü", published_precision="month")
    ReviewFactory(paper=paper)
    listed = papers_for_listing().get(id=paper.id)
    serializer = PaperListSerializer(context={"request": rf.get("/api/v1/papers/")})
    direct = serializer.to_representation(listed)
    assert direct == drf_serializers.Serializer.to_representation(serializer, listed)
    assert direct["review_count"] == 1 and direct["published"]["precision"] == "month"


# ---------------------------------------------------------------- titles with markup (papers.markup)

LEFTOVER = re.compile(r"[<>]|&(#\d+|#x[0-9a-f]+|[a-z]+);", re.IGNORECASE)
# Constructed: no recorded Crossref title carries markup. Escaped once, escaped twice, and hostile parts.
MARKED = (
    "Uptake by &lt;i&gt;Escherichia coli&lt;/i&gt; of CO&amp;lt;sub&amp;gt;2&amp;lt;/sub&amp;gt; &amp;amp; "
    '<script>alert(1)</script><b onclick="alert(2)">more</b>'
)
MARKED_TEXT = "Uptake by Escherichia coli of CO2 & more"
MARKED_HTML = "Uptake by <i>Escherichia coli</i> of CO<sub>2</sub> &amp; <b>more</b>"


@pytest.fixture
def marked():
    title = markup.title(MARKED)
    paper = PaperFactory(doi="10.5555/marked", title=title.text, title_html=title.html, work_type="journal-article")
    AuthorshipFactory(paper=paper, position=1, author=AuthorFactory(given_name="Ada", family_name="Lovelace"))
    cited = markup.title("Parkinson&apos;s disease in &lt;i&gt;Mus&lt;/i&gt;")
    ReferenceFactory(paper=paper, position=1, title=cited.text, title_html=cited.html)
    cited_here = PaperFactory(doi="10.5555/cited.here")
    ReferenceFactory(paper=paper, position=2, doi="10.5555/cited.here", cited_paper=cited_here)
    return paper


def test_api_title_is_plain_and_title_html_beside_it(client, marked):
    assert (marked.title, marked.title_html) == (MARKED_TEXT, MARKED_HTML)
    data = client.get("/api/v1/papers/10.5555/marked/").json()
    assert (data["title"], data["title_html"]) == (MARKED_TEXT, MARKED_HTML)
    listed = {p["doi"]: p for p in client.get("/api/v1/papers/").json()["results"]}
    assert (listed["10.5555/marked"]["title"], listed["10.5555/marked"]["title_html"]) == (MARKED_TEXT, MARKED_HTML)
    # A paper stored without markup gets its escaped plain title as title_html.
    plain = PaperFactory(doi="10.5555/plain", title="x < y & z", title_html="")
    assert client.get("/api/v1/papers/10.5555/plain/").json()["title_html"] == "x &lt; y &amp; z"
    assert plain.title == "x < y & z"


def test_api_references_and_citations_carry_both_titles(client, marked):
    reference = client.get("/api/v1/papers/10.5555/marked/references/").json()[0]
    assert reference["title"] == "Parkinson's disease in Mus"
    assert reference["title_html"] == "Parkinson's disease in <i>Mus</i>"
    [citing] = client.get("/api/v1/papers/10.5555/cited.here/citations/").json()["results"]
    assert (citing["title"], citing["title_html"]) == (MARKED_TEXT, MARKED_HTML)


def test_api_urls_and_citation_exports_percent_encode_the_doi(client):
    paper = PaperFactory(doi="10.1000/456#789", title="Hash paper")
    cited = PaperFactory(doi="10.1000/ref?50%")
    ReferenceFactory(paper=paper, position=1, doi=cited.doi, cited_paper=cited)
    base = "/api/v1/papers/10.1000/456%23789/"
    links = client.get(base).json()["links"]
    assert links["html"] == "http://testserver/doi/10.1000/456%23789"
    assert links["bibtex"] == "http://testserver" + base + "?format=bibtex"
    for name in ("references", "citations", "reviews", "videos"):
        assert links[name] == f"http://testserver{base}{name}/" and client.get(links[name]).status_code == 200
    [reference] = client.get(base + "references/").json()
    assert reference["linked_paper"] == "http://testserver/api/v1/papers/10.1000/ref%3F50%25/"
    assert client.get(reference["linked_paper"]).json()["identifiers"]["doi"] == "10.1000/ref?50%"
    [listed] = [p for p in client.get("/api/v1/papers/").json()["results"] if p["doi"] == paper.doi]
    assert (listed["url"], listed["html_url"]) == ("http://testserver" + base, links["html"])
    encoded = "https://doi.org/10.1000/456%23789"
    [entry] = bibtexparser.parse_string(client.get(base + "?format=bibtex").content.decode()).entries
    assert (entry["doi"], entry["url"]) == ("10.1000/456#789", encoded)
    [ris] = rispy.loads(client.get(base + "?format=ris").content.decode())
    assert (ris["doi"], ris["urls"]) == ("10.1000/456#789", [encoded])
    csl = client.get(base + "?format=csl").json()
    assert (csl["DOI"], csl["URL"]) == ("10.1000/456#789", encoded)


def test_citation_exports_have_plain_titles(client, marked):
    base = "/api/v1/papers/10.5555/marked/"
    [entry] = bibtexparser.parse_string(client.get(base + "?format=bibtex").content.decode()).entries
    assert entry["title"] == "{Uptake by Escherichia coli of CO2 \\& more}"
    [record] = rispy.loads(client.get(base + "?format=ris").content.decode())
    assert record["title"] == MARKED_TEXT
    csl = client.get(base + "?format=csl").json()
    assert csl["title"] == MARKED_TEXT
    for text in (entry["title"].replace("\\&", ""), record["title"].replace("&", ""), csl["title"].replace("&", "")):
        assert not LEFTOVER.search(text), text


def test_list_items_with_markup_built_directly_match_the_declared_fields(rf, marked):
    from rest_framework import serializers as drf_serializers

    from papers.api.serializers import PaperListSerializer
    from papers.selectors import papers_for_listing

    listed = papers_for_listing().get(id=marked.id)
    serializer = PaperListSerializer(context={"request": rf.get("/api/v1/papers/")})
    direct = serializer.to_representation(listed)
    assert direct == drf_serializers.Serializer.to_representation(serializer, listed)
    assert direct["title_html"] == MARKED_HTML
