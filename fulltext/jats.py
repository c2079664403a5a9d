"""JATS XML (Europe PMC, PMC, publishers) -> PaperHub's HTML. Pure: no database, no network, no Django models.

`parse()` reads untrusted bytes safely (size checked first, no entity expansion, no DTD, no network, depth capped);
`convert()` turns the `<article>` into flat sections, figures, tables, references, the digest and the peer reviews.
Which HTML each JATS element becomes follows the decisions of Europe PMC's own stylesheet (EuropePMC/full-text-xsl,
`jats2html.xsl`): `list-type` bullet/simple -> ul, anything else -> ol; an xref with several rids links to its first;
figure images at `{PMCID}/bin/{file name without its extension}.jpg`; table cells keep rowspan/colspan; sub-articles
follow the body. Every HTML string is built from escaped text and our own tags, then cleaned by nh3 (`clean_html`).
"""

from __future__ import annotations

import datetime as dt
import html
import re
import xml.etree.ElementTree as StdET
from collections.abc import Callable
from copy import deepcopy
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote, urlsplit

import nh3
from lxml import etree

from paperhub.mathml import MATHML_ATTRIBUTES, MATHML_TAGS
from papers import doi as doi_lib
from papers.normalize import ReferenceRecord
from papers.normalize import jats_reference as _reference_record  # the paper's own JATS reference mapping

CONVERTER_VERSION = 2  # 2: wide tables and display formulas scroll in focusable boxes
MAX_BYTES = 20_000_000
# libxml2 refuses more than 256 levels without huge_tree; our renderer recurses a few frames per level, so it
# stops well before Python's recursion limit. Real articles nest under 20 levels (eLife tables: 16).
MAX_DEPTH = 160

XLINK_HREF = "{http://www.w3.org/1999/xlink}href"


class JatsError(ValueError):
    """The input cannot be converted; str() is one line a visitor can read."""


# ---------------------------------------------------------------- result types


@dataclass
class Document:
    root: etree._Element  # the <article>
    doi: str = ""
    pmcid: str = ""
    pmid: str = ""


@dataclass
class Section:
    id: str
    level: int  # 2..4
    heading: str
    heading_html: str
    html: str  # this section's own content, not its subsections'
    kind: str = "body"  # "body" or "back" (acknowledgements, funding, notes, appendices...)


@dataclass
class Figure:
    id: str
    label: str
    caption_html: str
    href: str  # the graphic's xlink:href, "" if none


@dataclass
class Table:
    id: str
    label: str
    caption_html: str


@dataclass
class JatsReference:
    id: str
    label: str
    record: ReferenceRecord


@dataclass
class Summary:
    source: str  # "Author summary", "eLife digest" (the abstract's own title when it has one)
    text: str  # plain paragraphs separated by blank lines
    html: str


@dataclass
class JournalReview:
    kind: str  # decision-letter, referee-report, author-comment, reply, editor-report, ...
    title: str
    doi: str
    authors: list[str]
    date: dt.date | None
    license_url: str
    html: str
    id: str = ""  # the sub-article's id, safe for HTML ("SA1")


@dataclass
class Body:
    sections: list[Section] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    references: list[JatsReference] = field(default_factory=list)
    citations: dict[int, list[str]] = field(default_factory=dict)
    summary: Summary | None = None
    reviews: list[JournalReview] = field(default_factory=list)
    license_url: str = ""
    license_text: str = ""
    text: str = ""
    word_count: int = 0


# ---------------------------------------------------------------- parsing


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
    )


_HTML_START = re.compile(rb"^(?:<!doctype\s+html|<html[\s>])", re.IGNORECASE)
_ENCODING_DECL = re.compile(r"^(<\?xml[^>]*?)\s+encoding\s*=\s*[\"'][^\"']*[\"']", re.IGNORECASE)


def parse(data: bytes | str, *, max_bytes: int = MAX_BYTES) -> Document:
    """Parse untrusted JATS into a Document, or raise JatsError (never expands entities or touches the network)."""
    if isinstance(data, str):
        data = _ENCODING_DECL.sub(r"\1", data.lstrip("\ufeff \t\r\n"), count=1).encode("utf-8")
    if len(data) > max_bytes:
        raise JatsError(f"The file is {len(data):,} bytes; the limit is {max_bytes:,}")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16: read it as text so the checks below see characters
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise JatsError("Not XML: the file is neither UTF-8 nor valid UTF-16") from exc
        data = _ENCODING_DECL.sub(r"\1", text.lstrip("\ufeff"), count=1).encode("utf-8")
    data = data.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n")
    if not data:
        raise JatsError("Not XML: the file is empty")
    # Entities are declared only in a DOCTYPE's internal subset; anywhere else "<!ENTITY" can only sit in a comment
    # or a CDATA section, so refusing every occurrence costs nothing real and needs no parsing.
    if b"<!ENTITY" in data:
        raise JatsError("The file declares entities (<!ENTITY>); PaperHub does not expand them")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        message = str(exc.msg or exc).strip()
        if "depth" in message.lower():
            raise JatsError("Nested too deeply: more than 256 levels of elements") from exc
        if _HTML_START.match(data):
            raise JatsError("Not JATS: this is an HTML page, not a JATS <article>") from exc
        message = re.sub(r",? line \d+, column \d+$", "", message)
        raise JatsError(f"Not XML: {message} (line {exc.lineno or 1})") from exc
    tree = root.getroottree()
    dtd = tree.docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):  # belt and braces: the scan above missed none
        raise JatsError("The file declares entities (<!ENTITY>); PaperHub does not expand them")
    name = _local(root)
    if name == "pmc-articleset":
        article = next((el for el in root if _local(el) == "article"), None)
        if article is None:
            raise JatsError("Not JATS: the <pmc-articleset> holds no <article>")
        root = article
    elif name != "article":
        raise JatsError(f"Not JATS: the root element is <{name}>, not <article>")
    _check_depth(root)
    return _document(root)


def _check_depth(root: etree._Element) -> None:
    stack = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise JatsError(f"Nested too deeply: more than {MAX_DEPTH} levels of elements")
        stack.extend((child, depth + 1) for child in element)


def _document(root: etree._Element) -> Document:
    ids: dict[str, str] = {}
    for el in root.findall("front/article-meta/article-id"):
        ids.setdefault(el.get("pub-id-type", ""), _text(el))
    pmcid = ids.get("pmcid") or ids.get("pmc") or ""
    pmcid = pmcid.upper().removeprefix("PMC")
    pmid = ids.get("pmid", "")
    return Document(
        root=root,
        doi=_clean_doi(ids.get("doi", "")),
        pmcid=f"PMC{pmcid}" if pmcid.isdigit() else "",
        pmid=pmid if pmid.isdigit() else "",
    )


