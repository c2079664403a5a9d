from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from .. import doi as doi_lib
from .. import enrichments, extensions, markup
from ..identifiers import InvalidIdentifier, parse_identifier
from ..licences import licence_name
from ..models import Enrichment, Paper, Reference, RelationKind, Topic, doi_path


def _abs(request, path: str) -> str:
    return request.build_absolute_uri(path) if request else path


def paper_api_path(doi: str, suffix: str = "") -> str:
    return doi_path("api:paper-detail", doi) + suffix


class PublishedSerializer(serializers.Serializer):
    date = serializers.CharField(help_text="YYYY, YYYY-MM or YYYY-MM-DD, as precise as the record is.")
    precision = serializers.ChoiceField(choices=["year", "month", "day"])


def _published(paper: Paper) -> dict | None:
    return {"date": paper.published_iso, "precision": paper.published_precision} if paper.published_date else None


TITLE_HELP = "Plain text: no tags, no entities."
TITLE_HTML_HELP = (
    'The title as an HTML fragment with its inline markup: <i>, <b>, <sub>, <sup>, <span class="small-caps"> and '
    "MathML, nothing else and no other attributes. The plain title, escaped, when the source had no markup."
)


def _title_html(item) -> str:
    return markup.fragment(item.title_html, item.title)


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "A paper in a list",
            value={
                "doi": "10.1371/journal.pone.0033693",
                "title": "Methylphenidate Exposure Induces Dopamine Neuron Loss and Activation of Microglia …",
                "title_html": "Methylphenidate Exposure Induces Dopamine Neuron Loss and Activation of Microglia …",
                "container_title": "PLoS ONE",
                "published": {"date": "2012-03-21", "precision": "day"},
                "work_type": "journal-article",
                "fetch_state": "ready",
                "review_count": 0,
                "video_count": 0,
                "url": "https://paperhub.example/api/v1/papers/10.1371/journal.pone.0033693/",
                "html_url": "https://paperhub.example/doi/10.1371/journal.pone.0033693",
            },
            response_only=True,
        )
    ]
)
class PaperListSerializer(serializers.Serializer):
    doi = serializers.CharField()
    title = serializers.CharField(help_text=TITLE_HELP)
    title_html = serializers.SerializerMethodField(help_text=TITLE_HTML_HELP)
    container_title = serializers.CharField(help_text="Journal, book or proceedings.")
    published = serializers.SerializerMethodField()
    work_type = serializers.CharField(help_text="Crossref's type, e.g. journal-article.")
    fetch_state = serializers.ChoiceField(choices=Paper.FetchState.choices)
    # review_count, video_count …: one per count other apps register (papers.extensions), added in get_fields.
    url = serializers.SerializerMethodField(help_text="This paper in the API.")
    html_url = serializers.SerializerMethodField(help_text="The paper's page.")

    @extend_schema_field(PublishedSerializer(allow_null=True))
    def get_published(self, paper):
        return _published(paper)

    def get_fields(self):
        fields = super().get_fields()
        for count in extensions.counts():
            fields[count.attribute] = serializers.IntegerField(help_text=count.label)
        return fields

    def get_title_html(self, paper) -> str:
        return _title_html(paper)

    def get_url(self, paper) -> str:
        return _abs(self.context.get("request"), paper_api_path(paper.doi))

    def get_html_url(self, paper) -> str:
        return _abs(self.context.get("request"), paper.get_absolute_url())

    def to_representation(self, paper):
        # The fields above declare the schema. Walking them field by field was half of a 50-paper page's time
        # (profiled), so the dict is built directly; a test checks both agree.
        request = self.context.get("request")
        return {
            "doi": paper.doi,
            "title": paper.title,
            "title_html": _title_html(paper),
            "container_title": paper.container_title,
            "published": _published(paper),
            "work_type": paper.work_type,
            "fetch_state": paper.fetch_state,
            **{count.attribute: getattr(paper, count.attribute) for count in extensions.counts()},
            "url": _abs(request, paper_api_path(paper.doi)),
            "html_url": _abs(request, paper.get_absolute_url()),
        }


class AuthorSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    name = serializers.CharField(help_text="As displayed.")
    given_name = serializers.CharField(allow_blank=True)
    family_name = serializers.CharField(allow_blank=True)
    literal_name = serializers.CharField(allow_blank=True, help_text="For groups and consortia.")
    orcid = serializers.CharField(allow_null=True, help_text="ORCID iD, e.g. 0000-0002-1825-0097.")
    affiliations = serializers.ListField(child=serializers.CharField())


