"""papers.licences: every licence URL in the recorded samples, and the spellings upstreams use, read as names."""

import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from papers.licences import licence_name
from tests.papers.factories import PaperFactory

SAMPLES = Path(__file__).resolve().parents[2] / "papers" / "fixtures" / "upstream"

# Every licence value in the recorded samples, and what the page calls it. A new sample with another licence fails
# test_every_licence_in_the_samples_has_a_name until it is added here.
IN_SAMPLES = {
    "http://creativecommons.org/licenses/by/2.0": "CC BY 2.0",
    "http://creativecommons.org/licenses/by/3.0/": "CC BY 3.0",
    "http://creativecommons.org/licenses/by/4.0/": "CC BY 4.0",
    "https://creativecommons.org/licenses/by/4.0/": "CC BY 4.0",
    "https://creativecommons.org/licenses/by/4.0/legalcode": "CC BY 4.0",
    "http://creativecommons.org/licenses/by-nc/3.0": "CC BY-NC 3.0",
    "https://creativecommons.org/publicdomain/zero/1.0/legalcode": "CC0 1.0",
    "https://www.springer.com/tdm": "Springer text-and-data-mining licence",
    "https://www.elsevier.com/tdm/userlicense/1.0/": "Elsevier text-and-data-mining licence",  # crossref/lists/
    "https://www.biorxiv.org/about/FAQ#license": "bioRxiv licence terms",
    "cc-by": "CC BY",
    "cc-by-sa": "CC BY-SA",
    "https://openalex.org/licenses/cc-by": "CC BY",
    "https://openalex.org/licenses/cc-by-sa": "CC BY-SA",
}
_LICENCE_KEYS = {"license", "licenses", "license_id", "rightslist"}
_XML_LICENCES = re.compile(
    r"<license\b[^>]*\bxlink:href=\"([^\"]+)\"|<ali:license_ref\b[^>]*>\s*([^<\s]+)\s*<|"
    r"\(\s*(https?://creativecommons\.org/[^\s)]+)\s*\)"
)


def _from_json(value, inside=False):
    if isinstance(value, dict):
        for key, item in value.items():
            licence_field = key.lower() in _LICENCE_KEYS or (inside and key in ("URL", "url", "rightsUri", "id"))
            yield from _from_json(item, licence_field)
    elif isinstance(value, list):
        for item in value:
            yield from _from_json(item, inside)
    elif inside and isinstance(value, str) and value.strip():
        # A licence statement in words (Europe PMC's "license") counts by the URLs it names.
        yield from re.findall(r"https?://[^\s)]+", value) if re.search(r"\s", value.strip()) else [value.strip()]


def licences_in_samples() -> set[str]:
    found: set[str] = set()
    for path in SAMPLES.rglob("*"):
        if path.suffix == ".json":
            found.update(_from_json(json.loads(path.read_text())))
        elif path.suffix in (".xml", ".nxml"):
            found.update(next(g for g in match.groups() if g) for match in _XML_LICENCES.finditer(path.read_text()))
    return found


def test_every_licence_in_the_samples_has_a_name():
    found = licences_in_samples()
    assert len(found) >= 8, found
    assert found <= set(IN_SAMPLES), found - set(IN_SAMPLES)
    for url in found:
        assert licence_name(url) == IN_SAMPLES[url], url


@pytest.mark.parametrize(("url", "name"), sorted(IN_SAMPLES.items()))
def test_sample_licences(url, name):
    assert licence_name(url) == name


