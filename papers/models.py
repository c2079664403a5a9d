import functools
import re
from urllib.parse import quote

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.urls import get_script_prefix, reverse
from django.utils.html import conditional_escape
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import mark_safe

from . import doi as doi_lib
from . import markup

_DOI_PLACEHOLDER = "10.0/doi-placeholder"
# A BCP 47 tag as upstreams send them ("pt", "en-US"); anything else ("English", "und") is not usable as `lang`.
_LANGUAGE_TAG = re.compile(r"(?!und\b)[a-z]{2,3}(?:-[a-z0-9]{1,8})*", re.IGNORECASE)


def doi_path(url_name: str, doi: str) -> str:
    """reverse(url_name, doi=doi), quoted as reverse quotes, without walking the URLconf for every paper.

    A list of fifty papers needs a hundred of these; reverse() was a sixth of the list's time (profiled).
    """
    return _doi_path_template(url_name, get_script_prefix()).replace(
        _DOI_PLACEHOLDER, quote(doi, safe=RFC3986_SUBDELIMS + "/~:@")
    )


@functools.lru_cache(maxsize=32)
def _doi_path_template(url_name: str, script_prefix: str) -> str:
    return reverse(url_name, kwargs={"doi": _DOI_PLACEHOLDER})


def validate_doi(value: str) -> None:
    try:
        canonical = doi_lib.normalize_doi(value)
    except doi_lib.InvalidDOI as exc:
        raise ValidationError(str(exc), code="invalid_doi") from None
    if canonical != value:
        raise ValidationError(f"Store the DOI in its canonical form: {canonical}", code="non_canonical_doi")


def validate_orcid(value: str) -> None:
    try:
        canonical = doi_lib.normalize_orcid(value)
    except doi_lib.InvalidORCID as exc:
        raise ValidationError(str(exc), code="invalid_orcid") from None
    if canonical != value:
        raise ValidationError(f"Store the ORCID iD in its bare form: {canonical}", code="non_canonical_orcid")


class FetchState(models.TextChoices):
    PENDING = "pending", "Waiting to fetch metadata"
    FETCHING = "fetching", "Fetching metadata"
    READY = "ready", "Ready"
    FAILED = "failed", "Fetching metadata failed"


class DatePrecision(models.TextChoices):
    YEAR = "year", "Year"
    MONTH = "month", "Month"
    DAY = "day", "Day"


class PaperQuerySet(models.QuerySet):
    def listed(self) -> "PaperQuerySet":
        """Papers whose metadata has arrived (now or at an earlier fetch): the only ones lists, counts, feeds and
        the sitemap show. A DOI no upstream knows stays findable by its URL and by the API's `state` filter."""
        return self.filter(Q(fetch_state=FetchState.READY) | Q(fetched_at__isnull=False))

    def unresolved(self) -> "PaperQuerySet":
        return self.exclude(fetch_state=FetchState.READY).filter(fetched_at__isnull=True)


# Never shown on a page, list, feed or API record, and large: the full text's words (up to
# PAPERHUB_SEARCH_BODY_MAX_CHARS) and the tsvector built from them. Paper.objects leaves them out of every read;
# code that needs them names them in values()/values_list(), or starts from defer(None) (only() alone drops them).
PAPER_HEAVY_FIELDS = ("body_text", "search_vector")


class PaperManager(models.Manager.from_queryset(PaperQuerySet)):
    def get_queryset(self) -> PaperQuerySet:
        return super().get_queryset().defer(*PAPER_HEAVY_FIELDS)


def without_heavy_paper_fields(queryset: models.QuerySet, path: str = "paper") -> models.QuerySet:
    """`queryset` (which select_related()s the paper at `path`) without loading that paper's heavy fields."""
    return queryset.defer(*(f"{path}__{name}" for name in PAPER_HEAVY_FIELDS))


