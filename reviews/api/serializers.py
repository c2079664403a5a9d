from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from ..models import PASTE_PLATFORM_CHOICES, License, Review
from ..services import MAX_BODY_LENGTH


class ReviewSerializer(serializers.ModelSerializer):
    paper = serializers.CharField(source="paper.doi", help_text="The reviewed paper's DOI.")
    license_url = serializers.CharField()
    url = serializers.SerializerMethodField()
    html_url = serializers.SerializerMethodField()

    class Meta:
        model = Review
        fields = [
            "id",
            "paper",
            "origin",
            "kind",
            "stage",
            "title",
            "published_on",
            *Review.CONTENT_FIELDS,
            "scores",
            "reviewer_orcid",
            "license_url",
            "status",
            "rejection_reason",
            "created_at",
            "updated_at",
            "published_at",
            "url",
            "html_url",
        ]
        extra_kwargs = {
            "body": {"help_text": "Pasted: the review as its author wrote it (Markdown). Journal: its plain text."},
            "body_html": {"help_text": "The review rendered to sanitized HTML."},
            "status": {"help_text": "Others only ever see approved reviews."},
            "origin": {
                "help_text": "`pasted`: a PaperHub user pasted it from a platform where reviews are public. "
                "`journal`: the journal published it with the paper (from its full text); no one can edit it here. "
                "`openreview`: imported from an OpenReview forum and kept current from it. "
                "`crossref`: the journal registered it with Crossref as a review of the paper (keyed by its DOI; "
                "`source_url` is its doi.org link, `body` a short description, as Crossref rarely holds the text)."
            },
            "kind": {
                "help_text": "Journal reviews: decision letter, referee report, author response …; imported ones: "
                "official review, meta-review, decision, comment, author response; Crossref ones from its "
                "`review.type` (referee-report, editor-report, author-comment as author-response, community-comment "
                "as comment, others as other); pasted ones ''."
            },
            "stage": {
                "help_text": "Reviews registered with Crossref (and journal reviews Crossref registered too): "
                "`pre-publication` or `post-publication`, as Crossref's `review.stage` says; else ''."
            },
            "scores": {
                "help_text": "Imported reviews: [{field, name, value, label}] in the note's order (value null for "
                "a label alone); else []."
            },
            "title": {"help_text": "For journal reviews: the title the journal gave it."},
            "published_on": {"help_text": "For journal reviews: when the journal published it, if it says."},
            "license": {"help_text": "'' for a journal review under a licence not listed: see the original."},
        }

    def get_url(self, review) -> str:
        request = self.context.get("request")
        path = f"/api/v1/reviews/{review.id}/"
        return request.build_absolute_uri(path) if request else path

    def get_html_url(self, review) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(review.get_absolute_url()) if request else review.get_absolute_url()


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "An ICLR review",
            request_only=True,
            value={
                "platform": "iclr",
                "source_url": "https://openreview.net/forum?id=abc123",
                "venue": "ICLR 2024",
                "year": 2024,
                "reviewer_name": "Ada Lovelace",
                "is_anonymous": False,
                "body": "## Summary\n\nA clear contribution.",
                "rating": "8: accept",
                "confidence": "4",
                "license": "CC-BY-4.0",
                "attest": True,
            },
        )
    ]
)
class ReviewWriteSerializer(serializers.Serializer):
    platform = serializers.ChoiceField(choices=PASTE_PLATFORM_CHOICES)
    source_url = serializers.URLField(max_length=1000, help_text="The original, on the platform's own site.")
    venue = serializers.CharField(max_length=200)
    year = serializers.IntegerField(min_value=1990, max_value=2100)
    reviewer_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    is_anonymous = serializers.BooleanField(
        required=False, default=False, help_text="The original was anonymous: shown as “Anonymous reviewer”."
    )
    body = serializers.CharField(max_length=MAX_BODY_LENGTH, trim_whitespace=False, help_text="Markdown.")
    rating = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    confidence = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    license = serializers.ChoiceField(choices=License.choices, default=License.CC_BY)
    attest = serializers.BooleanField(
        help_text="True: I wrote this review, or it is public under a licence that permits reposting."
    )

    def validate_attest(self, value):
        if value is not True:
            raise serializers.ValidationError("Confirm that you may post this review here.")
        return value

    def validate(self, attrs):
        from django.core.exceptions import ValidationError

        from ..services import review_check_content

        try:
            review_check_content(attrs)
        except ValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None
        return attrs


class ReviewPatchSerializer(ReviewWriteSerializer):
    """Any subset of the fields; the rest keep their current values."""

    attest = serializers.BooleanField(required=False, default=True)