@pytest.mark.parametrize("version", ["1.0", "2.0", "2.5", "3.0", "4.0"])
@pytest.mark.parametrize(
    ("kind", "short"),
    [
        ("by", "BY"),
        ("by-sa", "BY-SA"),
        ("by-nd", "BY-ND"),
        ("by-nc", "BY-NC"),
        ("by-nc-sa", "BY-NC-SA"),
        ("by-nc-nd", "BY-NC-ND"),
    ],
)
@pytest.mark.parametrize(
    "spelling",
    [
        "https://creativecommons.org/licenses/{}/{}/",
        "http://creativecommons.org/licenses/{}/{}",
        "https://www.creativecommons.org/licenses/{}/{}/legalcode",
        "http://creativecommons.org/licenses/{}/{}/deed.fr",
        "HTTPS://CreativeCommons.org/licenses/{}/{}/deed.en ",
        "creativecommons.org/licenses/{}/{}/legalcode.de",
    ],
)
def test_creative_commons_in_every_spelling(kind, short, version, spelling):
    assert licence_name(spelling.format(kind, version)) == f"CC {short} {version}"


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://creativecommons.org/publicdomain/zero/1.0/", "CC0 1.0"),
        ("http://creativecommons.org/publicdomain/zero/1.0", "CC0 1.0"),
        ("https://creativecommons.org/publicdomain/mark/1.0/", "Public Domain Mark 1.0"),
        ("https://creativecommons.org/licenses/by-nd-nc/1.0/", "CC BY-NC-ND 1.0"),
        ("https://creativecommons.org/licenses/by/3.0/igo/", "CC BY 3.0 IGO"),
        ("https://creativecommons.org/licenses/by/", "CC BY"),
        ("https://creativecommons.org/licenses/sampling+/1.0/", "Creative Commons licence"),
        ("https://www.elsevier.com/tdm/userlicense/1.0/", "Elsevier text-and-data-mining licence"),
        ("https://www.elsevier.com/open-access/userlicense/1.0/", "Elsevier open access user licence"),
        ("https://www.springer.com/tdm", "Springer text-and-data-mining licence"),
        ("https://www.springernature.com/gp/researchers/text-and-data-mining", "Springer text-and-data-mining licence"),
        ("http://doi.wiley.com/10.1002/tdm_license_1.1", "Wiley text-and-data-mining licence"),
        ("http://onlinelibrary.wiley.com/termsAndConditions#vor", "Wiley terms and conditions"),
        ("https://www.acm.org/publications/policies/copyright_policy#Background", "ACM copyright policy"),
        (
            "https://academic.oup.com/journals/pages/open_access/funder_policies/chorus/standard_publication_model",
            "OUP standard publication model",
        ),
        ("https://ieeexplore.ieee.org/Xplorehelp/downloads/license-information/IEEE.html", "IEEE licence"),
        (
            "https://ieeexplore.ieee.org/Xplorehelp/downloads/license-information/OAPA.html",
            "IEEE open access publishing agreement",
        ),
        ("https://publisher.example/tdm/licence-1.0", "Publisher's text-and-data-mining licence"),
        ("https://publisher.example/text-and-data-mining", "Publisher's text-and-data-mining licence"),
        ("https://journals.example.com/terms-of-use", "journals.example.com"),
        ("https://www.journals.example.com/x", "journals.example.com"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_named_licences_and_the_rest(url, name):
    assert licence_name(url) == name


@pytest.mark.django_db
def test_the_page_links_the_licence_by_name_and_the_api_gives_both(client):
    url = "https://creativecommons.org/licenses/by-nc/4.0/legalcode"
    paper = PaperFactory(doi="10.5555/licensed", license_url=url)
    soup = BeautifulSoup(client.get(paper.get_absolute_url()).content, "html.parser")
    link = soup.select_one("a[rel=license]")
    assert (link.get_text(), link["href"]) == ("CC BY-NC 4.0", url)
    data = client.get("/api/v1/papers/10.5555/licensed/").json()
    assert (data["license_url"], data["license_name"]) == (url, "CC BY-NC 4.0")


@pytest.mark.django_db
def test_a_paper_without_a_licence_shows_no_licence_line(client):
    paper = PaperFactory(doi="10.5555/unlicensed", license_url="")
    soup = BeautifulSoup(client.get(paper.get_absolute_url()).content, "html.parser")
    assert soup.select_one("a[rel=license]") is None
    assert client.get("/api/v1/papers/10.5555/unlicensed/").json()["license_name"] == ""
