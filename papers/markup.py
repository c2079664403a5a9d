"""Inline markup in titles (Crossref, DataCite, OpenAlex, JATS) to a safe HTML fragment and to clean plain text. Pure.

Upstreams send `<i>`, `<b>`, `<sub>`, `<sup>`, `<scp>`, `<mml:math>`…, raw, entity-escaped (`&lt;i&gt;`) or escaped
twice (`&amp;lt;i&amp;gt;`). Every level of escaping is undone first, so all three read the same (a title that
means a literal "&lt;i&gt;" cannot be told apart, and is read as markup too). A `<` that opens no complete tag
("x < y", "p<0.05", "a<b" with no ">" after it) stays text. The stdlib HTML parser then rebuilds the markup with only
the allowed elements (renamed to ours, no attributes), and nh3 cleans the result (nesting, unclosed tags) as the last
word. The plain text is the text of that cleaned fragment, so both always say the same thing.

Allowed: i, b, sub, sup (and their JATS/HTML synonyms), small caps (`<scp>`, JATS `<sc>`) as
`<span class="small-caps">` (styled in static/css/site.css), and MathML. MathML is kept as MathML (browsers render
MathML Core), its namespace prefix dropped (`mml:mi` -> `mi`), a fixed list of presentation elements and no attributes
at all: reducing `x<msup>…2</msup>` to "x2" would lose what the title means, and without attributes there is nothing
in it to abuse. `<semantics>` annotations and the TeX of JATS `<alternatives>` are dropped. Its plain text is the
characters in order ("x2").
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser

import nh3

from paperhub.mathml import MATHML_TAGS

_INLINE = {
    "i": "i",
    "em": "i",
    "italic": "i",
    "b": "b",
    "strong": "b",
    "bold": "b",
    "sub": "sub",
    "inf": "sub",
    "sup": "sup",
    "scp": "scp",
    "sc": "scp",
    "small-caps": "scp",
}
# Titles allow the one MathML element list every fragment on the site uses (paperhub.mathml), without attributes.
_MATHML = MATHML_TAGS
# Elements dropped together with everything inside them: code, styles, embedded documents, MathML's alternates.
_DROP_WITH_CONTENT = {
    "script",
    "style",
    "template",
    "textarea",
    "title",
    "iframe",
    "object",
    "noscript",
    "xmp",
    "noembed",
    "noframes",
    "annotation",
    "annotation-xml",
    "svg",
}
# Elements that separate words when they are dropped.
_BREAKS = {"br", "p", "div", "li", "tr", "td", "hr"}
_ALLOWED_TAGS = set(_INLINE.values()) | _MATHML
# An entity ending with ";": named, decimal or hexadecimal. Bare "&not" or "&copy" (no ";") stay as typed, so
# "x&notation" or "A&B" are never changed.
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_MAX_ESCAPE_LEVELS = 8
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Title:
    html: str  # safe to mark_safe: only the allowed elements, no attributes but our small-caps class
    text: str  # plain text: no tags, no entities

    def __bool__(self) -> bool:
        return bool(self.text)


def decode_entities(text: str) -> str:
    """Undo every level of entity escaping (`&amp;lt;` -> `&lt;` -> `<`), up to a bound against hostile input."""
    for _ in range(_MAX_ESCAPE_LEVELS):
        decoded = _ENTITY.sub(lambda match: html.unescape(match.group(0)), text)
        if decoded == text:
            break
        text = decoded
    return text


class _Rebuilder(HTMLParser):
    """Re-emits markup with only the allowed elements, renamed to ours and without attributes; text escaped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.dropping: list[str] = []  # open elements whose content is dropped
        self.math_depth = 0
        self.alternatives = 0
        self.spans: list[bool] = []  # open spans: whether each is a small-caps one

    def handle_starttag(self, tag: str, attrs: list) -> None:
        name = _local_name(tag)
        # JATS <alternatives> hold one formula twice, as TeX and as MathML: the MathML is shown, the TeX dropped.
        drop = name in _DROP_WITH_CONTENT or (name == "tex-math" and self.alternatives > 0)
        if self.dropping or drop:
            if drop:
                self.dropping.append(name)
            return
        self.alternatives += name == "alternatives"
        if name == "span":
            # Our own small-caps span (a fragment cleaned again); any other span is dropped, its text kept.
            small_caps = ("class", "small-caps") in attrs
            self.spans.append(small_caps)
            if small_caps:
                self.parts.append("<scp>")
        elif name in _INLINE:
            self.parts.append(f"<{_INLINE[name]}>")
        elif name in _MATHML:
            self.math_depth += name == "math"
            self.parts.append(f"<{name}>")
        elif name in _BREAKS:
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        name = _local_name(tag)
        if not self.dropping and name not in _DROP_WITH_CONTENT:
            self.handle_starttag(tag, attrs)
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        name = _local_name(tag)
        if self.dropping:
            if name == self.dropping[-1]:
                self.dropping.pop()
            return
        self.alternatives -= name == "alternatives" and self.alternatives > 0
        if name == "span":
            if self.spans and self.spans.pop():
                self.parts.append("</scp>")
        elif name in _INLINE:
            self.parts.append(f"</{_INLINE[name]}>")
        elif name in _MATHML:
            self.math_depth -= name == "math" and self.math_depth > 0
            self.parts.append(f"</{name}>")
        elif name in _BREAKS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if self.dropping or (self.math_depth and not data.strip()):
            return  # whitespace between MathML elements means nothing
        self.parts.append(html.escape(data, quote=False))

    # Comments, declarations, processing instructions: dropped (the default handlers do nothing).


def _local_name(tag: str) -> str:
    """`mml:math` -> `math`, `jats:italic` -> `italic`; `{http://…MathML}mi` (ElementTree) -> `mi`."""
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1].lower()


class _TextOf(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def squash(text: str) -> str:
    return _WHITESPACE.sub(" ", text).strip()


def title(markup: str | None) -> Title:
    """The safe HTML fragment and the plain text of an upstream title, however many times it was escaped."""
    if not markup:
        return Title("", "")
    decoded = decode_entities(str(markup))
    # After decoding, every "&" is a literal ampersand; escape it so the parser below reads it as one.
    rebuilder = _Rebuilder()
    rebuilder.feed(decoded.replace("&", "&amp;"))
    rebuilder.close()
    cleaned = nh3.clean(
        "".join(rebuilder.parts),
        tags=_ALLOWED_TAGS,
        attributes={},
        strip_comments=True,
        link_rel=None,
    )
    fragment = squash(cleaned).replace("<scp>", '<span class="small-caps">').replace("</scp>", "</span>")
    text = text_of(fragment)
    return Title(fragment if text else "", text)


def text_of(fragment: str) -> str:
    """Plain text of a fragment this module produced (or any HTML): tags dropped, entities decoded, spaces folded."""
    parser = _TextOf()
    parser.feed(fragment)
    parser.close()
    return squash("".join(parser.parts))


def plain(markup: str | None) -> str:
    """Only the plain text of upstream markup: for container titles and other places that never show markup."""
    return title(markup).text


def join(first: Title, second: Title, separator: str = ": ") -> Title:
    """A title and its subtitle, in both forms."""
    if not second:
        return first
    if not first:
        return second
    return Title(f"{first.html}{html.escape(separator)}{second.html}", f"{first.text}{separator}{second.text}")


def fragment(title_html: str, title_text: str) -> str:
    """What to show as HTML: the stored cleaned fragment, else the plain title escaped (rows cleaned before either)."""
    return title_html or html.escape(title_text, quote=False)
