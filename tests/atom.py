"""RFC 4287 checks for our Atom feeds: what section 4.1 requires of atom:feed and atom:entry.

A hand-written check rather than the RELAX NG schema (appendix B is in compact syntax, which no well-kept
Python validator reads); it covers the schema's cardinalities and the rules the schema cannot express."""

import datetime as dt
from urllib.parse import urlsplit

import defusedxml.ElementTree as DefusedET

NS = "{http://www.w3.org/2005/Atom}"
TEXT_TYPES = {None, "text", "html", "xhtml"}


def _one(parent, name: str, where: str):
    found = parent.findall(f"{NS}{name}")
    assert len(found) == 1, f"{where} has {len(found)} atom:{name}, RFC 4287 requires exactly one"
    return found[0]


def _at_most_one(parent, names: tuple[str, ...], where: str) -> None:
    for name in names:
        assert len(parent.findall(f"{NS}{name}")) <= 1, f"{where} has more than one atom:{name}"


def _check_date(element, where: str) -> None:
    # RFC 3339 date-time (section 3.3): full date, time and an offset or Z.
    text = element.text or ""
    assert "T" in text and (text.endswith("Z") or text[-6] in "+-"), f"{where}: {text!r} is not RFC 3339"
    dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _check_iri(text: str | None, where: str) -> None:
    assert text and urlsplit(text).scheme, f"{where}: {text!r} is not an absolute IRI"


def _check_text(element, where: str) -> None:
    assert element.get("type") in TEXT_TYPES, f"{where}: type {element.get('type')!r}"


def _check_persons(parent, where: str) -> None:
    for person in parent.findall(f"{NS}author") + parent.findall(f"{NS}contributor"):
        assert (_one(person, "name", f"{where} person").text or "").strip(), f"{where}: a person without a name"


def _check_alternate_links(parent, where: str) -> None:
    seen = set()
    for link in parent.findall(f"{NS}link"):
        assert link.get("href"), f"{where}: atom:link without href"
        if link.get("rel", "alternate") == "alternate":
            key = (link.get("type"), link.get("hreflang"))
            assert key not in seen, f"{where}: two alternate links of the same type and hreflang"
            seen.add(key)


def assert_valid_atom(content: bytes):
    """Parse a feed and check it against RFC 4287 section 4.1; return its root element."""
    root = DefusedET.fromstring(content)
    assert root.tag == f"{NS}feed", root.tag
    _check_iri(_one(root, "id", "the feed").text, "feed id")
    _check_text(_one(root, "title", "the feed"), "feed title")
    _check_date(_one(root, "updated", "the feed"), "feed updated")
    _at_most_one(root, ("generator", "icon", "logo", "rights", "subtitle"), "the feed")
    _check_persons(root, "the feed")
    _check_alternate_links(root, "the feed")
    feed_has_author = bool(root.findall(f"{NS}author"))
    for number, entry in enumerate(root.findall(f"{NS}entry"), start=1):
        where = f"entry {number}"
        _check_iri(_one(entry, "id", where).text, f"{where} id")
        _check_text(_one(entry, "title", where), f"{where} title")
        _check_date(_one(entry, "updated", where), f"{where} updated")
        _at_most_one(entry, ("content", "published", "rights", "source", "summary"), where)
        if published := entry.find(f"{NS}published"):
            _check_date(published, f"{where} published")
        _check_persons(entry, where)
        # 4.1.1 / 4.1.2: every entry has an author, its own or the feed's.
        assert entry.findall(f"{NS}author") or feed_has_author, f"{where} has no atom:author and neither has the feed"
        content_element = entry.find(f"{NS}content")
        links = [link for link in entry.findall(f"{NS}link") if link.get("rel", "alternate") == "alternate"]
        assert content_element is not None or links, f"{where}: no atom:content and no alternate link"
        if content_element is not None and content_element.get("src"):
            assert entry.find(f"{NS}summary") is not None, f"{where}: out-of-line content needs atom:summary"
        if summary := entry.find(f"{NS}summary"):
            _check_text(summary, f"{where} summary")
        _check_alternate_links(entry, where)
    return root
