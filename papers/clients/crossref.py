"""Crossref REST API: https://api.crossref.org/swagger-ui/index.html"""

from urllib.parse import quote

from django.conf import settings

from paperhub import http
from papers import normalize

# The list route answers at most this many works a page (Crossref's REST API documentation, "Rows").
MAX_ROWS = 1000


def _params(**extra) -> dict:
    contact = {"mailto": settings.PAPERHUB_CONTACT_EMAIL} if settings.PAPERHUB_CONTACT_EMAIL else {}
    return {**extra, **contact}


def get_work(doi: str) -> normalize.WorkRecord:
    params = _params() or None
    response = http.get_json("Crossref", f"{settings.CROSSREF_API_URL}/works/{quote(doi, safe='/')}", params=params)
    return normalize.crossref_work(response.data)


def get_peer_reviews_of(doi: str) -> normalize.PeerReviewList:
    """The works Crossref holds as peer reviews of `doi` (referee reports, editors' reports, authors' replies …).

    The filter names are Crossref's ("Filter names" in its REST API documentation): `type:peer-review`, and
    `relation.type` with `relation.object`, which as dot filters apply to one and the same relation of the work
    ("Dot filters"): works whose `is-review-of` relation has this DOI as its object. Same rate limit as every
    Crossref call (the upstream name "Crossref").
    """
    if "," in doi:
        # Crossref separates filters with commas: such a DOI would be read as two filters, and answer for neither.
        raise ValueError(f"{doi} holds a comma, which Crossref's filter syntax cannot carry")
    query = f"type:peer-review,relation.type:is-review-of,relation.object:{doi}"
    response = http.get_json(
        "Crossref", f"{settings.CROSSREF_API_URL}/works", params=_params(filter=query, rows=MAX_ROWS)
    )
    return normalize.crossref_peer_reviews(response.data, reviewed_doi=doi)
