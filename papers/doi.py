"""Pure DOI and ORCID parsing: no database, no network.

DOIs are case-insensitive (the DOI Handbook, 2.4), so PaperHub stores and shows them lowercase.
"""

import re
import unicodedata
from urllib.parse import quote, unquote

import idutils

MAX_DOI_LENGTH = 255

# What people paste in front of a DOI: resolver URLs in any scheme and the `doi:` prefix.
_PREFIX = re.compile(
    r"^(?:doi:\s*|(?:https?://)?(?:dx\.|www\.)?doi\.org/(?:doi:)?|info:doi/)",
    flags=re.IGNORECASE,
)
# A resolver URL (not the `doi:` prefix): what follows the DOI in it is a query or a fragment, not the DOI.
_RESOLVER_URL = re.compile(r"^(?:https?://)?(?:dx\.|www\.)?doi\.org/", flags=re.IGNORECASE)
# Sentence punctuation that sticks to a pasted DOI; `)` and `]` only when unbalanced (SICI DOIs hold pairs).
_TRAILING_NOISE = ".,;)]/"
# An HTML tag pasted into the box (<script>, </b>); SICI DOIs' <421::AID-JBM2> always holds "::".
_HTML_TAG = re.compile(r"</?[a-z][a-z0-9]*(?:\s[^>]*)?/?>", flags=re.IGNORECASE)
# "10." then a registrant code of digits (optionally subdivided by dots), a slash and a suffix.
_DOI = re.compile(r"^10\.\d{4,9}(?:\.\d+)*/\S+$")
_ORCID_URL = re.compile(r"^(?:https?://)?(?:www\.)?orcid\.org/", flags=re.IGNORECASE)


class InvalidDOI(ValueError):
    """The text is not a DOI; the message says what is wrong, in words a visitor understands."""


class InvalidORCID(ValueError):
    """The text is not a valid ORCID iD."""


def normalize_doi(value: str) -> str:
    """Return the canonical (lowercase, prefix-free) form of a DOI, or raise InvalidDOI."""
    if value is None:
        raise InvalidDOI("No DOI was given.")
    text = value.strip()
    if not text:
        raise InvalidDOI("No DOI was given.")
    # A doi.org link's query and fragment are not the DOI's; cut them before decoding, so that an encoded %23 or
    # %3F stays part of the DOI.
    is_link = bool(_RESOLVER_URL.match(text))
    if is_link:
        text = _without_query(text)
    # A DOI pasted from a URL may still be percent-encoded (10.1000%2Fabc, https%3A%2F%2Fdoi.org%2F...).
    if "%" in text:
        text = unquote(text).strip()
        if not is_link and _RESOLVER_URL.match(text):  # a whole link encoded once: its DOI was encoded twice
            text = _without_query(text)
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise InvalidDOI("The DOI contains control characters.")
    _refuse_non_ascii(text)
    text = _PREFIX.sub("", text, count=1).strip()
    text = strip_trailing_punctuation(text)
    if len(text) > MAX_DOI_LENGTH:
        raise InvalidDOI(f"The DOI is {len(text)} characters long; at most {MAX_DOI_LENGTH} are allowed.")
    if not text.startswith("10."):
        raise InvalidDOI(
            f"“{_shorten(text)}” is not a DOI: a DOI starts with “10.”, as in 10.1371/journal.pone.0033693."
        )
    if "/" not in text:
        raise InvalidDOI(
            f"“{_shorten(text)}” has no “/”: a DOI is a prefix and a suffix, as in 10.1371/journal.pone.0033693."
        )
    prefix, _, suffix = text.partition("/")
    if not re.fullmatch(r"10\.\d{4,9}(?:\.\d+)*", prefix):
        raise InvalidDOI(
            f"“{_shorten(prefix)}” is not a DOI prefix: it should be “10.” followed by four to nine digits."
        )
    if not suffix:
        raise InvalidDOI(f"“{_shorten(text)}” has nothing after the “/”.")
    if re.search(r"\s", text):
        raise InvalidDOI("A DOI cannot contain spaces.")
    if _HTML_TAG.search(text):
        raise InvalidDOI(f"“{_shorten(text)}” holds HTML markup, which is not part of any DOI.")
    if not (_DOI.match(text) and idutils.is_doi(text)):
        raise InvalidDOI(f"“{_shorten(text)}” is not a well-formed DOI.")
    return text.lower()


def _without_query(link: str) -> str:
    return re.split(r"[?#]", link, maxsplit=1)[0]


def strip_trailing_punctuation(text: str) -> str:
    """Drop the `.`, `,`, `;`, `/` and unbalanced `)`/`]` a sentence or a link leaves after a DOI's suffix."""
    prefix, slash, suffix = text.partition("/")
    suffix = suffix.rstrip()
    while len(suffix) > 1 and suffix[-1] in _TRAILING_NOISE:
        last = suffix[-1]
        if last == ")" and suffix.count("(") >= suffix.count(")"):
            break
        if last == "]" and suffix.count("[") >= suffix.count("]"):
            break
        suffix = suffix[:-1].rstrip()
    return prefix + slash + suffix


def _refuse_non_ascii(text: str) -> None:
    # Registered DOIs are printable ASCII; anything else is invisible (bidi controls, zero-width spaces), a
    # look-alike (en dash, full-width digits) or text in another script, and would make a paper that never resolves.
    for ch in text:
        if ord(ch) > 126:
            name = unicodedata.name(ch, "unnamed character").lower()
            kind = "an invisible" if unicodedata.category(ch) in ("Cf", "Zs", "Zl", "Zp") else "a"
            raise InvalidDOI(
                f"The DOI contains {kind} character that DOIs do not use (U+{ord(ch):04X}, {name}); "
                "type or paste it again as plain text."
            )


def doi_url(doi: str) -> str:
    """The doi.org link of a DOI, hex-encoded as the DOI Handbook says (Appendix, DOI Name Encoding Rules for URL).

    Pasting the DOI into the URL would link 10.1000/456#789 to 10.1000/456; every doi.org link is built here.
    """
    # Mandatory: % " # space ?; recommended: < > { } ^ [ ] ` | \ +. quote() encodes all of them unless marked safe.
    segments = [quote(segment, safe=":@!$&'()*,;=") for segment in doi.split("/")]
    # A "." or ".." segment would be resolved away by the browser; an encoded slash before it hides it.
    path = segments[0]
    for segment in segments[1:]:
        path += ("%2F" if segment in (".", "..") else "/") + segment
    return f"https://doi.org/{path}"


def is_canonical_doi(value: str) -> bool:
    try:
        return normalize_doi(value) == value
    except InvalidDOI:
        return False


def normalize_orcid(value: str) -> str:
    """Return the bare 0000-0000-0000-000X form of an ORCID iD, checksum verified, or raise InvalidORCID."""
    text = _ORCID_URL.sub("", (value or "").strip()).upper()
    if not re.fullmatch(r"\d{4}-\d{4}-\d{4}-\d{3}[\dX]", text):
        raise InvalidORCID(f"“{_shorten(value or '')}” is not an ORCID iD: it should look like 0000-0002-1825-0097.")
    if not idutils.is_orcid(text):
        raise InvalidORCID(f"“{text}” is not a valid ORCID iD: its check digit does not match.")
    return text


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
