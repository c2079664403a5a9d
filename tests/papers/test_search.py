"""Full-text search: ranking, accents, phrases, prefixes, shortcuts, filters, hostile input.

Marked both_databases: `make test` runs these on PostgreSQL (tsvector) and again on SQLite (FTS5), with the same
expected results. Rank values and snippet shapes differ between ts_rank/ts_headline and bm25/snippet(), so the
tests assert orders and highlighted words, never scores.
"""

import pytest
from bs4 import BeautifulSoup

from papers.models import Paper
from tests.papers.factories import AuthorFactory, AuthorshipFactory, PaperFactory, PaperTopicFactory
from tests.reviews.factories import ReviewFactory

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]


def titles(client, params):
    response = client.get("/search", params)
    assert response.status_code == 200
    return [a.get_text() for a in BeautifulSoup(response.content, "html.parser").select(".search-results a")]


def test_title_match_outranks_abstract_match(client):
    PaperFactory(title="Notes on cell biology", abstract="We discuss microglia at length.")
    PaperFactory(title="Microglia activation in mice", abstract="Something else entirely.")
    assert titles(client, {"q": "microglia"}) == ["Microglia activation in mice", "Notes on cell biology"]


def test_recency_breaks_ties(client):
    import datetime as dt

    # Identical documents, so an identical rank on both databases (bm25 would favour the shorter one).
    PaperFactory(title="Dopamine study", published_date=dt.date(2001, 1, 1), abstract="")
    PaperFactory(title="Dopamine study", published_date=dt.date(2020, 1, 1), abstract="")
    results = client.get("/search", {"q": "dopamine"}).content.decode()
    assert results.index("2020") < results.index("2001")


def test_stemming_finds_other_word_forms(client):
    PaperFactory(title="Neurons in the basal ganglia")
    assert titles(client, {"q": "neuron"}) == ["Neurons in the basal ganglia"]


def test_unaccented_matching_finds_muller(client):
    paper = PaperFactory(title="A study of something")
    AuthorshipFactory(paper=paper, position=1, author=AuthorFactory(given_name="Jörg", family_name="Müller"))
    assert titles(client, {"q": "Muller"}) == ["A study of something"]
    assert titles(client, {"q": "Müller"}) == ["A study of something"]


def test_author_names_and_venues_are_searched(client):
    paper = PaperFactory(title="Untitled work", container_title="Journal of Obscure Results")
    AuthorshipFactory(paper=paper, position=1, author=AuthorFactory(given_name="Ada", family_name="Lovelace"))
    assert titles(client, {"q": "lovelace"}) == ["Untitled work"]
    assert titles(client, {"q": "obscure"}) == ["Untitled work"]


def test_author_changes_reach_the_index():
    from papers.search import papers_matching

    paper = PaperFactory(title="Renamed author paper")
    authorship = AuthorshipFactory(paper=paper, position=1, author=AuthorFactory(family_name="Oldname"))
    assert papers_matching(Paper.objects.all(), "oldname").count() == 1
    authorship.author.family_name = "Newname"
    authorship.author.save()
    assert papers_matching(Paper.objects.all(), "newname").count() == 1
    assert papers_matching(Paper.objects.all(), "oldname").count() == 0
    authorship.delete()
    assert papers_matching(Paper.objects.all(), "newname").count() == 0


def test_phrase_and_exclusion(client):
    PaperFactory(title="Basal ganglia of mice")
    PaperFactory(title="Mice and the ganglia basal view")
    assert titles(client, {"q": '"basal ganglia"'}) == ["Basal ganglia of mice"]
    assert titles(client, {"q": "ganglia -view"}) == ["Basal ganglia of mice"]


def test_snippet_highlights_matches_and_escapes_the_rest(client):
    PaperFactory(title="Harmless", abstract="When x < y & z > w the microglia <b onclick=alert(1)> react.")
    html = client.get("/search", {"q": "microglia"}).content.decode()
    soup = BeautifulSoup(html, "html.parser")
    snippet = soup.select_one(".snippet")
    assert snippet.find("mark").get_text() == "microglia"
    assert [tag.name for tag in snippet.find_all(True)] == ["mark"]
    assert "&lt;" in str(snippet) and "&amp;" in str(snippet)


