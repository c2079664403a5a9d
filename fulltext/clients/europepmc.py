"""Europe PMC's RESTful web service, full text: https://europepmc.org/RestfulWebService (GET /{PMCID}/fullTextXML)

Only open-access articles have full text here; for the others Europe PMC answers 404 (some clients have seen 204,
and its other endpoints answer an `<errorBean>`), all of which mean "not open access". The endpoint takes no
contact parameter (only `search` is documented with an `email`), so PaperHub names itself and its contact address
in the User-Agent, as it does for every upstream, and keeps to its own rate limit (EUROPEPMC_RATE_LIMIT).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from lxml import etree

from paperhub import http

UPSTREAM = "Europe PMC"
PMCID_RE = re.compile(r"PMC\d{1,10}")


class InvalidPMCID(ValueError):
    """Not a PMCID (PMC followed by digits); nothing was asked of Europe PMC."""


class NotOpenAccess(http.UpstreamNotFound):
    """Europe PMC has no full text for this article: it is not in the open-access subset. Not worth retrying soon."""

    def __init__(self, *, status: int | None = None):
        super().__init__(UPSTREAM, "not open access", status=status)


@dataclass(frozen=True)
class FullTextXML:
    """The article's JATS XML as Europe PMC sent it (bytes, unparsed), with what a later conditional request needs."""

    pmcid: str
    content: bytes
    etag: str
    last_modified: str
    status: int
    url: str


def normalize_pmcid(pmcid: str) -> str:
    """'pmc8233371 ' -> 'PMC8233371'; raises InvalidPMCID for anything else."""
    candidate = pmcid.strip().upper()
    if not PMCID_RE.fullmatch(candidate):
        raise InvalidPMCID(f"not a PMCID (PMC followed by digits): {pmcid!r}")
    return candidate


def get_fulltext_xml(pmcid: str, *, etag: str = "", last_modified: str = "") -> FullTextXML | None:
    """The open-access full text of `pmcid`, or None when `etag` / `last_modified` say ours is current (a 304).

    Raises InvalidPMCID before any request, NotOpenAccess (404, 410, 204, an empty body or an `<errorBean>`), and
    http's UpstreamUnavailable / UpstreamBadResponse like every client (a body that is not a JATS `<article>` is
    a bad response).
    """
    pmcid = normalize_pmcid(pmcid)
    try:
        response = http.get_bytes(
            UPSTREAM,
            f"{settings.EUROPEPMC_API_URL}/{pmcid}/fullTextXML",
            accept="application/xml",
            etag=etag,
            last_modified=last_modified,
            no_content_statuses=(204,),
        )
    except http.UpstreamNotFound as exc:
        raise NotOpenAccess(status=exc.status) from None
    if response.not_modified:
        return None
    if response.no_content or not response.content.strip():
        raise NotOpenAccess(status=response.status)
    root_tag = _root_tag(response.content)
    if root_tag == "errorBean":
        raise NotOpenAccess(status=response.status)
    if root_tag != "article":
        found = f"<{root_tag}>" if root_tag else "not well-formed XML"
        raise http.UpstreamBadResponse(
            UPSTREAM, f"the full text is not a JATS article ({found})", status=response.status
        )
    return FullTextXML(
        pmcid=pmcid,
        content=response.content,
        etag=response.etag,
        last_modified=response.last_modified,
        status=response.status,
        url=response.url,
    )


def _root_tag(content: bytes) -> str:
    """The document element's local name, or "" when the bytes are not well-formed XML.

    Parsed without the DTD, the network or entity expansion, as the JATS converter parses it.
    """
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError:
        return ""
    return etree.QName(root).localname
