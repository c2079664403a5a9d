from django.contrib import admin, messages

from paperhub.admin_actions import reject_with_reason

from . import services
from .models import Review, ReviewerProfile, ReviewRevision


class ReviewRevisionInline(admin.TabularInline):
    model = ReviewRevision
    extra = 0
    fields = ("created_at", "editor", "status", "venue", "rejection_reason")
    readonly_fields = fields
    can_delete = False
    show_change_link = True


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ("paper", "reviewer_name", "author", "origin", "platform", "venue", "status", "created_at")
    list_filter = ("origin", "status", "platform", "kind", "license", "created_at")
    search_fields = ("paper__doi", "reviewer_name", "body", "author__email", "venue")
    raw_id_fields = ("paper", "author", "moderated_by")
    readonly_fields = (
        "body_html",
        "created_at",
        "updated_at",
        "moderated_at",
        "published_at",
        # Set by the journal sync, which keys on them.
        "origin",
        "external_id",
    )
    actions = ("approve", "reject")
    inlines = (ReviewRevisionInline,)

    @admin.action(description="Approve selected reviews")
    def approve(self, request, queryset):
        for review in queryset:
            services.review_approve(review=review, moderator=request.user)
        self.message_user(request, f"Approved {queryset.count()}.", messages.SUCCESS)

    @admin.action(description="Reject selected reviews, with a reason")
    def reject(self, request, queryset):
        return reject_with_reason(
            self,
            request,
            queryset,
            lambda review, user, reason: services.review_reject(review=review, moderator=user, reason=reason),
        )


@admin.register(ReviewRevision)
class ReviewRevisionAdmin(admin.ModelAdmin):
    list_display = ("review", "editor", "status", "created_at")
    list_filter = ("status",)
    search_fields = ("review__paper__doi", "body")
    raw_id_fields = ("review", "editor")
    actions = ("approve", "reject")

    @admin.action(description="Publish selected edits")
    def approve(self, request, queryset):
        for revision in queryset.filter(status="pending"):
            services.revision_approve(revision=revision, moderator=request.user)
        self.message_user(request, "Published.", messages.SUCCESS)

    @admin.action(description="Reject selected edits, with a reason")
    def reject(self, request, queryset):
        return reject_with_reason(
            self,
            request,
            queryset,
            lambda revision, user, reason: services.revision_reject(revision=revision, moderator=user, reason=reason),
        )


@admin.register(ReviewerProfile)
class ReviewerProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "display_name", "trusted")
    list_filter = ("trusted",)
    list_editable = ("trusted",)
    search_fields = ("user__email", "display_name")
    raw_id_fields = ("user",)
