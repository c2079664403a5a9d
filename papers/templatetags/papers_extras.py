from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from paperhub.mathml import has_tex, text_with_maths_html
from papers import markup
from papers.licences import licence_name as _licence_name
from papers.search import MARK_END, MARK_START

register = template.Library()


@register.filter
def highlight(snippet: str) -> str:
    """A search snippet with its matches in <mark>; everything else escaped (abstracts are text, not HTML)."""
    escaped = escape(snippet or "")
    return mark_safe(escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))


@register.filter
def lang_attr(paper) -> str:
    """` lang="pt"` for an element holding a paper's own words (title, abstract), so screen readers switch voice."""
    lang = getattr(paper, "lang", "")
    return format_html(' lang="{}"', lang) if lang else ""


@register.filter
def title_html(item) -> str:
    """A paper's or reference's title with its markup; the DOI when it has no title yet."""
    fragment = markup.fragment(item.title_html, item.title)
    # Only our own stored fragment is marked safe: papers.markup cleaned it (nh3) before it was saved.
    return mark_safe(fragment) if fragment else escape(getattr(item, "doi", ""))


@register.filter
def abstract_paragraph(paragraph: str) -> str:
    """One paragraph of a (plain-text) abstract; TeX in it (`\\(...\\)`, `$...$`, as some preprints send) as MathML.

    Only paragraphs with TeX delimiters change. Entity spans are placed on the abstract's plain text, so in and after
    such a paragraph they may not line up with the page's text: static/js/entity-highlight.js compares each span's
    stored words with the page's and leaves a mismatching one unhighlighted, never marks the wrong words.
    """
    if not has_tex(paragraph):
        return escape(paragraph)
    # text_with_maths_html escapes all the text and cleans the MathML with paperhub.mathml's allow-list (nh3).
    return mark_safe(text_with_maths_html(paragraph))


@register.filter
def licence_name(url: str) -> str:
    """A licence URL's name for its link text ("CC BY 4.0"); the URL's host when papers.licences doesn't know it."""
    return _licence_name(url)
