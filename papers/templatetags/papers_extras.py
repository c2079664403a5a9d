from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from papers.search import MARK_END, MARK_START

register = template.Library()


@register.filter
def highlight(snippet: str) -> str:
    """A search snippet with its matches in <mark>; everything else escaped (abstracts are text, not HTML)."""
    escaped = escape(snippet or "")
    return mark_safe(escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))
