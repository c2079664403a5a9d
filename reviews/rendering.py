"""Review Markdown to safe HTML: a real CommonMark parser, then nh3's allow-list. Pure."""

import html as html_lib
import re

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml

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

ALLOWED_TAGS = {
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
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "code": {"class"}}
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
    )


# Journal reviews come as HTML (fulltext.jats converts the JATS <sub-article>); cleaned again here, with the same
# rules as pasted reviews plus the inline markup science writes in (sub/superscripts).
JOURNAL_ALLOWED_TAGS = ALLOWED_TAGS | {"sub", "sup"}
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