# ---------------------------------------------------------------- small helpers


def _local(el) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1] if tag[:1] == "{" else tag.rsplit(":", 1)[-1]


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _text(el) -> str:
    if el is None:
        return ""
    return _squash("".join(_itertext(el)))


def _itertext(el):
    """Text of an element as a reader sees it (entity references the DTD would define become their characters)."""
    if el.tag is etree.Entity:
        yield _entity_text(el)
        return
    if not isinstance(el.tag, str):
        return
    if el.text:
        yield el.text
    for child in el:
        yield from _itertext(child)
        if child.tail:
            yield child.tail


def _entity_text(el) -> str:
    # An undeclared `&nbsp;` left by a publisher whose DTD we did not load: its HTML meaning, else nothing.
    name = el.text or ""
    value = html.unescape(name)
    return "" if value == name else value


def _person_name(name) -> str:
    """A JATS <name> as it reads ("Christian S Hardtke"); eastern name-style puts the surname first."""
    given, family = _text(name.find("given-names")), _text(name.find("surname"))
    prefix, suffix = _text(name.find("prefix")), _text(name.find("suffix"))
    if name.get("name-style") == "eastern":
        return _squash(f"{prefix} {family} {given} {suffix}")
    return _squash(f"{prefix} {given} {family} {suffix}")


def _flatten_entities(root) -> None:
    """Replace entity reference nodes by their characters (for a copy handed to a parser that has no DTD)."""
    for entity in list(root.iter(etree.Entity)):
        text = _entity_text(entity) + (entity.tail or "")
        previous, parent = entity.getprevious(), entity.getparent()
        if previous is not None:
            previous.tail = (previous.tail or "") + text
        elif parent is not None:
            parent.text = (parent.text or "") + text
        if parent is not None:
            parent.remove(entity)


def _clean_doi(value: str) -> str:
    try:
        return doi_lib.normalize_doi(value) if value else ""
    except doi_lib.InvalidDOI:
        return ""


def _e(text: str | None) -> str:
    return html.escape(text or "", quote=False)


def _attr(text: str) -> str:
    return html.escape(text, quote=True)


def _http_url(value: str | None) -> str:
    """The URL if it is a plain http(s) URL with a host, else ""."""
    url = (value or "").strip()
    if not url or re.search(r"[\s\x00-\x1f\x7f<>\"]", url):
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    return url if parts.scheme.lower() in ("http", "https") and parts.hostname else ""


def _safe_src(value: str | None) -> str:
    """An image URL from figure_src: http(s), or a path on our own site ("/media/..."), else ""."""
    value = (value or "").strip()
    if value.startswith("/") and not value.startswith("//") and not re.search(r"[\s\x00-\x1f\"<>\\]", value):
        return value
    return _http_url(value)


