"""Mapping of recorded real upstream responses (papers/fixtures/upstream, see PROVENANCE.md)."""

import datetime as dt
import json

import pytest

from papers import normalize
from papers.demo import FIXTURES


def crossref(name):
    return normalize.crossref_work(json.loads((FIXTURES / "crossref" / name).read_text()))


def openalex(name):
    return normalize.openalex_work(json.loads((FIXTURES / "openalex" / name).read_text()))


PONE = "journal-article-70-refs-doi-less-refs-sici-dois-updated-by-correction-10.1371_journal.pone.0033693.json"
ELIFE = "journal-article-jats-abstract-funder-license-affiliation-relation-10.7554_elife.01567.json"


def test_crossref_journal_article_with_70_references_in_order():
    record = crossref(PONE)
    assert record.doi == "10.1371/journal.pone.0033693"
    assert record.title.startswith("Methylphenidate Exposure Induces Dopamine Neuron Loss")
    assert (record.container_title, record.volume, record.issue, record.pages) == ("PLoS ONE", "7", "3", "e33693")
    assert (record.published_date, record.published_precision) == (dt.date(2012, 3, 21), "day")
    assert [a.family_name for a in record.authors][:2] == ["Sadasivan", "Pond"]
    assert len(record.references) == 70
    assert record.references[0].doi == "10.1038/sj.npp.1301164"
    assert record.references[0].title == "Stimulants: Therapeutic actions in ADHD."
    assert sum(1 for r in record.references if not r.doi) == 7
    # SICI DOIs keep their angle brackets, lowercased.
    assert any("<" in r.doi for r in record.references)


def test_crossref_updated_by_becomes_a_correction():
    [update] = crossref(PONE).updates
    assert update.kind == "correction"
    assert update.notice_doi == "10.1371/annotation/c76da2c1-ccb8-4797-94c1-359d3ceceeda"
    assert update.date == dt.date(2012, 5, 8)


def test_crossref_jats_abstract_becomes_clean_paragraphs_with_affiliations_and_licence():
    record = crossref(ELIFE)
    assert record.abstract.startswith("Among various advantages, their small size makes model organisms")
    assert "<" not in record.abstract and "jats" not in record.abstract
    assert record.authors[0].affiliations == [
        "Department of Plant Molecular Biology, University of Lausanne, Lausanne, Switzerland"
    ]
    assert record.license_url == "http://creativecommons.org/licenses/by/3.0/"
    assert len(record.references) == 27


def test_crossref_abstract_heading_is_dropped_and_orcids_kept():
    record = crossref("posted-content-preprint-biorxiv-group-author-10.1101_2025.04.10.647997.json")
    assert not record.abstract.lower().startswith("abstract")
    assert record.abstract.startswith("Despite the lungs being essential")
    assert record.authors[0].orcid == "0000-0003-4779-1690"
    assert record.work_type == "posted-content"
    assert any(a.literal_name and not a.family_name for a in record.authors), "the group author is kept as a name"


def test_crossref_name_suffix_and_mononyms():
    assert crossref("journal-article-name-suffix-10.1021_acs.orglett.7b03845.json").authors[0].family_name == (
        "Smith III"
    )
    mononym = crossref("journal-article-mononym-authors-10.1038_d41586-020-02761-z.json").authors[0]
    assert (mononym.family_name, mononym.given_name) == ("Sheherazade", "")


def test_crossref_unusable_payload_raises():
    with pytest.raises(normalize.UnusableRecord):
        normalize.crossref_work({"message": {"title": ["No DOI"]}})
    with pytest.raises(normalize.UnusableRecord):
        normalize.crossref_work({"message": "not a work"})


def test_openalex_topics_carry_the_whole_hierarchy_and_one_primary():
    record = openalex("work-proceedings-referenced-works-49-awards-W3174427814.json")
    assert record.doi == "10.1145/3448016.3452841"
    first = record.topics[0]
    assert (first.topic_id, first.topic_name) == ("T11478", "Caching and Content Delivery")
    assert (first.subfield_id, first.field_id, first.domain_id) == ("1705", "17", "3")
    assert [t.is_primary for t in record.topics].count(True) == 1
    assert record.oa_url == "https://dl.acm.org/doi/pdf/10.1145/3448016.3452841"


