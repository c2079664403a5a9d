import pytest

from papers.doi import InvalidDOI, InvalidORCID, doi_url, normalize_doi, normalize_orcid


@pytest.mark.parametrize(
    "given",
    [
        "10.2214/ajr.19.21878",
        "10.2214/AJR.19.21878",
        "  10.2214/AJR.19.21878\n",
        "doi:10.2214/AJR.19.21878",
        "DOI: 10.2214/ajr.19.21878",
        "https://doi.org/10.2214/AJR.19.21878",
        "http://dx.doi.org/10.2214/ajr.19.21878",
        "doi.org/10.2214/ajr.19.21878",
        "10.2214%2Fajr.19.21878",
        "https%3A%2F%2Fdoi.org%2F10.2214%2Fajr.19.21878",
    ],
)
def test_accepted_forms_normalize_to_lowercase_bare_doi(given):
    assert normalize_doi(given) == "10.2214/ajr.19.21878"


@pytest.mark.parametrize(
    "given",
    [
        "10.2214/ajr.19.21878.",
        "10.2214/ajr.19.21878,",
        "10.2214/ajr.19.21878;",
        "10.2214/ajr.19.21878)",
        "10.2214/ajr.19.21878]",
        "10.2214/ajr.19.21878/",
        "10.2214/ajr.19.21878).",
        "10.2214/ajr.19.21878 ;",
        "https://doi.org/10.2214/ajr.19.21878?utm_source=x",
        "https://doi.org/10.2214/ajr.19.21878#abstract",
        "doi.org/10.2214/ajr.19.21878/?utm_source=x&utm_medium=email#abstract",
        "https%3A%2F%2Fdoi.org%2F10.2214%2Fajr.19.21878%3Futm_source%3Dx",
    ],
)
def test_pasted_noise_after_a_doi_is_dropped(given):
    assert normalize_doi(given) == "10.2214/ajr.19.21878"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        # SICI DOIs from recorded Crossref reference lists: their brackets and "#" are the DOI's own.
        (
            "10.1002/(SICI)1097-4636(199607)31:3<301::AID-JBM2>3.0.CO;2-#",
            "10.1002/(sici)1097-4636(199607)31:3<301::aid-jbm2>3.0.co;2-#",
        ),
        ("10.1016/S0140-6736(18)", "10.1016/s0140-6736(18)"),
        ("10.1016/S0140-6736(18).", "10.1016/s0140-6736(18)"),
        ("10.1234/abc[1]", "10.1234/abc[1]"),
        ("(10.1016/S0140-6736(18))", None),  # the leading "(" makes it no DOI, whatever the end
        # In a doi.org link, an encoded "#" or "?" is part of the DOI, not its fragment or query.
        ("https://doi.org/10.1234/a%23b", "10.1234/a#b"),
        ("https://doi.org/10.1234/a%3Fb?utm_source=x", "10.1234/a?b"),
        ("10.1234/a#b", "10.1234/a#b"),
    ],
)
def test_brackets_and_encoded_characters_that_belong_to_the_doi_are_kept(given, expected):
    if expected is None:
        with pytest.raises(InvalidDOI):
            normalize_doi(given)
    else:
        assert normalize_doi(given) == expected


def test_sici_doi_with_angle_brackets_is_kept_whole():
    sici = "10.1002/(SICI)1097-4636(199706)35:4<421::AID-JBM2>3.0.CO;2-O"
    assert normalize_doi(sici) == sici.lower()


