"""The recorded PubTator3 documents (papers/fixtures/upstream/pubtator/, see PROVENANCE.md), by PMID and scope."""

from pathlib import Path

from entities import pubtator

FIXTURES = Path(__file__).resolve().parents[2] / "papers" / "fixtures" / "upstream"
PUBTATOR = FIXTURES / "pubtator"
JATS_PMC3040717 = FIXTURES / "jats" / "pmc-oa-opendata-s3-PMC3040717.1.xml"

FILES = {
    "24633240": "pubtator3-biocjson-pmid-24633240-species-gene-disease-cellline.json",
    "37026113": "pubtator3-biocjson-pmid-37026113-chemical-disease-gene-relation.json",
    "22429397": "pubtator3-biocjson-wrapped-abstract-pmid-22429397-PMC3446384.json",
    "22429397-full": "pubtator3-biocjson-wrapped-full-true-pmid-22429397-PMC3446384.json",
    "20516115": "pubtator3-biocjson-wrapped-pmid-20516115-abstract-pairs-jats-PMC3040717.json",
    "22663011": "pubtator3-biocjson-wrapped-pmid-22663011-variant-chemical-gene-disease.json",
}


def raw(name: str) -> bytes:
    return (PUBTATOR / FILES[name]).read_bytes()


def document(name: str) -> pubtator.Document:
    [doc] = pubtator.parse(raw(name))
    return doc
