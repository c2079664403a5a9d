from django.contrib import admin
from django.db import models

from . import markup
from .models import (
    Author,
    Authorship,
    Domain,
    Enrichment,
    Field,
    Funding,
    Paper,
    PaperRelation,
    PaperTopic,
    PaperUpdate,
    Reference,
    Subfield,
    Topic,
)


class AuthorshipInline(admin.TabularInline):
    model = Authorship
    extra = 0
    raw_id_fields = ("author",)
    ordering = ("role", "position")


class FundingInline(admin.TabularInline):
    model = Funding
    extra = 0
    ordering = ("position",)


class PaperTopicInline(admin.TabularInline):
    model = PaperTopic
    extra = 0
    raw_id_fields = ("topic",)


class PaperUpdateInline(admin.TabularInline):
    model = PaperUpdate
    extra = 0


class PaperRelationInline(admin.TabularInline):
    """Its other versions as its own record names them (the import rewrites them; the other side is derived)."""

    model = PaperRelation
    fk_name = "paper"
    extra = 0
    raw_id_fields = ("other_paper",)


class EnrichmentInline(admin.TabularInline):
    """Where each enrichment stands, in words: "Full text: not open access", "Summary: retrying in 40 s"."""

    model = Enrichment
    extra = 0
    can_delete = False
    fields = ("kind", "state", "detail", "source", "upstream_status", "checked_at", "next_check_at", "attempts")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Enrichment)
class EnrichmentAdmin(admin.ModelAdmin):
    list_display = ("paper", "kind", "state", "detail", "upstream_status", "checked_at", "next_check_at")
    list_filter = ("kind", "state")
    search_fields = ("paper__doi", "detail")
    raw_id_fields = ("paper",)
    readonly_fields = ("checked_at", "updated_at")
    actions = ("check_again",)

    @admin.action(description="Check again now")
    def check_again(self, request, queryset):
        from . import enrichments

        count = 0
        for row in queryset.select_related("paper"):
            count += len(enrichments.enrichments_queue(paper=row.paper, force=True, only=(row.kind,)))
        self.message_user(request, f"{count} enrichment(s) queued.")


@admin.register(Paper)
class PaperAdmin(admin.ModelAdmin):
    # Links typed without a scheme are https (Django 6's default; saying so silences its deprecation warning).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ("doi", "title", "container_title", "published_date", "work_type", "fetch_state", "created_at")
    list_filter = ("fetch_state", "work_type", "published_precision", "metadata_source")
    search_fields = ("doi", "title", "container_title", "pmid", "pmcid", "arxiv_id")
    date_hierarchy = "created_at"
    readonly_fields = (
        "title_html",
        "created_at",
        "updated_at",
        "fetched_at",
        "openalex_cited_by_count",
        "openalex_cited_by_count_at",
    )
    inlines = (
        AuthorshipInline,
        FundingInline,
        PaperTopicInline,
        PaperUpdateInline,
        PaperRelationInline,
        EnrichmentInline,
    )

    def save_model(self, request, obj, form, change):
        _clean_title(obj, form)
        super().save_model(request, obj, form, change)


def _clean_title(obj, form) -> None:
    """A title typed in the admin may carry markup too (<i>E. coli</i>): stored plain, its fragment beside it.

    title_html is read-only here: it is marked safe on pages, so only papers.markup writes it.
    """
    if "title" in form.changed_data or (obj.title and not obj.title_html):
        title = markup.title(obj.title)
        obj.title, obj.title_html = title.text, title.html


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ("display_name", "family_name", "given_name", "orcid")
    search_fields = ("family_name", "given_name", "literal_name", "orcid")
    list_filter = (("orcid", admin.EmptyFieldListFilter),)


@admin.register(Authorship)
class AuthorshipAdmin(admin.ModelAdmin):
    list_display = ("paper", "role", "position", "author")
    list_filter = ("role",)
    search_fields = ("paper__doi", "author__family_name", "author__literal_name")
    raw_id_fields = ("paper", "author")


@admin.register(Reference)
class ReferenceAdmin(admin.ModelAdmin):
    list_display = ("paper", "position", "doi", "pmid", "year", "cited_paper")
    list_filter = (("doi", admin.EmptyFieldListFilter), ("pmid", admin.EmptyFieldListFilter))
    search_fields = ("paper__doi", "doi", "pmid", "title", "raw")
    raw_id_fields = ("paper", "cited_paper")
    readonly_fields = ("title_html",)

    def save_model(self, request, obj, form, change):
        _clean_title(obj, form)
        super().save_model(request, obj, form, change)


@admin.register(PaperUpdate)
class PaperUpdateAdmin(admin.ModelAdmin):
    list_display = ("paper", "kind", "notice_doi", "date")
    list_filter = ("kind",)
    search_fields = ("paper__doi", "notice_doi")
    raw_id_fields = ("paper",)


@admin.register(Domain)
class DomainAdmin(admin.ModelAdmin):
    list_display = ("openalex_id", "name")
    search_fields = ("openalex_id", "name")


@admin.register(Field)
class FieldAdmin(admin.ModelAdmin):
    list_display = ("openalex_id", "name", "domain")
    list_filter = ("domain",)
    search_fields = ("openalex_id", "name")


@admin.register(Subfield)
class SubfieldAdmin(admin.ModelAdmin):
    list_display = ("openalex_id", "name", "field")
    list_filter = ("field__domain",)
    search_fields = ("openalex_id", "name")


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ("openalex_id", "name", "subfield")
    list_filter = ("subfield__field__domain",)
    search_fields = ("openalex_id", "name")
    list_select_related = ("subfield",)


@admin.register(PaperTopic)
class PaperTopicAdmin(admin.ModelAdmin):
    list_display = ("paper", "topic", "score", "is_primary")
    list_filter = ("is_primary",)
    search_fields = ("paper__doi", "topic__name")
    raw_id_fields = ("paper", "topic")