def test_prefix_suggestions(client):
    PaperFactory(title="Methylphenidate exposure in mice")
    PaperFactory(title="Unrelated paper")
    data = client.get("/search/suggest", {"q": "methylphen"}).json()
    assert [s["title"] for s in data["suggestions"]] == ["Methylphenidate exposure in mice"]
    assert client.get("/search/suggest", {"q": "exposure mi"}).json()["suggestions"][0]["doi"]
    assert client.get("/search/suggest", {"q": "m"}).json()["suggestions"] == []


@pytest.mark.parametrize("typed", ["10.5555/SHORTCUT", "doi:10.5555/shortcut", "https://doi.org/10.5555/shortcut"])
def test_identifier_typed_goes_straight_to_the_paper(client, typed):
    PaperFactory(doi="10.5555/shortcut")
    response = client.get("/search", {"q": typed})
    assert (response.status_code, response["Location"]) == (302, "/doi/10.5555/shortcut")


def test_pmid_and_arxiv_shortcuts(client):
    PaperFactory(doi="10.5555/pubmed.one", pmid="31556700")
    assert client.get("/search", {"q": "31556700"})["Location"] == "/doi/10.5555/pubmed.one"
    PaperFactory(doi="10.48550/arxiv.2311.16162")
    assert client.get("/search", {"q": "arXiv:2311.16162"})["Location"] == "/doi/10.48550/arxiv.2311.16162"


def test_unknown_identifier_offers_to_add_it(client):
    soup = BeautifulSoup(client.get("/search", {"q": "10.5555/not.yet"}).content, "html.parser")
    assert "is not on PaperHub yet" in soup.select_one("#offer-heading").get_text()
    assert soup.select_one("form.add-form input[name=identifier]")["value"] == "10.5555/not.yet"


def test_filters_apply_to_results(client):
    import datetime as dt

    old = PaperFactory(title="Graph theory classic", published_date=dt.date(1990, 1, 1))
    new = PaperFactory(title="Graph theory today", published_date=dt.date(2022, 1, 1), work_type="posted-content")
    ReviewFactory(paper=new)
    PaperTopicFactory(paper=old, topic__openalex_id="T55555")
    assert titles(client, {"q": "graph", "year_min": 2000}) == ["Graph theory today"]
    assert titles(client, {"q": "graph", "type": "posted-content"}) == ["Graph theory today"]
    assert titles(client, {"q": "graph", "has_reviews": "true"}) == ["Graph theory today"]
    assert titles(client, {"q": "graph", "topic": "T55555"}) == ["Graph theory classic"]
    assert titles(client, {"q": "graph", "sort": "oldest"}) == ["Graph theory classic", "Graph theory today"]


def test_api_q_uses_full_text(client):
    PaperFactory(title="Microglia activation in mice")
    PaperFactory(title="Other")
    results = client.get("/api/v1/papers/", {"q": "activated"}).json()["results"]
    assert [p["title"] for p in results] == ["Microglia activation in mice"]


@pytest.mark.parametrize(
    "query",
    [
        '"unbalanced',
        "a & b | !c",
        "(((",
        "':*",
        "\x00nul\x00",
        "x" * 10_000,
        "OR OR OR",
        "-",
        "<script>",
        "\\",
        "' OR 1=1 --",
        "ünïcödé ✓ 漢字",
        "foo:*",
    ],
)
def test_hostile_queries_never_fail(client, query):
    PaperFactory(title="A paper")
    response = client.get("/search", {"q": query})
    assert response.status_code == 200
    assert client.get("/search/suggest", {"q": query}).status_code == 200
    api = client.get("/api/v1/papers/", {"q": query})
    assert api.status_code == 200 or (api.status_code == 400 and api.json()["error"]["fields"]["q"])


def test_overlong_query_says_it_was_shortened(client):
    html = client.get("/search", {"q": "word " * 3000}).content.decode()
    assert "only its first 300 characters were searched" in html


def test_very_common_words_rank_only_the_most_recent_matches(client, settings, monkeypatch):
    import datetime as dt

    from papers import search

    monkeypatch.setattr(search, "RANKED_CANDIDATES", 3)
    for year in range(2000, 2006):
        PaperFactory(title=f"Common word paper {year}", published_date=dt.date(year, 1, 1))
    ranked = list(search.papers_ranked(Paper.objects.all(), "common"))
    assert sorted(p.published_date.year for p in ranked) == [2003, 2004, 2005]
    html = client.get("/search", {"q": "common"}).content.decode()
    assert "More than 3 papers for “common”; the 3 most recent are ranked." in html
    soup = BeautifulSoup(html, "html.parser")
    assert len(soup.select(".search-results li")) == 3


