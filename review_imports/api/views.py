from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.exceptions import NotFound, Throttled
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from paperhub.api import idempotent
from paperhub.limits import submission_limit_message
from papers.api.views import DOI_PARAMETER
from papers.selectors import paper_for_contribution_or_404, paper_or_404

from .. import selectors, services
from ..models import ForumImport
from .serializers import ForumImportCreateSerializer, ForumImportListSerializer, ForumImportSerializer

ID_PARAMETER = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The import's id.")


class PaperReviewImports(generics.GenericAPIView):
    """A paper's OpenReview imports: ask for one by forum link, list them."""

    serializer_class = ForumImportSerializer
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    pagination_class = None
    filter_backends = []

    @extend_schema(
        operation_id="papers_review_imports_list",
        parameters=[DOI_PARAMETER],
        summary="OpenReview imports",
        responses={200: ForumImportListSerializer(many=True)},
    )
    def get(self, request, doi):
        paper = paper_or_404(doi)
        imports = selectors.forum_imports_of_paper(paper).select_related("paper")
        context = {"request": request, "user": request.user}
        return Response(ForumImportListSerializer(imports, many=True, context=context).data)

    @extend_schema(
        operation_id="papers_review_imports_create",
        parameters=[DOI_PARAMETER],
        summary="Import a paper's reviews from OpenReview",
        request=ForumImportCreateSerializer,
        responses={202: ForumImportSerializer},
        description="Queues the import and answers 202 with its URL (Location); GET it to follow its state. "
        "The forum's submission is checked against the paper (title, DOI, arXiv id): a match publishes under "
        "the usual moderation (trusted members and staff at once), a mismatch waits for staff. Asking again "
        "for the same forum lands on the same import.",
    )
    @idempotent
    def post(self, request, doi):
        paper = paper_for_contribution_or_404(doi)
        serializer = ForumImportCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        limited = submission_limit_message(request, group="review-import", what="imports")
        if limited:
            raise Throttled(detail=limited, wait=3600)
        try:
            asked = services.forum_import_request(paper=paper, link=serializer.validated_data["url"], user=request.user)
        except ValidationError as exc:
            raise ApiValidationError(exc.message_dict) from None
        body = ForumImportSerializer(asked.forum_import, context={"request": request, "user": request.user}).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})


class ReviewImportDetail(generics.GenericAPIView):
    serializer_class = ForumImportSerializer
    pagination_class = None
    filter_backends = []

    @extend_schema(
        operation_id="papers_review_imports_retrieve",
        parameters=[DOI_PARAMETER, ID_PARAMETER],
        summary="One OpenReview import: its state and what it brought in",
    )
    def get(self, request, doi, id):
        paper = paper_or_404(doi)
        try:
            forum_import = selectors.forum_import_for_api(paper=paper, import_id=id)
        except ForumImport.DoesNotExist:
            raise NotFound(f"No OpenReview import {id} on {paper.doi}.") from None
        return Response(ForumImportSerializer(forum_import, context={"request": request, "user": request.user}).data)
