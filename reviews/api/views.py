from django.db.models import Q
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, status
from rest_framework.exceptions import Throttled
from rest_framework.response import Response

from paperhub.api import conditional, idempotent
from paperhub.limits import submission_limit_message
from paperhub.moderation import ModerationStatus
from papers.api.views import DOI_PARAMETER
from papers.models import without_heavy_paper_fields
from papers.selectors import paper_for_contribution_or_404, paper_or_404

from .. import selectors, services
from ..models import Review
from .serializers import ReviewPatchSerializer, ReviewSerializer, ReviewWriteSerializer


class PaperReviews(generics.ListAPIView):
    """Approved reviews of a paper, newest first (and your own pending or rejected ones)."""

    serializer_class = ReviewSerializer
    filter_backends = []

    def get_queryset(self):
        paper = paper_or_404(self.kwargs["doi"])
        visible = Q(status=ModerationStatus.APPROVED)
        if self.request.user.is_authenticated:
            visible |= Q(author=self.request.user)
        return without_heavy_paper_fields(Review.objects.filter(visible, paper=paper).select_related("paper"))

    @extend_schema(operation_id="papers_reviews_list", parameters=[DOI_PARAMETER], summary="Reviews of a paper")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="papers_reviews_create",
        parameters=[DOI_PARAMETER],
        summary="Post a review",
        request=ReviewWriteSerializer,
        responses={201: ReviewSerializer, 200: ReviewSerializer},
        description="Posting the same source link for the same paper again lands on your first review (200), "
        "and edits it if the content differs.",
    )
    @idempotent
    def post(self, request, doi):
        paper = paper_for_contribution_or_404(doi)
        serializer = ReviewWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        limited = submission_limit_message(request, group="review-submit")
        if limited:
            raise Throttled(detail=limited, wait=3600)
        data = {k: v for k, v in serializer.validated_data.items() if k != "attest"}
        submission = services.review_submit(paper=paper, author=request.user, data=data)
        review = submission.review
        if not submission.created:
            review.refresh_from_db()  # an edit of a published review leaves it as it was: answer with what is stored
        body = ReviewSerializer(review, context={"request": request}).data
        # A resubmission of the same source lands on the first review: 200, like a PUT of what exists.
        code = status.HTTP_201_CREATED if submission.created else status.HTTP_200_OK
        return Response(body, status=code, headers={"Location": body["url"]})


class IsAuthorOrReadOnly(permissions.BasePermission):
    message = "Only the author of a review can change it."

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        if request.method == "DELETE" and request.user.is_staff:
            return True
        return obj.author_id == request.user.id


class ReviewDetail(generics.GenericAPIView):
    serializer_class = ReviewSerializer
    permission_classes = [permissions.IsAuthenticatedOrReadOnly, IsAuthorOrReadOnly]
    filter_backends = []

    def get_queryset(self):
        return selectors.reviews_visible_to(user=self.request.user)

    @extend_schema(operation_id="reviews_retrieve", summary="One review")
    def get(self, request, pk):
        review = self.get_object()
        return conditional(
            request,
            lambda: Response(ReviewSerializer(review, context={"request": request}).data),
            parts=[review.id, review.updated_at, review.status],
            last_modified=review.updated_at,
        )

    @extend_schema(
        operation_id="reviews_partial_update",
        summary="Edit your review",
        request=ReviewPatchSerializer,
        responses={200: ReviewSerializer},
        description="An untrusted author's edit of a published review waits for moderation; the "
        "published version stays up meanwhile.",
    )
    def patch(self, request, pk):
        review = self.get_object()
        current = {name: getattr(review, name) for name in services.EDITABLE_FIELDS}
        serializer = ReviewPatchSerializer(data={**current, **request.data, "attest": True})
        serializer.is_valid(raise_exception=True)
        services.review_update(
            review=review,
            editor=request.user,
            data={k: v for k, v in serializer.validated_data.items() if k != "attest"},
        )
        review.refresh_from_db()
        return Response(ReviewSerializer(review, context={"request": request}).data)

    @extend_schema(operation_id="reviews_destroy", summary="Delete your review", responses={204: None})
    def delete(self, request, pk):
        review = self.get_object()
        services.review_delete(review=review, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
