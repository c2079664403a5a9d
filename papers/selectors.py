"""Reads for pages and the API. Each selector loads what its caller shows in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import Count, Prefetch, Q
from django.http import Http404

from . import doi as doi_lib
from . import extensions
from .models import INVERSE_RELATION, Authorship, Funding, Paper, PaperRelation, PaperTopic, Reference, RelationKind


def paper_or_404(doi: str) -> Paper:
    """The paper a DOI in any form names; Http404 saying why otherwise (the API turns it into its error format)."""
    try:
        canonical = doi_lib.normalize_doi(doi)
    except doi_lib.InvalidDOI as exc:
        raise Http404(str(exc)) from None
    paper = Paper.objects.filter(doi=canonical).first()
    if paper is None:
        raise Http404(f"No paper with DOI {canonical} is on PaperHub.")
    return paper


def paper_for_contribution_or_404(doi: str) -> Paper:
    """The paper, when it can take reviews and videos: only once its metadata has arrived."""
    paper = paper_or_404(doi)
    if not paper.has_metadata:
        raise Http404(f"The metadata of {paper.doi} has not arrived, so it takes no reviews or videos yet.")
    return paper


class PaperVersion(NamedTuple):
    id: int
    updated_at: dt.datetime
    fetch_state: str


def paper_version(*, doi: str) -> PaperVersion | None:
    """What versions everything shown about a paper, in one small query; None for a DOI that is not here.

    Every change to the paper, its reviews or its videos moves `updated_at` (papers_touch), so cached pages and
    API records are keyed on it.
    """
    row = Paper.objects.filter(doi=doi).values_list("id", "updated_at", "fetch_state").first()
    return PaperVersion(*row) if row else None


def paper_get_for_page(*, doi: str) -> Paper | None:
    """The paper with papers' own parts of its page, or None. Eight queries, whatever the paper's size.

    Authors and editors come in one query (Paper.author_rows and editor_rows split them), funders in one more,
    its other versions (`version_links`, both directions) in the eighth.

    The sections other apps add load their own data (papers.extensions); their counts come as annotations.
    """
    paper = (
        Paper.objects.filter(doi=doi)
        .annotate(cited_by_count=Count("citations__paper", distinct=True), **extensions.count_annotations())
        .prefetch_related(
            Prefetch("authorships", queryset=Authorship.objects.select_related("author").order_by("position")),
            Prefetch(
                "references",
                # The cited paper's own counts (reviews, videos …) come as subqueries of this same query.
                queryset=Reference.objects.select_related("cited_paper")
                .only(*_REFERENCE_COLUMNS, "cited_paper__doi", "cited_paper__title")
                .annotate(**extensions.count_annotations(outer="cited_paper_id", prefix="cited_"))
                .order_by("position"),
            ),
            Prefetch(
                "paper_topics",
                queryset=PaperTopic.objects.select_related("topic__subfield__field__domain").order_by(
                    "-is_primary", "-score"
                ),
            ),
            "updates",
            "enrichments",
            Prefetch("fundings", queryset=Funding.objects.order_by("position")),
        )
        .first()
    )
    if paper is not None:
        paper.version_links = paper_versions(paper=paper)
    return paper


@dataclass(frozen=True)
class VersionLink:
    """Another version of a paper as its page shows it: `kind` read from this paper's side ("preprint_of": this
    paper is a preprint of that one), and that paper when it is on PaperHub with its metadata."""

    kind: str
    doi: str
    paper: Paper | None = None

    @property
    def label(self) -> str:
        return RelationKind(self.kind).label

    @property
    def url(self) -> str:
        """Its page here when it is here, else doi.org."""
        return self.paper.get_absolute_url() if self.paper else doi_lib.doi_url(self.doi)

    @property
    def where(self) -> str:
        """ "Trials, 2020": its journal (else its publisher) and year, as far as they are known here."""
        if self.paper is None:
            return ""
        year = str(self.paper.published_date.year) if self.paper.published_date else ""
        return ", ".join(part for part in (self.paper.container_title or self.paper.publisher, year) if part)


# What a version link shows of the other paper (the preprint's banner, the Versions line): papers.services marks
# the other versions' pages changed when one of these changes.
SHOWN_TO_OTHER_VERSIONS = (
    "title",
    "title_html",
    "language",
    "container_title",
    "publisher",
    "published_date",
    "published_precision",
    "work_type",
)
_VERSION_COLUMNS = ("doi", *SHOWN_TO_OTHER_VERSIONS, "fetch_state", "fetched_at")
_KIND_ORDER = {kind: position for position, kind in enumerate(RelationKind.values)}


def paper_versions(*, paper: Paper) -> list[VersionLink]:
    """The paper's other versions in one query: those its own record names, and those whose records name it (a
    published article's preprint, when only the preprint's record says so), each once. Published version first."""
    rows = (
        PaperRelation.objects.filter(Q(paper_id=paper.id) | Q(other_doi=paper.doi))
        .select_related("paper", "other_paper")
        .only(
            "kind",
            "other_doi",
            "paper_id",
            "other_paper_id",
            *(f"paper__{name}" for name in _VERSION_COLUMNS),
            *(f"other_paper__{name}" for name in _VERSION_COLUMNS),
        )
    )
    found: dict[tuple[str, str], Paper | None] = {}
    for row in rows:
        if row.paper_id == paper.id:
            key, other = (row.kind, row.other_doi), row.other_paper
        else:  # another paper's record names this one: the same relation, seen from here
            key, other = (INVERSE_RELATION[RelationKind(row.kind)].value, row.paper.doi), row.paper
        shown = other if other is not None and other.has_metadata else None
        found[key] = found.get(key) or shown
    return sorted(
        (VersionLink(kind=kind, doi=doi, paper=other) for (kind, doi), other in found.items()),
        key=lambda link: (_KIND_ORDER[link.kind], link.doi),
    )


_REFERENCE_COLUMNS = (
    "id",
    "paper_id",
    "position",
    "raw",
    "authors",
    "title",
    "title_html",
    "journal",
    "year",
    "volume",
    "pages",
    "doi",
    "pmid",
    "cited_in",
    "cited_paper_id",
)


# What a row of a paper list shows (templates/papers/_paper_row.html).
_ROW_COLUMNS = (
    "doi",
    "title",
    "title_html",
    "language",
    "container_title",
    "published_date",
    "published_precision",
    "fetch_state",
    "created_at",
)


def papers_recent(*, limit: int = 10) -> list[Paper]:
    return list(Paper.objects.listed().order_by("-created_at").only(*_ROW_COLUMNS)[:limit])


def site_counts() -> dict[str, int]:
    counts = Paper.objects.listed().aggregate(
        papers=Count("id"), ready=Count("id", filter=Q(fetch_state=Paper.FetchState.READY))
    )
    for count in extensions.counts():
        counts[count.name] = count.total()
    return counts


def papers_for_listing():
    """Papers with what other apps count for them (approved reviews, videos …), one query per page."""
    return Paper.objects.annotate(**extensions.count_annotations()).only(*_ROW_COLUMNS, "work_type", "updated_at")


def papers_pending_ids(*, paper_ids) -> list[int]:
    """Those of the papers that wait for their first import, in the order given."""
    pending = set(
        Paper.objects.filter(id__in=paper_ids, fetch_state=Paper.FetchState.PENDING).values_list("id", flat=True)
    )
    return [paper_id for paper_id in paper_ids if paper_id in pending]
