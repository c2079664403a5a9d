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
    tldr = data.get("tldr")
    if tldr is None:
        return None
    if not isinstance(tldr, dict) or not isinstance(tldr.get("text"), str | None):
        raise http.UpstreamBadResponse(UPSTREAM, "the tldr is not an object with a text")
    text = (tldr.get("text") or "").strip()
    if not text:
        return None
    return Tldr(text=text, model=str(tldr.get("model") or ""))
