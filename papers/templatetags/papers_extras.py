from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from papers import markup
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
