"""DataCite REST API: https://support.datacite.org/docs/api-get-doi"""

from urllib.parse import quote

from django.conf import settings

from paperhub import http
from papers import normalize


def get_doi(doi: str) -> normalize.WorkRecord:
    response = http.get_json("DataCite", f"{settings.DATACITE_API_URL}/dois/{quote(doi, safe='/')}")
    return normalize.datacite_work(response.data)
