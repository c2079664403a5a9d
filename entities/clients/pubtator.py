"""NCBI PubTator3's annotation export: https://www.ncbi.nlm.nih.gov/research/pubtator3/api

GET {PUBTATOR_API_URL}/publications/export/biocjson?pmids=1,2,3 answers `{"PubTator3": [documents]}` (`&full=true`
for the full text where PMC has it); PMIDs PubTator does not know are simply left out, so `missing_pmids` tells the
caller which asked ones came back without a document. An empty answer or a 404 for a batch means none annotated.
The API asks for at most 3 requests per second: PUBTATOR_RATE_LIMIT, shared by every worker.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings

from entities import pubtator
from paperhub import http

UPSTREAM = "PubTator"  # rate-limit key "pubtator"
MAX_PMIDS_PER_CALL = 100  # PubTator3's own limit per export request
# A full-text document is near 1 MB of JSON (the recorded 151-passage one is 845 KB); allowing 2 MB each for long
# articles, 5 of them fill half of the default 10 MB UPSTREAM_MAX_RESPONSE_BYTES. A smaller cap batches fewer.
MAX_FULL_TEXTS_PER_CALL = 5
FULL_TEXT_BYTES_ALLOWANCE = 2 * 1024 * 1024


class InvalidPMID(ValueError):
    """Not a PMID (digits only); nothing was asked of PubTator."""


def full_text_batch_size() -> int:
    """Full texts per call: MAX_FULL_TEXTS_PER_CALL, fewer when the response size cap could not hold them."""
    return max(1, min(MAX_FULL_TEXTS_PER_CALL, settings.UPSTREAM_MAX_RESPONSE_BYTES // FULL_TEXT_BYTES_ALLOWANCE))


def export_biocjson(pmids: list[str], *, full: bool) -> list[pubtator.Document]:
    """PubTator3's documents for `pmids` (abstracts, or full texts where it has them), in batches.

    Raises InvalidPMID before any request, and http's UpstreamUnavailable (429, 5xx, timeouts; with retry_after)
    or UpstreamBadResponse (an answer that is not BioC-JSON, too large) like every client.
    """
    wanted = _clean(pmids)
    size = full_text_batch_size() if full else MAX_PMIDS_PER_CALL
    documents: list[pubtator.Document] = []
    for start in range(0, len(wanted), size):
        documents += _export(wanted[start : start + size], full=full)
    return documents


def missing_pmids(pmids: Iterable[str], documents: Iterable[pubtator.Document]) -> list[str]:
    """The asked PMIDs no document came back for, in the order asked (PubTator omits the ones it lacks)."""
    returned = {d.pmid for d in documents}
    return [pmid for pmid in _clean(list(pmids)) if pmid not in returned]


def _clean(pmids: list[str]) -> list[str]:
    cleaned = []
    for pmid in pmids:
        candidate = str(pmid).strip()
        if not candidate.isdigit() or not candidate.isascii() or len(candidate) > 10:
            raise InvalidPMID(f"not a PMID (digits only): {pmid!r}")
        cleaned.append(candidate.lstrip("0") or "0")
    return list(dict.fromkeys(cleaned))


def _export(pmids: list[str], *, full: bool) -> list[pubtator.Document]:
    params = {"pmids": ",".join(pmids)}
    if full:
        params["full"] = "true"
    try:
        response = http.get_bytes(
            UPSTREAM,
            f"{settings.PUBTATOR_API_URL}/publications/export/biocjson",
            params=params,
            accept="application/json",
        )
    except http.UpstreamNotFound:
        return []  # none of the batch is annotated
    if not response.content.strip():
        return []
    try:
        return pubtator.parse(response.content)
    except pubtator.PubtatorFormatError as exc:
        message = f"the answer is not BioC-JSON: {exc}"
        raise http.UpstreamBadResponse(UPSTREAM, message, status=response.status) from None