def test_openalex_work_rebuilds_abstract_and_pmid():
    record = openalex("work-frontiers-review-referenced-works-70-topics-W2955786964.json")
    assert record.doi == "10.3389/fpls.2019.00816"
    assert record.pmid == "31333688"
    assert record.authors[0].orcid == "0000-0001-7552-0164"
    assert record.abstract.split()[0][0].isupper() and len(record.abstract.split()) > 50
    assert len(record.topics) == 3


def test_jats_article_references_carry_pmids():
    record = normalize.jats_article(
        (FIXTURES / "europepmc/fulltextxml-nar-research-article-PMC3258128.xml").read_text()
    )
    assert record.doi == "10.1093/nar/gkr715"
    assert record.pmcid == "PMC3258128"
    assert (record.volume, record.issue, record.pages) == ("40", "2", "884-891")
    assert (record.published_date, record.published_precision) == (dt.date(2011, 9, 21), "day")
    assert len(record.references) == 47
    assert record.references[0].pmid == "14744438"
    assert record.references[0].title == "MicroRNAs: genomics, biogenesis, mechanism, and function"
    assert record.references[1].authors.endswith("et al.")
    assert record.abstract.count("\n\n") >= 0 and "3′-end" in record.abstract


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        ("H<sub>2</sub>O &amp; CO<sup>2</sup>", "H2O & CO2"),
        ("<jats:italic>E. coli</jats:italic> growth", "E. coli growth"),
        ("<i>A</i>  <b>B</b>", "A B"),
    ],
)
def test_markup_to_text_keeps_sub_and_superscript_text(markup, text):
    assert normalize.markup_to_text(markup) == text


def test_date_precision():
    assert normalize.date_with_precision([2020]) == (dt.date(2020, 1, 1), "year")
    assert normalize.date_with_precision([2020, 5]) == (dt.date(2020, 5, 1), "month")
    assert normalize.date_with_precision([None]) == (None, "")
    assert normalize.date_with_precision([2020, 13, 40]) == (dt.date(2020, 1, 1), "year")


CROSSREF_FILES = sorted(p.name for p in (FIXTURES / "crossref").glob("*.json"))


@pytest.mark.parametrize("name", CROSSREF_FILES)
def test_every_recorded_crossref_work_maps_completely(name):
    """Compare each mapped record with the raw payload: nothing dropped, order kept."""
    raw = json.loads((FIXTURES / "crossref" / name).read_text())["message"]
    record = normalize.crossref_work(raw)
    assert record.doi == raw["DOI"].lower()
    assert record.title and "<" not in record.title
    assert len(record.authors) == len(raw.get("author", []))
    for author, raw_author in zip(record.authors, raw.get("author", []), strict=True):
        assert author.family_name.startswith(normalize.markup_to_text(raw_author.get("family", ""))) or (
            author.literal_name == normalize.markup_to_text(raw_author.get("name", ""))
        )
        if raw_author.get("ORCID"):
            assert raw_author["ORCID"].endswith(author.orcid)
    assert len(record.references) == len(raw.get("reference", []))
    assert [r.doi for r in record.references] == [r.get("DOI", "").lower() for r in raw.get("reference", [])]
    parts = next(
        (raw[k]["date-parts"][0] for k in ("issued", "published") if raw.get(k, {}).get("date-parts", [[None]])[0][0]),
        [],
    )
    assert record.published_precision == ("", "year", "month", "day")[len(parts)]
    if raw.get("abstract"):
        assert record.abstract and "<" not in record.abstract and not record.abstract.lower().startswith("abstract")


