from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from paperhub.moderation import ModerationStatus, status_constraint
from papers.models import Paper


class Platform(models.TextChoices):
    OPENREVIEW = "openreview", "OpenReview"
    ICLR = "iclr", "ICLR"
    NEURIPS = "neurips", "NeurIPS"
    ICML = "icml", "ICML"
    OTHER = "other", "Other"
    # Set only by reviews_sync_from_journal and reviews_sync_from_crossref: people paste reviews from the others.
    JOURNAL = "journal", "The journal"


# What people may choose when they paste a review.
PASTE_PLATFORM_CHOICES = [(value, label) for value, label in Platform.choices if value != Platform.JOURNAL]


class Origin(models.TextChoices):
    PASTED = "pasted", "Pasted by a PaperHub user"
    JOURNAL = "journal", "Published by the journal with the paper"
    # Written only by review_imports, from an OpenReview forum; kept current by its refreshes.
    OPENREVIEW = "openreview", "Imported from OpenReview"
    # Written only by reviews_sync_from_crossref: a peer-review work the journal registered with Crossref, which
    # names the paper as the work it reviews (often with no text: the card links to it at the journal).
    CROSSREF = "crossref", "Registered with Crossref by the journal"


class ReviewKind(models.TextChoices):
    """What a journal-published or imported review is (pasted reviews have none)."""

    DECISION_LETTER = "decision-letter", "Decision letter"
    EDITOR_REPORT = "editor-report", "Editor's evaluation"
    REFEREE_REPORT = "referee-report", "Referee report"
    AUTHOR_RESPONSE = "author-response", "Author response"
    OTHER = "other", "Review"
    # The notes of an OpenReview forum:
    OFFICIAL_REVIEW = "official-review", "Official review"
    META_REVIEW = "meta-review", "Meta-review"
    DECISION = "decision", "Decision"
    COMMENT = "comment", "Comment"


class ReviewStage(models.TextChoices):
    """When a review registered with Crossref was written: Crossref's `review.stage`."""

    PRE_PUBLICATION = "pre-publication", "Pre-publication"
    POST_PUBLICATION = "post-publication", "Post-publication"


# Kinds that are not reviews of the paper: left out of its review count.
NOT_COUNTED_AS_REVIEWS = (ReviewKind.DECISION, ReviewKind.COMMENT, ReviewKind.AUTHOR_RESPONSE)


# Where each known platform publishes its reviews; a link to the original must be on one of these hosts.
PLATFORM_DOMAINS: dict[str, tuple[str, ...]] = {
    Platform.OPENREVIEW: ("openreview.net",),
    Platform.ICLR: ("openreview.net", "iclr.cc"),
    Platform.NEURIPS: ("openreview.net", "neurips.cc", "nips.cc", "proceedings.neurips.cc", "papers.nips.cc"),
    Platform.ICML: ("openreview.net", "icml.cc", "proceedings.mlr.press"),
}


class License(models.TextChoices):
    CC_BY = "CC-BY-4.0", "CC BY 4.0"
    CC_BY_SA = "CC-BY-SA-4.0", "CC BY-SA 4.0"
    CC0 = "CC0-1.0", "CC0 1.0 (public domain)"
    CC_BY_NC = "CC-BY-NC-4.0", "CC BY-NC 4.0"
    CC_BY_3 = "CC-BY-3.0", "CC BY 3.0"  # eLife's licence until 2016


LICENSE_URLS = {
    License.CC_BY: "https://creativecommons.org/licenses/by/4.0/",
    License.CC_BY_SA: "https://creativecommons.org/licenses/by-sa/4.0/",
    License.CC0: "https://creativecommons.org/publicdomain/zero/1.0/",
    License.CC_BY_NC: "https://creativecommons.org/licenses/by-nc/4.0/",
    License.CC_BY_3: "https://creativecommons.org/licenses/by/3.0/",
}

# A journal or imported review whose licence is none of the above keeps "": its card sends readers to the original.
LICENSE_NOT_MAPPED = ""


