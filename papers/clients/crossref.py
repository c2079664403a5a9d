"""Crossref REST API: https://api.crossref.org/swagger-ui/index.html"""

from urllib.parse import quote

import httpx
from django.conf import settings

from paperhub import http
from papers import normalize

# Crossref reads at most 4096 bytes of request line ("GET <target> HTTP/1.1"; CrossRef/rest-api-doc#251, answered
# by Crossref): a list request's path and query stay under this, which leaves room for a proxy's prefix.
MAX_REQUEST_TARGET_BYTES = 4000
MAX_ROWS = 1000  # the most `rows` Crossref returns in one list answer (its REST API documentation)
# What a reference shows, and nothing more: a list of whole records (reference lists, funders …) can be megabytes.
WORK_LIST_FIELDS = (
    "DOI",
    "title",
    "subtitle",
    "author",
    "container-title",
    "issued",
    "published",
    "published-print",
    "published-online",
    "created",
    "volume",
    "page",
    "article-number",
    "type",
)


def _params(**extra) -> dict:
    contact = {"mailto": settings.PAPERHUB_CONTACT_EMAIL} if settings.PAPERHUB_CONTACT_EMAIL else {}
    return {**extra, **contact}


def get_work(doi: str) -> normalize.WorkRecord:
    params = _params() or None
    response = http.get_json("Crossref", f"{settings.CROSSREF_API_URL}/works/{quote(doi, safe='/')}", params=params)
    return normalize.crossref_work(response.data)


def can_list(doi: str) -> bool:
    """Whether `doi` can go in a `filter=doi:…` list: Crossref splits filters at commas, so a DOI holding one can
    only be asked for alone (get_work)."""
    return "," not in doi


def get_works(dois: list[str]) -> list[normalize.WorkRecord]:
    """The records Crossref holds of `dois`, in one request (`filter=doi:A,doi:B`: the same filter repeated is
    an OR). A DOI Crossref does not know is simply absent from the answer. Raises ValueError for a list that does
    not fit one request (see dois_per_request) and for a DOI can_list refuses."""
    if not dois or dois_per_request(dois) < len(dois):
        raise ValueError(f"{len(dois)} DOIs do not fit one Crossref list request")
    response = http.get_json("Crossref", _works_url(dois))
    return normalize.crossref_work_list(response.data)


def dois_per_request(dois: list[str]) -> int:
    """How many of `dois`, from the first, one list request can ask for (rows and the request line's length)."""
    fitting = 0
    for count in range(1, min(len(dois), MAX_ROWS) + 1):
        if not can_list(dois[count - 1]) or len(_works_url(dois[:count]).raw_path) > MAX_REQUEST_TARGET_BYTES:
            break
        fitting = count
    return fitting


def _works_url(dois: list[str]) -> httpx.URL:
    params = {
        "filter": ",".join(f"doi:{doi}" for doi in dois),
        "rows": str(len(dois)),
        "select": ",".join(WORK_LIST_FIELDS),
    }
    if settings.PAPERHUB_CONTACT_EMAIL:
        params["mailto"] = settings.PAPERHUB_CONTACT_EMAIL
    return httpx.URL(f"{settings.CROSSREF_API_URL}/works", params=params)


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
