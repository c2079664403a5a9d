"""MathML shared by every converter that emits it: one allow-list for nh3, and TeX -> MathML. Pure.

fulltext.jats (JATS <mml:math>), reviews.rendering (TeX in review Markdown) and the abstract filter in
papers.templatetags all clean with these sets. Browsers render MathML Core themselves: no script, no web font.
"""

from __future__ import annotations

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
