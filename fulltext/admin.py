from django.contrib import admin

from .models import FigureImage, FullText


class FigureImageInline(admin.TabularInline):
    model = FigureImage
    extra = 0
    fields = ("href", "state", "error", "content_type", "width", "height", "source_url")
    readonly_fields = fields


@admin.register(FullText)
class FullTextAdmin(admin.ModelAdmin):
    list_display = ("paper", "source", "word_count", "converter_version", "rendered_at")
    list_filter = ("source", "converter_version")
    search_fields = ("paper__doi",)
    raw_id_fields = ("paper",)
    readonly_fields = ("converter_version", "rendered_at", "created_at", "word_count")
    exclude = ("jats", "sections")
    inlines = (FigureImageInline,)
