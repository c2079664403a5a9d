"""What people paste to add a paper: a DOI in any form, an arXiv id or URL, a PMID or PMCID. Pure."""

from __future__ import annotations

import datetime
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


# Sentence punctuation after an arXiv id, PMID or PMCID (DOIs have their own rule in doi.py: they may end in ")").
_TRAILING_NOISE = re.compile(r"[\s.,;)\]/]+$")
# arXiv's numbering: new-style YYMM.NNNN from April 2007, five digits from January 2015; old-style before that.
_ARXIV_NEW = re.compile(r"(?P<yy>\d\d)(?P<mm>\d\d)\.(?P<number>\d{4,5})")
_ARXIV_OLD = re.compile(r"[a-z\-]+(?:\.[a-z]{2})?/(?P<yy>\d\d)(?P<mm>\d\d)(?P<number>\d{3})")


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

    doi_text = value  # a DOI may end in a balanced ")"; doi.py strips its noise itself
    value = _TRAILING_NOISE.sub("", value)

    if match := _ARXIV_URL.match(value):
        value = f"arXiv:{match.group('id')}"
    if value.lower().startswith("arxiv:") or _looks_like_arxiv(value):
        arxiv_id = re.sub(r"^arxiv:\s*", "", value, flags=re.I)
        arxiv_id = re.sub(r"v\d+$", "", arxiv_id)  # the DOI names the paper, not one version
        if not idutils.is_arxiv(arxiv_id):
            raise InvalidIdentifier(f"“{arxiv_id}” is not an arXiv id: they look like 2311.16162 or hep-th/9901001.")
        _check_arxiv_number(arxiv_id)
        return Identifier("doi", f"{ARXIV_DOI_PREFIX}{arxiv_id.lower()}")

    if match := _PUBMED_URL.match(value):
        value = match.group("id")
    if match := _PMC_URL.match(value):
        value = match.group("id")
    if re.fullmatch(r"(?i)pmid:?\s*\d+", value):
        value = re.sub(r"\D", "", value)
    if re.fullmatch(r"\d{1,9}", value):
        if int(value) == 0:
            raise InvalidIdentifier("PMIDs start at 1; “0” is not one.")
        return Identifier("pmid", str(int(value)))
    if re.fullmatch(r"(?i)pmc\d{1,9}", value):
        if int(value[3:]) == 0:
            raise InvalidIdentifier(f"PMCIDs start at PMC1; “{value}” is not one.")
        return Identifier("pmcid", value.upper())

    value = doi_text
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


def _check_arxiv_number(arxiv_id: str) -> None:
    """Refuse ids arXiv cannot have issued: month 13, before its scheme began, or after this month."""
    new, old = _ARXIV_NEW.fullmatch(arxiv_id), _ARXIV_OLD.fullmatch(arxiv_id.lower())
    match = new or old
    if match is None:
        return
    yy, mm, number = int(match["yy"]), int(match["mm"]), int(match["number"])
    year = 2000 + yy if new or yy < 91 else 1900 + yy
    today = datetime.datetime.now(datetime.UTC).date()
    if new:
        possible = (year, mm) >= (2007, 4) and len(match["number"]) == (4 if year < 2015 else 5)
    else:
        possible = (1991, 8) <= (year, mm) <= (2007, 3)
    if not (1 <= mm <= 12 and possible and (year, mm) <= (today.year, today.month) and number > 0):
        raise InvalidIdentifier(
            f"“{arxiv_id}” cannot be an arXiv id: its first four digits are the year and month it was submitted "
            "(2311.16162 is from November 2023)."
        )
