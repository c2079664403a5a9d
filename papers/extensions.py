"""What the apps built on papers add to it, registered from their AppConfig.ready(); papers imports none of them.

- PageSection: a section of the paper page (its partial and the loader of what the partial shows);
- PaperCount: something counted per paper (approved reviews, videos …): a column of paper lists and records,
  a total on the home page and a `has_<name>` filter of the API and search;
- PaperFilterField: a filter of its own (`entity=gene:673` …) on the API's paper list and the search page;
- RecordField: a key of its own in the API's paper record (`openreview`: the paper's forums and their decision).

A newcomer adding "datasets" writes one app that registers its section here, and touches papers/ not at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Expression


@dataclass(frozen=True)
class PageSection:
    name: str  # the section's key, e.g. "fulltext"; also its fragment's cache key
    template: str  # rendered with `paper`, `parts` (the page's shared loaders) and `section` (what `load` returned)
    load: Callable[[Any], Any]  # called with the Paper, only when the partial is rendered
    order: int  # the page runs from low to high; papers' own: abstract 100, summary 300, taxonomy 600, refs 700
    # Same for every visitor: kept in the page's fragment cache per paper version. A section showing things
    # only some visitors see (a "Remove" link for its author) says False and is rendered for each visitor.
    cached: bool = True


@dataclass(frozen=True)
class PaperCount:
    name: str  # "reviews": the key in counts (API record, home page) and the filter `has_reviews`
    attribute: str  # the annotation on listed papers, e.g. "review_count"
    label: str  # "Approved public reviews."
    # A correlated subquery counting for the paper OuterRef(outer) names: "pk" on a paper query, "cited_paper_id" on
    # a reference query (the page's reference rows show the cited paper's counts).
    per_paper: Callable[..., Expression]
    exists: Callable[[], Expression]  # Exists(...) for OuterRef("pk"), for the has_<name> filter
    total: Callable[[], int]  # for the home page
    nouns: tuple[str, ...] = ()  # ("review", "reviews"): how a reference row names it; () leaves it off the row


@dataclass(frozen=True)
class PaperFilterField:
    name: str  # the query parameter, e.g. "entity"
    filter: Any  # a django_filters.Filter; give it `method=` a callable (queryset, name, value) -> queryset
    label: str  # the search form's label, e.g. "Entity"
    placeholder: str = ""  # the search form's example, e.g. "gene:673"


@dataclass(frozen=True)
class RecordField:
    name: str  # the key in the paper record
    load: Callable[[Any, Any], Any]  # (paper, request) -> JSON-ready data; its queries are the app's own
    help_text: str = ""


_sections: dict[str, PageSection] = {}
_record_fields: dict[str, RecordField] = {}
_counts: dict[str, PaperCount] = {}
_filters: dict[str, PaperFilterField] = {}
# `load_demo` runs papers' demo, then each of these: (label, loader) where loader() returns lines to print.
_demo_loaders: dict[str, Callable[[], list[str]]] = {}


def register_section(section: PageSection) -> None:
    _sections[section.name] = section


def register_count(count: PaperCount) -> None:
    _counts[count.name] = count
    from .api.filters import add_has_filter  # the filter set is papers' own; imported late to keep this module light

    add_has_filter(count)


def register_filter(field: PaperFilterField) -> None:
    """Add a filter to papers' filter set (API list and search page); its errors are a 400 / the form's message."""
    _filters[field.name] = field
    from .api.filters import add_filter

    add_filter(field.name, field.filter)


def register_record_field(field: RecordField) -> None:
    _record_fields[field.name] = field


def record_fields() -> list[RecordField]:
    return list(_record_fields.values())


def filters() -> list[PaperFilterField]:
    return list(_filters.values())


def sections() -> list[PageSection]:
    return sorted(_sections.values(), key=lambda s: s.order)


def counts() -> list[PaperCount]:
    return list(_counts.values())


def count_annotations(*, outer: str = "pk", prefix: str = "") -> dict[str, Expression]:
    """Each count as an annotation named `prefix` + its attribute, counting for the paper OuterRef(outer) names."""
    return {prefix + count.attribute: count.per_paper(outer=outer) for count in counts()}


def register_demo(name: str, loader: Callable[[], list[str]]) -> None:
    """Add demo content (a demo paper's full text …) that `load_demo` loads after the demo papers; safe to rerun."""
    _demo_loaders[name] = loader


def demo_loaders() -> list[tuple[str, Callable[[], list[str]]]]:
    return list(_demo_loaders.items())