class FundingSerializer(serializers.Serializer):
    funder_name = serializers.CharField()
    funder_doi = serializers.CharField(
        allow_blank=True, help_text="The funder's DOI in Crossref's Funder Registry, e.g. 10.13039/100000001."
    )
    funder_openalex_id = serializers.CharField(allow_blank=True, help_text="OpenAlex funder id, e.g. F4320306076.")
    awards = serializers.ListField(child=serializers.CharField(), help_text="Award (grant) numbers, as printed.")


class TaxonNodeSerializer(serializers.Serializer):
    id = serializers.CharField(source="openalex_id", help_text="OpenAlex id.")
    name = serializers.CharField()


class PaperTopicSerializer(serializers.Serializer):
    id = serializers.CharField(source="topic.openalex_id", help_text="OpenAlex topic id, e.g. T11478.")
    name = serializers.CharField(source="topic.name")
    score = serializers.FloatField()
    is_primary = serializers.BooleanField()
    subfield = TaxonNodeSerializer(source="topic.subfield")
    field = TaxonNodeSerializer(source="topic.subfield.field")
    domain = TaxonNodeSerializer(source="topic.subfield.field.domain")


class UpdateNoticeSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="correction, retraction, expression_of_concern, withdrawal, addendum …")
    notice_doi = serializers.CharField(allow_blank=True)
    label = serializers.CharField(allow_blank=True)
    date = serializers.DateField(allow_null=True)


class RelationSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=RelationKind.choices,
        help_text="Read from this paper's side: preprint_of (this is a preprint of that paper: its published "
        "version), has_preprint (that paper is this one's preprint), version_of, has_version.",
    )
    label = serializers.CharField(help_text='As the page says it: "Published version", "Preprint" …')
    doi = serializers.CharField()
    doi_url = serializers.URLField()
    linked_paper = serializers.URLField(allow_null=True, help_text="That paper in this API, when it is here.")
    html_url = serializers.URLField(allow_null=True, help_text="Its page here, when it is here.")
    title = serializers.CharField(allow_blank=True, help_text=TITLE_HELP + " Empty when that paper is not here.")
    container_title = serializers.CharField(allow_blank=True)
    published = PublishedSerializer(allow_null=True)


class IdentifiersSerializer(serializers.Serializer):
    doi = serializers.CharField()
    pmid = serializers.CharField(allow_blank=True)
    pmcid = serializers.CharField(allow_blank=True)
    arxiv_id = serializers.CharField(allow_blank=True)


class VenueSerializer(serializers.Serializer):
    container_title = serializers.CharField(allow_blank=True)
    volume = serializers.CharField(allow_blank=True)
    issue = serializers.CharField(allow_blank=True)
    pages = serializers.CharField(allow_blank=True)
    publisher = serializers.CharField(allow_blank=True)


class CountsSerializer(serializers.Serializer):
    references = serializers.IntegerField()
    cited_by = serializers.IntegerField(help_text="Papers on PaperHub that cite this one.")
    cited_by_openalex = serializers.IntegerField(
        allow_null=True, help_text="Works citing this one as OpenAlex counts them (null: not known)."
    )
    cited_by_openalex_at = serializers.DateTimeField(allow_null=True, help_text="When OpenAlex's count was read.")

    def get_fields(self):
        fields = super().get_fields()
        for count in extensions.counts():  # reviews, videos …: registered by the apps that own them
            fields[count.name] = serializers.IntegerField(help_text=count.label)
        return fields


class FetchSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=Paper.FetchState.choices)
    error = serializers.CharField(allow_blank=True)
    fetched_at = serializers.DateTimeField(allow_null=True)
    source = serializers.CharField(allow_blank=True, help_text="crossref, datacite, openalex …")


class LinksSerializer(serializers.Serializer):
    html = serializers.URLField()
    references = serializers.URLField()
    citations = serializers.URLField()
    reviews = serializers.URLField()
    videos = serializers.URLField()
    bibtex = serializers.URLField()
    ris = serializers.URLField()
    csl_json = serializers.URLField()


class SummarySerializer(serializers.Serializer):
    text = serializers.CharField(help_text="Plain-text paragraphs separated by blank lines.")
    source = serializers.CharField(help_text='"Author summary", "eLife digest", "TLDR by Semantic Scholar" …')


class EnrichmentSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=Enrichment.State.choices)
    detail = serializers.CharField(allow_blank=True, help_text="The outcome in words.")
    source = serializers.CharField(allow_blank=True)
    checked_at = serializers.DateTimeField(allow_null=True)
    url = serializers.CharField(allow_blank=True, help_text="Where to read it in the API, once done.")


def _enrichment_getter(kind, serializer):
    @extend_schema_field(EnrichmentSerializer(allow_null=True))
    def get(paper):
        row = next((r for r in paper.enrichments.all() if r.kind == kind.name), None)
        if row is None:
            return None
        done = row.state == Enrichment.State.DONE and kind.url
        url = _abs(serializer.context.get("request"), kind.url(paper)) if done else ""
        return {
            "state": row.state,
            "detail": row.detail,
            "source": row.source,
            "checked_at": row.checked_at,
            "url": url,
        }

    return get


def _record_getter(record_field, serializer):
    @extend_schema_field(serializers.JSONField())
    def get(paper):
        return record_field.load(paper, serializer.context.get("request"))

    return get


def _people(authorships) -> list[dict]:
    return [
        {
            "position": a.position,
            "name": a.author.display_name,
            "given_name": a.author.given_name,
            "family_name": a.author.family_name,
            "literal_name": a.author.literal_name,
            "orcid": a.author.orcid,
            "affiliations": a.affiliations,
        }
        for a in authorships
    ]


class PaperDetailSerializer(serializers.Serializer):
    """The full record. Expects a paper loaded by papers.selectors.paper_get_for_page."""

    identifiers = serializers.SerializerMethodField()
    title = serializers.CharField(help_text=TITLE_HELP)
    title_html = serializers.SerializerMethodField(help_text=TITLE_HTML_HELP)
    authors = serializers.SerializerMethodField()
    editors = serializers.SerializerMethodField()
    venue = serializers.SerializerMethodField()
    published = serializers.SerializerMethodField()
    work_type = serializers.CharField()
    language = serializers.CharField()
    license_url = serializers.CharField()
    license_name = serializers.SerializerMethodField(help_text='The licence by name ("CC BY 4.0"), else its host.')
    oa_url = serializers.CharField(help_text="Free full text, when known.")
    abstract = serializers.ListField(
        child=serializers.CharField(), source="abstract_paragraphs", help_text="Paragraphs of plain text."
    )
    summary = serializers.SerializerMethodField()
    topics = PaperTopicSerializer(many=True, source="paper_topics.all")
    updates = UpdateNoticeSerializer(many=True, source="updates.all", help_text="Corrections and retractions.")
    funding = FundingSerializer(many=True, source="fundings.all", help_text="Funders and their awards.")
    relations = serializers.SerializerMethodField(
        help_text="Its other versions (preprint, published version …), named by its own record or by theirs."
    )
    counts = serializers.SerializerMethodField()
    fetch = serializers.SerializerMethodField()
    links = serializers.SerializerMethodField()

    def get_title_html(self, paper) -> str:
        return _title_html(paper)

    def get_license_name(self, paper) -> str:
        return licence_name(paper.license_url)

    @extend_schema_field(IdentifiersSerializer)
    def get_identifiers(self, paper):
        return {"doi": paper.doi, "pmid": paper.pmid, "pmcid": paper.pmcid, "arxiv_id": paper.arxiv_id}

    @extend_schema_field(AuthorSerializer(many=True))
    def get_authors(self, paper):
        return _people(paper.author_rows)

    @extend_schema_field(AuthorSerializer(many=True))
    def get_editors(self, paper):
        return _people(paper.editor_rows)

    @extend_schema_field(VenueSerializer)
    def get_venue(self, paper):
        return {
            "container_title": paper.container_title,
            "volume": paper.volume,
            "issue": paper.issue,
            "pages": paper.pages,
            "publisher": paper.publisher,
        }

    @extend_schema_field(PublishedSerializer(allow_null=True))
    def get_published(self, paper):
        return _published(paper)

    def get_fields(self):
        fields = super().get_fields()
        for kind in enrichments.kinds():
            if kind.api_field:
                fields[kind.api_field] = serializers.SerializerMethodField()
                setattr(self, f"get_{kind.api_field}", _enrichment_getter(kind, self))
        for record_field in extensions.record_fields():  # keys other apps add (openreview …)
            fields[record_field.name] = serializers.SerializerMethodField(help_text=record_field.help_text)
            setattr(self, f"get_{record_field.name}", _record_getter(record_field, self))
        return fields

    @extend_schema_field(RelationSerializer(many=True))
    def get_relations(self, paper):
        request = self.context.get("request")
        return [
            {
                "kind": link.kind,
                "label": link.label,
                "doi": link.doi,
                "doi_url": doi_lib.doi_url(link.doi),
                "linked_paper": _abs(request, paper_api_path(link.doi)) if link.paper else None,
                "html_url": _abs(request, link.paper.get_absolute_url()) if link.paper else None,
                "title": link.paper.title if link.paper else "",
                "container_title": link.paper.container_title if link.paper else "",
                "published": _published(link.paper) if link.paper else None,
            }
            for link in paper.version_links
        ]

    @extend_schema_field(SummarySerializer(allow_null=True))
    def get_summary(self, paper):
        return {"text": paper.summary, "source": paper.summary_source} if paper.summary else None

    @extend_schema_field(CountsSerializer)
    def get_counts(self, paper):
        return {
            "references": len(paper.references.all()),
            "cited_by": paper.cited_by_count,
            "cited_by_openalex": paper.openalex_cited_by_count,
            "cited_by_openalex_at": paper.openalex_cited_by_count_at,
            **{count.name: getattr(paper, count.attribute) for count in extensions.counts()},
        }

    @extend_schema_field(FetchSerializer)
    def get_fetch(self, paper):
        return {
            "state": paper.fetch_state,
            "error": paper.fetch_error,
            "fetched_at": paper.fetched_at,
            "source": paper.metadata_source,
        }

    @extend_schema_field(LinksSerializer)
    def get_links(self, paper):
        request = self.context.get("request")
        base = paper_api_path(paper.doi)
        return {
            "html": _abs(request, paper.get_absolute_url()),
            "references": _abs(request, base + "references/"),
            "citations": _abs(request, base + "citations/"),
            "reviews": _abs(request, base + "reviews/"),
            "videos": _abs(request, base + "videos/"),
            "bibtex": _abs(request, base + "?format=bibtex"),
            "ris": _abs(request, base + "?format=ris"),
            "csl_json": _abs(request, base + "?format=csl"),
        }


