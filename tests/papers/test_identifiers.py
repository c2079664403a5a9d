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
        ("10.7554/eLife.01567.", Identifier("doi", "10.7554/elife.01567")),
        ("10.7554/eLife.01567),", Identifier("doi", "10.7554/elife.01567")),
        ("https://doi.org/10.7554/eLife.01567?utm_source=x", Identifier("doi", "10.7554/elife.01567")),
        ("https://doi.org/10.7554/eLife.01567#abstract", Identifier("doi", "10.7554/elife.01567")),
        (
            "10.1002/(SICI)1097-4636(199607)31:3<301::AID-JBM2>3.0.CO;2-#",
            Identifier("doi", "10.1002/(sici)1097-4636(199607)31:3<301::aid-jbm2>3.0.co;2-#"),
        ),
        ("arXiv:2311.16162.", Identifier("doi", "10.48550/arxiv.2311.16162")),
        ("https://arxiv.org/abs/2311.16162).", Identifier("doi", "10.48550/arxiv.2311.16162")),
        ("0704.0001", Identifier("doi", "10.48550/arxiv.0704.0001")),
        ("1501.00001", Identifier("doi", "10.48550/arxiv.1501.00001")),
        ("math.GT/0309136", Identifier("doi", "10.48550/arxiv.math.gt/0309136")),
        ("PMID: 26354291.", Identifier("pmid", "26354291")),
        ("PMC4559886;", Identifier("pmcid", "PMC4559886")),
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
        ("PMID: 0", "PMIDs start at 1"),
        ("0", "PMIDs start at 1"),
        ("PMC0", "PMCIDs start at PMC1"),
        ("PMC000", "PMCIDs start at PMC1"),
        ("arXiv:9999.99999", "cannot be an arXiv id"),
        ("9913.00001", "cannot be an arXiv id"),
        ("0703.0001", "cannot be an arXiv id"),  # new-style ids began in April 2007
        ("1501.0001", "cannot be an arXiv id"),  # five digits from 2015 on
        ("2311.00000", "cannot be an arXiv id"),
        ("9912.00001", "cannot be an arXiv id"),  # December 2099 has not happened
        ("hep-th/9913001", "cannot be an arXiv id"),
        ("hep-th/0801001", "cannot be an arXiv id"),  # old-style ids ended in March 2007
        ("10.1234/abc\u200b", r"U\+200B"),
        ("\u202e10.1234/abc", "right-to-left override"),
        ("2635\u200b4291", r"U\+200B"),
        ("10.1234/абв", "cyrillic"),
    ],
)
def test_unparseable_input_says_what_was_wrong(text, message):
    with pytest.raises(InvalidIdentifier, match=message):
        parse_identifier(text)
