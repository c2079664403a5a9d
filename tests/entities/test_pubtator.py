"""entities.pubtator on every recorded PubTator3 document, plus the few annotation shapes no recording holds."""

import json
import re

import pytest

from entities import pubtator
from entities.models import EntityType
from entities.pubtator import Annotation, PubtatorFormatError, Resolved
from tests.entities.recordings import FILES, PUBTATOR, document, raw

MESH = "https://meshb.nlm.nih.gov/record/ui?ui="


def test_entity_types_are_the_models_values():
    kinds = {pubtator.GENE, pubtator.CHEMICAL, pubtator.DISEASE, pubtator.SPECIES, pubtator.VARIANT}
    assert kinds | {pubtator.CELL_LINE, pubtator.OTHER} == set(EntityType.values)


def test_every_recording_is_in_the_test_table():
    assert sorted(FILES.values()) == sorted(p.name for p in PUBTATOR.glob("*.json"))


# -- parsing


@pytest.mark.parametrize(
    ("name", "pmid", "pmcid", "doi", "year", "first_author", "passages"),
    [
        ("24633240", "24633240", "PMC4017589", "10.1038/nbt.2858", "2014", "Rongvaux A", 2),
        ("37026113", "37026113", "PMC10072964", "10.1155/2023/8942415", "2023", "Li J", 2),
        ("22429397", "22429397", "PMC3446384", "10.1186/bcr3151", "2012", "Abalsamo L", 2),
        ("22429397-full", "22429397", "PMC3446384", "10.1186/bcr3151", "2012", "Abalsamo L", 151),
        ("20516115", "20516115", "PMC3040717", "10.1158/0008-5472.can-09-4563", "2010", "Lee MS", 2),
        ("22663011", "22663011", "", "10.1056/nejmoa1203421", "2012", "Flaherty KT", 2),
    ],
)
def test_each_recording_parses_with_its_metadata(name, pmid, pmcid, doi, year, first_author, passages):
    doc = document(name)
    assert (doc.pmid, doc.pmcid, doc.doi, doc.year) == (pmid, pmcid, doi, year)
    assert doc.authors[0] == first_author
    assert len(doc.passages) == passages
    assert doc.passages[0].section_type == "TITLE" and doc.title == doc.passages[0].text
    assert doc.passages[1].section_type == "ABSTRACT"


def test_the_doi_comes_from_the_title_passages_journal_line():
    doc = document("20516115")
    assert doc.journal_line.startswith("Cancer Res. 2010 Jun 15;70(12):4880-90. doi: 10.1158/0008-5472.CAN-09-4563.")
    assert doc.journal == "Cancer Res"


def test_full_text_passages_keep_their_section_types():
    sections = {p.section_type for p in document("22429397-full").passages}
    assert {"TITLE", "ABSTRACT", "INTRO", "METHODS", "RESULTS", "DISCUSS", "FIG", "REF"} <= sections


def test_both_shapes_and_a_list_parse_alike():
    bare = json.loads(raw("24633240"))
    wrapped = json.loads(raw("20516115"))
    assert [d.pmid for d in pubtator.parse(bare)] == ["24633240"]
    assert [d.pmid for d in pubtator.parse(wrapped)] == ["20516115"]
    assert [d.pmid for d in pubtator.parse([bare, wrapped["PubTator3"][0]])] == ["24633240", "20516115"]
    # Bare documents one after another (how early-2024 answers for several PMIDs could come): each is parsed.
    assert [d.pmid for d in pubtator.parse(raw("24633240") + b"\n" + raw("37026113"))] == ["24633240", "37026113"]
    assert pubtator.parse(b'{"PubTator3": []}') == []


@pytest.mark.parametrize(
    "garbage",
    [
        b"<html><body>Service temporarily moved</body></html>",
        b"",
        b"\xff\xfe",
        b"42",
        b'{"error": "no such document"}',
        b'{"PubTator3": {"passages": []}}',
        b'{"PubTator3": ["x"]}',
        b'{"passages": "abstract"}',
        b'{"passages": [{"offset": 0, "text": 7, "infons": {}}]}',
        b'{"passages": [{"text": "x", "infons": {}}]}',
        b'{"passages": [{"offset": 0, "text": "x", "infons": {}, "annotations": [{"text": "x", "infons": {}}]}]}',
        b'{"passages": [{"offset": 0, "text": "x", "infons": {}, "annotations": '
        b'[{"text": "x", "infons": {}, "locations": [{"offset": -1, "length": 1}]}]}]}',
    ],
)
def test_garbage_is_a_format_error(garbage):
    with pytest.raises(PubtatorFormatError):
        pubtator.parse(garbage)