def test_a_visitor_finds_demo_papers_every_way(client):
    from django.core.management import call_command

    call_command("load_demo", verbosity=0)
    elife = (
        "Automated quantitative histology reveals vascular morphodynamics during Arabidopsis hypocotyl secondary growth"
    )
    assert elife in titles(client, {"q": "proliferation"}), "a word only in the abstract"
    assert elife in titles(client, {"q": "radial pattern specialized tissues"}), "words of the abstract"
    assert elife in titles(client, {"q": "Sankar"}), "an author"
    topic_page = client.get("/topics/T11478").content.decode()
    assert "Vector Quotient Filters" in topic_page, "a topic"
    assert client.get("/search", {"q": "https://doi.org/10.7554/eLife.01567"})["Location"] == "/doi/10.7554/elife.01567"


def test_anonymous_results_are_kept_until_any_paper_changes(client, django_assert_num_queries):
    PaperFactory(title="Graphene sheets conduct heat")
    first = client.get("/search", {"q": "graphene"})
    with django_assert_num_queries(0):
        again = client.get("/search", {"q": "graphene"})
    assert again.content == first.content and again["ETag"] == first["ETag"]
    PaperFactory(title="Graphene ribbons")
    assert "Graphene ribbons" in client.get("/search", {"q": "graphene"}).content.decode()


def test_a_results_page_with_a_form_is_never_shared(client):
    # The add offer carries a CSRF token, which belongs to one visitor.
    offer = client.get("/search", {"q": "10.5555/not.here"})
    assert 'name="csrfmiddlewaretoken"' in offer.content.decode()
    client.cookies.clear()
    second = client.get("/search", {"q": "10.5555/not.here"})
    assert "ETag" not in second and second.cookies, "rendered afresh, with its own token"


def test_signed_in_visitors_search_through_the_view(client):
    from tests.reviews.factories import UserFactory

    PaperFactory(title="Graphene sheets conduct heat")
    client.get("/search", {"q": "graphene"})
    client.force_login(UserFactory())
    page = client.get("/search", {"q": "graphene"})
    assert "Sign out" in page.content.decode() and "ETag" not in page


def test_the_paper_pages_author_link_finds_the_authors_papers(client):
    paper = PaperFactory(title="Graph neural networks for molecules")
    AuthorshipFactory(paper=paper, position=1, author=AuthorFactory(given_name="Shuai", family_name="Li", orcid=None))
    # The same two names, but not as one author's full name in that order.
    other = PaperFactory(title="Protein folding at scale")
    AuthorshipFactory(paper=other, position=1, author=AuthorFactory(given_name="Li", family_name="Shuai"))
    AuthorshipFactory(paper=other, position=2, author=AuthorFactory(given_name="Shuai", family_name="Wang"))
    soup = BeautifulSoup(client.get(paper.get_absolute_url()).content, "html.parser")
    link = soup.select_one("ol.authors a.author-name")["href"]
    assert link == "/search?q=%22Shuai%20Li%22"
    found = BeautifulSoup(client.get(link).content, "html.parser")
    assert [a.get_text() for a in found.select(".search-results a")] == ["Graph neural networks for molecules"]
    assert sorted(titles(client, {"q": "Shuai"})) == ["Graph neural networks for molecules", "Protein folding at scale"]


def test_unaccented_spellings_find_accented_names(client):
    paper = PaperFactory(title="Coral reef surveys")
    AuthorshipFactory(paper=paper, position=1, author=AuthorFactory(given_name="María", family_name="Díaz"))
    PaperFactory(title="Unrelated paper")
    assert titles(client, {"q": "Diaz"}) == ["Coral reef surveys"]
    assert titles(client, {"q": '"maria diaz"'}) == ["Coral reef surveys"]
    assert titles(client, {"q": "Díaz"}) == ["Coral reef surveys"]
    assert [s["title"] for s in client.get("/search/suggest", {"q": "coral di"}).json()["suggestions"]] == [
        "Coral reef surveys"
    ]


def test_or_and_exclusions_combine_as_on_postgresql(client):
    PaperFactory(title="Microglia in mice", abstract="")
    PaperFactory(title="Astrocytes in rats", abstract="")
    PaperFactory(title="Oligodendrocytes in fish", abstract="")
    assert sorted(titles(client, {"q": "microglia OR astrocytes"})) == ["Astrocytes in rats", "Microglia in mice"]
    assert sorted(titles(client, {"q": "microglia or astrocytes -rats"})) == ["Microglia in mice"]
    assert sorted(titles(client, {"q": '"in mice" or fish'})) == ["Microglia in mice", "Oligodendrocytes in fish"]
    # AND binds tighter than OR: astrocytes, or (fish and not rats).
    api = client.get("/api/v1/papers/", {"q": "astrocytes OR fish -rats"}).json()["results"]
    assert sorted(p["title"] for p in api) == ["Astrocytes in rats", "Oligodendrocytes in fish"]


