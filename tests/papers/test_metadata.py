"""papers.metadata: what machines read leaves out an abstract the paper does not have."""

import pytest

from papers.metadata import highwire_tags, scholarly_article_jsonld
from tests.papers.factories import PaperFactory

pytestmark = pytest.mark.django_db

URL = "https://paperhub.example/doi/10.5555/x"


@pytest.mark.parametrize("abstract", ["", "  \n\n \n"])
def test_an_empty_abstract_is_left_out_of_json_ld_and_the_citation_tags(abstract):
    paper = PaperFactory(abstract=abstract)
    assert "abstract" not in scholarly_article_jsonld(paper, page_url=URL)
    assert "citation_abstract" not in {name for name, _ in highwire_tags(paper, page_url=URL)}


def test_an_abstract_is_in_json_ld_paragraph_by_paragraph():
    paper = PaperFactory(abstract="  One.\n\n\n\nTwo.  ")
    assert scholarly_article_jsonld(paper, page_url=URL)["abstract"] == "One.\n\nTwo."
    assert all(value for _, value in highwire_tags(paper, page_url=URL))