@pytest.mark.parametrize("name", sorted(p.name for p in (FIXTURES / "openalex").glob("*.json")))
def test_every_recorded_openalex_work_maps_its_topics(name):
    raw = json.loads((FIXTURES / "openalex" / name).read_text())
    record = normalize.openalex_work(raw)
    assert [t.topic_id for t in record.topics] == [t["id"].rsplit("/", 1)[-1] for t in raw["topics"]]
    assert sum(t.is_primary for t in record.topics) == (1 if raw["topics"] else 0)
    assert len(record.authors) == len(raw["authorships"])


@pytest.mark.parametrize("name", sorted(p.name for p in (FIXTURES / "datacite").glob("*.json")))
def test_every_recorded_datacite_record_maps(name):
    raw = json.loads((FIXTURES / "datacite" / name).read_text())["data"]["attributes"]
    record = normalize.datacite_work({"data": {"attributes": raw}})
    assert record.doi == raw["doi"].lower()
    assert record.title == raw["titles"][0]["title"]
    assert len(record.authors) == len(raw["creators"])
    assert record.published_date is not None and record.published_date.year == int(raw["publicationYear"])


# ---------------------------------------------------------------- title markup (papers.markup at ingest)

ENTITY_LEFT = ("&lt;", "&gt;", "&amp;", "&apos;", "&quot;", "&#")


def test_recorded_openalex_title_is_plain_text_with_its_italics_beside_it():
    record = openalex("work-preprint-biorxiv-topics-W4407166645.json")
    assert record.title.endswith("epidemiologically successful Shigella sonnei") and "<" not in record.title
    assert record.title_html.endswith("successful <i>Shigella sonnei</i>")


def test_recorded_crossref_reference_titles_lose_their_apos_entities():
    record = crossref(PONE)
    with_apostrophe = [r for r in record.references if "Parkinson's disease" in r.title]
    assert len(with_apostrophe) >= 10  # the recording escapes every one of them as &apos;
    for reference in record.references:
        assert not any(e in reference.title for e in ENTITY_LEFT), reference.title
        assert "&apos;" not in reference.title_html
    assert record.references[0].title_html == "Stimulants: Therapeutic actions in ADHD."


def _crossref_with(**fields):
    message = json.loads((FIXTURES / "crossref" / PONE).read_text())["message"]
    return normalize.crossref_work({"message": {**message, **fields}})


@pytest.mark.parametrize(
    "title",
    [
        "Growth of <i>Escherichia coli</i> in CO<sub>2</sub>",
        "Growth of &lt;i&gt;Escherichia coli&lt;/i&gt; in CO&lt;sub&gt;2&lt;/sub&gt;",
        "Growth of &amp;lt;i&amp;gt;Escherichia coli&amp;lt;/i&amp;gt; in CO&amp;lt;sub&amp;gt;2&amp;lt;/sub&amp;gt;",
    ],
)
def test_crossref_title_markup_raw_or_escaped_is_stored_once_as_text_and_once_as_html(title):
    # Constructed case: the PONE recording with its title replaced (no recorded Crossref title carries markup).
    record = _crossref_with(
        title=[title], subtitle=["<scp>Dna</scp> &amp; more"], **{"container-title": ["Journal of A &amp;amp; B"]}
    )
    assert record.title == "Growth of Escherichia coli in CO2: Dna & more"
    assert (
        record.title_html
        == 'Growth of <i>Escherichia coli</i> in CO<sub>2</sub>: <span class="small-caps">Dna</span> &amp; more'
    )
    assert record.container_title == "Journal of A & B"


def test_crossref_hostile_title_is_cleaned_at_ingest():
    record = _crossref_with(title=['<script>alert(1)</script><a href="javascript:x" onclick="y">Safe</a> &lt;b&gt;x'])
    assert (record.title, record.title_html) == ("Safe x", "Safe <b>x</b>")


