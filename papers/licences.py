"""A licence URL as the name people know it by: "CC BY 4.0", "Elsevier text-and-data-mining licence". Pure.

Crossref (`license[].URL`), DataCite (`rightsList[].rightsUri`), JATS (`<license xlink:href>`) and Europe PMC send
URLs; OpenAlex sends ids (`cc-by`, `https://openalex.org/licenses/cc-by`). Creative Commons URLs come in every
spelling (http or https, www or not, trailing slash or not, `legalcode`, `deed.de`, a port such as `3.0/igo`); each
reads as its short name. A URL we don't know reads as its host, so the link text still says where it goes.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_CC_KINDS = {
    "by": "BY",
    "by-sa": "BY-SA",
    "by-nd": "BY-ND",
    "by-nc": "BY-NC",
    "by-nc-sa": "BY-NC-SA",
    "by-nc-nd": "BY-NC-ND",
    "by-nd-nc": "BY-NC-ND",  # the 1.0 spelling of BY-NC-ND
}
_CC_LICENCE = re.compile(
    r"/licenses/(?P<kind>[a-z-]+)(?:/(?P<version>\d\.\d)(?:/(?P<port>[a-z]{2,3})(?=/|$))?)?(?:/|$)", re.IGNORECASE
)
_CC_PUBLIC_DOMAIN = re.compile(r"/publicdomain/(?P<kind>zero|mark)(?:/(?P<version>\d\.\d))?(?:/|$)", re.IGNORECASE)
# OpenAlex's licence ids, bare or as https://openalex.org/licenses/<id>.
_OPENALEX_IDS = {
    "public-domain": "Public domain",
    "other-oa": "Other open licence",
    "publisher-specific-oa": "Publisher's open licence",
    "mit": "MIT licence",
    "gpl-v3": "GPL 3.0",
    "isc": "ISC licence",
}
# (host ends with, path starts with (lower case), name): the publishers' own licences seen in Crossref records.
_PUBLISHERS = [
    ("elsevier.com", "/tdm/", "Elsevier text-and-data-mining licence"),
    ("elsevier.com", "/open-access/userlicense/", "Elsevier open access user licence"),
    ("elsevier.com", "/legal/", "Elsevier terms"),
    ("springer.com", "/tdm", "Springer text-and-data-mining licence"),
    ("springernature.com", "/gp/researchers/text-and-data-mining", "Springer text-and-data-mining licence"),
    ("wiley.com", "/10.1002/tdm_license", "Wiley text-and-data-mining licence"),
    ("wiley.com", "/termsandconditions", "Wiley terms and conditions"),
    ("acm.org", "/publications/policies/copyright_policy", "ACM copyright policy"),
    ("academic.oup.com", "/journals/pages/open_access/funder_policies/chorus/", "OUP standard publication model"),
    ("academic.oup.com", "/pages/standard-publication-reuse-rights", "OUP standard publication model"),
    ("ieee.org", "/xplorehelp/downloads/license-information/oapa", "IEEE open access publishing agreement"),
    ("ieee.org", "/xplorehelp/downloads/license-information/", "IEEE licence"),
    ("ieee.org", "/publications/rights/", "IEEE licence"),
    ("iop.org", "/page/text-and-data-mining", "IOP text-and-data-mining licence"),
    ("iopscience.iop.org", "/info/page/text-and-data-mining", "IOP text-and-data-mining licence"),
    ("aip.org", "/pubs/tdm-license", "AIP text-and-data-mining licence"),
    ("biorxiv.org", "/about/faq", "bioRxiv licence terms"),
    ("medrxiv.org", "/about/faq", "medRxiv licence terms"),
    ("arxiv.org", "/licenses/nonexclusive-distrib/", "arXiv non-exclusive distribution licence"),
]
_TDM = re.compile(r"(?:^|[/_.-])tdm(?:$|[/_.-])|text-and-data-mining|text_and_data_mining", re.IGNORECASE)


def licence_name(url: str) -> str:
    """The licence's short name; the URL's host when we don't know it; "" for no URL."""
    value = (url or "").strip()
    if not value:
        return ""
    bare = _openalex_id(value)
    if bare is not None:
        return bare
    parts = urlsplit(value if "://" in value else f"https://{value}")
    host = (parts.hostname or "").lower().removeprefix("www.")
    path = parts.path or "/"
    if host == "creativecommons.org":
        return _creative_commons(path)
    if host == "openalex.org" and path.lower().startswith("/licenses/"):
        name = _openalex_id(path.rsplit("/", 1)[-1])
        if name is not None:
            return name
    lowered = path.lower()
    for suffix, prefix, name in _PUBLISHERS:
        if (host == suffix or host.endswith(f".{suffix}")) and lowered.startswith(prefix):
            return name
    if _TDM.search(path):
        return "Publisher's text-and-data-mining licence"
    return host or value


def _creative_commons(path: str) -> str:
    match = _CC_LICENCE.search(path)
    if match and match["kind"].lower() in _CC_KINDS:
        name = f"CC {_CC_KINDS[match['kind'].lower()]}"
        if match["version"]:
            name += f" {match['version']}"
            if match["port"] and match["port"].lower() not in ("deed", "legalcode"):
                name += f" {match['port'].upper()}"
        return name
    match = _CC_PUBLIC_DOMAIN.search(path)
    if match:
        name = "CC0" if match["kind"].lower() == "zero" else "Public Domain Mark"
        return f"{name} {match['version']}" if match["version"] else name
    return "Creative Commons licence"


def _openalex_id(value: str) -> str | None:
    key = value.lower()
    if key.startswith("cc-") and key.removeprefix("cc-") in _CC_KINDS:
        return f"CC {_CC_KINDS[key.removeprefix('cc-')]}"
    if key == "cc0":
        return "CC0"
    return _OPENALEX_IDS.get(key)
