"""A paper as citation data: CSL-JSON, BibTeX (bibtexparser), RIS (rispy) and a formatted reference. Pure."""

from __future__ import annotations

import re
import unicodedata

import bibtexparser
import rispy
from bibtexparser.model import Entry, Field

from .models import Paper

# Crossref work types to CSL types (https://docs.citationstyles.org/en/stable/specification.html#appendix-iii-types)
_CSL_TYPES = {
    "journal-article": "article-journal",
    "proceedings-article": "paper-conference",
    "posted-content": "article",
    "book-chapter": "chapter",
    "book": "book",
    "monograph": "book",
    "edited-book": "book",
    "dataset": "dataset",
    "report": "report",
    "dissertation": "thesis",
    "peer-review": "review",
}
_BIBTEX_TYPES = {
    "journal-article": "article",
    "proceedings-article": "inproceedings",
    "book-chapter": "incollection",
    "book": "book",
    "monograph": "book",
    "edited-book": "book",
    "dissertation": "phdthesis",
    "report": "techreport",
}
_RIS_TYPES = {
    "journal-article": "JOUR",
    "proceedings-article": "CPAPER",
    "book-chapter": "CHAP",
    "book": "BOOK",
    "dataset": "DATA",
    "posted-content": "GEN",
    "report": "RPRT",
    "dissertation": "THES",
}


def _authors(paper: Paper) -> list:
    return [authorship.author for authorship in paper.author_rows]


def _editors(paper: Paper) -> list:
    return [authorship.author for authorship in paper.editor_rows]


def _csl_name(author) -> dict:
    return (
        {"family": author.family_name, "given": author.given_name}
        if author.family_name
        else {"literal": author.display_name}
    )


def _bibtex_names(people: list) -> str:
    return " and ".join(
        f"{a.family_name}, {a.given_name}"
        if a.family_name and a.given_name
        else (a.family_name or "{" + a.display_name + "}")
        for a in people
    )


def _ris_name(author) -> str:
    return (
        f"{author.family_name}, {author.given_name}"
        if author.family_name and author.given_name
        else author.display_name
    )


def _date_parts(paper: Paper) -> list[int]:
    if not paper.published_date:
        return []
    parts = [paper.published_date.year, paper.published_date.month, paper.published_date.day]
    return parts[: {"year": 1, "month": 2}.get(paper.published_precision, 3)]


def csl_json(paper: Paper) -> dict:
    data: dict = {
        "id": paper.doi,
        "type": _CSL_TYPES.get(paper.work_type, "article"),
        "title": paper.title,
        "DOI": paper.doi,
        "URL": paper.doi_url,
        "author": [_csl_name(a) for a in _authors(paper)],
    }
    if editors := _editors(paper):
        data["editor"] = [_csl_name(a) for a in editors]
    if paper.published_date:
        data["issued"] = {"date-parts": [_date_parts(paper)]}
    optional = {
        "container-title": paper.container_title,
        "volume": paper.volume,
        "issue": paper.issue,
        "page": paper.pages,
        "publisher": paper.publisher,
        "language": paper.language,
        "PMID": paper.pmid,
        "PMCID": paper.pmcid,
        "abstract": "\n\n".join(paper.abstract_paragraphs),
    }
    data.update({key: value for key, value in optional.items() if value})
    return data


def _latex_escape(text: str) -> str:
    return re.sub(r"([&%$#_{}])", r"\\\1", text)


def citation_key(paper: Paper) -> str:
    authors = _authors(paper)
    name = (authors[0].family_name or authors[0].display_name) if authors else "paper"
    word = next((w for w in re.findall(r"[A-Za-z]+", paper.title) if len(w) > 3), "")
    key = f"{name}{paper.published_date.year if paper.published_date else ''}{word}"
    ascii_key = unicodedata.normalize("NFKD", key).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]", "", ascii_key) or "paper"


