"""Crossref REST API: https://api.crossref.org/swagger-ui/index.html"""

from urllib.parse import quote

from django.conf import settings

from paperhub import http
from papers import normalize


def get_work(doi: str) -> normalize.WorkRecord:
    params = {"mailto": settings.PAPERHUB_CONTACT_EMAIL} if settings.PAPERHUB_CONTACT_EMAIL else None
    response = http.get_json("Crossref", f"{settings.CROSSREF_API_URL}/works/{quote(doi, safe='/')}", params=params)
    return normalize.crossref_work(response.data)