def test_datacite_title_markup_is_cleaned_too():
    # Constructed case: the recorded Dryad record with markup in its title.
    raw = json.loads((FIXTURES / "datacite" / "dois-dataset-dryad-10.5061_dryad.wstqjq2n3.json").read_text())
    raw["data"]["attributes"]["titles"] = [{"title": "Traits of &lt;i&gt;Daphnia&lt;/i&gt; &amp;amp; kin"}]
    record = normalize.datacite_work(raw)
    assert (record.title, record.title_html) == ("Traits of Daphnia & kin", "Traits of <i>Daphnia</i> &amp; kin")


def test_jats_article_title_keeps_its_italics():
    # Constructed case: the recorded Europe PMC article with an <italic> put into its title.
    xml = (FIXTURES / "europepmc/fulltextxml-nar-research-article-PMC3258128.xml").read_text()
    xml = xml.replace(
        "<article-title>Hepato-specific microRNA-122", "<article-title>Hepato-specific <italic>microRNA-122</italic>", 1
    )
    record = normalize.jats_article(xml)
    assert record.title.startswith("Hepato-specific microRNA-122 facilitates")
    assert record.title_html.startswith("Hepato-specific <i>microRNA-122</i> facilitates")
    assert record.references[0].title_html == "MicroRNAs: genomics, biogenesis, mechanism, and function"


WORK_LIST = "lists/works-list-rows2-work-list.json"


def work_list():
    return json.loads((FIXTURES / "crossref" / WORK_LIST).read_text())


def test_crossref_work_list_maps_each_recorded_work():
    chroma, bchm = normalize.crossref_work_list(work_list())
    assert (chroma.doi, bchm.doi) == ("10.1016/j.chroma.2008.01.017", "10.1515/bchm2.1969.350.2.1437")
    assert chroma.title.startswith("A new generation of more pH stable reversed phases")
    assert bchm.container_title == "Hoppe-Seyler´s Zeitschrift für physiologische Chemie"


def test_a_cited_work_reads_as_a_reference():
    chroma, bchm = map(normalize.cited_work, normalize.crossref_work_list(work_list()))
    assert (chroma.authors, chroma.journal, chroma.year, chroma.volume, chroma.pages) == (
        "Silva CR, Airoldi C, Collins KE, Collins CH",
        "Journal of Chromatography A",
        "2008",
        "1191",
        "90-98",
    )
    assert chroma.title == chroma.title_html  # no markup in this title
    assert bchm.authors == "KIRSCHKE H, HANSON H"  # capitals as deposited
    assert (chroma.raw, chroma.doi) == ("", "10.1016/j.chroma.2008.01.017")


def test_a_cited_work_with_many_authors_names_three_and_et_al():
    record = crossref("posted-content-research-square-relation-is-preprint-of-27-authors-10.21203_rs.1.1_v2.json")
    cited = normalize.cited_work(record)
    assert len(record.authors) == 27
    assert cited.authors.endswith(", et al.") and cited.authors.count(",") == 3


def test_a_group_author_is_named_as_given():
    record = crossref("posted-content-preprint-biorxiv-group-author-10.1101_2025.04.10.647997.json")
    [group] = [a for a in record.authors if a.literal_name]
    assert group.literal_name == "The MoTrPAC Study Group"
    # The recorded group comes after the sixth author, so the work's own list names it under "et al.".
    alone = normalize.WorkRecord(doi=record.doi, source="crossref", authors=[record.authors[0], group])
    assert normalize.cited_work(alone).authors == "Many GM, The MoTrPAC Study Group"


@pytest.mark.parametrize(
    "payload",
    [[], {}, {"status": "ok", "message-type": "work", "message": {}}, {"message-type": "work-list", "message": {}}],
)
def test_an_answer_that_is_not_a_work_list_is_unusable(payload):
    with pytest.raises(normalize.UnusableRecord):
        normalize.crossref_work_list(payload)


def test_list_items_without_a_doi_are_left_out():
    payload = work_list()
    # CONSTRUCTED: the recorded list with one item stripped of its DOI and a non-object item added.
    del payload["message"]["items"][1]["DOI"]
    payload["message"]["items"].append("not a work")
    assert [w.doi for w in normalize.crossref_work_list(payload)] == ["10.1016/j.chroma.2008.01.017"]
