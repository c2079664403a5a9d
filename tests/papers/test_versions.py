"""A paper's other versions: Crossref `relation` and DataCite `relatedIdentifiers`, stored, read both ways, shown.

The recorded Research Square preprint (papers/fixtures/upstream/crossref/, see PROVENANCE.md) names
10.1186/s13063-019-3980-5 as its published version. No Crossref or DataCite record of that article is among the
recorded samples, so wherever the published side is on PaperHub, a test's factory made it: its title, journal and
date are the factory's, not the article's.
"""

import copy
import datetime as dt
import json

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command

from papers import normalize, services
from papers.demo import FIXTURES
from papers.models import Paper, PaperRelation
from papers.normalize import RelationRecord, WorkRecord
from tests.paperhub.test_api_schema import keep_connection  # noqa: F401 (a fixture)
from tests.papers.factories import PaperFactory

RS_FILE = "posted-content-research-square-relation-is-preprint-of-27-authors-10.21203_rs.1.1_v2.json"
ELIFE_FILE = "journal-article-jats-abstract-funder-license-affiliation-relation-10.7554_elife.01567.json"
ARXIV_FILE = "dois-arxiv-preprint-include-media-client-10.48550_arxiv.2311.16162.json"
PREPRINT = "10.21203/rs.1.1/v2"
PUBLISHED = "10.1186/s13063-019-3980-5"
PREPRINT_TITLE = "Trial Forge Guidance 2: How to decide if a further Study Within A Trial (SWAT) is needed"


def recorded(folder, name):
    return json.loads((FIXTURES / folder / name).read_text())


def preprint_record() -> WorkRecord:
    return normalize.crossref_work(recorded("crossref", RS_FILE))


def published_paper(**fields) -> Paper:
    """The published side, as a test's factory makes it (no recording of it exists)."""
    values = {"title": "The published version, as the test factory names it", "container_title": "Journal of Tests"}
    return PaperFactory(doi=PUBLISHED, published_date=dt.date(2020, 1, 7), **(values | fields))


def soup_of(client, doi):
    response = client.get(f"/doi/{doi}")
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def banner(soup):
    return soup.select_one(".notice-version")


def versions_line(soup):
    return soup.select_one(".versions")


# ---------------------------------------------------------------- parsing (pure)


def test_research_square_preprint_names_its_published_version():
    assert preprint_record().relations == [RelationRecord(kind="preprint_of", doi=PUBLISHED)]


def test_elife_relations_are_its_dataset_and_its_reviews_not_versions():
    # eLife 10.7554/eLife.01567 is-supplemented-by its Dryad dataset and has-review its decision letter and author
    # response (.016, .017): neither is another version of the article.
    raw = recorded("crossref", ELIFE_FILE)["message"]
    assert set(raw["relation"]) == {"is-supplemented-by", "has-review"}
    assert normalize.crossref_work(raw).relations == []


@pytest.mark.parametrize("name", sorted(p.name for p in (FIXTURES / "crossref").glob("*.json")))
def test_every_recorded_crossref_work_says_which_versions_it_names(name):
    raw = recorded("crossref", name)["message"]
    relations = normalize.crossref_work(raw).relations
    assert relations is not None  # Crossref speaks for its relations: an empty list clears stored ones
    expected = [("preprint_of", PUBLISHED)] if name == RS_FILE else []
    assert [(r.kind, r.doi) for r in relations] == expected


@pytest.mark.parametrize("name", sorted(p.name for p in (FIXTURES / "datacite").glob("*.json")))
def test_recorded_datacite_records_name_no_versions(name):
    # The Dryad dataset's one relatedIdentifier is IsCitedBy, the arXiv record's list is empty.
    attributes = recorded("datacite", name)["data"]["attributes"]
    assert all(r["relationType"] not in ("IsVersionOf", "HasVersion") for r in attributes["relatedIdentifiers"])
    assert normalize.datacite_work({"data": {"attributes": attributes}}).relations == []


def test_sources_that_say_nothing_of_versions_leave_them_unknown():
    openalex = recorded("openalex", "work-preprint-biorxiv-topics-W4407166645.json")
    assert normalize.openalex_work(openalex).relations is None
    jats = (FIXTURES / "europepmc" / "fulltextxml-nar-research-article-PMC3258128.xml").read_text()
    assert normalize.jats_article(jats).relations is None