_EMAIL = re.compile(r"^[^@\s<>\"'()\\,;:]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40].strip("-")
    return slug or "section"


# ---------------------------------------------------------------- HTML cleaning

# One MathML allow-list for the site (paperhub/mathml.py): JATS formulas, review maths and abstracts agree.
_MATHML_TAGS = set(MATHML_TAGS)
_MATHML_ATTRIBUTES = set(MATHML_ATTRIBUTES)
_HTML_TAGS = {
    "p",
    "br",
    "hr",
    "i",
    "b",
    "u",
    "s",
    "sup",
    "sub",
    "span",
    "code",
    "pre",
    "abbr",
    "a",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "blockquote",
    "aside",
    "div",
    "figure",
    "figcaption",
    "img",
    "table",
    "caption",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "th",
    "td",
    "col",
    "colgroup",
    "h3",
    "h4",
    "h5",
}
_ATTRIBUTES: dict[str, set[str]] = {
    "*": {"id", "class"},
    "a": {"href", "rel"},
    "img": {"src", "alt", "loading", "width", "height"},
    "th": {"colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "col": {"span"},
    "colgroup": {"span"},
    "ol": {"start"},
    **{tag: set(_MATHML_ATTRIBUTES) for tag in _MATHML_TAGS},
}


def clean_html(fragment: str) -> str:
    """The last word on every fragment we return: our allow-list of tags and attributes, safe URL schemes only."""
    return nh3.clean(
        fragment,
        tags=_HTML_TAGS | _MATHML_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel=None,  # we set rel="nofollow noopener" on outbound links ourselves; in-page links need none
        tag_attribute_values={"div": {"tabindex": {"0"}}},  # the scrolling boxes we make focusable, nothing else
        strip_comments=True,
        clean_content_tags={"script", "style"},
    )


_BLOCK_END = {"p", "li", "h2", "h3", "h4", "h5", "figcaption", "tr", "div", "blockquote", "aside", "dt", "dd", "pre"}


class _TextOf(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag, attrs) -> None:
        if tag in ("br", "td", "th"):
            self.parts.append(" ")

    def handle_endtag(self, tag) -> None:
        if tag in _BLOCK_END:
            self.parts.append("\n\n")


def html_to_text(fragment: str) -> str:
    """Plain text of one of our fragments: paragraphs separated by blank lines, no tags, no entities."""
    parser = _TextOf()
    parser.feed(fragment)
    parser.close()
    blocks = (_squash(block) for block in "".join(parser.parts).split("\n\n"))
    return "\n\n".join(block for block in blocks if block)


# ---------------------------------------------------------------- conversion

# Elements rendered with an id that an <xref> may point at.
_TARGETS = {
    "sec",
    "fig",
    "fig-group",
    "table-wrap",
    "table-wrap-group",
    "disp-formula",
    "supplementary-material",
    "fn",
    "app",
    "boxed-text",
    "media",
    "list",
    "statement",
}
_BLOCKS = {
    "p",
    "sec",
    "fig",
    "fig-group",
    "table-wrap",
    "table-wrap-group",
    "disp-formula",
    "disp-formula-group",
    "list",
    "disp-quote",
    "boxed-text",
    "supplementary-material",
    "media",
    "preformat",
    "code",
    "def-list",
    "statement",
    "fn",
    "fn-group",
    "verse-group",
    "speech",
    "table",
    "array",
    "chem-struct-wrap",
    "glossary",
    "notes",
    "ack",
    "app",
    "app-group",
    "ref-list",
    "graphic",
    "hr",
    "address",
}
# Dropped with their content: metadata, the reference list (the paper page shows it), code that never runs here.
_DROP = {
    "object-id",
    "institution-id",
    "alt-text",
    "long-desc",
    "permissions",
    "kwd-group",
    "counts",
    "custom-meta-group",
    "processing-meta",
    "ref-list",
    "script",
    "style",
    "annotation",
    "annotation-xml",
    "sub-article",
    "response",
    "front-stub",
    "front",
}
_INLINE = {
    "italic": ("i", ""),
    "bold": ("b", ""),
    "sup": ("sup", ""),
    "sub": ("sub", ""),
    "underline": ("u", ""),
    "strike": ("s", ""),
    "monospace": ("code", ""),
    "sc": ("span", "small-caps"),
    "overline": ("span", "overline"),
}
_REVIEW_KINDS = {
    "decision-letter": "decision-letter",
    "editor-report": "editor-report",
    "referee-report": "referee-report",
    "peer-review": "referee-report",
    "review-report": "referee-report",
    "aggregated-review-documents": "referee-report",
    "reply": "reply",
    "author-comment": "author-comment",
    "response": "reply",
}
_SUMMARY_TYPES = {
    "summary": "Author summary",
    "executive-summary": "eLife digest",
    "plain-language-summary": "Plain language summary",
    "author-summary": "Author summary",
}
_PUB_DATE_PREFERENCE = ("epub", "ppub", "collection", "pub")
# Groups inside a <sec> that become subsections of their own when they have a title (eLife's "Competing interests").
_TITLED_GROUPS = {"fn-group", "notes", "ack", "glossary", "app-group"}


class _Converter:
    def __init__(
        self,
        doc: Document,
        positions: dict[str, int] | None,
        figure_src: Callable[[str], str | None],
    ) -> None:
        self.doc = doc
        self.root = doc.root
        self.figure_src = figure_src
        self.body = Body()
        self.used_ids: set[str] = set()
        self.target_ids: dict[str, str] = {}  # JATS id -> id in our HTML
        self.ref_elements = [ref for back in self.root.findall("back") for ref in back.iter("ref")]
        if positions is None:
            positions = {ref.get("id"): n for n, ref in enumerate(self.ref_elements, 1) if ref.get("id")}
        self.positions = {str(k): int(v) for k, v in positions.items()}
        self.fig_counter = 0

    # -- ids

    def _unique(self, wanted: str) -> str:
        base = re.sub(r"[^A-Za-z0-9_.:-]+", "-", wanted).strip("-")[:60] or "x"
        if not base[0].isalpha():
            base = f"x{base}"
        if re.match(r"^(?:ref|cite)-\d", base):  # ours: the reference list and the citation anchors
            base = f"x-{base}"
        candidate, n = base, 1
        while candidate in self.used_ids:
            n += 1
            candidate = f"{base}-{n}"
        self.used_ids.add(candidate)
        return candidate

    def _collect_targets(self) -> None:
        containers = [*self.root.findall("body"), *self.root.findall("back")]
        containers += list(self.root.iter("sub-article", "response"))
        for container in containers:
            for el in container.iter():
                jats_id = el.get("id") if isinstance(el.tag, str) else None
                if (
                    jats_id
                    and _local(el) in _TARGETS
                    and jats_id not in self.target_ids
                    and not any(_local(a) == "ref-list" for a in el.iterancestors())
                ):
                    self.target_ids[jats_id] = self._unique(jats_id)

    def _id_for(self, el, fallback: str) -> str:
        jats_id = el.get("id")
        if jats_id and jats_id in self.target_ids:
            return self.target_ids[jats_id]
        return self._unique(fallback)

    # -- the whole article

    def run(self) -> Body:
        self._collect_targets()
        b = self.body
        b.references = [self._reference(ref) for ref in self.ref_elements]
        body_el = self.root.find("body")
        if body_el is not None:
            self._container_sections(body_el, level=2, kind="body", lead_heading="")
        for back in self.root.findall("back"):
            self._back(back)
        self._front_back_matter()
        b.summary = self._summary()
        b.license_url, b.license_text = self._license(self.root.find("front/article-meta/permissions"))
        b.reviews = self._reviews()
        parts = []
        for section in b.sections:
            if section.kind != "body":
                continue
            if section.heading:
                parts.append(section.heading)
            text = html_to_text(section.html)
            if text:
                parts.append(text)
        b.text = "\n\n".join(parts)
        b.word_count = len(b.text.split())
        return b

    def _reference(self, ref) -> JatsReference:
        citation = next(ref.iter("element-citation", "mixed-citation", "citation", "nlm-citation"), None)
        wrapper = StdET.Element("ref")
        if citation is not None:
            copy = deepcopy(citation)
            copy.tail = None
            _flatten_entities(copy)  # the stdlib parser below has no DTD to read `&nbsp;` by
            for el in copy.iter():  # the stdlib mapping reads un-prefixed names only
                if isinstance(el.tag, str) and el.tag.startswith("{"):
                    el.tag = _local(el)
            etree.cleanup_namespaces(copy)
            wrapper.append(StdET.fromstring(etree.tostring(copy)))
        else:
            wrapper.text = _text(ref)
        record = _reference_record(wrapper)
        return JatsReference(id=ref.get("id", ""), label=_text(ref.find("label")), record=record)

    # -- sections

    def _add_section(self, el, level: int, kind: str, heading_el=None, default_heading: str = "") -> Section:
        title = heading_el if heading_el is not None else el.find("title")
        label = el.find("label")
        heading_html = self._inline_children(title) if title is not None else _e(default_heading)
        if label is not None and _text(label):
            heading_html = f'<span class="label">{self._inline_children(label)}</span> {heading_html}'.strip()
        heading_html = clean_html(heading_html)
        heading = html_to_text(heading_html)
        section = Section(
            id=self._id_for(el, _slug(heading or kind)),
            level=min(max(level, 2), 4),
            heading=heading,
            heading_html=heading_html,
            html="",
            kind=kind,
        )
        self.body.sections.append(section)
        return section

    def _sec(self, el, level: int, kind: str, default_heading: str = "") -> None:
        section = self._add_section(el, level, kind, default_heading=default_heading)
        own = []
        for child in el:
            name = _local(child)
            if name in ("title", "label", "sec-meta"):
                continue
            if name == "sec" and child.find("title") is None and child.find("label") is None:
                own.append(self._inline_sec(child, level + 1))  # an untitled subsection reads as its parent's text
            elif name in ("sec", "app") or (name in _TITLED_GROUPS and child.find("title") is not None):
                self._sec(child, level + 1, kind)
            elif name == "ref-list":
                continue
            else:
                own.append(self._block(child))
        section.html = clean_html("".join(own))

    def _container_sections(self, container, level: int, kind: str, lead_heading: str) -> None:
        """A <body>: leading content (before any <sec>) becomes a section of its own, then each <sec>."""
        lead: list[str] = []
        lead_section: Section | None = None
        for child in container:
            name = _local(child)
            if name == "sec":
                self._sec(child, level, kind)
            elif name in ("sub-article", "response"):
                continue
            elif name:
                if lead_section is None:
                    lead_section = self._add_section(container, level, kind, default_heading=lead_heading)
                lead.append(self._block(child))
        if lead_section is not None:
            lead_section.html = clean_html("".join(lead))

    def _back(self, back) -> None:
        for child in back:
            name = _local(child)
            if name in ("ref-list", "label", "title", ""):
                continue
            if name == "ack":
                self._sec(child, 2, "back", default_heading="Acknowledgements")
            elif name == "app-group":
                section = self._add_section(child, 2, "back", default_heading="Appendices")
                own = []
                for app in child:
                    if _local(app) == "app":
                        self._sec(app, 3, "back", default_heading="Appendix")
                    elif _local(app) not in ("title", "label"):
                        own.append(self._block(app))
                section.html = clean_html("".join(own))
            elif name == "app":
                self._sec(child, 2, "back", default_heading="Appendix")
            elif name == "fn-group":
                self._fn_group_section(child)
            elif name == "notes":
                heading = "Competing interests" if child.get("notes-type") == "COI-statement" else "Notes"
                self._sec(child, 2, "back", default_heading=heading)
            elif name == "glossary":
                self._sec(child, 2, "back", default_heading="Abbreviations")
            elif name == "sec":
                self._sec(child, 2, "back")
            else:
                section = self._add_section(child, 2, "back", default_heading="Notes")
                section.html = clean_html(self._block(child))

    def _fn_group_section(self, group) -> None:
        conflicts = [fn for fn in group if _local(fn) == "fn" and fn.get("fn-type") in ("conflict", "COI-statement")]
        others = [fn for fn in group if _local(fn) not in ("title", "label") and fn not in conflicts]
        if group.find("title") is not None:
            self._sec(group, 2, "back")
            return
        if others:
            section = self._add_section(group, 2, "back", default_heading="Footnotes")
            section.html = clean_html("".join(self._block(fn) for fn in others))
        if conflicts:
            section = Section(
                id=self._unique("competing-interests"),
                level=2,
                heading="Competing interests",
                heading_html="Competing interests",
                html=clean_html("".join(self._block(fn) for fn in conflicts)),
                kind="back",
            )
            self.body.sections.append(section)

    def _front_back_matter(self) -> None:
        """Funding and conflict statements that live in the article's front matter."""
        meta = self.root.find("front/article-meta")
        if meta is None:
            return
        headings = {s.heading.lower() for s in self.body.sections}
        conflicts = [fn for fn in meta.findall("author-notes/fn") if fn.get("fn-type") in ("conflict", "COI-statement")]
        if conflicts and "competing interests" not in headings:
            self.body.sections.append(
                Section(
                    id=self._unique("competing-interests"),
                    level=2,
                    heading="Competing interests",
                    heading_html="Competing interests",
                    html=clean_html("".join(self._block(fn) for fn in conflicts)),
                    kind="back",
                )
            )
        for group in meta.findall("funding-group"):
            if "funding" in headings:
                break
            parts = []
            for award in group.findall("award-group"):
                source = (
                    self._inline_children(award.find("funding-source"))
                    if award.find("funding-source") is not None
                    else ""
                )
                awards = ", ".join(_e(_text(a)) for a in award.findall("award-id") if _text(a))
                people = ", ".join(
                    _e(_person_name(name) if _local(name) == "name" else _text(name))
                    for name in award.iter("name", "string-name", "collab")
                )
                item = source + (f" ({awards})" if awards else "") + (f": {people}" if people else "")
                if item.strip():
                    parts.append(f"<li>{item}</li>")
            statement = "".join(self._block(s) for s in group.findall("funding-statement"))
            if statement and not statement.lstrip().startswith("<p"):
                statement = f"<p>{statement}</p>"
            body = (f"<ul>{''.join(parts)}</ul>" if parts else "") + statement
            if body:
                self.body.sections.append(
                    Section(
                        id=self._unique("funding"),
                        level=2,
                        heading="Funding",
                        heading_html="Funding",
                        html=clean_html(body),
                        kind="back",
                    )
                )
                headings.add("funding")

    # -- summary, licence, reviews

    def _summary(self) -> Summary | None:
        for abstract in self.root.findall("front/article-meta/abstract"):
            kind = (abstract.get("abstract-type") or "").lower()
            if kind not in _SUMMARY_TYPES:
                continue
            title = _text(abstract.find("title"))
            content = "".join(
                self._block(child) for child in abstract if _local(child) not in ("title", "label", "object-id")
            )
            fragment = clean_html(content)
            return Summary(source=title or _SUMMARY_TYPES[kind], text=html_to_text(fragment), html=fragment)
        return None

    def _license(self, permissions) -> tuple[str, str]:
        if permissions is None:
            return "", ""
        url, texts = "", []
        for lic in permissions.iter("license"):
            url = url or _http_url(lic.get(XLINK_HREF))
            for child in lic.iter():
                if _local(child) == "license_ref":
                    url = url or _http_url(_text(child))
            for p in lic.iter("license-p", "p"):
                texts.append(_text(p))
                for link in p.iter("ext-link", "uri"):
                    href = link.get(XLINK_HREF) or _text(link)
                    if "creativecommons.org" in href:
                        url = url or _http_url(href)
        return url, "\n\n".join(t for t in texts if t)

    def _reviews(self) -> list[JournalReview]:
        reviews = []
        article_authors = self._authors(self.root.find("front/article-meta"), ("author",))
        article_date = self._date(self.root.find("front/article-meta"))
        article_license = self.body.license_url
        for sub in self.root.iter("sub-article", "response"):
            name = _local(sub)
            stub = sub.find("front-stub")
            if stub is None:
                stub = sub.find("front/article-meta")
            title = _text(stub.find("title-group/article-title")) if stub is not None else ""
            kind_attr = (sub.get("article-type") or sub.get("response-type") or "").lower()
            if name == "response" and not kind_attr:
                kind_attr = "response"
            kind = _REVIEW_KINDS.get(kind_attr, "")
            if not kind and kind_attr == "article-commentary":
                lowered = title.lower()
                if "decision" in lowered:
                    kind = "decision-letter"
                elif "author response" in lowered or "reply" in lowered:
                    kind = "reply"
                elif "review" in lowered:
                    kind = "referee-report"
            if not kind:
                continue  # translations, corrections and other sub-articles are not reviews
            authors = self._authors(stub, ("editor", "reviewer", "author", "")) if stub is not None else []
            if not authors and kind in ("reply", "author-comment"):
                authors = article_authors  # the paper's authors answer
            doi = ""
            if stub is not None:
                doi = _clean_doi(
                    next((_text(a) for a in stub.findall("article-id") if a.get("pub-id-type") == "doi"), "")
                )
            license_url = self._license(stub.find("permissions"))[0] if stub is not None else ""
            parts = []
            for child in sub:
                child_name = _local(child)
                if child_name == "body":
                    parts.append(self._review_body(child))
                elif child_name == "back":
                    parts.extend(self._block(c) for c in child if _local(c) not in ("ref-list", "title", "label"))
            reviews.append(
                JournalReview(
                    kind=kind,
                    title=title,
                    doi=doi,
                    authors=authors,
                    date=(self._date(stub) if stub is not None else None) or article_date,
                    license_url=license_url or article_license,
                    html=clean_html("".join(parts)),
                    id=self._unique(sub.get("id") or f"review-{len(reviews) + 1}"),
                )
            )
        return reviews

    def _review_body(self, body, level: int = 3) -> str:
        parts = []
        for child in body:
            if _local(child) == "sec":
                parts.append(self._inline_sec(child, level))
            else:
                parts.append(self._block(child))
        return "".join(parts)

    def _inline_sec(self, sec, level: int) -> str:
        """A <sec> inside a review, a box or an appendix: a heading and its content in one fragment."""
        tag = f"h{min(level, 5)}"
        title = sec.find("title")
        sec_id = self._id_for(sec, "sec")
        heading = f'<{tag} id="{_attr(sec_id)}">{self._inline_children(title)}</{tag}>' if title is not None else ""
        if not heading:
            heading = f'<span id="{_attr(sec_id)}"></span>'
        rest = []
        for child in sec:
            name = _local(child)
            if name in ("title", "label", "sec-meta"):
                continue
            rest.append(self._inline_sec(child, level + 1) if name == "sec" else self._block(child))
        return heading + "".join(rest)

    @staticmethod
    def _authors(meta, types: tuple[str, ...]) -> list[str]:
        if meta is None:
            return []
        names = []
        for contrib in meta.iter("contrib"):
            if (contrib.get("contrib-type") or "") not in types:
                continue
            name = contrib.find("name")
            if name is not None:
                full = _person_name(name)
            else:
                full = _text(contrib.find("collab")) or _text(contrib.find("string-name"))
            if full:
                names.append(full)
        return names

    @staticmethod
    def _date(meta) -> dt.date | None:
        """The electronic publication date, else the print one, else any: the most precise of the best kind."""
        if meta is None:
            return None
        ranked = []
        for d in meta.findall("pub-date"):
            kind = d.get("pub-type") or d.get("date-type") or ""
            electronic = kind == "epub" or d.get("publication-format") == "electronic"
            rank = 0 if electronic else {"ppub": 1, "pub": 2, "collection": 3}.get(kind, 4)
            try:
                year = int(_text(d.find("year")))
                month, day = _text(d.find("month")), _text(d.find("day"))
                date = dt.date(year, int(month or 1), int(day or 1))
            except ValueError:
                continue
            ranked.append((rank, not (month and day), date))
        return min(ranked)[2] if ranked else None

    # -- block content

    def _blocks_of(self, el) -> str:
        """The content of an element that holds paragraphs or bare text (a list item, a cell, a footnote)."""
        has_blocks = any(_local(child) in _BLOCKS for child in el)
        if not has_blocks:
            inner = self._inline_children(el)
            return f"<p>{inner}</p>" if inner.strip() else ""
        return self._mixed(el, wrap="p")

    def _mixed(self, el, wrap: str = "p", skip: tuple[str, ...] = ()) -> str:
        """Text and inline elements wrapped in <wrap>, block children placed between (a <p> cannot hold a figure)."""
        out: list[str] = []
        run: list[str] = [_e(el.text)]

        def flush() -> None:
            inner = "".join(run)
            if inner.strip():
                out.append(f"<{wrap}>{inner.strip()}</{wrap}>" if wrap else inner)
            run.clear()

        for child in el:
            name = _local(child)
            if name in skip:
                pass
            elif name in _BLOCKS:
                flush()
                out.append(self._block(child))
            else:
                run.append(self._inline(child))
            run.append(_e(child.tail))
        flush()
        return "".join(out)

    def _block(self, el) -> str:
        if el.tag is etree.Entity:
            return _e(_entity_text(el))
        name = _local(el)
        if not name or name in _DROP:
            return ""
        handler = getattr(self, f"_b_{name.replace('-', '_')}", None)
        if handler is not None:
            return handler(el)
        if name in _BLOCKS:
            return self._mixed(el)
        inner = self._inline(el)
        return f"<p>{inner}</p>" if inner.strip() else ""

    def _b_p(self, el) -> str:
        text = _text(el)
        # eLife ends captions and boxes with "DOI: http://dx.doi.org/10.7554/eLife.01567.004": the object's DOI.
        if re.fullmatch(r"DOI:\s*\S+", text) and any(x.get("ext-link-type") == "doi" for x in el.iter("ext-link")):
            return ""
        return self._mixed(el)

    def _b_sec(self, el) -> str:
        return self._inline_sec(el, 4)

    _b_app = _b_sec
    _b_ack = _b_sec
    _b_notes = _b_sec
    _b_glossary = _b_sec

    def _b_title(self, el) -> str:
        inner = self._inline_children(el)
        return f'<p class="title"><b>{inner}</b></p>' if inner.strip() else ""

    def _b_label(self, el) -> str:
        inner = self._inline_children(el)
        return f'<p class="label">{inner}</p>' if inner.strip() else ""

    def _b_list(self, el) -> str:
        list_type = (el.get("list-type") or "").lower()
        tag = "ul" if list_type in ("bullet", "simple") else "ol"
        css = f' class="list-{_attr(list_type)}"' if re.fullmatch(r"[a-z-]+", list_type or "-") and list_type else ""
        ident = f' id="{_attr(self.target_ids[el.get("id")])}"' if el.get("id") in self.target_ids else ""
        items = []
        for item in el:
            name = _local(item)
            if name == "list-item":
                label = item.find("label")
                label_html = f'<span class="label">{self._inline_children(label)}</span> ' if label is not None else ""
                children = [c for c in item if _local(c) != "label"]
                if len(children) == 1 and _local(children[0]) == "p" and not (item.text or "").strip():
                    # One paragraph reads as the item itself, as Europe PMC shows it.
                    content = self._mixed(children[0], wrap="")
                else:
                    content = _e(item.text) + "".join(
                        self._block(c) if _local(c) in _BLOCKS else self._inline(c) + _e(c.tail) for c in children
                    )
                items.append(f"<li>{label_html}{content}</li>")
            elif name == "title":
                items.append(f'<li class="list-title"><b>{self._inline_children(item)}</b></li>')
        return f"<{tag}{ident}{css}>{''.join(items)}</{tag}>"

    def _b_def_list(self, el) -> str:
        items = []
        for item in el.iter("def-item"):
            term = item.find("term")
            items.append(f"<dt>{self._inline_children(term) if term is not None else ''}</dt>")
            for definition in item.findall("def"):
                items.append(f"<dd>{self._blocks_of(definition)}</dd>")
        title = el.find("title")
        head = self._b_title(title) if title is not None else ""
        return f"{head}<dl>{''.join(items)}</dl>"

    def _b_disp_quote(self, el) -> str:
        return f"<blockquote>{self._blocks_of(el)}</blockquote>"

    def _b_boxed_text(self, el) -> str:
        ident = self._id_for(el, "box")
        parts = []
        caption = el.find("caption")
        label = el.find("label")
        if label is not None or caption is not None:
            parts.append(self._caption_html(label, caption))
        for child in el:
            if _local(child) in ("label", "caption", "object-id"):
                continue
            if _local(child) == "sec":
                parts.append(self._inline_sec(child, 4))
            else:
                parts.append(self._block(child))
        return f'<aside class="boxed-text" id="{_attr(ident)}">{"".join(parts)}</aside>'

    def _b_statement(self, el) -> str:
        ident = self._id_for(el, "statement")
        label, title = el.find("label"), el.find("title")
        head = " ".join(self._inline_children(x) for x in (label, title) if x is not None)
        body = "".join(self._block(c) for c in el if _local(c) not in ("label", "title"))
        return f'<div class="statement" id="{_attr(ident)}">{f"<p><b>{head}</b></p>" if head else ""}{body}</div>'

    def _b_fn(self, el) -> str:
        ident = self._id_for(el, "fn")
        label = el.find("label")
        label_html = f'<span class="label">{self._inline_children(label)}</span> ' if label is not None else ""
        content = self._mixed(el, wrap="p", skip=("label",))
        if label_html and content.startswith("<p>"):
            content = f"<p>{label_html}{content[3:]}"
        elif label_html:
            content = f"<p>{label_html}</p>{content}"
        return f'<div class="fn" id="{_attr(ident)}">{content}</div>'

    def _b_fn_group(self, el) -> str:
        return "".join(self._block(c) for c in el)

    def _b_preformat(self, el) -> str:
        return f"<pre>{_e(''.join(_itertext(el)))}</pre>"

    def _b_code(self, el) -> str:
        return f"<pre><code>{_e(''.join(_itertext(el)))}</code></pre>"

    def _b_hr(self, el) -> str:
        return "<hr>"

    def _b_verse_group(self, el) -> str:
        lines = [self._inline_children(line) for line in el.iter("verse-line")]
        return f'<p class="verse">{"<br>".join(lines)}</p>'

    def _b_speech(self, el) -> str:
        return self._mixed(el)

    def _b_address(self, el) -> str:
        return f"<p>{_e(_text(el))}</p>"

    def _b_app_group(self, el) -> str:
        return "".join(self._block(c) for c in el)

    # figures

    def _caption_html(self, label, caption) -> str:
        parts = []
        if label is not None and _text(label):
            parts.append(f'<span class="label">{self._inline_children(label)}</span>')
        if caption is not None:
            for child in caption:
                name = _local(child)
                if name == "title":
                    parts.append(f'<b class="caption-title">{self._inline_children(child)}</b>')
                elif name:
                    parts.append(self._block(child))
        return " ".join(p for p in parts if p)

    def _graphic_html(self, graphic, alt: str) -> str:
        href = graphic.get(XLINK_HREF, "") if graphic is not None else ""
        if not href:
            return ""
        src = _safe_src(self.figure_src(href))
        if src:
            return f'<img src="{_attr(src)}" alt="{_attr(alt)}" loading="lazy">'
        url = figure_source_url(self.doc, href)
        if url:
            return (
                f'<p class="figure-link"><a href="{_attr(url)}" rel="nofollow noopener">'
                f"View {_e(alt.rstrip('. ') or 'the image')} at Europe PMC</a></p>"
            )
        return ""

    def _b_fig(self, el) -> str:
        self.fig_counter += 1
        ident = self._id_for(el, f"figure-{self.fig_counter}")
        label, caption = el.find("label"), el.find("caption")
        graphic = next(el.iter("graphic"), None)
        href = graphic.get(XLINK_HREF, "") if graphic is not None else ""
        alt = (
            _text(el.find(".//alt-text"))
            or _text(label)
            or _text(caption.find("title") if caption is not None else None)
        )
        caption_html = clean_html(self._caption_html(label, caption))
        self.body.figures.append(Figure(id=ident, label=_text(label), caption_html=caption_html, href=href))
        extra = "".join(
            self._block(c) for c in el if _local(c) not in ("label", "caption", "graphic", "alternatives", "object-id")
        )
        return (
            f'<figure class="fig" id="{_attr(ident)}">{self._graphic_html(graphic, alt or "Figure")}{extra}'
            f"<figcaption>{caption_html}</figcaption></figure>"
        )

    def _b_fig_group(self, el) -> str:
        ident = self._id_for(el, "figure-group")
        inner = "".join(self._block(c) for c in el if _local(c) not in ("label", "caption"))
        head = self._caption_html(el.find("label"), el.find("caption"))
        return f'<div class="fig-group" id="{_attr(ident)}">{f"<p>{head}</p>" if head else ""}{inner}</div>'

    def _b_graphic(self, el) -> str:
        self.fig_counter += 1
        href = el.get(XLINK_HREF, "")
        if href:
            ident = self._id_for(el, f"figure-{self.fig_counter}")
            self.body.figures.append(Figure(id=ident, label="", caption_html="", href=href))
            image = self._graphic_html(el, _text(el.find("alt-text")) or "Image")
            return f'<figure class="graphic" id="{_attr(ident)}">{image}</figure>' if image else ""
        return ""

    def _b_media(self, el) -> str:
        ident = self._id_for(el, "media")
        caption = self._caption_html(el.find("label"), el.find("caption"))
        return f'<div class="media" id="{_attr(ident)}">{caption}</div>' if caption else ""

    def _b_supplementary_material(self, el) -> str:
        ident = self._id_for(el, "supplementary-material")
        label, caption = el.find("label"), el.find("caption")
        parts = [self._caption_html(label, caption)]
        hrefs = [el.get(XLINK_HREF)] + [m.get(XLINK_HREF) for m in el.iter("media", "ext-link", "uri")]
        links: dict[str, str] = {}  # url -> text
        for href in hrefs:
            url = _http_url(href) or supplementary_source_url(self.doc, href or "")
            if url and url not in links:
                links[url] = url if _http_url(href) else (href or "").strip()
        parts.extend(
            f'<p><a href="{_attr(url)}" rel="nofollow noopener">{_e(text)}</a></p>' for url, text in links.items()
        )
        for child in el:
            if _local(child) in ("p", "list"):
                parts.append(self._block(child))
        return f'<div class="supplementary-material" id="{_attr(ident)}">{"".join(parts)}</div>'

    # tables

    def _b_table_wrap(self, el) -> str:
        ident = self._id_for(el, "table")
        label, caption = el.find("label"), el.find("caption")
        caption_html = clean_html(self._caption_html(label, caption))
        self.body.tables.append(Table(id=ident, label=_text(label), caption_html=caption_html))
        parts = [f"<figcaption>{caption_html}</figcaption>"]
        tables = list(el.iter("table"))
        for table in tables:
            # Focusable, so that a keyboard can scroll a table wider than the page (axe: scrollable-region-focusable).
            parts.append(f'<div class="table-scroll" tabindex="0">{self._table(table)}</div>')
        if not tables:
            graphic = next(el.iter("graphic"), None)
            parts.append(self._graphic_html(graphic, _text(label) or "Table"))
        for foot in el.findall("table-wrap-foot"):
            parts.append(f'<div class="table-foot">{"".join(self._block(c) for c in foot)}</div>')
        return f'<figure class="table-wrap" id="{_attr(ident)}">{"".join(parts)}</figure>'

    def _b_table_wrap_group(self, el) -> str:
        ident = self._id_for(el, "table-group")
        head = self._caption_html(el.find("label"), el.find("caption"))
        inner = "".join(self._block(c) for c in el if _local(c) not in ("label", "caption"))
        return f'<div class="table-wrap-group" id="{_attr(ident)}">{f"<p>{head}</p>" if head else ""}{inner}</div>'

    def _b_table(self, el) -> str:
        return f'<div class="table-scroll">{self._table(el)}</div>'

    def _b_array(self, el) -> str:
        tables = list(el.iter("table"))
        return "".join(self._b_table(t) for t in tables) if tables else self._mixed(el)

    def _table(self, el) -> str:
        name = _local(el)
        if name in ("th", "td"):
            attrs = ""
            for span in ("rowspan", "colspan"):
                value = (el.get(span) or "").strip()
                if value.isdigit() and 1 < int(value) <= 1000:
                    attrs += f' {span}="{int(value)}"'
            has_blocks = any(_local(c) in _BLOCKS for c in el)
            inner = self._mixed(el, wrap="p") if has_blocks else self._inline_children(el)
            return f"<{name}{attrs}>{inner}</{name}>"
        if name in ("table", "thead", "tbody", "tfoot", "tr", "colgroup", "col"):
            attrs = ""
            if name in ("col", "colgroup"):
                value = (el.get("span") or "").strip()
                if value.isdigit() and 1 < int(value) <= 1000:
                    attrs = f' span="{int(value)}"'
            if name == "col":
                return f"<col{attrs}>"
            return f"<{name}{attrs}>{''.join(self._table(c) for c in el)}</{name}>"
        return ""

    # formulas

    def _b_disp_formula(self, el) -> str:
        ident = self._id_for(el, "formula")
        label = el.find("label")
        label_html = f' <span class="label">{self._inline_children(label)}</span>' if label is not None else ""
        formula = self._formula(el, block=True)
        return f'<div class="disp-formula" id="{_attr(ident)}" tabindex="0">{formula}{label_html}</div>'

    def _b_disp_formula_group(self, el) -> str:
        return "".join(self._block(c) for c in el)

    def _b_chem_struct_wrap(self, el) -> str:
        return f'<div class="chem-struct">{self._formula(el, block=True)}</div>'

    def _formula(self, el, block: bool) -> str:
        math = next((m for m in el.iter() if _local(m) == "math"), None)
        if math is not None:
            return self._math(math, top=True, block=block)
        tex = next(el.iter("tex-math"), None)
        if tex is not None:
            return f'<code class="tex-math">{_e("".join(_itertext(tex)).strip())}</code>'
        graphic = next(el.iter("graphic", "inline-graphic"), None)
        if graphic is not None:
            href = graphic.get(XLINK_HREF, "")
            src = _safe_src(self.figure_src(href)) if href else ""
            if src:
                alt = _attr(_text(el.find("label")) or "Formula")
                return f'<img class="formula" src="{_attr(src)}" alt="{alt}" loading="lazy">'
        label = _text(el.find("label"))
        text = _text(el) if not label else ""
        return f'<span class="formula-missing">{_e(text or label or "[formula]")}</span>'

    def _math(self, el, top: bool = False, block: bool = False) -> str:
        if el.tag is etree.Entity:
            return _e(_entity_text(el))
        name = _local(el)
        if not name:
            return ""
        if name == "semantics":  # its first child is the presentation; annotations are alternates
            first = next((c for c in el if _local(c) not in ("annotation", "annotation-xml")), None)
            return self._math(first) if first is not None else ""
        if name in ("annotation", "annotation-xml"):
            return ""
        children = "".join(self._math(c) + _e(c.tail if _local(c) else (c.tail or "")) for c in el)
        inner = _e(el.text) + children
        if name == "mfenced":  # not in MathML Core: an mrow with its fences
            open_, close = el.get("open", "("), el.get("close", ")")
            separator = (el.get("separators", ",") or ",")[:1]
            kids = [self._math(c) for c in el if _local(c)]
            sep = f"<mo>{_e(separator)}</mo>" if separator.strip() else ""
            return f"<mrow><mo>{_e(open_)}</mo>{sep.join(kids)}<mo>{_e(close)}</mo></mrow>"
        if name in ("menclose", "maction", "mlabeledtr") or name not in _MATHML_TAGS:
            return f"<mrow>{inner}</mrow>" if name != "math" else inner
        attrs = ""
        for key, value in el.attrib.items():
            key = key.rsplit("}", 1)[-1]
            if key in _MATHML_ATTRIBUTES and key != "display" and re.fullmatch(r"[\w.#%+ -]{0,40}", value):
                attrs += f' {key}="{_attr(value)}"'
        if name == "math" and top:
            attrs = (' display="block"' if block else "") + attrs
        return f"<{name}{attrs}>{inner}</{name}>"

    # -- inline content

    def _inline_children(self, el) -> str:
        if el is None:
            return ""
        return _e(el.text) + "".join(self._inline(c) + _e(c.tail) for c in el)

    def _inline(self, el) -> str:
        if el.tag is etree.Entity:
            return _e(_entity_text(el))
        name = _local(el)
        if not name or name in _DROP:
            return ""
        if name in _INLINE:
            tag, css = _INLINE[name]
            cls = f' class="{css}"' if css else ""
            return f"<{tag}{cls}>{self._inline_children(el)}</{tag}>"
        if name == "break":
            return "<br>"
        if name == "name":
            return _e(_person_name(el))
        if name == "xref":
            return self._xref(el)
        if name == "ext-link":
            return self._link(el, el.get(XLINK_HREF), kind=el.get("ext-link-type", ""))
        if name == "uri":
            return self._link(el, el.get(XLINK_HREF) or _text(el))
        if name == "email":
            address = (el.get(XLINK_HREF) or _text(el)).removeprefix("mailto:")
            if _EMAIL.match(address):
                href = _attr("mailto:" + quote(address, safe="@._+-"))
                return f'<a href="{href}" rel="nofollow noopener">{self._inline_children(el)}</a>'
            return self._inline_children(el)
        if name == "inline-formula":
            return f'<span class="inline-formula">{self._formula(el, block=False)}</span>'
        if name == "math":
            return self._math(el, top=True)
        if name == "tex-math":
            return f'<code class="tex-math">{_e("".join(_itertext(el)).strip())}</code>'
        if name == "inline-graphic":
            href = el.get(XLINK_HREF, "")
            src = _safe_src(self.figure_src(href)) if href else ""
            return f'<img src="{_attr(src)}" alt="" loading="lazy">' if src else ""
        if name == "label":
            return f'<span class="label">{self._inline_children(el)}</span>'
        if name == "abbrev":
            return f"<abbr>{self._inline_children(el)}</abbr>"
        if name == "alternatives":
            preferred = next((c for c in el if _local(c) == "math"), None)
            preferred = preferred if preferred is not None else next((c for c in el if _local(c)), None)
            return self._inline(preferred) if preferred is not None else ""
        if name in _BLOCKS:  # a block where only inline content fits (a caption title, a heading)
            return self._inline_children(el)
        return self._inline_children(el)  # unknown: keep the text, drop the tag

    def _xref(self, el) -> str:
        inner = self._inline_children(el)
        rids = (el.get("rid") or "").split()
        if (el.get("ref-type") or "") == "bibr" or (rids and all(r in self.positions for r in rids)):
            positions = [self.positions[r] for r in rids if r in self.positions]
            if not positions:
                return inner
            first = positions[0]
            cited = self.body.citations.setdefault(first, [])
            anchor = f"cite-{first}-{len(cited) + 1}"
            while anchor in self.used_ids:  # another anchor already took this number
                anchor = f"{anchor}x"
            self.used_ids.add(anchor)
            for position in dict.fromkeys(positions):
                self.body.citations.setdefault(position, []).append(anchor)
            return f'<a class="citation" href="#ref-{first}" id="{anchor}">{inner or _e(str(first))}</a>'
        target = next((self.target_ids[r] for r in rids if r in self.target_ids), None)
        if target is None:
            return inner
        return f'<a class="xref" href="#{_attr(target)}">{inner or "*"}</a>'

    def _link(self, el, href: str | None, kind: str = "") -> str:
        inner = self._inline_children(el)
        url = _http_url(href)
        if not url and kind == "doi":
            doi = _clean_doi(href or "")
            url = f"https://doi.org/{quote(doi, safe='/:;()._-')}" if doi else ""
        if not url:
            return inner
        return f'<a href="{_attr(url)}" rel="nofollow noopener">{inner or _e(url)}</a>'


def convert(
    doc: Document,
    *,
    reference_positions: dict[str, int] | None = None,
    figure_src: Callable[[str], str | None] = lambda href: None,
) -> Body:
    """Render a parsed article. `reference_positions` maps JATS <ref id>s to the paper's stored reference list."""
    return _Converter(doc, reference_positions, figure_src).run()


def references(doc: Document) -> list[JatsReference]:
    """The article's <ref-list>, in order, without rendering the rest: what matching it to a paper needs first."""
    converter = _Converter(doc, None, lambda href: None)
    return [converter._reference(ref) for ref in converter.ref_elements]


_SAFE_FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$")


def figure_source_url(doc: Document, href: str, *, base: str = "https://europepmc.org/articles") -> str:
    """Where a worker would download a graphic: Europe PMC's copy for an article with a PMCID, else "".

    `base` is Europe PMC's article site (a setting, so that tests point it at the fake upstream)."""
    href = (href or "").strip()
    if not doc.pmcid or not _SAFE_FILE_NAME.match(href) or ".." in href:
        return ""
    name = href.rsplit(".", 1)[0] if re.search(r"\.(?:jpe?g|gif|png|tiff?|eps)$", href, re.IGNORECASE) else href
    return f"{base.rstrip('/')}/{doc.pmcid}/bin/{quote(name)}.jpg"


def supplementary_source_url(doc: Document, href: str) -> str:
    """Europe PMC's copy of a supplementary file named by a relative href, for an article with a PMCID, else ""."""
    href = (href or "").strip()
    if not doc.pmcid or not _SAFE_FILE_NAME.match(href) or ".." in href:
        return ""
    return f"https://europepmc.org/articles/{doc.pmcid}/bin/{quote(href)}"
