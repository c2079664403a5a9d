"""What the paper page's entity section, the entity pages and the API read."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import F, QuerySet

from papers.models import Paper
from papers.selectors import papers_for_listing

from .models import Annotations, Entity, EntityType, PaperEntity

# The section's order, and each group's heading.
TYPE_ORDER = [
    EntityType.GENE,
    EntityType.CHEMICAL,
    EntityType.DISEASE,
    EntityType.SPECIES,
    EntityType.VARIANT,
    EntityType.CELL_LINE,
    EntityType.OTHER,
]
GROUP_LABELS = {
    EntityType.GENE: "Genes and proteins",
    EntityType.CHEMICAL: "Chemicals",
    EntityType.DISEASE: "Diseases",
    EntityType.SPECIES: "Species",
    EntityType.VARIANT: "Mutations",
    EntityType.CELL_LINE: "Cell lines",
    EntityType.OTHER: "Other",
}


@dataclass
class EntityGroup:
    type: str
    label: str  # "Genes and proteins"
    type_label: str  # "Gene"
    rows: list[PaperEntity]  # each with .entity loaded; most mentioned first

    @property
    def mentions(self) -> int:
        return sum(row.mentions for row in self.rows)


@dataclass
class EntitySection:
    groups: list[EntityGroup]  # only types the paper mentions, in TYPE_ORDER
    unlinked: list[dict]  # [{"type", "type_label", "text", "mentions"}], most mentioned first
    spans: list[dict]  # as stored: [{"target", "start", "end", "type", "identifier"}]
    placed: int
    total: int  # every mention PubTator returned
    scope: str = ""
    fetched_at: object = None
    script_data: dict = field(default_factory=dict)  # for json_script: what the highlighting script reads

    @property
    def entity_count(self) -> int:
        return sum(len(group.rows) for group in self.groups)


def _type_label(type_: str) -> str:
    try:
        return EntityType(type_).label
    except ValueError:
        return type_.capitalize()


def paper_entities(*, paper: Paper) -> list[PaperEntity]:
    """A paper's entities with their counts, most mentioned first. One query."""
    return list(
        PaperEntity.objects.filter(paper=paper)
        .select_related("entity")
        .order_by("-mentions", "entity__name", "entity_id")
    )


def entities_for_page(paper: Paper) -> EntitySection | None:
    """The paper page's entity section; None when PubTator has given nothing. Two queries, whatever the count."""
    annotations = Annotations.objects.filter(paper=paper).first()
    rows = paper_entities(paper=paper)
    if annotations is None and not rows:
        return None
    by_type: dict[str, list[PaperEntity]] = defaultdict(list)
    for row in rows:
        by_type[row.entity.type if row.entity.type in EntityType.values else EntityType.OTHER].append(row)
    groups = [
        EntityGroup(type=t.value, label=GROUP_LABELS[t], type_label=t.label, rows=by_type[t.value])
        for t in TYPE_ORDER
        if by_type.get(t.value)
    ]
    unlinked = sorted(
        (
            {
                "type": item.get("type", ""),
                "type_label": _type_label(item.get("type", "")),
                "text": item.get("text", ""),
                "mentions": item.get("mentions", 1),
            }
            for item in (annotations.unlinked if annotations else [])
        ),
        key=lambda item: (-item["mentions"], item["text"].casefold()),
    )
    spans = list(annotations.spans) if annotations else []
    return EntitySection(
        groups=groups,
        unlinked=unlinked,
        spans=spans,
        placed=annotations.placed if annotations else 0,
        total=annotations.mentions if annotations else sum(row.mentions for row in rows),
        scope=annotations.get_scope_display() if annotations else "",
        fetched_at=annotations.fetched_at if annotations else None,
        script_data={
            # The script labels each mark "<name> · <Type> · <identifier>" from these; spans stay as stored.
            "types": {t.value: t.label for t in EntityType},
            "names": {f"{row.entity.type}:{row.entity.identifier}": row.entity.name for row in rows},
            "spans": spans,
        },
    )


def entities_for_api(*, paper: Paper) -> tuple[Annotations | None, list[PaperEntity]]:
    """A paper's annotations record and its entities, each entity with `.spans` (its placed mentions). Two queries."""
    annotations = Annotations.objects.filter(paper=paper).first()
    rows = paper_entities(paper=paper)
    spans: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for span in annotations.spans if annotations else []:
        spans[(span.get("type"), span.get("identifier"))].append(
            {"target": span["target"], "start": span["start"], "end": span["end"]}
        )
    for row in rows:
        row.spans = spans.get((row.entity.type, row.entity.identifier), [])
    return annotations, rows


def entity_get(*, type: str, identifier: str) -> Entity | None:
    return Entity.objects.filter(type=type, identifier=identifier).first()


def entity_papers(*, entity: Entity) -> QuerySet[Paper]:
    """Papers on PaperHub that mention the entity, each with `mentions`, most mentions first (then newest)."""
    return (
        papers_for_listing()
        .filter(paper_entities__entity=entity)
        .annotate(mentions=F("paper_entities__mentions"))
        .order_by("-mentions", "-id")
    )
