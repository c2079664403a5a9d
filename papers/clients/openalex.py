"""OpenAlex works API: https://docs.openalex.org/api-entities/works/get-a-single-work"""

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