def test_crossref_relations_keep_doi_versions_and_drop_what_cannot_be_one():
    # CONSTRUCTED: the recorded Research Square message with its `relation` replaced by the test's, to reach the
    # shapes no recording has (other kinds, URL-form and malformed DOIs, other id types, the work's own DOI).
    raw = copy.deepcopy(recorded("crossref", RS_FILE)["message"])
    raw["relation"] = {
        "is-preprint-of": [
            {"id-type": "doi", "id": "https://doi.org/10.1186/S13063-019-3980-5", "asserted-by": "subject"},
            {"id-type": "doi", "id": "10.1186/s13063-019-3980-5", "asserted-by": "object"},  # the same, again
            {"id-type": "doi", "id": "10.1234", "asserted-by": "subject"},  # no suffix: not a DOI
            {"id-type": "doi", "id": None},
            {"id-type": "uri", "id": "https://example.org/article"},
            "10.5555/not-an-object",
        ],
        "has-preprint": [{"id-type": "DOI", "id": "10.5555/earlier"}],
        "is-version-of": [{"id-type": "doi", "id": PREPRINT}],  # itself
        "has-version": {"id-type": "doi", "id": "10.5555/not-a-list"},
        "is-review-of": [{"id-type": "doi", "id": "10.5555/reviewed"}],
    }
    assert normalize.crossref_work(raw).relations == [
        RelationRecord("preprint_of", PUBLISHED),
        RelationRecord("has_preprint", "10.5555/earlier"),
    ]
    raw["relation"] = ["not", "an", "object"]
    assert normalize.crossref_work(raw).relations == []


def test_datacite_version_relations_and_a_preprints_journal_article():
    # CONSTRUCTED: the recorded arXiv record (a Preprint) with relatedIdentifiers the test adds. DataCite has no
    # IsPreprintOf/HasPreprint (schema 4.7's relationType list): a preprint is IsVersionOf its journal article.
    raw = recorded("datacite", ARXIV_FILE)
    raw["data"]["attributes"]["relatedIdentifiers"] = [
        {
            "relationType": "IsVersionOf",
            "relatedIdentifier": "10.5555/Journal.Article",
            "relatedIdentifierType": "DOI",
            "resourceTypeGeneral": "JournalArticle",
        },
        {"relationType": "IsVersionOf", "relatedIdentifier": "10.5555/concept", "relatedIdentifierType": "DOI"},
        {"relationType": "HasVersion", "relatedIdentifier": "10.5555/v2", "relatedIdentifierType": "DOI"},
        {"relationType": "IsVersionOf", "relatedIdentifier": "not a doi", "relatedIdentifierType": "DOI"},
        {"relationType": "IsVersionOf", "relatedIdentifier": "https://arxiv.org/abs/1", "relatedIdentifierType": "URL"},
        {"relationType": "IsCitedBy", "relatedIdentifier": "10.5555/citing", "relatedIdentifierType": "DOI"},
        {"relationType": "IsPreprintOf", "relatedIdentifier": "10.5555/no-such-type", "relatedIdentifierType": "DOI"},
        "garbage",
    ]
    assert normalize.datacite_work(raw).relations == [
        RelationRecord("preprint_of", "10.5555/journal.article"),
        RelationRecord("version_of", "10.5555/concept"),
        RelationRecord("has_version", "10.5555/v2"),
    ]
    # A journal article's HasVersion of a Preprint is its preprint.
    raw["data"]["attributes"]["types"]["resourceTypeGeneral"] = "JournalArticle"
    raw["data"]["attributes"]["relatedIdentifiers"] = [
        {
            "relationType": "HasVersion",
            "relatedIdentifier": "10.5555/the-preprint",
            "relatedIdentifierType": "DOI",
            "resourceTypeGeneral": "Preprint",
        }
    ]
    assert normalize.datacite_work(raw).relations == [RelationRecord("has_preprint", "10.5555/the-preprint")]


# ---------------------------------------------------------------- storing


