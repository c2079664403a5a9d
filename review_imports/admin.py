from django.contrib import admin, messages
from django.utils.html import format_html

from paperhub.admin_actions import reject_with_reason

from . import services
from .models import ForumImport, ForumNote


class ForumNoteInline(admin.TabularInline):
    model = ForumNote
    extra = 0
    fields = ("note_id", "review", "invitation", "signature", "created", "modified", "gone")
    readonly_fields = fields
    can_delete = False
    show_change_link = True


@admin.register(ForumImport)
class ForumImportAdmin(admin.ModelAdmin):
    list_display = ("paper", "forum_id", "venue", "state", "status", "match", "decision", "fetched_at")
    list_filter = ("status", "match", "state", "api_version")
    search_fields = ("paper__doi", "forum_id", "submission_title", "venue")
    raw_id_fields = ("paper", "requested_by", "moderated_by")
    # Staff moderate and re-check here; everything else is what OpenReview said, written by the import.
    readonly_fields = (
        "forum_link",
        "match",
        "match_report_text",
        "state",
        "error",
        "upstream_status",
        "api_version",
        "venue",
        "venue_id",
        "venue_label",
        "decision",
        "submission_title",
        "withdrawn",
        "notes_listed",
        "notes_not_public",
        "fetched_at",
        "changed_at",
        "next_check_at",
        "failures",
        "status",
        "rejection_reason",
        "moderated_by",
        "moderated_at",
        "requested_at",
    )
    exclude = ("raw_notes", "match_report", "mapping_version")
    actions = ("approve", "reject", "check_again")
    inlines = (ForumNoteInline,)

    @admin.display(description="Forum")
    def forum_link(self, forum_import):
        return format_html('<a href="{}">{}</a>', forum_import.forum_url, forum_import.forum_url)

    @admin.display(description="Is it the paper's? (what was compared)")
    def match_report_text(self, forum_import):
        return format_html("<pre>{}</pre>", forum_import.match_report or "Not checked yet.")

    @admin.action(description="Publish selected forums (confirms a forum whose title differs)")
    def approve(self, request, queryset):
        for forum_import in queryset:
            services.forum_import_approve(forum_import=forum_import, moderator=request.user)
        self.message_user(request, f"Published {queryset.count()}.", messages.SUCCESS)

    @admin.action(description="Reject selected forums, with a reason")
    def reject(self, request, queryset):
        return reject_with_reason(
            self,
            request,
            queryset,
            lambda forum_import, user, reason: services.forum_import_reject(
                forum_import=forum_import, moderator=user, reason=reason
            ),
        )

    @admin.action(description="Check again now")
    def check_again(self, request, queryset):
        queued = sum(services.forum_import_queue(forum_import=forum_import) for forum_import in queryset)
        self.message_user(request, f"Queued {queued}; those already queued or running were left.", messages.SUCCESS)
