"""Named entities (genes, chemicals, diseases, species, mutations, cell lines) that papers mention, per PubTator3."""

from django.db import models
from django.db.models import Q

from papers.models import Paper


class EntityType(models.TextChoices):
    GENE = "gene", "Gene"
    CHEMICAL = "chemical", "Chemical"
    DISEASE = "disease", "Disease"
    SPECIES = "species", "Species"
    VARIANT = "variant", "Mutation"
    CELL_LINE = "cellline", "Cell line"
    OTHER = "other", "Other"


class Entity(models.Model):
    """One canonical record: NCBI Gene 673, MeSH D001943, NCBI Taxonomy 9606, dbSNP rs113488022, CVCL_0062 …"""

    Type = EntityType

    type = models.CharField(max_length=10, choices=EntityType.choices)
    # Canonical, as entities.pubtator.resolve writes it: "673", "MESH:D001943", "OMIM:114480", "9606",
    # "rs113488022", "CVCL_0062"; for an unknown PubTator type, its own identifier.
    identifier = models.CharField(max_length=200)
    name = models.CharField(max_length=300, help_text="A readable name: the record's, else the most used mention.")
    url = models.URLField(max_length=500, blank=True, help_text="The authoritative record.")
    source_type = models.CharField(max_length=40, blank=True, help_text="PubTator's own type, for unknown types.")

    class Meta:
        ordering = ["type", "name"]
        constraints = [
            models.UniqueConstraint(fields=["type", "identifier"], name="entity_unique_identifier"),
            models.CheckConstraint(condition=Q(type__in=EntityType.values), name="entity_type_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.identifier} ({self.name})"


class PaperEntity(models.Model):
    """How often a paper mentions an entity (all its PubTator mentions, placed in our text or not)."""

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="paper_entities")
    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="paper_entities")
    mentions = models.PositiveIntegerField()

    class Meta:
        ordering = ["-mentions", "entity__name"]
        constraints = [
            models.UniqueConstraint(fields=["paper", "entity"], name="paperentity_unique"),
            models.CheckConstraint(condition=Q(mentions__gte=1), name="paperentity_mentions_positive"),
        ]
        indexes = [models.Index(fields=["entity", "-mentions"], name="paperentity_by_entity")]

    def __str__(self) -> str:
        return f"{self.paper_id}: {self.entity} ×{self.mentions}"


class Annotations(models.Model):
    """A paper's PubTator3 document, reduced to what pages show: placed spans and mentions that name nothing."""

    paper = models.OneToOneField(Paper, on_delete=models.CASCADE, related_name="annotations")
    scope = models.CharField(max_length=10, choices=[("abstract", "Title and abstract"), ("full", "Full text")])
    # [{"target": "abstract" | a full-text section id, "start", "end", "type", "identifier"}], offsets in the
    # target's text as the page renders it (entities.placement); the page's script highlights them.
    spans = models.JSONField(default=list)
    unlinked = models.JSONField(
        default=list, help_text='[{"type", "text", "mentions"}]: mentions PubTator could not normalize.'
    )
    mentions = models.PositiveIntegerField(default=0, help_text="Every mention PubTator returned.")
    placed = models.PositiveIntegerField(default=0, help_text="Mentions placed exactly in our text.")
    fetched_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Annotations of {self.paper_id} ({self.placed}/{self.mentions} placed)"