# -- resolving every recorded annotation


def _expected(annotation: Annotation) -> tuple[str, str, str] | None:
    """The rule of the brief, written out independently: (type, identifier, url), or None for "no entity"."""
    raw_id, kind = annotation.identifier, annotation.type
    if not raw_id:
        return None
    if kind == "Gene":
        return "gene", raw_id, f"https://www.ncbi.nlm.nih.gov/gene/{raw_id}"
    if kind in ("Chemical", "Disease"):
        assert re.fullmatch(r"MESH:[CD]\d+", raw_id), raw_id  # the recordings hold MeSH ids only
        return kind.lower(), raw_id, MESH + raw_id.removeprefix("MESH:")
    if kind == "Species":
        return "species", raw_id, f"https://www.ncbi.nlm.nih.gov/Taxonomy/Browser/wwwtax.cgi?id={raw_id}"
    if kind == "CellLine":
        accession = raw_id.replace(":", "_")
        return "cellline", accession, f"https://www.cellosaurus.org/{accession}"
    if kind == "Variant":
        rsid = annotation.infons["rsid"]
        return "variant", rsid, f"https://www.ncbi.nlm.nih.gov/snp/{rsid}"
    raise AssertionError(f"no rule for {kind}")


@pytest.mark.parametrize("name", list(FILES))
def test_every_recorded_annotation_resolves_by_the_rules(name):
    doc = document(name)
    assert doc.annotations
    for annotation in doc.annotations:
        expected = _expected(annotation)
        resolved = pubtator.resolve(annotation)
        if expected is None:
            assert resolved == [], annotation
        else:
            assert [(r.type, r.identifier, r.url) for r in resolved] == [expected], annotation


@pytest.mark.parametrize("name", list(FILES))
def test_every_mention_is_counted_once_as_an_entity_or_unlinked(name):
    doc = document(name)
    entities, unlinked = pubtator.aggregate([doc])
    assert sum(e.mentions for e in entities) + sum(u.mentions for u in unlinked) == len(doc.annotations)
    assert [e.mentions for e in entities] == sorted((e.mentions for e in entities), reverse=True)
    assert len({(e.type, e.identifier) for e in entities}) == len(entities)
    assert all(e.name for e in entities)


def test_cell_lines_get_the_cellosaurus_underscore_accession():
    entities, _ = pubtator.aggregate([document("22429397")])
    cell_lines = {e.identifier: e for e in entities if e.type == "cellline"}
    assert set(cell_lines) == {"CVCL_0062", "CVCL_0031", "CVCL_0033", "CVCL_0598"}
    assert cell_lines["CVCL_0062"].url == "https://www.cellosaurus.org/CVCL_0062"
    assert cell_lines["CVCL_0062"].name == "MDA-MB-231"  # its name infon is the id, so the mention names it


def test_mesh_c_and_d_ids_link_to_mesh():
    entities, _ = pubtator.aggregate([document("22429397")])
    by_id = {e.identifier: e for e in entities}
    assert by_id["MESH:C046498"].url == MESH + "C046498" and by_id["MESH:C046498"].type == "chemical"
    assert by_id["MESH:D001943"].url == MESH + "D001943" and by_id["MESH:D001943"].type == "disease"


def test_the_braf_v600e_variant_links_to_dbsnp():
    entities, _ = pubtator.aggregate([document("22663011")])
    variants = {e.identifier: e for e in entities if e.type == "variant"}
    assert set(variants) == {"rs113488022", "rs121913227"}
    assert variants["rs113488022"].url == "https://www.ncbi.nlm.nih.gov/snp/rs113488022"
    assert variants["rs113488022"].mentions == 2
    assert variants["rs113488022"].name == "p.V600E"


def test_genes_are_named_by_their_symbol_and_species_by_the_table():
    entities, _ = pubtator.aggregate([document("22429397")])
    by_id = {(e.type, e.identifier): e for e in entities}
    assert by_id[("gene", "6611")].name == "SMS"  # mentioned as "sphingomyelin synthase"
    assert by_id[("species", "9606")].name == "Human (Homo sapiens)"  # its name infon is "9606"


