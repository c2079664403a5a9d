"""Full-text search over papers: PostgreSQL's tsvector (title A, authors B, venue C, abstract D), unaccented.

On other databases (SQLite under `make run`) it falls back to case-insensitive substring matching.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import F, Func, Q, QuerySet, TextField, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.functional import cached_property

from .models import Paper

MAX_QUERY_LENGTH = 300
RANKED_CANDIDATES = 500
# Markers ts_headline puts around matches; the page escapes the text, then turns them into <mark>.
MARK_START, MARK_END = "\x02", "\x03"


@dataclass
class CleanQuery:
    text: str
    shortened: bool = False


def clean_query(raw: str) -> CleanQuery:
    """What we search for: control characters dropped, whitespace folded, length bounded."""
    text = re.sub(r"[\x00-\x1f\x7f]", " ", raw or "")
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) > MAX_QUERY_LENGTH:
        return CleanQuery(text[:MAX_QUERY_LENGTH].rsplit(" ", 1)[0] or text[:MAX_QUERY_LENGTH], shortened=True)
    return CleanQuery(text)


def full_text_available() -> bool:
    return connection.vendor == "postgresql"


def _unaccent(text: str) -> Func:
    return Func(Value(text), function="paperhub_unaccent", output_field=TextField())


def web_query(text: str) -> SearchQuery:
    """Google-like syntax: words are ANDed, "quoted phrases", OR, and -excluded words."""
    return SearchQuery(_unaccent(text), search_type="websearch", config="english")


def prefix_query(text: str) -> SearchQuery | None:
    """Every word must match, the last one as a prefix: for suggestions while typing."""
    words = re.findall(r"\w+", text)
    if not words:
        return None
    raw = " & ".join(f"{word}:*" if i == len(words) - 1 else word for i, word in enumerate(words[:8]))
    return SearchQuery(_unaccent(raw), search_type="raw", config="english")


def papers_matching(queryset: QuerySet[Paper], text: str) -> QuerySet[Paper]:
    """Papers matching `text`, unordered (the caller orders): what the API's `q` filter uses."""
    if not text:
        return queryset
    if not full_text_available():
        return _simple_matching(queryset, text)
    return queryset.filter(search_vector=web_query(text))


def papers_ranked(queryset: QuerySet[Paper], text: str) -> QuerySet[Paper]:
    return papers_ranked_capped(queryset, text)[0]


def papers_ranked_capped(queryset: QuerySet[Paper], text: str) -> tuple[QuerySet[Paper], bool]:
    """Papers matching `text`, best first (recency breaks ties), with `rank` and a highlighted `snippet`.

    Ranking reads every candidate's document, so for very common words (more than RANKED_CANDIDATES matches)
    only the most recent RANKED_CANDIDATES matches are ranked: the cost stays bounded whatever the corpus size.
    """
    if not text:
        return queryset, False
    if not full_text_available():
        return _simple_matching(queryset, text), False
    query = web_query(text)
    # One query finds the candidates: every match, or for very common words the most recent ones (the recency
    # index makes that cheap). Ranking then reads only those documents.
    ids = list(
        queryset.filter(search_vector=query)
        .order_by(F("published_date").desc(nulls_last=True), "-id")
        .values_list("id", flat=True)[: RANKED_CANDIDATES + 1]
    )
    capped = len(ids) > RANKED_CANDIDATES
    matches = Paper.objects.filter(id__in=ids[:RANKED_CANDIDATES])
    ranked = matches.annotate(
        rank=SearchRank(F("search_vector"), query),
        snippet=SearchHeadline(
            Coalesce(NullIf("abstract", Value("")), "title"),
            query,
            config="english",
            start_sel=MARK_START,
            stop_sel=MARK_END,
            max_words=35,
            min_words=15,
            max_fragments=2,
            fragment_delimiter=" … ",
        ),
    ).order_by("-rank", F("published_date").desc(nulls_last=True), "-id")
    return ranked, capped


def count_capped(queryset: QuerySet, cap: int | None = None) -> int:
    """How many rows, counting no further than cap + 1: cheap however common the words are."""
    cap = RANKED_CANDIDATES if cap is None else cap
    return queryset.order_by().values("id")[: cap + 1].count()


class CappedPaginator(Paginator):
    """Counts at most RANKED_CANDIDATES results; past that the page says "more than"."""

    def __init__(self, object_list, per_page, *, known_capped: bool = False, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.known_capped = known_capped

    cap = property(lambda self: RANKED_CANDIDATES)

    @cached_property
    def count(self) -> int:
        if self.known_capped:  # the results were already cut to the cap
            return self.cap + 1
        return min(count_capped(self.object_list), self.cap + 1)

    @property
    def is_capped(self) -> bool:
        return self.count > self.cap


def papers_suggested(text: str, *, limit: int = 8) -> list[Paper]:
    query = prefix_query(text)
    if query is None:
        return []
    base = Paper.objects.only("doi", "title")
    if not full_text_available():
        return list(_simple_matching(base, text)[:limit])
    return list(
        base.filter(search_vector=query)
        .annotate(rank=SearchRank(F("search_vector"), query))
        .order_by("-rank", "-id")[:limit]
    )


def _simple_matching(queryset: QuerySet[Paper], text: str) -> QuerySet[Paper]:
    condition = Q()
    for word in text.split()[:8]:
        condition &= (
            Q(title__icontains=word)
            | Q(abstract__icontains=word)
            | Q(container_title__icontains=word)
            | Q(authorships__author__family_name__icontains=word)
            | Q(authorships__author__literal_name__icontains=word)
        )
    return queryset.filter(condition).distinct().order_by(F("published_date").desc(nulls_last=True), "-id")
