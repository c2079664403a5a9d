"""An OpenReview forum imported onto a paper, and each of its notes as a review.

The notes themselves are reviews.Review rows (origin "openreview", keyed by note id), so every review page, feed,
count and API sees them; ForumNote adds what only an import knows: the forum, the thread, the raw note.
"""

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Q

from paperhub.moderation import ModerationStatus, status_constraint
from papers.models import Paper
from reviews.models import Review


class ForumImport(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", "Waiting for a worker"
        FETCHING = "fetching", "Fetching from OpenReview"
        DONE = "done", "Imported"
        FAILED = "failed", "Failed"

    class Match(models.TextChoices):
        UNCHECKED = "", "Not checked yet"
        MATCHED = "matched", "The forum is this paper's"
        MISMATCH = "mismatch", "The forum may be another paper's"
        CONFIRMED = "confirmed", "Staff confirmed the forum is this paper's"

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="forum_imports")
    forum_id = models.CharField(max_length=20)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)

    # The fetch: its state, and why it failed in words (with the upstream's status, if it answered).
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    error = models.TextField(blank=True)
    upstream_status = models.PositiveSmallIntegerField(null=True, blank=True)
    api_version = models.PositiveSmallIntegerField(null=True, blank=True)
    fetched_at = models.DateTimeField(null=True, blank=True)
    changed_at = models.DateTimeField(null=True, blank=True, help_text="When a fetch last found a note new or edited.")
    next_check_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveSmallIntegerField(default=0, help_text="Failed fetches in a row.")

    # Publication: the usual moderation, and the check that the forum is this paper's.
    status = models.CharField(max_length=10, choices=ModerationStatus.choices, default=ModerationStatus.PENDING)
    match = models.CharField(max_length=10, choices=Match.choices, blank=True, default=Match.UNCHECKED)
    match_report = models.TextField(blank=True, help_text="What was compared, and how they differ.")
    rejection_reason = models.TextField(blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)

    # The forum as the last fetch found it.
    venue = models.CharField(max_length=200, blank=True, help_text='"ICLR 2024"')
    venue_id = models.CharField(max_length=300, blank=True, help_text='"ICLR.cc/2024/Conference"')
    venue_label = models.CharField(max_length=300, blank=True, help_text="As OpenReview labels the submission.")
    decision = models.CharField(max_length=300, blank=True)
    submission_title = models.CharField(max_length=1000, blank=True)
    withdrawn = models.BooleanField(default=False)
    notes_listed = models.PositiveIntegerField(default=0, help_text="Notes in the forum, any reader, any kind.")
    notes_not_public = models.PositiveIntegerField(default=0, help_text="Left out: not readable by everyone.")
    # The forum's listing as OpenReview sent it (every page), so that a new mapping can re-render it offline.
    raw_notes = models.JSONField(default=list, blank=True)
    mapping_version = models.PositiveSmallIntegerField(
        default=0, help_text="services.MAPPING_VERSION it was stored by."
    )

    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["paper", "requested_at"]
        constraints = [
            models.UniqueConstraint(fields=["paper", "forum_id"], name="forumimport_once_per_paper"),
            status_constraint("forumimport_status_valid"),
            models.CheckConstraint(
                condition=Q(state__in=["queued", "fetching", "done", "failed"]), name="forumimport_state_valid"
            ),
        ]
        indexes = [models.Index(fields=["next_check_at"], name="forumimport_next_check")]

    def __str__(self) -> str:
        return f"OpenReview forum {self.forum_id} on {self.paper.doi}"

    @property
    def forum_url(self) -> str:
        return f"https://openreview.net/forum?id={self.forum_id}"

    @property
    def imported_by(self) -> str:
        """Who asked for it, as they sign their reviews (selectors load the profile with the import)."""
        user = self.requested_by
        if user is None:
            return "PaperHub staff"
        try:
            name = user.reviewer_profile.display_name
        except ObjectDoesNotExist:
            name = ""
        return name or ("PaperHub staff" if user.is_staff else "a PaperHub member")

    @property
    def is_running(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.FETCHING)

    @property
    def is_published(self) -> bool:
        return self.status == ModerationStatus.APPROVED

    @property
    def waits_for_staff(self) -> bool:
        return self.status == ModerationStatus.PENDING and self.match == self.Match.MISMATCH


class ForumNote(models.Model):
    """One imported note: its review, its place in the forum's threads and the note as OpenReview sent it."""

    class Gone(models.TextChoices):
        PRESENT = "", "On OpenReview"
        DELETED = "deleted", "Deleted on OpenReview"
        NOT_PUBLIC = "not-public", "No longer public on OpenReview"
        MISSING = "missing", "No longer in the forum"

    forum_import = models.ForeignKey(ForumImport, on_delete=models.CASCADE, related_name="notes")
    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="openreview_note")
    note_id = models.CharField(max_length=20)
    reply_to = models.CharField(max_length=20, blank=True, help_text="The note it answers; the forum id if none.")
    invitation = models.CharField(max_length=300, blank=True)
    signature = models.CharField(max_length=300, blank=True, help_text="signatures[0] as OpenReview sent it.")
    created = models.DateTimeField(null=True, blank=True)
    modified = models.DateTimeField(null=True, blank=True)
    content = models.JSONField(default=dict, blank=True, help_text="The note's content as OpenReview sent it.")
    # Where the page folds the review ("Read the whole review"): a character offset into the review's body_html at
    # the end of a top-level block; 0 shows it whole.
    fold_at = models.PositiveIntegerField(default=0)
    gone = models.CharField(max_length=10, choices=Gone.choices, blank=True, default=Gone.PRESENT)
    gone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["forum_import", "created", "id"]
        constraints = [models.UniqueConstraint(fields=["forum_import", "note_id"], name="forumnote_once_per_forum")]

    def __str__(self) -> str:
        return f"Note {self.note_id} of forum {self.forum_import.forum_id}"

    @property
    def url(self) -> str:
        return f"https://openreview.net/forum?id={self.forum_import.forum_id}&noteId={self.note_id}"

    @property
    def lead_slice(self) -> str:
        return f":{self.fold_at}"

    @property
    def rest_slice(self) -> str:
        return f"{self.fold_at}:"
