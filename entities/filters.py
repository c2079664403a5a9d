"""`entity=<type>:<identifier>` on papers' filter set (the API's paper list and the search page).

papers knows nothing of entities: entities.apps calls register() from ready() (papers.extensions.register_filter).
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Exists, OuterRef

from .models import EntityType, PaperEntity

TYPES_TEXT = ", ".join(EntityType.values)


class EntityRefField(forms.CharField):
    """ "gene:673", "chemical:MESH:D003042" (the identifier may hold colons) -> (type, identifier)."""

    def to_python(self, value):
        text = super().to_python(value).strip()
        if not text:
            return None
        type_, sep, identifier = text.partition(":")
        if not sep or not identifier.strip():
            raise forms.ValidationError(
                f"Give a type and an identifier, as in gene:673 or chemical:MESH:D003042 (types: {TYPES_TEXT}).",
                code="invalid",
            )
        type_ = type_.strip().lower()
        if type_ not in EntityType.values:
            raise forms.ValidationError(
                f"“{type_}” is not an entity type; the types are {TYPES_TEXT}.", code="invalid_type"
            )
        return type_, identifier.strip()


class EntityFilter(django_filters.CharFilter):
    field_class = EntityRefField


def parse_entity_ref(text: str) -> tuple[str, str]:
    """The same reading as the filter's, for callers outside a form; raises forms.ValidationError."""
    return EntityRefField().clean(text)


def filter_entity(queryset, name, value):
    if not value:
        return queryset
    type_, identifier = value
    mentions = PaperEntity.objects.filter(paper=OuterRef("pk"), entity__type=type_, entity__identifier=identifier)
    return queryset.filter(Exists(mentions))


def entity_filter() -> EntityFilter:
    return EntityFilter(
        method=filter_entity,
        help_text="Papers that mention an entity, as type:identifier, e.g. gene:673, chemical:MESH:D003042, "
        f"species:9606, variant:rs113488022, cellline:CVCL_0062. Types: {TYPES_TEXT}.",
    )


def register() -> None:
    from papers.extensions import PaperFilterField, register_filter

    register_filter(PaperFilterField(name="entity", filter=entity_filter(), label="Entity", placeholder="gene:673"))