def test_a_query_of_only_exclusions_finds_the_papers_without_them(client):
    PaperFactory(title="Microglia in mice", abstract="")
    PaperFactory(title="Astrocytes in rats", abstract="")
    assert titles(client, {"q": "-rats"}) == ["Microglia in mice"]
    assert titles(client, {"q": '-"in rats" -fish'}) == ["Microglia in mice"]
    assert [p["title"] for p in client.get("/api/v1/papers/", {"q": "-mice"}).json()["results"]] == [
        "Astrocytes in rats"
    ]
    # Nothing to look for (a lone minus, only stop words): nothing found, as websearch_to_tsquery's empty query.
    assert titles(client, {"q": "-"}) == []
    assert titles(client, {"q": "the of"}) == []


@pytest.mark.parametrize(
    "query",
    [
        '"paper',
        "paper*",
        "^paper",
        "(paper)",
        "paper:",
        "paper:*",
        "{paper}",
        "paper AND",
        "NOT paper NOT",
        'paper "',
        "paper +",
        "paper -",
        '"paper""',
    ],
)
def test_fts_syntax_in_a_query_is_read_as_words(client, query):
    PaperFactory(title="A paper", abstract="")
    PaperFactory(title="Something else", abstract="")
    assert "A paper" in titles(client, {"q": query})
    assert client.get("/search/suggest", {"q": query}).status_code == 200
    assert client.get("/api/v1/papers/", {"q": query}).status_code == 200


@pytest.mark.parametrize("query", ['"', "*", "NEAR(", ":", "^", '"""', "-*", "- - -", "OR", "AND NOT", '"*"'])
def test_queries_with_no_words_find_nothing_without_error(client, query):
    PaperFactory(title="A paper")
    assert titles(client, {"q": query}) == []
    assert client.get("/search/suggest", {"q": query}).json()["suggestions"] == []
    assert client.get("/api/v1/papers/", {"q": query}).status_code == 200


def test_a_long_query_of_syntax_is_shortened_and_answered(client):
    PaperFactory(title="A paper")
    query = ('NEAR("x* ^y:" OR -(z ' * 40)[:299] + '"'
    response = client.get("/search", {"q": query})
    assert response.status_code == 200
    assert client.get("/search/suggest", {"q": query}).status_code == 200
    assert client.get("/api/v1/papers/", {"q": query}).status_code == 200


def test_paper_edits_and_deletions_reach_the_index():
    from papers.search import papers_matching

    paper = PaperFactory(title="Zebrafish fins", abstract="", container_title="Journal of Tests")
    assert papers_matching(Paper.objects.all(), "zebrafish").count() == 1
    paper.title = "Medaka fins"
    paper.save()
    assert papers_matching(Paper.objects.all(), "zebrafish").count() == 0
    assert papers_matching(Paper.objects.all(), "medaka").count() == 1
    AuthorshipFactory(paper=paper, position=1, author=AuthorFactory(given_name="Ana", family_name="Kovač"))
    old_id = paper.id
    paper.delete()
    # A new paper under the deleted one's id is found by its own words only: nothing of the old one is left.
    PaperFactory(id=old_id, title="Axolotl limbs", abstract="", container_title="")
    assert papers_matching(Paper.objects.all(), "medaka").count() == 0
    assert papers_matching(Paper.objects.all(), "kovac").count() == 0
    assert papers_matching(Paper.objects.all(), "axolotl").count() == 1


def test_renamed_and_removed_authors_reach_the_index():
    from papers.search import papers_ranked

    def found(text):  # straight from the index: listings in the page cache follow papers, not authors
        return [p.title for p in papers_ranked(Paper.objects.all(), text)]

    paper = PaperFactory(title="Kelp forests")
    author = AuthorFactory(given_name="Jörg", family_name="Oldname", orcid=None)
    AuthorshipFactory(paper=paper, position=1, author=author)
    AuthorshipFactory(paper=paper, position=2, author=AuthorFactory(given_name="Ines", family_name="Stay"))
    assert found('"Jorg Oldname"') == ["Kelp forests"]
    author.family_name, author.given_name = "Newname", "Hans"
    author.save()
    assert found('"Hans Newname"') == ["Kelp forests"]
    assert (found("Oldname"), found("Jorg")) == ([], [])
    author.delete()
    assert found("Newname") == []
    assert found('"Ines Stay"') == ["Kelp forests"]


