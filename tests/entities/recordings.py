"""The recorded PubTator3 documents (papers/fixtures/upstream/pubtator/, see PROVENANCE.md), by PMID and scope."""

import html
import re
from pathlib import Path

from entities import placement, pubtator

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


def marked_up(text: str, index: int) -> str:
    """The passage as our HTML might hold it: escaped, re-wrapped, with citation markers PubTator lacks."""
    out = html.escape(text, quote=False)
    out = out.replace(". ", f". [{index}] ", 2)  # numbered citations
    out = re.sub(r"(\w), ", r"\1,\n   ", out, count=3)  # line breaks and indentation
    out = out.replace(" and ", " and&nbsp;", 1)
    if index % 3 == 0:
        out = out.replace(". ", " (Smith et al., 2001). ", 1)  # an author-year citation
    if index % 4 == 0:
        out = out.replace(". ", ".<sup>12</sup> ", 1)  # a superscript citation: left for the fuzzy alignment
    return out


def page_from_passages(doc: pubtator.Document) -> list[placement.Target]:
    """A page built from the document's own passages: abstract re-spaced, sections re-marked up (not a recording)."""
    abstract, sections = [], {}
    for index, passage in enumerate(doc.passages):
        if passage.is_title:
            continue
        if passage.section_type == "ABSTRACT":
            abstract.append("\n ".join(passage.text.split(" ")))  # whitespace changed
            continue
        tag = "h3" if passage.kind.startswith("title") else "p"
        sections.setdefault(passage.section_type, []).append(f"<{tag}>{marked_up(passage.text, index)}</{tag}>\n")
    return placement.page_targets(abstract, [(key.lower(), "".join(parts)) for key, parts in sections.items()])