def test_other_species_are_named_by_their_most_frequent_mention():
    annotations = [_annotation("Species", "63221", text) for text in ("Neanderthal", "Neanderthals", "Neanderthal")]
    [entity], _ = pubtator.aggregate([_document(annotations)])
    assert (entity.identifier, entity.name, entity.mentions) == ("63221", "Neanderthal", 3)


def test_unnormalized_mentions_are_unlinked_not_entities():
    _, unlinked = pubtator.aggregate([document("37026113")])
    # "Decoction" and "decoction": one mention text, case aside; the most frequent spelling (the first on a tie).
    assert unlinked == [("chemical", "Jiedu Quyu Ziyin Decoction", 2)]
    _, unlinked = pubtator.aggregate([document("24633240")])
    assert unlinked == [("cellline", "MITRG", 1)]  # identifier absent, valid false
    _, unlinked = pubtator.aggregate([document("22429397-full")])
    assert ("chemical", "PtdCho", 8) in unlinked
    assert ("species", "horseradish peroxidase", 1) in unlinked


# -- shapes no recording holds: these annotations are constructed here


def _annotation(kind: str, identifier, text: str = "x", valid=True, **infons) -> Annotation:
    return pubtator.parse(_document_json([{"type": kind, "identifier": identifier, "valid": valid, **infons}], text))[
        0
    ].annotations[0]


def _document_json(infons_list: list[dict], text: str = "x") -> str:
    annotations = [
        {"id": str(i), "infons": infons, "text": text, "locations": [{"offset": 0, "length": len(text)}]}
        for i, infons in enumerate(infons_list)
    ]
    passage = {"infons": {"type": "abstract"}, "offset": 0, "text": text, "annotations": annotations}
    return json.dumps({"pmid": 1, "passages": [passage]})


def _document(annotations: list[Annotation]) -> pubtator.Document:
    doc = pubtator.parse(_document_json([]))[0]
    passage = pubtator.Passage("ABSTRACT", "abstract", 0, "x", tuple(annotations))
    return pubtator.Document(doc.pmid, "", (passage,), "", "", "", "", (), "")


def test_a_gene_with_several_ids_gives_one_entity_per_id():
    resolved = pubtator.resolve(_annotation("Gene", "3445;3439", "IFN-alpha"))
    assert [(r.identifier, r.url) for r in resolved] == [
        ("3445", "https://www.ncbi.nlm.nih.gov/gene/3445"),
        ("3439", "https://www.ncbi.nlm.nih.gov/gene/3439"),
    ]


def test_omim_diseases_link_to_omim():
    [resolved] = pubtator.resolve(_annotation("Disease", "OMIM:114480", "breast cancer"))
    assert resolved == Resolved("disease", "OMIM:114480", "https://omim.org/entry/114480")


def test_variants_without_rsid_use_clingen_then_gene_and_hgvs():
    clingen = _annotation("Variant", "tmVar:p|SUB|V|600|E;HGVS:p.V600E;CorrespondingGene:673;CA#:123643")
    assert pubtator.resolve(clingen)[0].identifier == "CA123643"
    assert pubtator.resolve(clingen)[0].url.endswith("by_caid?caid=CA123643")
    by_gene = _annotation("ProteinMutation", "tmVar:p|SUB|V|600|E;HGVS:p.V600E;CorrespondingGene:673")
    [resolved] = pubtator.resolve(by_gene)
    assert (resolved.type, resolved.identifier, resolved.url) == (
        "variant",
        "673:p.V600E",
        "https://www.ncbi.nlm.nih.gov/gene/673",
    )
    assert pubtator.resolve(_annotation("SNP", "rs80357906"))[0].identifier == "rs80357906"


def test_unknown_types_are_kept_as_other_with_their_own_type():
    [resolved] = pubtator.resolve(_annotation("Chromosome", "chr17", "chromosome 17"))
    assert resolved == Resolved("other", "chr17", "", source_type="Chromosome")


@pytest.mark.parametrize("identifier", ["-", None, "", "None"])
def test_unnormalized_identifiers_give_no_entity(identifier):
    assert pubtator.resolve(_annotation("Chemical", identifier, valid=False)) == []
    assert pubtator.resolve(_annotation("Gene", identifier)) == []
