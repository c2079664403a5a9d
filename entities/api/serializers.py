from django.urls import reverse
from rest_framework import serializers

from papers.api.serializers import PaperListSerializer

from ..models import EntityType


def entity_html_path(entity) -> str:
    return reverse("entities:detail", kwargs={"type": entity.type, "identifier": entity.identifier})


def entity_api_path(entity) -> str:
    return reverse("api:entity-detail", kwargs={"type": entity.type, "identifier": entity.identifier})


def _abs(request, path: str) -> str:
    return request.build_absolute_uri(path) if request else path


class EntitySerializer(serializers.Serializer):
    type = serializers.ChoiceField(
        choices=EntityType.choices,
        help_text="gene, chemical, disease, species, variant (a mutation), cellline or other.",
    )
    type_label = serializers.CharField(help_text="The type in words: Gene, Mutation, Cell line …")
    identifier = serializers.CharField(
        help_text="Canonical, as PubTator3 normalizes it: NCBI Gene 673, MESH:D001943, NCBI Taxonomy 9606, "
        "rs113488022, CVCL_0062."
    )
    name = serializers.CharField(help_text="The record's name, else the mention used most.")
    record_url = serializers.CharField(
        allow_blank=True,
        help_text="The authoritative record (NCBI Gene, MeSH, Taxonomy, dbSNP, "
        "Cellosaurus …); empty when none is known.",
    )
    url = serializers.CharField(help_text="This entity in the API.")
    html_url = serializers.CharField(help_text="The entity's page: every paper here that mentions it.")


def entity_fields(entity, request) -> dict:
    return {
        "type": entity.type,
        "type_label": entity.get_type_display(),
        "identifier": entity.identifier,
        "name": entity.name,
        "record_url": entity.url,
        "url": _abs(request, entity_api_path(entity)),
        "html_url": _abs(request, entity_html_path(entity)),
    }


class SpanSerializer(serializers.Serializer):
    target = serializers.CharField(
        help_text="Which text on the paper page: abstract, or a full-text section's id (its data-entity-target)."
    )
    start = serializers.IntegerField(help_text="Offset in the target's text content, from 0.")
    end = serializers.IntegerField(help_text="Offset just past the mention.")


class PaperEntitySerializer(EntitySerializer):
    mentions = serializers.IntegerField(help_text="How often the paper mentions it (placed in our text or not).")
    spans = SpanSerializer(many=True, help_text="Its mentions placed exactly in the page's text.")

    def to_representation(self, row):
        return {
            **entity_fields(row.entity, self.context.get("request")),
            "mentions": row.mentions,
            "spans": row.spans,
        }


class UnlinkedSerializer(serializers.Serializer):
    type = serializers.CharField()
    text = serializers.CharField(help_text="The mention as written.")
    mentions = serializers.IntegerField()


class PaperEntitiesSerializer(serializers.Serializer):
    doi = serializers.CharField()
    scope = serializers.CharField(
        allow_blank=True, help_text="abstract (title and abstract) or full (the full text); empty if unknown."
    )
    mentions = serializers.IntegerField(help_text="Every mention PubTator3 returned.")
    placed = serializers.IntegerField(help_text="Mentions placed exactly in the page's text.")
    fetched_at = serializers.DateTimeField(allow_null=True)
    entities = PaperEntitySerializer(many=True, help_text="Most mentioned first.")
    unlinked = UnlinkedSerializer(many=True, help_text="Mentions PubTator3 could not link to a record.")


class EntityPaperSerializer(PaperListSerializer):
    mentions = serializers.IntegerField(help_text="How often this paper mentions the entity.")

    def to_representation(self, paper):
        return {**super().to_representation(paper), "mentions": paper.mentions}


class EntityDetailSerializer(EntitySerializer):
    paper_count = serializers.IntegerField(help_text="Papers on PaperHub that mention it.")
    next = serializers.CharField(allow_null=True, help_text="The next page of papers.")
    previous = serializers.CharField(allow_null=True, help_text="The previous page of papers.")
    results = EntityPaperSerializer(many=True, help_text="Papers that mention it, most mentions first.")
