"""MathML shared by every converter that emits it: one allow-list for nh3, and TeX -> MathML. Pure.

fulltext.jats (JATS <mml:math>), reviews.rendering (TeX in review Markdown) and the abstract filter in
papers.templatetags all clean with these sets. Browsers render MathML Core themselves: no script, no web font.
"""

from __future__ import annotations

import html
import re

import nh3
from latex2mathml.converter import convert as _latex_to_mathml

# Presentation MathML (MathML Core plus the few elements converters still emit); no <annotation>, no <maction>.
MATHML_TAGS = frozenset(
    {
        "math",
        "mi",
        "mn",
        "mo",
        "ms",
        "mtext",
        "mspace",
        "mrow",
        "mfrac",
        "msqrt",
        "mroot",
        "msub",
        "msup",
        "msubsup",
        "munder",
        "mover",
        "munderover",
        "mmultiscripts",
        "mprescripts",
        "none",
        "mstyle",
        "mpadded",
        "mphantom",
        "menclose",  # older publisher MathML in titles and JATS; browsers show its content
        "mfenced",
        "mtable",
        "mtr",
        "mtd",
        "merror",
        "semantics",
    }
)
# Layout only: nothing here takes a URL (MathML's href, or latex2mathml's from \href) or a colour.
MATHML_ATTRIBUTES = frozenset(
    {
        "display",
        "mathvariant",
        "displaystyle",
        "scriptlevel",
        "columnspan",
        "rowspan",
        "columnalign",
        "rowalign",
        "accent",
        "accentunder",
        "fence",
        "separator",
        "stretchy",
        "symmetric",
        "largeop",
        "movablelimits",
        "lspace",
        "rspace",
        "minsize",
        "maxsize",
        "linethickness",
        "width",
        "height",
        "depth",
        "voffset",
        "form",
    }
)
MATHML_ATTRIBUTE_MAP: dict[str, set[str]] = {tag: set(MATHML_ATTRIBUTES) for tag in MATHML_TAGS}

# Longer TeX is not maths someone typed into a review or an abstract; it stays text rather than cost a request.
MAX_TEX_LENGTH = 4000


def tex_to_mathml(tex: str, *, display: bool) -> str | None:
    """MathML for some TeX, not yet cleaned (callers clean it with their own allow-list); None if it is malformed."""
    tex = tex.strip()
    if not tex or len(tex) > MAX_TEX_LENGTH:
        return None
    try:
        return _latex_to_mathml(tex, display="block" if display else "inline")
    except Exception:  # latex2mathml raises its own errors, and IndexError/KeyError on some input: all mean "not TeX"
        return None


def clean_mathml(fragment: str) -> str:
    """Only MathML and its layout attributes; <script>/<style> go with their content."""
    return nh3.clean(
        fragment,
        tags=set(MATHML_TAGS),
        attributes=MATHML_ATTRIBUTE_MAP,
        url_schemes=set(),
        link_rel=None,
        strip_comments=True,
        clean_content_tags={"script", "style"},
    )


# TeX in plain text (an abstract): $$...$$, \[...\], \(...\), and $...$ with no space inside its dollars and no digit
# after the closing one, so "$5 to $10" stays money. The longest delimiters are tried first.
_TEX_IN_TEXT = re.compile(
    r"\$\$(?P<dd>.+?)\$\$|\\\[(?P<db>.+?)\\\]|\\\((?P<ib>.+?)\\\)|\$(?P<id>[^\s$](?:[^$]*?[^\s$\\])?)\$(?!\d)",
    re.DOTALL,
)


def has_tex(text: str) -> bool:
    return _TEX_IN_TEXT.search(text or "") is not None


def text_with_maths_html(text: str) -> str:
    """Plain text as HTML: escaped, but each TeX formula in it as cleaned MathML (kept as typed when malformed)."""
    parts: list[str] = []
    at = 0
    for match in _TEX_IN_TEXT.finditer(text or ""):
        display = match.lastgroup in ("dd", "db")
        mathml = tex_to_mathml(match.group(match.lastgroup or 0), display=display)
        parts.append(html.escape(text[at : match.start()], quote=False))
        parts.append(clean_mathml(mathml) if mathml is not None else html.escape(match.group(0), quote=False))
        at = match.end()
    parts.append(html.escape((text or "")[at:], quote=False))
    return "".join(parts)
