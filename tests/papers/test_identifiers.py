import pytest

from papers.identifiers import Identifier, InvalidIdentifier, parse_identifier


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10.7554/eLife.01567", Identifier("doi", "10.7554/elife.01567")),
        ("doi:10.7554/eLife.01567", Identifier("doi", "10.7554/elife.01567")),
        ("https://doi.org/10.7554/eLife.01567", Identifier("doi", "10.7554/elife.01567")),
        ("http://dx.doi.org/10.7554/eLife.01567", Identifier("doi", "10.7554/elife.01567")),
        ("2311.16162", Identifier("doi", "10.48550/arxiv.2311.16162")),
        ("arXiv:2311.16162v2", Identifier("doi", "10.48550/arxiv.2311.16162")),
        ("https://arxiv.org/abs/2311.16162", Identifier("doi", "10.48550/arxiv.2311.16162")),
        ("https://arxiv.org/pdf/2311.16162v1.pdf", Identifier("doi", "10.48550/arxiv.2311.16162")),
        ("hep-th/9901001", Identifier("doi", "10.48550/arxiv.hep-th/9901001")),
        ("26354291", Identifier("pmid", "26354291")),
        ("PMID: 26354291", Identifier("pmid", "26354291")),
        ("https://pubmed.ncbi.nlm.nih.gov/26354291/", Identifier("pmid", "26354291")),
        ("PMC4559886", Identifier("pmcid", "PMC4559886")),
        ("pmc4559886", Identifier("pmcid", "PMC4559886")),
        ("https://pmc.ncbi.nlm.nih.gov/articles/PMC4559886/", Identifier("pmcid", "PMC4559886")),
    ],
)
def test_what_people_paste_is_understood(text, expected):
    assert parse_identifier(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Enter a DOI"),
        ("hello", "arXiv ids"),
        ("arXiv:banana", "not an arXiv id"),
        ("x" * 3000, "far too long"),
        ("https://example.com/paper", "is not a DOI"),
    ],
)
def test_unparseable_input_says_what_was_wrong(text, message):
    with pytest.raises(InvalidIdentifier, match=message):
        parse_identifier(text)