class Paper(models.Model):
    FetchState = FetchState
    DatePrecision = DatePrecision

    doi = models.CharField("DOI", max_length=doi_lib.MAX_DOI_LENGTH, unique=True, validators=[validate_doi])
    # `title` is plain text (every text output, search and sorting read it); `title_html` the same title with its
    # inline markup, cleaned by papers.markup, for pages only.
    title = models.TextField(blank=True)
    title_html = models.TextField(
        blank=True, help_text="The title's inline markup (italics, sub/superscripts, MathML), cleaned by papers.markup."
    )
    abstract = models.TextField(blank=True, help_text="Plain-text paragraphs separated by blank lines.")
    published_date = models.DateField(null=True, blank=True)
    published_precision = models.CharField(max_length=5, choices=DatePrecision.choices, blank=True)
    work_type = models.CharField(max_length=40, blank=True, help_text="Crossref's type, e.g. journal-article.")
    container_title = models.TextField(blank=True, help_text="Journal, book or proceedings.")
    volume = models.CharField(max_length=50, blank=True)
    issue = models.CharField(max_length=50, blank=True)
    pages = models.CharField(max_length=50, blank=True)
    publisher = models.TextField(blank=True)
    language = models.CharField(max_length=20, blank=True)
    license_url = models.URLField(max_length=500, blank=True)
    oa_url = models.URLField("open-access URL", max_length=1000, blank=True)
    pmid = models.CharField("PMID", max_length=12, blank=True, db_index=True)
    pmcid = models.CharField("PMCID", max_length=16, blank=True)
    review_dois = models.JSONField(
        default=list,
        blank=True,
        help_text="DOIs of the reviews registered of it, as its Crossref record names them (has-review).",
    )
    arxiv_id = models.CharField("arXiv id", max_length=40, blank=True)
    summary = models.TextField(blank=True, help_text="Plain-text paragraphs separated by blank lines.")
    summary_source = models.CharField(
        max_length=60,
        blank=True,
        help_text='Where the summary comes from: "eLife digest", "TLDR by Semantic Scholar" …',
    )
    # The plain words of the paper's full text (written by the app that owns the full text), bounded: search
    # weighs them below the abstract. Never shown.
    body_text = models.TextField(blank=True, editable=False)

    fetch_state = models.CharField(max_length=10, choices=FetchState.choices, default=FetchState.PENDING)
    fetch_error = models.TextField(blank=True)
    fetched_at = models.DateTimeField(null=True, blank=True)
    metadata_source = models.CharField(max_length=20, blank=True, help_text="Where the metadata came from.")
    # OpenAlex's count of the works citing this one (all of scholarship, not only PaperHub), as of the date read:
    # written on every import, so the periodic refresh keeps it current.
    openalex_cited_by_count = models.PositiveIntegerField("cited by (OpenAlex)", null=True, blank=True)
    openalex_cited_by_count_at = models.DateTimeField("OpenAlex count read at", null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Full-text search document (PostgreSQL): title A, authors and venue B, abstract C, body text D. Kept current
    # by database triggers (migrations papers 0003, 0009), whatever code path writes the paper or its authors. On
    # SQLite it stays empty: the FTS5 tables papers_paper_doc_fts (all of it) and papers_paper_fts (all but the
    # body, for ranking) hold the same document (migrations 0005, 0009).
    search_vector = SearchVectorField(null=True, editable=False)

    # The default manager defers PAPER_HEAVY_FIELDS; the base manager (related-object access, refresh_from_db)
    # stays plain so a deferred field can still be loaded on access.
    objects = PaperManager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            GinIndex(fields=["search_vector"], name="paper_search_gin"),
            # Recency: search ranks the most recent matches of very common words, lists sort by date.
            models.Index(F("published_date").desc(nulls_last=True), F("id").desc(), name="paper_published_desc"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(doi=Lower("doi")), name="paper_doi_lowercase"),
            models.CheckConstraint(condition=Q(doi__startswith="10."), name="paper_doi_prefix"),
            models.CheckConstraint(condition=Q(fetch_state__in=FetchState.values), name="paper_fetch_state_valid"),
            models.CheckConstraint(
                condition=(
                    Q(published_date__isnull=True, published_precision="")
                    | Q(published_date__isnull=False, published_precision__in=DatePrecision.values)
                ),
                name="paper_date_precision_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.doi}: {self.title[:80]}" if self.title else self.doi

    def save(self, *args, **kwargs):
        # body_text is written by papers.services.paper_set_body_text alone: a save of an instance that was created
        # or loaded before the text arrived must not write its stale copy back (search_vector is the triggers').
        if not self._state.adding and kwargs.get("update_fields") is None and not kwargs.get("force_insert"):
            skipped = {*PAPER_HEAVY_FIELDS, *self.get_deferred_fields()}
            kwargs["update_fields"] = [
                f.attname for f in self._meta.concrete_fields if not f.primary_key and f.attname not in skipped
            ]
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return doi_path("papers:detail", self.doi)

    @property
    def author_rows(self) -> list["Authorship"]:
        """The authorships of its authors, in order (editors apart); reads the prefetched authorships."""
        return [a for a in self.authorships.all() if a.role == AuthorshipRole.AUTHOR]

    @property
    def editor_rows(self) -> list["Authorship"]:
        return [a for a in self.authorships.all() if a.role == AuthorshipRole.EDITOR]

    @property
    def has_metadata(self) -> bool:
        """As PaperQuerySet.listed(): without it the page is a placeholder, not indexed and not open to reviews."""
        return self.fetch_state == FetchState.READY or self.fetched_at is not None

    @property
    def doi_url(self) -> str:
        return doi_lib.doi_url(self.doi)

    @property
    def lang(self) -> str:
        """The paper's language as an HTML `lang` value for its title, abstract and text; "" when unknown."""
        return self.language if _LANGUAGE_TAG.fullmatch(self.language) else ""

    @property
    def abstract_paragraphs(self) -> list[str]:
        return [p.strip() for p in self.abstract.split("\n\n") if p.strip()]

    @property
    def published_display(self) -> str:
        if not self.published_date:
            return ""
        if self.published_precision == self.DatePrecision.YEAR:
            return str(self.published_date.year)
        if self.published_precision == self.DatePrecision.MONTH:
            return self.published_date.strftime("%B %Y")
        return self.published_date.strftime("%-d %B %Y")

    @property
    def published_citation_date(self) -> str:
        """The date as Highwire's citation_publication_date wants it: YYYY, YYYY/MM or YYYY/MM/DD."""
        if not self.published_date:
            return ""
        formats = {self.DatePrecision.YEAR: "%Y", self.DatePrecision.MONTH: "%Y/%m"}
        return self.published_date.strftime(formats.get(self.published_precision, "%Y/%m/%d"))

    @property
    def published_iso(self) -> str:
        if not self.published_date:
            return ""
        formats = {self.DatePrecision.YEAR: "%Y", self.DatePrecision.MONTH: "%Y-%m"}
        return self.published_date.strftime(formats.get(self.published_precision, "%Y-%m-%d"))

    @property
    def work_type_display(self) -> str:
        return self.work_type.replace("-", " ").capitalize()

    @property
    def first_page(self) -> str:
        return self.pages.split("-")[0].strip() if self.pages else ""

    @property
    def last_page(self) -> str:
        parts = self.pages.split("-")
        return parts[-1].strip() if len(parts) > 1 else ""

    @property
    def pmc_url(self) -> str:
        return f"https://pmc.ncbi.nlm.nih.gov/articles/{self.pmcid}/" if self.pmcid else ""

    @property
    def pubmed_url(self) -> str:
        return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/" if self.pmid else ""

    @property
    def arxiv_url(self) -> str:
        return f"https://arxiv.org/abs/{self.arxiv_id}" if self.arxiv_id else ""


class UpdateKind(models.TextChoices):
    CORRECTION = "correction", "Correction"
    RETRACTION = "retraction", "Retraction"
    EXPRESSION_OF_CONCERN = "expression_of_concern", "Expression of concern"
    WITHDRAWAL = "withdrawal", "Withdrawal"
    ADDENDUM = "addendum", "Addendum"
    OTHER = "other", "Update"


class PaperUpdate(models.Model):
    """A correction, retraction or similar notice that points at a paper (Crossref's `updated-by`)."""

    Kind = UpdateKind

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="updates")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    notice_doi = models.CharField("notice DOI", max_length=doi_lib.MAX_DOI_LENGTH, blank=True)
    label = models.CharField(max_length=100, blank=True, help_text="The label the publisher gave it.")
    date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["paper", "kind", "notice_doi"], name="paperupdate_unique_notice"),
            models.CheckConstraint(condition=Q(kind__in=UpdateKind.values), name="paperupdate_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.paper.doi}"

    @property
    def notice_url(self) -> str:
        return doi_lib.doi_url(self.notice_doi) if self.notice_doi else ""


class RelationKind(models.TextChoices):
    """Another version of a paper, named from the side of the paper whose record states it."""

    PREPRINT_OF = "preprint_of", "Published version"  # this paper is a preprint of the other
    HAS_PREPRINT = "has_preprint", "Preprint"  # the other is a preprint of this paper
    VERSION_OF = "version_of", "Version of"
    HAS_VERSION = "has_version", "Other version"


# The same relation seen from the other paper: a preprint's published version has that preprint.
INVERSE_RELATION = {
    RelationKind.PREPRINT_OF: RelationKind.HAS_PREPRINT,
    RelationKind.HAS_PREPRINT: RelationKind.PREPRINT_OF,
    RelationKind.VERSION_OF: RelationKind.HAS_VERSION,
    RelationKind.HAS_VERSION: RelationKind.VERSION_OF,
}


class PaperRelation(models.Model):
    """Another version of a paper (its preprint, its published version …), as the paper's own record names it:
    Crossref's `relation`, DataCite's `relatedIdentifiers`. One row per paper, kind and DOI, written by the paper's
    import alone; the other paper's page reads the same row the other way round (papers.selectors), so a published
    article shows its preprint even when only the preprint's record names it.
    """

    Kind = RelationKind

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="relations")
    kind = models.CharField(max_length=12, choices=RelationKind.choices)
    other_doi = models.CharField("other DOI", max_length=doi_lib.MAX_DOI_LENGTH, db_index=True)
    other_paper = models.ForeignKey(
        Paper,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="related_by",
        help_text="The other version, when it is on PaperHub.",
    )

    class Meta:
        ordering = ["paper", "kind", "other_doi"]
        constraints = [
            models.UniqueConstraint(fields=["paper", "kind", "other_doi"], name="paperrelation_unique"),
            models.CheckConstraint(condition=Q(kind__in=RelationKind.values), name="paperrelation_kind_valid"),
            models.CheckConstraint(condition=Q(other_doi=Lower("other_doi")), name="paperrelation_doi_lowercase"),
            models.CheckConstraint(condition=Q(other_doi__startswith="10."), name="paperrelation_doi_prefix"),
            models.CheckConstraint(condition=~Q(other_paper=F("paper")), name="paperrelation_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.paper.doi}: {self.get_kind_display()} {self.other_doi}"


class Author(models.Model):
    """A person or, with only `literal_name`, a group such as a consortium.

    Authors with an ORCID iD are one row per iD; authors without one get a row per authorship,
    since a name alone does not identify a person.
    """

    given_name = models.CharField(max_length=200, blank=True)
    family_name = models.CharField(max_length=200, blank=True)
    literal_name = models.CharField(max_length=500, blank=True, help_text="For consortia and single names.")
    orcid = models.CharField("ORCID iD", max_length=19, unique=True, null=True, blank=True, validators=[validate_orcid])

    class Meta:
        ordering = ["family_name", "given_name", "literal_name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(family_name="") | ~Q(literal_name="") | ~Q(given_name=""), name="author_has_name"
            ),
            models.CheckConstraint(
                condition=Q(orcid__isnull=True) | Q(orcid__regex=r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$"),
                name="author_orcid_format",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.literal_name:
            return self.literal_name
        return " ".join(part for part in (self.given_name, self.family_name) if part)

    @property
    def citation_name(self) -> str:
        """Family, Given: the form Highwire's citation_author and most reference managers read best."""
        if self.family_name and self.given_name:
            return f"{self.family_name}, {self.given_name}"
        return self.display_name

    @property
    def orcid_url(self) -> str:
        return f"https://orcid.org/{self.orcid}" if self.orcid else ""


class AuthorshipRole(models.TextChoices):
    AUTHOR = "author", "Author"
    EDITOR = "editor", "Editor"


class Authorship(models.Model):
    """A person's part in a paper: its author or (a book's, a journal's reviewing) editor, numbered per role."""

    Role = AuthorshipRole

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="authorships")
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="authorships")
    role = models.CharField(max_length=6, choices=AuthorshipRole.choices, default=AuthorshipRole.AUTHOR)
    position = models.PositiveSmallIntegerField(help_text="1 for the first author (or the first editor).")
    affiliations = models.JSONField(default=list, blank=True, help_text="Affiliation names, as printed.")

    class Meta:
        ordering = ["paper", "role", "position"]
        constraints = [
            models.UniqueConstraint(fields=["paper", "role", "position"], name="authorship_unique_role_position"),
            models.CheckConstraint(condition=Q(position__gte=1), name="authorship_position_positive"),
            models.CheckConstraint(condition=Q(role__in=AuthorshipRole.values), name="authorship_role_valid"),
        ]

    def __str__(self) -> str:
        role = "" if self.role == AuthorshipRole.AUTHOR else f" ({self.get_role_display().lower()})"
        return f"{self.position}. {self.author}{role} ({self.paper.doi})"


class Funding(models.Model):
    """One funder of a paper with the award numbers it gave, merged from Crossref, OpenAlex and JATS.

    `key` is what identifies the funder across sources: its Crossref Funder Registry DOI, else its OpenAlex id, else
    its name folded; one row per paper and key.
    """

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="fundings")
    position = models.PositiveSmallIntegerField(help_text="1 for the first funder listed.")
    key = models.CharField(max_length=300, help_text="The funder's DOI, OpenAlex id or folded name.")
    funder_name = models.CharField(max_length=500)
    funder_doi = models.CharField("funder DOI", max_length=doi_lib.MAX_DOI_LENGTH, blank=True)
    funder_openalex_id = models.CharField("funder OpenAlex id", max_length=20, blank=True)
    awards = models.JSONField(default=list, blank=True, help_text="Award (grant) numbers, as printed.")

    class Meta:
        ordering = ["paper", "position"]
        constraints = [
            models.UniqueConstraint(fields=["paper", "key"], name="funding_unique_funder"),
            models.CheckConstraint(condition=Q(position__gte=1), name="funding_position_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.funder_name} ({self.paper.doi})"

    @property
    def funder_url(self) -> str:
        return doi_lib.doi_url(self.funder_doi) if self.funder_doi else ""


class Reference(models.Model):
    """One entry of a paper's reference list, in the paper's order."""

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="references")
    position = models.PositiveIntegerField(help_text="1 for the first reference.")
    raw = models.TextField("citation as printed", blank=True)
    authors = models.TextField(blank=True)
    title = models.TextField(blank=True)
    title_html = models.TextField(blank=True, help_text="The title's inline markup, cleaned by papers.markup.")
    journal = models.TextField(blank=True)
    year = models.CharField(max_length=20, blank=True)
    volume = models.CharField(max_length=50, blank=True)
    pages = models.CharField(max_length=50, blank=True)
    doi = models.CharField("DOI", max_length=doi_lib.MAX_DOI_LENGTH, blank=True, db_index=True)
    pmid = models.CharField("PMID", max_length=12, blank=True)
    cited_in = models.JSONField(
        default=list, blank=True, help_text="Ids of the places in the paper's full text that cite this reference."
    )
    cited_paper = models.ForeignKey(
        Paper,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="citations",
        help_text="The cited paper, when it is on PaperHub.",
    )
    # Which of the fields above came from the cited DOI's own Crossref record (ReferenceLookup) rather than from the
    # citing paper's deposit: those, and only those, follow that record when it changes.
    lookup_fields = models.JSONField(
        default=list, blank=True, help_text="Fields filled from the cited work's Crossref record (ReferenceLookup)."
    )

    class Meta:
        ordering = ["paper", "position"]
        constraints = [
            models.UniqueConstraint(fields=["paper", "position"], name="reference_unique_position"),
            models.CheckConstraint(condition=Q(position__gte=1), name="reference_position_positive"),
            models.CheckConstraint(condition=Q(doi="") | Q(doi=Lower("doi")), name="reference_doi_lowercase"),
            models.CheckConstraint(condition=~Q(cited_paper=F("paper")), name="reference_not_self"),
        ]
        indexes = [
            # References known only by their DOI: what the Crossref lookups look for (papers.services).
            models.Index(fields=["doi"], condition=Q(title="", raw="") & ~Q(doi=""), name="reference_doi_only"),
        ]

    def __str__(self) -> str:
        return f"[{self.position}] {self.display_text[:80]}"

    @property
    def display_text(self) -> str:
        if self.raw:
            return self.raw
        # may be empty: a reference known only by its DOI shows just its links
        return self._citation(title=self.title.strip().rstrip("."), escape=str)

    @property
    def display_html(self) -> str:
        """display_text as HTML: escaped, with the title's cleaned markup (papers.markup) in place of its text."""
        if self.raw or not self.title:
            return conditional_escape(self.display_text)
        # The fragment was cleaned when stored; stripping trailing dots from it cannot open or break a tag.
        title = markup.fragment(self.title_html, self.title).strip().rstrip(".")
        return mark_safe(self._citation(title=title, escape=conditional_escape))

    def _citation(self, *, title: str, escape) -> str:
        """Authors (year). Title. Journal, volume, pages: each part but the ready-made title passed through escape."""
        parts = [escape(p.strip().rstrip(".")) for p in (self.authors, f"({self.year})" if self.year else "") if p]
        parts += [title] if self.title else []
        parts += [escape(self.journal.strip().rstrip("."))] if self.journal else []
        text = ". ".join(parts)
        tail = escape(", ".join(p for p in (self.volume, self.pages) if p))
        if tail:
            text = f"{text}, {tail}" if text else tail
        return text

    @property
    def doi_url(self) -> str:
        return doi_lib.doi_url(self.doi) if self.doi else ""

    @property
    def pubmed_url(self) -> str:
        return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/" if self.pmid else ""

    @property
    def cited_counts(self) -> list[str]:
        """The cited paper's own counts ("2 reviews", "1 video"), from the `cited_<attribute>` annotations the page's
        selector adds (papers.extensions); empty without them, or when every count is 0."""
        from . import extensions  # extensions is read at render time, after every app registered its counts

        shown = []
        for count in extensions.counts():
            number = getattr(self, f"cited_{count.attribute}", 0) or 0
            if number and count.nouns:
                shown.append(f"{number} {count.nouns[0] if number == 1 else count.nouns[1]}")
        return shown


class LookupState(models.TextChoices):
    QUEUED = "queued", "Waiting to be looked up"
    RUNNING = "running", "Being looked up"
    FOUND = "found", "Found"
    UNKNOWN = "unknown", "Not known to Crossref"
    RETRYING = "retrying", "Retrying"
    FAILED = "failed", "Lookup failed"


class ReferenceLookup(models.Model):
    """What Crossref says about one cited DOI, shared by every reference that cites it (one row per DOI).

    A reference known only by its DOI (no title, no printed citation) gets its title, authors, container and year
    from here; the values are copied onto the Reference rows (Reference.lookup_fields names them), and kept here so a
    re-import of the citing paper, which rewrites its references from its deposit, finds them again without asking.
    """

    State = LookupState

    doi = models.CharField("DOI", max_length=doi_lib.MAX_DOI_LENGTH, unique=True)
    state = models.CharField(max_length=10, choices=LookupState.choices, default=LookupState.QUEUED)
    title = models.TextField(blank=True)
    title_html = models.TextField(blank=True, help_text="The title's inline markup, cleaned by papers.markup.")
    authors = models.TextField(blank=True)
    journal = models.TextField(blank=True, help_text="Journal, book or proceedings.")
    year = models.CharField(max_length=20, blank=True)
    volume = models.CharField(max_length=50, blank=True)
    pages = models.CharField(max_length=50, blank=True)
    detail = models.TextField(blank=True, help_text="The outcome in words.")
    upstream_status = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Crossref's HTTP status.")
    checked_at = models.DateTimeField(null=True, blank=True, help_text="When Crossref last answered about it.")
    next_check_at = models.DateTimeField(null=True, blank=True, help_text="When beat asks again.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["doi"]
        constraints = [
            models.CheckConstraint(condition=Q(doi=Lower("doi")), name="referencelookup_doi_lowercase"),
            models.CheckConstraint(condition=Q(state__in=LookupState.values), name="referencelookup_state_valid"),
        ]
        indexes = [
            # Claims take the oldest queued rows; beat finds the rows due again.
            models.Index(fields=["state", "updated_at"], name="referencelookup_claim"),
            models.Index(fields=["next_check_at"], name="referencelookup_next_check"),
        ]

    def __str__(self) -> str:
        return f"{self.doi}: {self.get_state_display()}"

    @property
    def doi_url(self) -> str:
        return doi_lib.doi_url(self.doi)


class TaxonomyNode(models.Model):
    """Shared shape of OpenAlex's four taxonomy levels; `openalex_id` is the short id (T11478, 1705, 17, 3)."""

    openalex_id = models.CharField("OpenAlex id", max_length=20, unique=True)
    name = models.CharField(max_length=255)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Domain(TaxonomyNode):
    pass


class Field(TaxonomyNode):
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="fields")


class Subfield(TaxonomyNode):
    field = models.ForeignKey(Field, on_delete=models.PROTECT, related_name="subfields")


class Topic(TaxonomyNode):
    subfield = models.ForeignKey(Subfield, on_delete=models.PROTECT, related_name="topics")


class PaperTopic(models.Model):
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="paper_topics")
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="paper_topics")
    score = models.FloatField()
    is_primary = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_primary", "-score"]
        constraints = [
            models.UniqueConstraint(fields=["paper", "topic"], name="papertopic_unique"),
            models.UniqueConstraint(fields=["paper"], condition=Q(is_primary=True), name="papertopic_one_primary"),
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=1), name="papertopic_score_range"),
        ]

    def __str__(self) -> str:
        return f"{self.paper.doi}: {self.topic} ({self.score:.2f})"


