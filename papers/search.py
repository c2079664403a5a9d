"""Full-text search over papers, ranked title > authors, venue > abstract > full text, unaccented, stemmed (english).

One API for both databases; each has a small backend with the same three methods:
- PostgreSQL: the stored tsvector (title A, authors and venue B, abstract C, body text D; migrations 0003, 0009),
  websearch_to_tsquery, ts_rank and ts_headline.
- SQLite (`make run`): an FTS5 index kept current by triggers (migrations 0005, 0009), the same web-search syntax
  translated by papers/websearch.py, bm25 with matching column weights and snippet().
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import F, FloatField, Func, Q, QuerySet, TextField, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, NullIf
from django.utils.functional import cached_property

from .models import Paper
from .websearch import fts5_prefix_query, fts5_query, parse_web_query

MAX_QUERY_LENGTH = 300
RANKED_CANDIDATES = 500
# Markers put around matches in snippets; the page escapes the text, then turns them into <mark>.
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


class _PostgresSearch:
    def matching(self, queryset: QuerySet[Paper], text: str) -> QuerySet[Paper]:
        return queryset.filter(search_vector=web_query(text))

    def with_rank_and_snippet(self, queryset: QuerySet[Paper], text: str) -> QuerySet[Paper]:
        query = web_query(text)
        return queryset.annotate(
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
        )

    def suggesting(self, queryset: QuerySet[Paper], text: str) -> QuerySet[Paper] | None:
        query = prefix_query(text)
        if query is None:
            return None
        return queryset.filter(search_vector=query).annotate(rank=SearchRank(F("search_vector"), query))


# Two FTS5 indexes (migration 0009), both with the paper id as rowid: papers_paper_doc_fts holds the whole document
# (title, authors, venue, abstract, body) and decides what matches; papers_paper_fts holds all but the body and
# ranks and gives snippets. Rank and snippet are correlated subqueries on the outer papers_paper row (FTS5's
# auxiliary functions only work inside a MATCH query on the index itself).
_FTS_IDS = "SELECT rowid FROM papers_paper_doc_fts WHERE papers_paper_doc_fts MATCH %s"
_FTS_ROW = "FROM papers_paper_fts WHERE papers_paper_fts MATCH %s AND rowid = papers_paper.id"
_FTS_DOC_ROW = "FROM papers_paper_doc_fts WHERE papers_paper_doc_fts MATCH %s AND rowid = papers_paper.id"
# Column weights (title, authors, venue, abstract) in the ratio of ts_rank's A-C defaults (1, 0.4, 0.4, 0.2);
# negated because bm25 is better when lower and callers sort on -rank. The body cannot simply weigh less: bm25
# saturates term frequency, so a word repeated through a body would outscore one title word whatever the weights,
# and a body in the ranked row would lengthen it and sink its title. So the body ranks in a tier of its own:
# papers matching outside the body score above 1; the others (the words are only in the body, or split between
# body and the rest) score their body's bm25 squeezed into [0, 1). On PostgreSQL ts_rank keeps a body-only match
# of a word under 0.1, below any other match of it.
_FTS_BODY = "bm25(papers_paper_doc_fts, 0.0, 0.0, 0.0, 0.0, 1.0)"
_FTS_RANK = (
    f"coalesce((SELECT 1.0 - bm25(papers_paper_fts, 10.0, 4.0, 4.0, 2.0) {_FTS_ROW}),"
    f" (SELECT -{_FTS_BODY} / (1.0 - {_FTS_BODY}) {_FTS_DOC_ROW}))"
)
# From column 3 (abstract), or 0 (title) when there is no abstract: what ts_headline reads on PostgreSQL.
_FTS_SNIPPET = (
    "SELECT snippet(papers_paper_fts, CASE WHEN papers_paper_fts.abstract <> '' THEN 3 ELSE 0 END,"
    f" %s, %s, ' … ', 35) {_FTS_ROW}"
)


class _SqliteSearch:
    def matching(self, queryset: QuerySet[Paper], text: str) -> QuerySet[Paper]:
        query = fts5_query(parse_web_query(text))
        condition = Q(id__in=RawSQL(_FTS_IDS, [query.matching])) if query.matching else Q(id__in=[])
        for excluded in query.excluding:
            condition |= ~Q(id__in=RawSQL(_FTS_IDS, [excluded]))
        return queryset.filter(condition)

    def with_rank_and_snippet(self, queryset: QuerySet[Paper], text: str) -> QuerySet[Paper]:
        expression = fts5_query(parse_web_query(text)).matching
        if expression is None:  # only exclusions: nothing to rank or highlight
            return queryset.annotate(rank=Value(0.0), snippet=Value(""))
        return queryset.annotate(
            # Papers found through an exclusion alone have no index row matching: they rank last.
            rank=Coalesce(RawSQL(_FTS_RANK, [expression, expression], output_field=FloatField()), Value(0.0)),
            snippet=RawSQL(_FTS_SNIPPET, [MARK_START, MARK_END, expression], output_field=TextField()),
        )

    def suggesting(self, queryset: QuerySet[Paper], text: str) -> QuerySet[Paper] | None:
        expression = fts5_prefix_query(text)
        if expression is None:
            return None
        return queryset.filter(id__in=RawSQL(_FTS_IDS, [expression])).annotate(
            rank=RawSQL(_FTS_RANK, [expression, expression], output_field=FloatField())
        )


def _backend() -> _PostgresSearch | _SqliteSearch:
    return _PostgresSearch() if connection.vendor == "postgresql" else _SqliteSearch()


def papers_matching(queryset: QuerySet[Paper], text: str) -> QuerySet[Paper]:
    """Papers matching `text`, unordered (the caller orders): what the API's `q` filter uses."""
    if not text:
        return queryset
    return _backend().matching(queryset, text)


def papers_ranked(queryset: QuerySet[Paper], text: str) -> QuerySet[Paper]:
    return papers_ranked_capped(queryset, text)[0]


def papers_ranked_capped(queryset: QuerySet[Paper], text: str) -> tuple[QuerySet[Paper], bool]:
    """Papers matching `text`, best first (recency breaks ties), with `rank` and a highlighted `snippet`.

    Ranking reads every candidate's document, so for very common words (more than RANKED_CANDIDATES matches)
    only the most recent RANKED_CANDIDATES matches are ranked: the cost stays bounded whatever the corpus size.
    """
    if not text:
        return queryset, False
    backend = _backend()
    # One query finds the candidates: every match, or for very common words the most recent ones (the recency
    # index makes that cheap). Ranking then reads only those documents.
    ids = list(
        backend.matching(queryset, text)
        .order_by(F("published_date").desc(nulls_last=True), "-id")
        .values_list("id", flat=True)[: RANKED_CANDIDATES + 1]
    )
    capped = len(ids) > RANKED_CANDIDATES
    matches = Paper.objects.filter(id__in=ids[:RANKED_CANDIDATES])
    ranked = backend.with_rank_and_snippet(matches, text).order_by(
        "-rank", F("published_date").desc(nulls_last=True), "-id"
    )
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
    """Titles for what is typed so far: every word must match, the last as a prefix."""
    suggesting = _backend().suggesting(Paper.objects.listed().only("doi", "title"), text)
    if suggesting is None:
        return []
    return list(suggesting.order_by("-rank", "-id")[:limit])
