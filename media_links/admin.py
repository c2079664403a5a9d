from django.contrib import admin, messages

from paperhub.admin_actions import reject_with_reason

from . import services
from .models import Video


@admin.register(Video)
class VideoAdmin(admin.ModelAdmin):
    list_display = (
        "paper",
        "title",
        "provider",
        "video_id",
        "kind",
        "added_by",
        "status",
        "availability",
        "created_at",
    )
    list_filter = ("status", "availability", "provider", "kind")
    search_fields = ("paper__doi", "title", "video_id", "channel", "added_by__email")
    raw_id_fields = ("paper", "added_by")
    readonly_fields = (
        "title",
        "channel",
        "channel_url",
        "duration_seconds",
        "availability",
        "checked_at",
        "check_error",
        "created_at",
        "updated_at",
    )
    actions = ("approve", "reject")

    @admin.action(description="Approve selected videos")
    def approve(self, request, queryset):
        for video in queryset:
            services.video_approve(video=video)
        self.message_user(request, f"Approved {queryset.count()}.", messages.SUCCESS)

    @admin.action(description="Reject selected videos, with a reason")
    def reject(self, request, queryset):
        return reject_with_reason(
            self, request, queryset, lambda video, user, reason: services.video_reject(video=video, reason=reason)
        )
