"""OpenAlex works API: https://docs.openalex.org/api-entities/works/get-a-single-work"""

import contextlib
from urllib.parse import quote

from django.conf import settings

from paperhub import http
from papers import normalize


def get_work(doi: str) -> normalize.WorkRecord:
    params = {}
    if settings.OPENALEX_API_KEY:
        params["api_key"] = settings.OPENALEX_API_KEY
    if settings.PAPERHUB_CONTACT_EMAIL:
        params["mailto"] = settings.PAPERHUB_CONTACT_EMAIL
    url = f"{settings.OPENALEX_API_URL}/works/doi:{quote(doi, safe='/')}"
    return normalize.openalex_work(http.get_json("OpenAlex", url, params=params or None).data)


# OpenAlex ORs at most 100 values in one filter; a DOI holding the filter syntax's separators is asked alone.
MAX_DOIS_PER_CALL = 100
_SEPARATORS = ("|", ",", "+")


def get_works(dois: list[str]) -> dict[str, normalize.WorkRecord]:
    """Many works in one `GET /works?filter=doi:a|b|…` (https://docs.openalex.org/how-to-use-the-api/get-lists-of-
    entities/filter-entity-lists): the records found, by lower-case DOI. A DOI OpenAlex lacks is simply absent."""
    found: dict[str, normalize.WorkRecord] = {}
    alone = [doi for doi in dois if any(mark in doi for mark in _SEPARATORS)]
    together = [doi for doi in dois if doi not in alone]
    for start in range(0, len(together), MAX_DOIS_PER_CALL):
        chunk = together[start : start + MAX_DOIS_PER_CALL]
        params = {"filter": "doi:" + "|".join(chunk), "per-page": str(len(chunk))}
        if settings.OPENALEX_API_KEY:
            params["api_key"] = settings.OPENALEX_API_KEY
        if settings.PAPERHUB_CONTACT_EMAIL:
            params["mailto"] = settings.PAPERHUB_CONTACT_EMAIL
        data = http.get_json("OpenAlex", f"{settings.OPENALEX_API_URL}/works", params=params).data
        results = data.get("results") if isinstance(data, dict) else None
        if not isinstance(results, list):
            raise http.UpstreamBadResponse("OpenAlex", "the answer is not a list of works")
        for item in results:
            if isinstance(item, dict):
                try:
                    record = normalize.openalex_work(item)
                except normalize.UnusableRecord:
                    continue  # one unusable work must not cost the batch's others
                found[record.doi.lower()] = record
    for doi in alone:
        with contextlib.suppress(http.UpstreamNotFound):
            found[doi.lower()] = get_work(doi)
    return found
