import django_filters
from django import forms

from paperhub.api import StrictBooleanFilter

from ..models import FetchState, Paper
from ..search import clean_query, papers_matching


class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class PaperFilter(django_filters.FilterSet):
    topic = django_filters.CharFilter(
        field_name="paper_topics__topic__openalex_id", distinct=True, help_text="OpenAlex topic id, e.g. T11478."
    )
    subfield = django_filters.CharFilter(
        field_name="paper_topics__topic__subfield__openalex_id",
        distinct=True,
        help_text="OpenAlex subfield id, e.g. 1705.",
    )
    field = django_filters.CharFilter(
        field_name="paper_topics__topic__subfield__field__openalex_id",
        distinct=True,
        help_text="OpenAlex field id, e.g. 17.",
    )
    domain = django_filters.CharFilter(
        field_name="paper_topics__topic__subfield__field__domain__openalex_id",
        distinct=True,
        help_text="OpenAlex domain id, e.g. 3.",
    )
    year_min = YearFilter(
        field_name="published_date__year",
        lookup_expr="gte",
        min_value=1,
        max_value=9999,
        help_text="Published in this year or later.",
    )
    year_max = YearFilter(
        field_name="published_date__year",
        lookup_expr="lte",
        min_value=1,
        max_value=9999,
        help_text="Published in this year or earlier.",
    )
    type = django_filters.CharFilter(field_name="work_type", help_text="Crossref work type, e.g. journal-article.")
    container = django_filters.CharFilter(
        field_name="container_title",
        lookup_expr="icontains",
        help_text="Words of the journal, book or proceedings title.",
    )
    # has_reviews, has_videos …: added by the apps that count them (add_has_filter, from papers.extensions); other
    # filters (entity …) by the apps that own them (add_filter).
    state = django_filters.ChoiceFilter(
        field_name="fetch_state",
        choices=FetchState.choices,
        help_text="Metadata fetch state. Without it, only papers whose metadata has arrived are listed.",
    )
    q = django_filters.CharFilter(
        method="filter_q", help_text="Full-text search over title, authors, venue and abstract (web-search syntax)."
    )

    class Meta:
        model = Paper
        fields = []

    def filter_queryset(self, queryset):
        # Papers no upstream has (yet) described are placeholders: asking for a state is how to list them.
        if not self.form.cleaned_data.get("state"):
            queryset = queryset.listed()
        return super().filter_queryset(queryset)

    def filter_q(self, queryset, name, value):
        return papers_matching(queryset, clean_query(value).text)


def add_has_filter(count) -> None:
    """`has_<name>=true|false` for a PaperCount an app registered (papers.extensions)."""

    def filter_has(queryset, name, value):
        exists = count.exists()
        return queryset.filter(exists if value else ~exists)

    PaperFilter.base_filters[f"has_{count.name}"] = StrictBooleanFilter(
        method=filter_has, help_text=f"Has {count.label[0].lower()}{count.label[1:].rstrip('.')}."
    )


def add_filter(name: str, filter: django_filters.Filter) -> None:
    """Another app's own filter (papers.extensions.register_filter): every FilterSet made from now on has it."""
    PaperFilter.base_filters[name] = filter
