from django.core.exceptions import ValidationError
from django.db.models import Q
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, status
from rest_framework.exceptions import Throttled
from rest_framework.response import Response

from paperhub.api import conditional, error_response, idempotent
from paperhub.limits import attempt_count, attempt_limit_message, video_limits
from paperhub.moderation import ModerationStatus
from papers.api.views import DOI_PARAMETER
from papers.models import without_heavy_paper_fields
from papers.selectors import paper_for_contribution_or_404, paper_or_404

from .. import services
from ..models import Video
from .serializers import VideoCreateSerializer, VideoSerializer


def _visible(user):
    if user.is_authenticated and user.is_staff:
        return Q()
    if user.is_authenticated:
        return Q(status=ModerationStatus.APPROVED) | Q(added_by=user)
    return Q(status=ModerationStatus.APPROVED)


class PaperVideos(generics.ListAPIView):
    """Approved videos that explain a paper (and your own pending ones)."""

    serializer_class = VideoSerializer
    filter_backends = []

    def get_queryset(self):
        paper = paper_or_404(self.kwargs["doi"])
        return without_heavy_paper_fields(
            Video.objects.filter(_visible(self.request.user), paper=paper).select_related("paper")
        )

    @extend_schema(operation_id="papers_videos_list", parameters=[DOI_PARAMETER], summary="Videos of a paper")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="papers_videos_create",
        parameters=[DOI_PARAMETER],
        summary="Link a video",
        request=VideoCreateSerializer,
        responses={201: VideoSerializer},
        description="409 when the video is already linked to the paper, with the existing one's URL.",
    )
    @idempotent
    def post(self, request, doi):
        paper = paper_for_contribution_or_404(doi)
        limited = attempt_limit_message(request, limits=video_limits())
        if limited:
            raise Throttled(detail=limited, wait=3600)
        serializer = VideoCreateSerializer(data=request.data)
        if not serializer.is_valid():
            attempt_count(request, limits=video_limits(), accepted=False)
            serializer.is_valid(raise_exception=True)
        try:
            video = services.video_add(paper=paper, user=request.user, **serializer.validated_data)
        except services.VideoAlreadyLinked as exc:
            attempt_count(request, limits=video_limits(), accepted=False)
            existing = request.build_absolute_uri(f"/api/v1/videos/{exc.existing.id}/")
            return error_response(409, "duplicate", "This video is already linked to this paper.", existing=existing)
        except ValidationError as exc:
            from rest_framework.exceptions import ValidationError as ApiValidationError

            attempt_count(request, limits=video_limits(), accepted=False)
            raise ApiValidationError(exc.message_dict) from None
        attempt_count(request, limits=video_limits(), accepted=True)
        body = VideoSerializer(video, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": body["api_url"]})


class IsAdderOrReadOnly(permissions.BasePermission):
    message = "Only the person who linked a video can remove it."

    def has_object_permission(self, request, view, obj):
        return request.method in permissions.SAFE_METHODS or request.user.is_staff or obj.added_by_id == request.user.id


class VideoDetail(generics.GenericAPIView):
    serializer_class = VideoSerializer
    permission_classes = [permissions.IsAuthenticatedOrReadOnly, IsAdderOrReadOnly]
    filter_backends = []

    def get_queryset(self):
        return without_heavy_paper_fields(Video.objects.filter(_visible(self.request.user)).select_related("paper"))

    @extend_schema(operation_id="videos_retrieve", summary="One video")
    def get(self, request, pk):
        video = self.get_object()
        return conditional(
            request,
            lambda: Response(VideoSerializer(video, context={"request": request}).data),
            parts=[video.id, video.updated_at, video.status],
            last_modified=video.updated_at,
        )

    @extend_schema(operation_id="videos_destroy", summary="Remove your video link", responses={204: None})
    def delete(self, request, pk):
        services.video_remove(video=self.get_object(), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