def relation_rows():
    return sorted(PaperRelation.objects.values_list("id", "paper__doi", "kind", "other_doi", "other_paper__doi"))


@pytest.mark.django_db
def test_importing_the_preprint_again_yields_the_same_rows():
    services.paper_save_record(record=preprint_record())
    first = relation_rows()
    assert [row[1:] for row in first] == [(PREPRINT, "preprint_of", PUBLISHED, None)]
    services.paper_save_record(record=preprint_record())
    assert relation_rows() == first


@pytest.mark.django_db
def test_a_record_naming_no_versions_clears_them_and_one_saying_nothing_keeps_them():
    services.paper_save_record(record=preprint_record())
    services.paper_save_record(record=WorkRecord(doi=PREPRINT, source="jats"))  # relations None: not its subject
    assert PaperRelation.objects.filter(paper__doi=PREPRINT).count() == 1
    record = preprint_record()
    record.relations = []  # Crossref dropped the relation
    services.paper_save_record(record=record)
    assert not PaperRelation.objects.exists()


@pytest.mark.django_db
def test_a_relation_to_a_malformed_doi_or_to_itself_is_ignored(client):
    record = preprint_record()
    record.relations = [
        RelationRecord("preprint_of", "10.1234"),
        RelationRecord("preprint_of", "banana"),
        RelationRecord("preprint_of", ""),
        RelationRecord("version_of", PREPRINT),
        RelationRecord("sibling_of", "10.5555/unknown-kind"),
        RelationRecord("has_version", "10.5555/Kept"),
    ]
    paper = services.paper_save_record(record=record)
    assert list(paper.relations.values_list("kind", "other_doi")) == [("has_version", "10.5555/kept")]
    assert versions_line(soup_of(client, PREPRINT)).get_text(" ", strip=True) == "Versions: Other version: 10.5555/kept"


@pytest.mark.django_db
def test_importing_the_recorded_preprint_from_crossref_stores_its_published_version(fake_upstream):
    paper = services.paper_import(paper=services.paper_claim_for_import(paper_id=Paper.objects.create(doi=PREPRINT).id))
    assert paper.metadata_source == "crossref"
    assert list(paper.relations.values_list("kind", "other_doi", "other_paper")) == [("preprint_of", PUBLISHED, None)]


# ---------------------------------------------------------------- pages and the API


@pytest.mark.django_db
def test_a_preprint_whose_published_version_is_elsewhere_links_to_doi_org(client):
    services.paper_save_record(record=preprint_record())
    soup = soup_of(client, PREPRINT)
    notice = banner(soup)
    assert notice.get_text(" ", strip=True) == (
        "A peer-reviewed version of this preprint was published: https://doi.org/10.1186/s13063-019-3980-5"
    )
    assert notice.a["href"] == "https://doi.org/10.1186/s13063-019-3980-5"
    # Near the top: before the title.
    assert soup.select_one(".paper > .notice-version + header h1")
    line = versions_line(soup)
    assert line.get_text(" ", strip=True) == f"Versions: Published version: {PUBLISHED}"
    assert line.a["href"] == "https://doi.org/10.1186/s13063-019-3980-5"


@pytest.mark.django_db
def test_both_versions_link_to_each_others_pages_once_both_are_here(client):
    published = published_paper()
    preprint = services.paper_save_record(record=preprint_record())
    assert PaperRelation.objects.get().other_paper == published

    notice = banner(soup_of(client, PREPRINT))
    assert notice.get_text(" ", strip=True) == (
        "A peer-reviewed version of this preprint was published in Journal of Tests, 2020: "
        "The published version, as the test factory names it"
    )
    assert notice.a["href"] == f"/doi/{PUBLISHED}"

    # Only the preprint's record names the relation; the published paper's page shows it the other way round.
    soup = soup_of(client, PUBLISHED)
    assert banner(soup) is None  # no banner on the published version
    line = versions_line(soup)
    shown = f"Versions: Preprint: {PREPRINT_TITLE} (Research Square Platform LLC, 2019)"
    assert line.get_text(" ", strip=True) == shown
    assert line.a["href"] == preprint.get_absolute_url() == "/doi/10.21203/rs.1.1/v2"


