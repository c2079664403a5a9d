from django.contrib import admin

from .models import Video


@admin.register(Video)
class VideoAdmin(admin.ModelAdmin):
    list_display = ("paper", "title", "kind", "added_by", "status", "created_at")
    list_filter = ("status", "kind")
    search_fields = ("paper__doi", "title", "url")
    raw_id_fields = ("paper", "added_by")