def bibtex(paper: Paper) -> str:
    entry_type = _BIBTEX_TYPES.get(paper.work_type, "misc")
    fields = {
        "title": "{" + _latex_escape(paper.title) + "}" if paper.title else "",
        "author": _bibtex_names(_authors(paper)),
        "editor": _bibtex_names(_editors(paper)),
        "journal"
        if entry_type == "article"
        else "booktitle"
        if entry_type in ("inproceedings", "incollection")
        else "howpublished": _latex_escape(paper.container_title),
        "year": str(paper.published_date.year) if paper.published_date else "",
        "month": str(paper.published_date.month) if paper.published_precision in ("month", "day") else "",
        "volume": paper.volume,
        "number": paper.issue,
        "pages": paper.pages.replace("-", "--") if paper.pages else "",
        "publisher": _latex_escape(paper.publisher),
        "doi": paper.doi,
        "url": paper.doi_url,
        "pmid": paper.pmid,
    }
    entry = Entry(entry_type, citation_key(paper), [Field(k, v) for k, v in fields.items() if v])
    library = bibtexparser.Library([entry])
    return bibtexparser.write_string(library)


# rispy knows no ED (editor) tag; RIS has one, and EndNote, Zotero and Mendeley read it. Readers of our RIS (tests,
# a script) pass these to rispy.loads to get it back as "editors".
RIS_MAPPING = {**rispy.TAG_KEY_MAPPING, "ED": "editors"}
RIS_LIST_TAGS = [*rispy.LIST_TYPE_TAGS, "ED"]


class _RisWriter(rispy.RisWriter):
    DEFAULT_MAPPING = RIS_MAPPING
    DEFAULT_LIST_TAGS = RIS_LIST_TAGS

    def set_header(self, count: int) -> str:
        # rispy numbers each record ("1.") as some tools' exports do; it is no RIS tag, and readers that expect
        # `TY  -` first (EndNote, Zotero's strict mode) refuse the line.
        return ""


def ris(paper: Paper) -> str:
    record: dict = {
        "type_of_reference": _RIS_TYPES.get(paper.work_type, "GEN"),
        "authors": [_ris_name(a) for a in _authors(paper)],
        "title": paper.title,
        "doi": paper.doi,
        "urls": [paper.doi_url],
    }
    optional = {
        "editors": [_ris_name(a) for a in _editors(paper)],  # ED, one line per name
        "secondary_title": paper.container_title,
        "volume": paper.volume,
        "number": paper.issue,
        "start_page": paper.first_page,
        "end_page": paper.last_page,
        "publisher": paper.publisher,
        "year": str(paper.published_date.year) if paper.published_date else "",
        "date": "/".join(f"{p:02d}" if i else str(p) for i, p in enumerate(_date_parts(paper))),
        "abstract": "\n\n".join(paper.abstract_paragraphs),
        "language": paper.language,
    }
    record.update({key: value for key, value in optional.items() if value})
    # A RIS value ends at its line's end: a line break inside one (an abstract's paragraphs) makes untagged lines.
    record = {
        key: [_one_line(v) for v in value] if isinstance(value, list) else _one_line(value)
        for key, value in record.items()
    }
    return rispy.dumps([record], implementation=_RisWriter)


def _one_line(text: str) -> str:
    return " ".join(part.strip() for part in text.splitlines() if part.strip())


def formatted_reference(paper: Paper) -> str:
    """A plain reference in the author–date style most readers know (APA-like)."""
    names = []
    for author in _authors(paper):
        if author.family_name and author.given_name:
            initials = " ".join(f"{part[0]}." for part in re.split(r"[\s-]+", author.given_name) if part)
            names.append(f"{author.family_name}, {initials}")
        else:
            names.append(author.display_name)
    if len(names) > 20:
        names = names[:19] + ["…", names[-1]]
    people = ", ".join(names[:-1]) + (", & " if len(names) > 1 else "") + names[-1] if names else ""
    year = f"({paper.published_date.year})" if paper.published_date else "(n.d.)"
    venue = paper.container_title
    if paper.volume:
        venue += f", {paper.volume}"
        if paper.issue:
            venue += f"({paper.issue})"
    if paper.pages:
        venue += f", {paper.pages}"
    parts = [
        p
        for p in (
            f"{people} {year}.".strip(),
            f"{paper.title.rstrip('.')}." if paper.title else "",
            f"{venue}." if venue else "",
            paper.doi_url,
        )
        if p
    ]
    return " ".join(parts)