def test_a_results_page_costs_the_same_queries_on_both_databases(client, django_assert_num_queries):
    for i in range(3):
        PaperFactory(title=f"Graphene sheet {i}")
    PaperFactory(title="Something else")
    # The candidates, the count, the ranked page with snippets.
    with django_assert_num_queries(3):
        html = client.get("/search", {"q": "graphene"}).content.decode()
    assert html.count("Graphene sheet") == 3
    with django_assert_num_queries(2):  # sorted by date, filtered: the count and the page
        html = client.get("/search", {"q": "graphene", "sort": "newest", "type": "journal-article"}).content.decode()
    assert html.count("Graphene sheet") == 3


# ---------------------------------------------------------------- full-text words (Paper.body_text)


def recorded_body() -> str:
    """The words of a real article body: the recorded Europe PMC JATS of PMC3258128 (about microRNAs)."""
    from pathlib import Path

    from lxml import etree

    path = (
        Path(__file__).parents[2] / "papers/fixtures/upstream/europepmc/fulltextxml-nar-research-article-PMC3258128.xml"
    )
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return " ".join(etree.parse(str(path), parser).getroot().find(".//body").itertext())


def with_word_sprinkled(text: str, word: str, every: int) -> str:
    words = text.split()
    return " ".join(w if i % every else f"{w} {word}" for i, w in enumerate(words))


def test_body_words_are_found_and_rank_below_title_and_abstract_matches(client):
    from papers.services import paper_set_body_text

    body = recorded_body()
    assert "zebrafish" not in body.lower()
    # Both full-text papers carry the same long body; one says "zebrafish" in its title, the other only in its
    # body, forty times. A third, without full text, says it once in its abstract.
    in_title = PaperFactory(title="Zebrafish fin regeneration", abstract="Short abstract.")
    in_body = PaperFactory(title="Notes on small RNAs", abstract="Short abstract.")
    PaperFactory(title="Fish models", abstract="We used the zebrafish once.")
    paper_set_body_text(paper_id=in_title.id, text=body)
    paper_set_body_text(paper_id=in_body.id, text=with_word_sprinkled(body, "zebrafish", 100))
    assert titles(client, {"q": "zebrafish"}) == ["Zebrafish fin regeneration", "Fish models", "Notes on small RNAs"]


def test_words_may_match_across_the_body_and_the_rest(client):
    from papers.services import paper_set_body_text

    paper = PaperFactory(title="Axolotl limbs", abstract="")
    paper_set_body_text(paper_id=paper.id, text="We counted blastema cells under the microscope.")
    assert titles(client, {"q": "axolotl blastema"}) == ["Axolotl limbs"]
    assert titles(client, {"q": "axolotl -blastema"}) == []


def test_body_changes_reach_the_index():
    from papers.search import papers_matching
    from papers.services import paper_set_body_text

    paper = PaperFactory(title="Kelp forests", abstract="")
    paper_set_body_text(paper_id=paper.id, text="Sea urchins graze the kelp.")
    assert papers_matching(Paper.objects.all(), "urchins").count() == 1
    paper_set_body_text(paper_id=paper.id, text="Otters eat the urchins... and the crabs.")
    assert papers_matching(Paper.objects.all(), "crabs").count() == 1
    paper_set_body_text(paper_id=paper.id, text="")
    assert papers_matching(Paper.objects.all(), "urchins").count() == 0
    assert papers_matching(Paper.objects.all(), "kelp").count() == 1


def test_saving_a_paper_keeps_its_body_in_the_index():
    from papers.search import papers_matching
    from papers.services import paper_set_body_text, papers_touch

    paper = PaperFactory(title="Kelp forests", abstract="")
    paper_set_body_text(paper_id=paper.id, text="Sea urchins graze the kelp.")
    loaded = Paper.objects.get(id=paper.id)  # body_text deferred: save() must not write it back empty
    loaded.title = "Kelp forests of Tasmania"
    loaded.save()
    papers_touch(paper_ids=[paper.id])
    assert papers_matching(Paper.objects.all(), "urchins tasmania").count() == 1