class ReviewContent(models.Model):
    """The fields a reviewer writes; shared by a review and each revision of it."""

    platform = models.CharField("first public on", max_length=12, choices=Platform.choices)
    source_url = models.URLField("link to the original", max_length=1000)
    venue = models.CharField(max_length=200, help_text="e.g. ICLR 2024, or the journal.")
    year = models.PositiveSmallIntegerField()
    reviewer_name = models.CharField(max_length=200)
    is_anonymous = models.BooleanField("the original review was anonymous", default=False)
    body = models.TextField("review (Markdown)")
    body_html = models.TextField(help_text="The body rendered and sanitized: what pages show.")
    rating = models.CharField(max_length=100, blank=True, help_text="As the source platform had it.")
    confidence = models.CharField(max_length=100, blank=True, help_text="As the source platform had it.")
    license = models.CharField("licence", max_length=16, choices=License.choices, default=License.CC_BY)

    class Meta:
        abstract = True

    # What a reviewer writes, in the order the form shows it; the stored content adds the rendered HTML.
    EDITABLE_FIELDS = (
        "platform",
        "source_url",
        "venue",
        "year",
        "reviewer_name",
        "is_anonymous",
        "body",
        "rating",
        "confidence",
        "license",
    )
    CONTENT_FIELDS = (*EDITABLE_FIELDS, "body_html")

    @property
    def license_url(self) -> str:
        return LICENSE_URLS.get(self.license, "")


