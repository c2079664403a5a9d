"""A paper's open-access full text: the JATS as received, and our HTML rendered from it once, at ingest."""

from django.db import models
from django.db.models import Q

from papers.models import Paper


class Source(models.TextChoices):
    EUROPE_PMC = "europepmc", "Europe PMC"
    PUBLISHER = "publisher", "the publisher's JATS"


class FullText(models.Model):
    Source = Source

    paper = models.OneToOneField(Paper, on_delete=models.CASCADE, related_name="full_text")
    source = models.CharField(max_length=12, choices=Source.choices)
    source_url = models.URLField(max_length=1000, blank=True, help_text="Where readers find the original.")
    # Kept so that a new converter re-renders every stored text without asking the upstream again.
    jats = models.TextField(help_text="The JATS XML as received.")
    converter_version = models.PositiveSmallIntegerField(
        help_text="fulltext.jats.CONVERTER_VERSION it was rendered by."
    )
    sections = models.JSONField(default=list, help_text="[{id, level, heading, heading_html, html}], in order.")
    license_url = models.URLField(max_length=500, blank=True)
    license_text = models.TextField(blank=True)
    word_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    rendered_at = models.DateTimeField()

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(source__in=Source.values), name="fulltext_source_valid")]

    def __str__(self) -> str:
        return f"Full text of {self.paper.doi} ({self.get_source_display()})"

    @property
    def toc(self) -> list[dict]:
        return [{"id": s["id"], "level": s["level"], "heading": s["heading"]} for s in self.sections]


class FigureState(models.TextChoices):
    PENDING = "pending", "Waiting to fetch"
    STORED = "stored", "Stored"
    FAILED = "failed", "Could not be fetched"


class FigureImage(models.Model):
    """A figure's image, fetched by the worker into our own storage so that pages never load it from elsewhere."""

    State = FigureState

    full_text = models.ForeignKey(FullText, on_delete=models.CASCADE, related_name="images")
    href = models.CharField(max_length=500, help_text="The <graphic xlink:href> in the JATS.")
    source_url = models.URLField(max_length=1000, blank=True, help_text="Where the worker downloads it from.")
    image = models.FileField(upload_to="figures/", blank=True)
    content_type = models.CharField(max_length=40, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    state = models.CharField(max_length=8, choices=FigureState.choices, default=FigureState.PENDING)
    error = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["full_text", "id"]
        constraints = [
            models.UniqueConstraint(fields=["full_text", "href"], name="figureimage_unique_href"),
            models.CheckConstraint(condition=Q(state__in=FigureState.values), name="figureimage_state_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.href} of {self.full_text_id} ({self.state})"
