import datetime as dt

import factory

from entities.models import Annotations, Entity, EntityType, PaperEntity
from tests.papers.factories import PaperFactory

RECORD_URLS = {
    EntityType.GENE: "https://www.ncbi.nlm.nih.gov/gene/{}",
    EntityType.CHEMICAL: "https://meshb.nlm.nih.gov/record/ui?ui={}",
    EntityType.DISEASE: "https://meshb.nlm.nih.gov/record/ui?ui={}",
    EntityType.SPECIES: "https://www.ncbi.nlm.nih.gov/Taxonomy/Browser/wwwtax.cgi?id={}",
    EntityType.VARIANT: "https://www.ncbi.nlm.nih.gov/snp/{}",
    EntityType.CELL_LINE: "https://www.cellosaurus.org/{}",
}


def _record_url(entity) -> str:
    pattern = RECORD_URLS.get(entity.type)
    return pattern.format(entity.identifier.removeprefix("MESH:")) if pattern else ""


class EntityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Entity
        django_get_or_create = ("type", "identifier")

    type = EntityType.GENE
    identifier = factory.Sequence(lambda n: str(1000 + n))
    name = factory.Sequence(lambda n: f"GENE{n}")
    url = factory.LazyAttribute(_record_url)


class PaperEntityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PaperEntity

    paper = factory.SubFactory(PaperFactory)
    entity = factory.SubFactory(EntityFactory)
    mentions = 1


class AnnotationsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Annotations

    paper = factory.SubFactory(PaperFactory)
    scope = "abstract"
    spans = factory.LazyFunction(list)
    unlinked = factory.LazyFunction(list)
    mentions = 0
    placed = 0
    fetched_at = factory.LazyFunction(lambda: dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC))
