from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from paperhub.moderation import ModerationStatus

from .. import selectors
from ..models import ForumImport


@extend_schema_serializer(
    examples=[
        OpenApiExample("A forum link", request_only=True, value={"url": "https://openreview.net/forum?id=B1CEaMbR-"})
    ]
)
class ForumImportCreateSerializer(serializers.Serializer):
    url = serializers.CharField(
        max_length=2000,
        help_text="https://openreview.net/forum?id=ID (also …&noteId=N, /pdf?id=ID) or a bare forum id.",
    )


class ScoreSerializer(serializers.Serializer):
    field = serializers.CharField(help_text='The note\'s field: "rating", "soundness" …')
    name = serializers.CharField()
    value = serializers.FloatField(allow_null=True)
    label = serializers.CharField(allow_blank=True)


class ImportedReviewSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="review.id")
    note_id = serializers.CharField()
    reply_to = serializers.CharField(help_text="The note it answers (the forum's id: the paper itself).")
    kind = serializers.CharField(source="review.kind")
    signature = serializers.CharField(source="review.reviewer_name", help_text="As OpenReview signs it.")
    title = serializers.CharField(source="review.title")
    scores = ScoreSerializer(many=True, source="review.scores")
    created = serializers.DateTimeField(allow_null=True)
    modified = serializers.DateTimeField(allow_null=True)
    license = serializers.CharField(source="review.license")
    source_url = serializers.CharField(source="url")
    review_url = serializers.SerializerMethodField()

    def get_review_url(self, note) -> str:
        path = f"/api/v1/reviews/{note.review_id}/"
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class ForumImportSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    paper = serializers.CharField(source="paper.doi")
    forum_url = serializers.CharField()
    published = serializers.BooleanField(source="is_published")
    requested_by = serializers.SerializerMethodField()
    match_report = serializers.SerializerMethodField(
        help_text="What was compared, and how they differ: for who asked for the import and for staff, as on its page."
    )
    rejection_reason = serializers.SerializerMethodField(help_text="Staff's reason: for who asked, and staff.")
    reviews = serializers.SerializerMethodField()

    class Meta:
        model = ForumImport
        fields = [
            "id",
            "url",
            "paper",
            "forum_id",
            "forum_url",
            "state",
            "error",
            "upstream_status",
            "api_version",
            "status",
            "published",
            "match",
            "match_report",
            "rejection_reason",
            "venue",
            "venue_id",
            "decision",
            "submission_title",
            "withdrawn",
            "notes_listed",
            "notes_not_public",
            "requested_by",
            "requested_at",
            "fetched_at",
            "changed_at",
            "next_check_at",
            "reviews",
        ]
        extra_kwargs = {
            "state": {"help_text": "queued, fetching, done or failed (then `error` says why)."},
            "status": {"help_text": "Moderation: pending, approved (its reviews are public) or rejected."},
            "match": {"help_text": "matched, mismatch (waits for staff, `match_report` says why) or confirmed."},
        }

    def get_url(self, forum_import) -> str:
        path = forum_import_api_path(forum_import)
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    def get_match_report(self, forum_import) -> str:
        return forum_import.match_report if selectors.may_follow(forum_import, self.context.get("user")) else ""

    def get_rejection_reason(self, forum_import) -> str:
        return forum_import.rejection_reason if selectors.may_follow(forum_import, self.context.get("user")) else ""

    def get_requested_by(self, forum_import) -> str:
        return forum_import.imported_by

    @extend_schema_field(ImportedReviewSerializer(many=True))
    def get_reviews(self, forum_import):
        notes = selectors.forum_import_reviews(forum_import, user=self.context.get("user"))
        return ImportedReviewSerializer(notes, many=True, context=self.context).data


class ForumImportListSerializer(ForumImportSerializer):
    """A paper's imports without their reviews (one query for the list; each import's URL has them)."""

    class Meta(ForumImportSerializer.Meta):
        fields = [name for name in ForumImportSerializer.Meta.fields if name != "reviews"]


def forum_import_api_path(forum_import: ForumImport) -> str:
    return f"/api/v1/papers/{forum_import.paper.doi}/review-imports/{forum_import.id}/"


def forums_for_record(*, paper, request) -> list[dict]:
    """The paper record's `openreview`: each published forum, its decision and its reviews with their scores."""
    forums = list(selectors.forum_imports_of_paper(paper).filter(status=ModerationStatus.APPROVED))
    if not forums:
        return []
    notes = selectors.published_notes(forums)
    out = []
    for forum in forums:
        path = f"/api/v1/papers/{paper.doi}/review-imports/{forum.id}/"
        reviews = [n for n in notes if n.forum_import_id == forum.id]
        for note in reviews:
            note.forum_import = forum
        out.append(
            {
                "forum_id": forum.forum_id,
                "forum_url": forum.forum_url,
                "venue": forum.venue,
                "decision": forum.decision,
                "withdrawn": forum.withdrawn,
                "import_url": request.build_absolute_uri(path) if request else path,
                "reviews": ImportedReviewSerializer(reviews, many=True, context={"request": request}).data,
            }
        )
    return out