@pytest.mark.parametrize(
    ("given", "reason"),
    [
        ("", "No DOI was given"),
        ("   ", "No DOI was given"),
        ("11.1234/abc", "starts with “10.”"),
        ("10.1234", "has no “/”"),
        ("10.12/abc", "not a DOI prefix"),
        ("10.abcd/xyz", "not a DOI prefix"),
        ("10.1234/", "nothing after"),
        ("10.1234/has space", "cannot contain spaces"),
        ("10.1234/a\x00b", "control characters"),
        ("10.1234/" + "x" * 300, "at most 255"),
        ("hello world", "is not a DOI"),
        ("10.1234/abc\u200b", "invisible character that DOIs do not use (U+200B, zero width space)"),
        ("\u200b10.1234/abc", "U+200B"),
        ("\ufeff10.1234/abc", "U+FEFF"),
        ("10.1234/abc\u202edef", "invisible character that DOIs do not use (U+202E, right-to-left override)"),
        ("\u200f10.1234/abc", "U+200F, right-to-left mark"),
        ("10.1234/a\u00a0b", "U+00A0"),
        ("10.1234/abc%E2%80%8B", "U+200B"),
        ("10.1234/абв", "a character that DOIs do not use (U+0430, cyrillic small letter a)"),
        ("１０.1234/abc", "U+FF11, fullwidth digit one"),
        ("10.1234/論文", "U+8AD6"),
        ("10.1234/a\u2013b", "U+2013, en dash"),
        ("10.1234/<script>alert(1)</script>", "HTML markup"),
        ("https://doi.org/10.1234/x<img src=x onerror=alert(1)>", "spaces"),
        ("10.1234/a<b>c</b>", "HTML markup"),
    ],
)
def test_malformed_doi_says_why(given, reason):
    with pytest.raises(InvalidDOI) as excinfo:
        normalize_doi(given)
    assert reason in str(excinfo.value)


@pytest.mark.parametrize(
    "given", ["0000-0002-1825-0097", "https://orcid.org/0000-0002-1825-0097", "http://orcid.org/0000-0001-5109-3700"]
)
def test_valid_orcid_normalizes_to_bare_form(given):
    assert normalize_orcid(given) == given.rsplit("/", 1)[-1]


def test_orcid_with_x_check_digit_is_valid():
    assert normalize_orcid("0000-0002-1694-233x") == "0000-0002-1694-233X"


@pytest.mark.parametrize(
    ("given", "reason"),
    [
        ("0000-0002-1825-0098", "check digit"),
        ("0000-0002-1825", "should look like"),
        ("not an orcid", "should look like"),
    ],
)
def test_invalid_orcid_says_why(given, reason):
    with pytest.raises(InvalidORCID) as excinfo:
        normalize_orcid(given)
    assert reason in str(excinfo.value)


@pytest.mark.parametrize(
    ("doi", "url"),
    [
        ("10.1371/journal.pone.0033693", "https://doi.org/10.1371/journal.pone.0033693"),
        # The DOI Handbook's own example, then the rest of its mandatory and recommended rules.
        ("10.1000/456#789", "https://doi.org/10.1000/456%23789"),
        ("10.1000/a?b=c", "https://doi.org/10.1000/a%3Fb=c"),
        ("10.1000/100%", "https://doi.org/10.1000/100%25"),
        ("10.1000/a b", "https://doi.org/10.1000/a%20b"),
        ('10.1000/a"b', "https://doi.org/10.1000/a%22b"),
        ("10.1000/a+b", "https://doi.org/10.1000/a%2Bb"),
        ("10.1000/{a}^[b]`|\\", "https://doi.org/10.1000/%7Ba%7D%5E%5Bb%5D%60%7C%5C"),
        (
            "10.1002/(sici)1097-4636(199607)31:3<301::aid-jbm2>3.0.co;2-#",
            "https://doi.org/10.1002/(sici)1097-4636(199607)31:3%3C301::aid-jbm2%3E3.0.co;2-%23",
        ),
        ("10.1000/a/./b", "https://doi.org/10.1000/a%2F./b"),
        ("10.1000/a/../b", "https://doi.org/10.1000/a%2F../b"),
    ],
)
def test_doi_url_hex_encodes_as_the_doi_handbook_says(doi, url):
    assert doi_url(doi) == url
