"""Review Markdown to safe HTML: a real CommonMark parser, then nh3's allow-list. Pure."""

import html as html_lib
import re
from html.parser import HTMLParser

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from mdit_py_plugins.dollarmath import dollarmath_plugin

from paperhub.mathml import MATHML_ATTRIBUTE_MAP, MATHML_TAGS, tex_to_mathml

# Raw HTML in the Markdown is shown as text (html=False); nh3 is the second, independent line of defence.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)


def _image_as_link(renderer, tokens, idx, options, env):
    # An <img> would make every visitor's browser fetch from another site; a link asks first.
    token = tokens[idx]
    src = token.attrGet("src") or ""
    return f'<a href="{escapeHtml(src)}">{escapeHtml(token.content or src)}</a>'


_markdown.add_render_rule("image", _image_as_link)

# Maths: `$...$` and `\(...\)` inline, `$$...$$` and `\[...\]` displayed, turned into MathML here on the server
# (latex2mathml) so the page needs no script. "$5 and $10" stays text: dollarmath wants no space inside the
# delimiters and no digit right after the closing one. Malformed TeX is shown as typed (escaped).
_BRACKET_MATH = re.compile(r"\\\((.+?)\\\)|\\\[(.+?)\\\]", re.DOTALL)


def _math_html(tex: str, *, display: bool, source: str) -> str:
    mathml = tex_to_mathml(tex, display=display)
    return mathml if mathml is not None else escapeHtml(source)


def _bracket_math(state, silent: bool) -> bool:
    # Before the "escape" rule, which would otherwise read `\(` as an escaped "(".
    if not state.src.startswith(("\\(", "\\["), state.pos):
        return False
    match = _BRACKET_MATH.match(state.src, state.pos)
    if match is None or (match.group(1) or match.group(2) or "").strip() == "":
        return False
    if not silent:
        token = state.push("math_bracket", "math", 0)
        token.content = match.group(1) if match.group(1) is not None else match.group(2)
        token.markup = match.group(0)[:2]
        token.info = match.group(0)
    state.pos = match.end()
    return True


dollarmath_plugin(_markdown, allow_labels=False, allow_space=False, allow_digits=False, double_inline=True)
_markdown.inline.ruler.before("escape", "math_bracket", _bracket_math)


def _render_math(display: bool, delimiter: str):
    def rule(renderer, tokens, idx, options, env):
        token = tokens[idx]
        source = f"{delimiter}{token.content.strip()}{delimiter}"
        if not token.block:
            return _math_html(token.content, display=display, source=source)
        mathml = tex_to_mathml(token.content, display=display)
        return f"{mathml}\n" if mathml is not None else f"<p>{escapeHtml(source)}</p>\n"

    return rule


def _render_bracket_math(renderer, tokens, idx, options, env):
    token = tokens[idx]
    return _math_html(token.content, display=token.markup == "\\[", source=token.info)


_markdown.add_render_rule("math_inline", _render_math(False, "$"))
_markdown.add_render_rule("math_inline_double", _render_math(True, "$$"))
_markdown.add_render_rule("math_block", _render_math(True, "$$"))
_markdown.add_render_rule("math_bracket", _render_bracket_math)

_TEXT_TAGS = {
    "p",
    "br",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "em",
    "strong",
    "del",
    "s",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
# Plus the one shared MathML allow-list, for the maths above.
ALLOWED_TAGS = _TEXT_TAGS | MATHML_TAGS
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "code": {"class"}, **MATHML_ATTRIBUTE_MAP}
ALLOWED_SCHEMES = {"http", "https", "mailto"}


# A review is shown inside a page section headed <h2> (the paper's "Peer Reviews", the form's "Preview"), so its
# own headings start one below: `# Summary` becomes <h3>, never a second <h1>; the deepest levels share <h6>.
HEADING_OFFSET = 2


def render_review_markdown(text: str) -> str:
    """Safe HTML for a review body; images become links to them, headings sit below the page's sections."""
    env: dict = {}
    tokens = _markdown.parse(text or "", env)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + HEADING_OFFSET, 6)}"
    html = _markdown.renderer.render(tokens, _markdown.options, env)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="nofollow ugc noopener",
        strip_comments=True,
        clean_content_tags={"script", "style"},
    )


# Journal reviews come as HTML (fulltext.jats converts the JATS <sub-article>); cleaned again here, with the same
# rules as pasted reviews plus the inline markup science writes in (sub/superscripts).
JOURNAL_ALLOWED_TAGS = _TEXT_TAGS | {"sub", "sup"}
JOURNAL_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
_TOP_HEADING = re.compile(r"<(/?)h[12]>")


def clean_journal_review_html(html: str) -> str:
    """Safe HTML for a review the journal published: our allow-list, and no heading above <h3> (as for Markdown)."""
    cleaned = nh3.clean(
        html or "",
        tags=JOURNAL_ALLOWED_TAGS,
        attributes=JOURNAL_ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        # Not "ugc": the journal published these, not a visitor; still no endorsement, no window.opener.
        link_rel="nofollow noopener",
        strip_comments=True,
    )
    # nh3's output is normalised (lower-case tags, no attributes left on headings), so this sees every one.
    return _TOP_HEADING.sub(r"<\1h3>", cleaned).strip()


def html_to_text(html: str) -> str:
    """The words of some HTML, for when a journal review comes without its plain text."""
    return html_lib.unescape(nh3.clean(html or "", tags=set())).strip()


class _TopLevelEnds(HTMLParser):
    """Offsets in a fragment where each top-level element ends, with the length of text seen up to there."""

    VOID = {"br", "hr", "img", "input", "meta", "link", "mprespace", "none", "mspace"}

    def __init__(self, source: str):
        super().__init__(convert_charrefs=True)
        self._line_starts = [0] + [i + 1 for i, ch in enumerate(source) if ch == "\n"]
        self._source = source
        self.depth = 0
        self.text = 0
        self.ends: list[tuple[int, int]] = []  # (offset after the element's end tag, text length so far)

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.depth += 1
        elif self.depth == 0:
            self.ends.append((self._offset() + len(self.get_starttag_text() or ""), self.text))

    def handle_startendtag(self, tag, attrs):
        if self.depth == 0:
            self.ends.append((self._offset() + len(self.get_starttag_text() or ""), self.text))

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        self.depth = max(0, self.depth - 1)
        if self.depth == 0:
            end = self._source.find(">", self._offset()) + 1
            self.ends.append((end, self.text))

    def handle_data(self, data):
        self.text += len(data.strip())


def fold_point(html: str, *, lead_chars: int = 600, min_rest_chars: int = 300) -> int:
    """Where to fold a long review: the offset just after the top-level block that brings the text shown to
    `lead_chars`, if at least `min_rest_chars` of text stay below it; 0 (show it whole) otherwise. Pure, for
    our own sanitized HTML (nh3's output is well-formed), so the two halves are each whole elements."""
    parser = _TopLevelEnds(html or "")
    parser.feed(html or "")
    parser.close()
    total = parser.text
    for offset, shown in parser.ends:
        if shown >= lead_chars:
            return offset if total - shown >= min_rest_chars else 0
    return 0