@pytest.mark.django_db
def test_a_relation_both_records_name_is_shown_once_on_each_side(client):
    published = published_paper()
    services.paper_save_record(record=preprint_record())
    # As the published article's own record would say it (Crossref has-preprint), stored as its import stores it.
    PaperRelation.objects.create(paper=published, kind="has_preprint", other_doi=PREPRINT)
    assert len(versions_line(soup_of(client, PUBLISHED)).select(".version")) == 1
    assert len(versions_line(soup_of(client, PREPRINT)).select(".version")) == 1
    assert len(banner(soup_of(client, PREPRINT)).select("p")) == 1


@pytest.mark.django_db
def test_the_api_record_lists_the_relations_both_ways(client):
    published_paper()
    services.paper_save_record(record=preprint_record())
    [preprint_side] = client.get(f"/api/v1/papers/{PREPRINT}/").json()["relations"]
    assert preprint_side == {
        "kind": "preprint_of",
        "label": "Published version",
        "doi": PUBLISHED,
        "doi_url": "https://doi.org/10.1186/s13063-019-3980-5",
        "linked_paper": f"http://testserver/api/v1/papers/{PUBLISHED}/",
        "html_url": f"http://testserver/doi/{PUBLISHED}",
        "title": "The published version, as the test factory names it",
        "container_title": "Journal of Tests",
        "published": {"date": "2020-01-07", "precision": "day"},
    }
    [published_side] = client.get(f"/api/v1/papers/{PUBLISHED}/").json()["relations"]
    assert (published_side["kind"], published_side["label"], published_side["doi"]) == (
        "has_preprint",
        "Preprint",
        PREPRINT,
    )
    assert published_side["title"] == PREPRINT_TITLE
    assert published_side["published"] == {"date": "2019-10-09", "precision": "day"}


@pytest.mark.django_db
def test_the_api_record_of_a_version_not_here_has_only_its_doi(client):
    services.paper_save_record(record=preprint_record())
    [relation] = client.get(f"/api/v1/papers/{PREPRINT}/").json()["relations"]
    assert (relation["linked_paper"], relation["html_url"], relation["title"], relation["published"]) == (
        None,
        None,
        "",
        None,
    )


# ---------------------------------------------------------------- cached pages follow the other version


@pytest.mark.django_db
def test_the_preprints_cached_page_links_to_its_published_version_once_that_arrives(client):
    services.paper_save_record(record=preprint_record())
    assert banner(soup_of(client, PREPRINT)).a["href"].startswith("https://doi.org/")
    api_before = client.get(f"/api/v1/papers/{PREPRINT}/").json()["relations"][0]
    assert api_before["html_url"] is None

    published_paper()  # arrives later, by whatever path (here a factory; an import or the admin alike)

    assert banner(soup_of(client, PREPRINT)).a["href"] == f"/doi/{PUBLISHED}"
    assert versions_line(soup_of(client, PREPRINT)).a["href"] == f"/doi/{PUBLISHED}"
    assert client.get(f"/api/v1/papers/{PREPRINT}/").json()["relations"][0]["html_url"].endswith(PUBLISHED)


@pytest.mark.django_db
def test_a_placeholder_is_no_destination_until_its_metadata_arrives_and_then_the_preprint_follows(client):
    services.paper_save_record(record=preprint_record())
    placeholder, _ = services.paper_request_import(doi=PUBLISHED)  # added, its import still to run
    assert PaperRelation.objects.get().other_paper == placeholder
    assert banner(soup_of(client, PREPRINT)).a["href"].startswith("https://doi.org/")  # not a "waiting" page

    # Its import arrives (built by the test, in our own dataclass: no recording of this article exists).
    services.paper_save_record(
        record=WorkRecord(doi=PUBLISHED, source="crossref", title="Its title, as the test writes it")
    )
    notice = banner(soup_of(client, PREPRINT))
    assert (notice.a["href"], notice.a.get_text()) == (f"/doi/{PUBLISHED}", "Its title, as the test writes it")

    # A later change to what the preprint's page shows of it (its title, its journal) reaches that page too.
    services.paper_save_record(
        record=WorkRecord(doi=PUBLISHED, source="crossref", title="Its corrected title", container_title="Trials?")
    )
    notice = banner(soup_of(client, PREPRINT))
    assert notice.a.get_text() == "Its corrected title" and "published in Trials?:" in notice.get_text()


