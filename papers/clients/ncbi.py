"""NCBI's PMC ID Converter: https://pmc.ncbi.nlm.nih.gov/tools/id-converter-api/"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from paperhub import http
from papers import doi as doi_lib

MAX_IDS_PER_CALL = 200


@dataclass(frozen=True)
class ArticleIds:
    doi: str = ""
    pmid: str = ""
    pmcid: str = ""


def convert_ids(ids: list[str]) -> list[ArticleIds]:
    """Look up DOIs, PMIDs or PMCIDs (one kind per call, as the API wants), 200 at a time."""
    found: list[ArticleIds] = []
    for start in range(0, len(ids), MAX_IDS_PER_CALL):
        params = {"ids": ",".join(ids[start : start + MAX_IDS_PER_CALL]), "format": "json", "tool": "paperhub"}
        if settings.PAPERHUB_CONTACT_EMAIL:
            params["email"] = settings.PAPERHUB_CONTACT_EMAIL
        data = http.get_json("NCBI", settings.NCBI_IDCONV_URL, params=params).data
        if not isinstance(data, dict) or not isinstance(data.get("records"), list):
            raise http.UpstreamBadResponse("NCBI", "the ID converter's answer has no records")
        for record in data["records"]:
            if not isinstance(record, dict) or record.get("status") == "error":
                continue
            try:
                doi = doi_lib.normalize_doi(record.get("doi", "")) if record.get("doi") else ""
            except doi_lib.InvalidDOI:
                doi = ""
            pmid = str(record.get("pmid", ""))
            found.append(ArticleIds(doi=doi, pmid=pmid if pmid.isdigit() else "", pmcid=record.get("pmcid", "")))
    return found