class Review(ReviewContent):
    """A public peer review of a paper: pasted from a platform where reviews are public, published by the
    journal with the paper (origin `journal`: kept in step with the full text by reviews_sync_from_journal),
    imported from OpenReview (origin `openreview`), or registered with Crossref by the journal as a review of the
    paper (origin `crossref`: kept in step with Crossref by reviews_sync_from_crossref).

    Its content fields are the published version; an untrusted reviewer's edit of a published review waits
    as a pending ReviewRevision and replaces them only once approved. Journal reviews have no author, no
    revisions and no edits: the next sync would undo them.
    """

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="reviews")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="reviews"
    )
    reviewer_orcid = models.CharField("reviewer's ORCID iD", max_length=19, blank=True)
    status = models.CharField(max_length=10, choices=ModerationStatus.choices, default=ModerationStatus.PENDING)
    rejection_reason = models.TextField(blank=True, help_text="Shown to the author.")
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.PASTED)
    # Journal and imported reviews only:
    kind = models.CharField(max_length=16, choices=ReviewKind.choices, blank=True)
    title = models.CharField(max_length=300, blank=True, help_text="As the journal (or the note) titled it.")
    published_on = models.DateField(null=True, blank=True, help_text="When the journal (or OpenReview) published it.")
    external_id = models.CharField(
        max_length=300,
        blank=True,
        help_text="Its key per paper: the journal or Crossref review's DOI (journal: else kind, title and rank); "
        "the OpenReview note id.",
    )
    # Reviews registered with Crossref (and journal reviews Crossref also registered): before or after publication.
    stage = models.CharField(max_length=16, choices=ReviewStage.choices, blank=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="Its place among the journal's reviews.")
    # Imported reviews: [{"field": "soundness", "name": "Soundness", "value": 3, "label": "good"}, …] in the
    # note's order; value is null for a label alone ("Reject").
    scores = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            status_constraint("review_status_valid"),
            models.CheckConstraint(condition=~Q(body=""), name="review_body_not_empty"),
            models.CheckConstraint(condition=Q(platform__in=Platform.values), name="review_platform_valid"),
            models.CheckConstraint(
                condition=Q(license__in=License.values) | (Q(license=LICENSE_NOT_MAPPED) & ~Q(origin="pasted")),
                name="review_license_valid",
            ),
            models.CheckConstraint(condition=Q(origin__in=Origin.values), name="review_origin_valid"),
            # Only the journal sync and the OpenReview import write their reviews: their platform, a key, no author.
            models.CheckConstraint(
                condition=(Q(origin="pasted") & ~Q(platform="journal"))
                | (Q(origin="journal") & Q(platform="journal") & Q(author__isnull=True) & ~Q(external_id=""))
                | (Q(origin="openreview") & Q(platform="openreview") & Q(author__isnull=True) & ~Q(external_id=""))
                # The journal registered it with Crossref: first public at the journal, keyed by its DOI.
                | (
                    Q(origin="crossref")
                    & Q(platform="journal")
                    & Q(author__isnull=True)
                    & Q(external_id__startswith="doi:")
                ),
                name="review_origin_consistent",
            ),
            models.CheckConstraint(condition=Q(stage__in=[*ReviewStage.values, ""]), name="review_stage_valid"),
            # The natural key of a journal or imported review: a sync updates it in place, never adds a twin.
            models.UniqueConstraint(
                fields=["paper", "origin", "external_id"],
                condition=~Q(origin="pasted"),
                name="review_external_once_per_paper",
            ),
            models.CheckConstraint(condition=Q(year__gte=1900) & Q(year__lte=2100), name="review_year_range"),
            # A double click or a resubmitted form must not store the same review twice, even when they race.
            models.UniqueConstraint(
                fields=["paper", "author", "source_url"],
                condition=Q(author__isnull=False),
                name="review_once_per_author_source",
            ),
        ]
        indexes = [models.Index(fields=["paper", "status", "-created_at"], name="review_paper_status")]

    def __str__(self) -> str:
        return f"Review of {self.paper.doi} by {self.reviewer_name}"

    def get_absolute_url(self) -> str:
        return reverse("reviews:detail", kwargs={"pk": self.pk})

    @property
    def is_published(self) -> bool:
        return self.status == ModerationStatus.APPROVED

    @property
    def reviewer_orcid_url(self) -> str:
        return f"https://orcid.org/{self.reviewer_orcid}" if self.reviewer_orcid else ""

    @property
    def is_from_journal(self) -> bool:
        return self.origin == Origin.JOURNAL

    @property
    def is_imported(self) -> bool:
        return self.origin == Origin.OPENREVIEW

    @property
    def is_from_crossref(self) -> bool:
        return self.origin == Origin.CROSSREF

    @property
    def doi(self) -> str:
        """The review's own DOI, for journal and Crossref reviews keyed by it ("" otherwise)."""
        if self.origin in (Origin.JOURNAL, Origin.CROSSREF) and self.external_id.startswith("doi:"):
            return self.external_id.removeprefix("doi:")
        return ""

    @property
    def kind_label(self) -> str:
        return self.get_kind_display() if self.kind else ""

    @property
    def pasted_by(self) -> str:
        """Who pasted it, as they show their name on reviews (selectors load the profile with the review)."""
        if self.author_id is None:
            return ""
        try:
            name = self.author.reviewer_profile.display_name
        except ReviewerProfile.DoesNotExist:
            name = ""
        return name or "a PaperHub user"


class ReviewRevision(ReviewContent):
    """One version of a review as its author submitted it: the edit history, and edits awaiting moderation."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="revisions")
    editor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    status = models.CharField(max_length=10, choices=ModerationStatus.choices, default=ModerationStatus.PENDING)
    rejection_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["review", "-created_at"]
        constraints = [status_constraint("reviewrevision_status_valid")]

    def __str__(self) -> str:
        return f"Revision of review {self.review_id} ({self.get_status_display()})"


class ReviewerProfile(models.Model):
    """Per-user reviewing standing: trusted reviewers publish without waiting for moderation."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviewer_profile")
    trusted = models.BooleanField(default=False, help_text="Publishes reviews and edits without moderation.")
    display_name = models.CharField(max_length=200, blank=True, help_text="The name shown on their reviews.")

    def __str__(self) -> str:
        return f"{self.user} ({'trusted' if self.trusted else 'moderated'})"