@pytest.mark.django_db
def test_the_published_versions_cached_page_shows_a_preprint_that_arrives_later(client):
    published = published_paper()
    assert versions_line(soup_of(client, PUBLISHED)) is None
    services.paper_save_record(record=preprint_record())
    assert versions_line(soup_of(client, PUBLISHED)).a["href"] == "/doi/10.21203/rs.1.1/v2"

    # And the preprint's own record dropping the relation takes it off the published page.
    record = preprint_record()
    record.relations = []
    services.paper_save_record(record=record)
    assert versions_line(soup_of(client, PUBLISHED)) is None
    assert published.relations.count() == 0


@pytest.mark.django_db
def test_a_deleted_version_is_no_longer_linked(client):
    published = published_paper()
    services.paper_save_record(record=preprint_record())
    assert banner(soup_of(client, PREPRINT)).a["href"] == f"/doi/{PUBLISHED}"
    published.delete()
    assert banner(soup_of(client, PREPRINT)).a["href"] == "https://doi.org/10.1186/s13063-019-3980-5"
    assert PaperRelation.objects.get().other_paper is None


@pytest.mark.django_db
def test_an_unchanged_reimport_of_the_published_version_leaves_the_preprints_page_cached():
    published = published_paper()
    preprint = services.paper_save_record(record=preprint_record())
    preprint.refresh_from_db()
    before = preprint.updated_at
    record = WorkRecord(doi=PUBLISHED, source="crossref", title=published.title, container_title="Journal of Tests")
    services.paper_save_record(record=record)
    assert Paper.objects.get(doi=PREPRINT).updated_at == before


@pytest.mark.django_db
def test_a_row_left_unlinked_by_two_imports_at_once_is_linked_by_the_next_import(client):
    published = published_paper()
    services.paper_save_record(record=preprint_record())
    # As when both imports ran in parallel transactions: neither saw the other's row.
    PaperRelation.objects.update(other_paper=None)
    services.paper_save_record(record=preprint_record())
    assert PaperRelation.objects.get().other_paper == published


# ---------------------------------------------------------------- the demo


@pytest.mark.django_db
def test_the_demo_preprint_links_to_its_published_version_on_doi_org(client):
    call_command("load_demo", verbosity=0)
    assert not Paper.objects.filter(doi=PUBLISHED).exists()
    notice = banner(soup_of(client, PREPRINT))
    assert notice.a["href"] == "https://doi.org/10.1186/s13063-019-3980-5"
    assert "A peer-reviewed version of this preprint was published" in notice.get_text()


@pytest.mark.django_db
def test_staff_see_a_papers_relations_in_the_admin(client):
    from tests.reviews.factories import UserFactory

    preprint = services.paper_save_record(record=preprint_record())
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    soup = BeautifulSoup(client.get(f"/admin/papers/paper/{preprint.id}/change/").content, "html.parser")
    assert soup.find("input", attrs={"name": "relations-0-other_doi"})["value"] == PUBLISHED


@pytest.mark.django_db
@pytest.mark.usefixtures("keep_connection")  # the WSGI handler would close the test's connection
def test_the_api_record_with_relations_conforms_to_the_schema(settings):
    import schemathesis
    from schemathesis.specs.openapi.checks import response_schema_conformance

    from paperhub.wsgi import application

    settings.ALLOWED_HOSTS = ["testserver", "localhost"]
    published_paper()
    services.paper_save_record(record=preprint_record())
    PaperRelation.objects.create(paper=Paper.objects.get(doi=PREPRINT), kind="has_version", other_doi="10.5555/v3")
    operation = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)["/api/v1/papers/{doi}/"]["GET"]
    for doi in (PREPRINT, PUBLISHED):
        case = operation.Case(path_parameters={"doi": doi})
        response = case.call()
        assert len(response.json()["relations"]) == (2 if doi == PREPRINT else 1)
        case.validate_response(response, checks=[response_schema_conformance])