class ReferenceSerializer(serializers.ModelSerializer):
    title_html = serializers.SerializerMethodField(help_text=TITLE_HTML_HELP)
    linked_paper = serializers.SerializerMethodField(help_text="The cited paper in this API, when it is here.")

    class Meta:
        model = Reference
        fields = [
            "position",
            "doi",
            "pmid",
            "raw",
            "authors",
            "title",
            "title_html",
            "journal",
            "year",
            "volume",
            "pages",
            "linked_paper",
        ]
        extra_kwargs = {"title": {"help_text": TITLE_HELP}}

    def get_title_html(self, reference) -> str:
        return _title_html(reference)

    @extend_schema_field(OpenApiTypes.URI)
    def get_linked_paper(self, reference) -> str | None:
        if reference.cited_paper_id is None:
            return None
        return _abs(self.context.get("request"), paper_api_path(reference.cited_paper.doi))


class PaperCreateSerializer(serializers.Serializer):
    doi = serializers.CharField(
        max_length=2000,
        help_text="A DOI in any form (10.…, doi:…, https://doi.org/…), an arXiv id or URL, a PMID or a PMCID.",
    )

    def validate_doi(self, value):
        try:
            parse_identifier(value)
        except InvalidIdentifier as exc:
            raise serializers.ValidationError(str(exc)) from None
        return value


class PaperCreatedSerializer(serializers.Serializer):
    url = serializers.URLField(help_text="The paper in the API (or, for a PMID/PMCID, the lookup's page).")
    html_url = serializers.URLField()
    state = serializers.CharField(help_text="The paper's fetch state, or the lookup's state.")
    created = serializers.BooleanField(help_text="False when the paper was already here.")


class TopicSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="openalex_id", help_text="OpenAlex topic id.")
    subfield = TaxonNodeSerializer()
    field = TaxonNodeSerializer(source="subfield.field")
    domain = TaxonNodeSerializer(source="subfield.field.domain")
    paper_count = serializers.IntegerField(help_text="Papers on PaperHub with this topic.")

    class Meta:
        model = Topic
        fields = ["id", "name", "subfield", "field", "domain", "paper_count"]