class IdentifierLookup(models.Model):
    """A PMID or PMCID someone asked to add: a background task maps it to a DOI through NCBI's ID converter."""

    class Scheme(models.TextChoices):
        PMID = "pmid", "PMID"
        PMCID = "pmcid", "PMCID"

    class State(models.TextChoices):
        PENDING = "pending", "Looking up"
        RESOLVED = "resolved", "Found"
        FAILED = "failed", "Not found"

    scheme = models.CharField(max_length=5, choices=Scheme.choices)
    value = models.CharField(max_length=16)
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, null=True, blank=True, related_name="lookups")
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scheme", "value"], name="lookup_unique_identifier"),
            models.CheckConstraint(condition=Q(scheme__in=["pmid", "pmcid"]), name="lookup_scheme_valid"),
            models.CheckConstraint(condition=Q(state__in=["pending", "resolved", "failed"]), name="lookup_state_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_scheme_display()} {self.value}"

    def get_absolute_url(self) -> str:
        return reverse("papers:lookup", kwargs={"pk": self.pk})


class EnrichmentState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Fetching"
    DONE = "done", "Done"
    NONE = "none", "None available"
    RETRYING = "retrying", "Retrying"
    FAILED = "failed", "Failed"


class Enrichment(models.Model):
    """Where one enrichment of a paper (its full text, its summary …) stands: one row per paper and kind.

    The kinds are registered by the apps that own them (papers.enrichments); papers only keeps their states, so
    pages, the admin and the periodic re-check treat every kind alike.
    """

    State = EnrichmentState

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="enrichments")
    kind = models.CharField(max_length=40, help_text="The registered enrichment, e.g. fulltext or summary.")
    state = models.CharField(max_length=10, choices=EnrichmentState.choices, default=EnrichmentState.QUEUED)
    source = models.CharField(max_length=60, blank=True, help_text="The upstream asked, or the one that answered.")
    detail = models.TextField(blank=True, help_text="The outcome in words, as pages show it.")
    upstream_status = models.PositiveSmallIntegerField(null=True, blank=True, help_text="The upstream's HTTP status.")
    input_key = models.CharField(
        max_length=200, blank=True, help_text="What the enrichment was computed from (a PMCID …): a new one re-runs it."
    )
    etag = models.CharField(max_length=200, blank=True)
    last_modified = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    checked_at = models.DateTimeField(null=True, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True, help_text="When beat looks again.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["paper", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["paper", "kind"], name="enrichment_unique_kind"),
            models.CheckConstraint(condition=Q(state__in=EnrichmentState.values), name="enrichment_state_valid"),
        ]
        indexes = [models.Index(fields=["next_check_at"], name="enrichment_next_check")]

    def __str__(self) -> str:
        return f"{self.paper_id} {self.kind}: {self.state}"
