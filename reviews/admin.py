from django.contrib import admin

from .models import Review


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ("paper", "reviewer_name", "author", "status", "created_at")
    list_filter = ("status", "created_at")
    search_fields = ("paper__doi", "reviewer_name", "body", "author__email")
    raw_id_fields = ("paper", "author")
