from rest_framework import serializers

from ..models import Video, VideoKind


class VideoSerializer(serializers.ModelSerializer):
    paper = serializers.CharField(source="paper.doi", help_text="The explained paper's DOI.")
    provider_url = serializers.CharField(source="url", help_text="The video on its provider's site.")
    embed_url = serializers.CharField(help_text="The privacy-enhanced player.")
    api_url = serializers.SerializerMethodField()

    class Meta:
        model = Video
        fields = [
            "id",
            "paper",
            "provider",
            "video_id",
            "start_seconds",
            "kind",
            "note",
            "title",
            "channel",
            "duration_seconds",
            "availability",
            "added_by_name",
            "status",
            "created_at",
            "provider_url",
            "embed_url",
            "api_url",
        ]

    def get_api_url(self, video) -> str:
        request = self.context.get("request")
        path = f"/api/v1/videos/{video.id}/"
        return request.build_absolute_uri(path) if request else path


class VideoCreateSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=2000, help_text="A YouTube or Vimeo address.")
    kind = serializers.ChoiceField(choices=VideoKind.choices, default=VideoKind.TALK)
    start = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        default="",
        help_text="Start time, e.g. 1:30 or 90; overrides a t= in the address.",
    )
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
