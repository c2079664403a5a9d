"""Semantic Scholar Academic Graph API, a paper's TLDR: https://api.semanticscholar.org/api-docs/graph

GET /paper/DOI:{doi}?fields=tldr answers `{"paperId": ..., "tldr": {"model": ..., "text": ...}}`, `tldr` null (or
absent) when Semantic Scholar has written none. A key (SEMANTIC_SCHOLAR_API_KEY) goes in `x-api-key`; with one the
documented limit is 1 request per second, shared by every worker through SEMANTIC_SCHOLAR_RATE_LIMIT.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from django.conf import settings

from paperhub import http

UPSTREAM = "Semantic Scholar"


@dataclass(frozen=True)
class Tldr:
    text: str
    model: str  # which of Semantic Scholar's models wrote it, e.g. "tldr@v2.0.0"


def get_tldr(doi: str) -> Tldr | None:
    """The paper's TLDR, or None when it has none. Raises UpstreamNotFound for an unknown DOI (404)."""
    headers = {"x-api-key": settings.SEMANTIC_SCHOLAR_API_KEY} if settings.SEMANTIC_SCHOLAR_API_KEY else None
    url = f"{settings.SEMANTIC_SCHOLAR_API_URL}/paper/DOI:{quote(doi, safe='/')}"
    data = http.get_json(UPSTREAM, url, params={"fields": "tldr"}, headers=headers).data
    if not isinstance(data, dict):
        raise http.UpstreamBadResponse(UPSTREAM, "the paper record is not a JSON object")
    return _tldr_of(data)


# The batch endpoint takes at most 500 ids a call (https://api.semanticscholar.org/api-docs/graph#tag/Paper-Data/
# operation/post_graph_get_papers).
MAX_IDS_PER_CALL = 500


def get_tldrs(dois: list[str]) -> dict[str, Tldr | None]:
    """TLDRs of many papers: `POST /paper/batch?fields=tldr` with `{"ids": ["DOI:…", …]}`, 500 a call. The answer
    is a list in the order asked, null for a paper Semantic Scholar does not know: such DOIs are absent from the
    result; a known paper without a TLDR maps to None."""
    headers = {"x-api-key": settings.SEMANTIC_SCHOLAR_API_KEY} if settings.SEMANTIC_SCHOLAR_API_KEY else None
    found: dict[str, Tldr | None] = {}
    for start in range(0, len(dois), MAX_IDS_PER_CALL):
        chunk = dois[start : start + MAX_IDS_PER_CALL]
        answer = http.post_json(
            UPSTREAM,
            f"{settings.SEMANTIC_SCHOLAR_API_URL}/paper/batch?fields=tldr",
            json_body={"ids": [f"DOI:{doi}" for doi in chunk]},
            headers=headers,
        ).data
        if not isinstance(answer, list) or len(answer) != len(chunk):
            raise http.UpstreamBadResponse(UPSTREAM, "the batch answer is not a list with one entry per id asked")
        for doi, paper in zip(chunk, answer, strict=True):
            if paper is None:
                continue
            if not isinstance(paper, dict):
                raise http.UpstreamBadResponse(UPSTREAM, "a batch entry is not a JSON object")
            found[doi] = _tldr_of(paper)
    return found


def _tldr_of(paper: dict) -> Tldr | None:
    tldr = paper.get("tldr")
    if tldr is None:
        return None
    if not isinstance(tldr, dict) or not isinstance(tldr.get("text"), str | None):
        raise http.UpstreamBadResponse(UPSTREAM, "the tldr is not an object with a text")
    text = (tldr.get("text") or "").strip()
    return Tldr(text=text, model=str(tldr.get("model") or "")) if text else None
