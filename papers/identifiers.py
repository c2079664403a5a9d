"""What people paste to add a paper: a DOI in any form, an arXiv id or URL, a PMID or PMCID. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass

import idutils

from . import doi as doi_lib

ARXIV_DOI_PREFIX = "10.48550/arxiv."

_ARXIV_URL = re.compile(r"^(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/(?P<id>.+?)(?:\.pdf)?/?$", re.I)
_PUBMED_URL = re.compile(r"^(?:https?://)?(?:www\.)?pubmed\.ncbi\.nlm\.nih\.gov/(?P<id>\d+)/?$", re.I)
_PMC_URL = re.compile(
    r"^(?:https?://)?(?:www\.)?(?:pmc\.)?ncbi\.nlm\.nih\.gov/(?:pmc/)?articles/(?P<id>PMC\d+)/?$", re.I
)


class InvalidIdentifier(ValueError):
    """Not something PaperHub can look up; the message says what was expected."""


@dataclass(frozen=True)
class Identifier:
    scheme: str  # "doi", "pmid" or "pmcid"; arXiv ids are turned into their DataCite DOI
    value: str

    @property
    def is_doi(self) -> bool:
        return self.scheme == "doi"


def parse_identifier(text: str) -> Identifier:
    value = (text or "").strip()
    if not value:
        raise InvalidIdentifier("Enter a DOI, an arXiv id, a PMID or a PMCID.")
    if len(value) > 2000:
        raise InvalidIdentifier("That is far too long to be an identifier.")

    if match := _ARXIV_URL.match(value):
        value = f"arXiv:{match.group('id')}"
    if value.lower().startswith("arxiv:") or _looks_like_arxiv(value):
        arxiv_id = re.sub(r"^arxiv:\s*", "", value, flags=re.I)
        arxiv_id = re.sub(r"v\d+$", "", arxiv_id)  # the DOI names the paper, not one version
        if not idutils.is_arxiv(arxiv_id):
            raise InvalidIdentifier(f"“{arxiv_id}” is not an arXiv id: they look like 2311.16162 or hep-th/9901001.")
        return Identifier("doi", f"{ARXIV_DOI_PREFIX}{arxiv_id.lower()}")

    if match := _PUBMED_URL.match(value):
        value = match.group("id")
    if match := _PMC_URL.match(value):
        value = match.group("id")
    if re.fullmatch(r"(?i)pmid:?\s*\d+", value):
        value = re.sub(r"\D", "", value)
    if re.fullmatch(r"\d{1,9}", value):
        return Identifier("pmid", str(int(value)))
    if re.fullmatch(r"(?i)pmc\d{1,9}", value):
        return Identifier("pmcid", value.upper())

    try:
        return Identifier("doi", doi_lib.normalize_doi(value))
    except doi_lib.InvalidDOI as exc:
        raise InvalidIdentifier(
            f"{exc} PaperHub also accepts arXiv ids (2311.16162), PMIDs (26354291) and PMCIDs (PMC4559886)."
        ) from None


def _looks_like_arxiv(value: str) -> bool:
    # New-style ids (2311.16162, optionally versioned) and old-style ones (hep-th/9901001).
    return bool(
        re.fullmatch(r"\d{4}\.\d{4,5}(v\d+)?", value) or re.fullmatch(r"[a-z\-]+(\.[A-Z]{2})?/\d{7}(v\d+)?", value)
    )
