from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from paperhub.api import CursorPage, conditional
from papers import enrichments
from papers.api.views import DOI_PARAMETER
from papers.selectors import paper_or_404

from .. import selectors
from ..models import EntityType
from .serializers import EntityDetailSerializer, EntityPaperSerializer, PaperEntitiesSerializer, entity_fields

TYPE_PARAMETER = OpenApiParameter(
    "type",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    enum=EntityType.values,
    description="The entity's type: gene, chemical, disease, species, variant (a mutation), cellline or other.",
)
IDENTIFIER_PARAMETER = OpenApiParameter(
    "identifier",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="Its canonical identifier, e.g. 673 (NCBI Gene), MESH:D003042, 9606, rs113488022, CVCL_0062.",
)


MAX = CursorPage.max_page_size


class PaperEntities(generics.GenericAPIView):
    """The genes, chemicals, diseases, species, mutations and cell lines a paper mentions, per PubTator3."""

    serializer_class = PaperEntitiesSerializer
    pagination_class = None
    filter_backends = []

    @extend_schema(
        operation_id="papers_entities_retrieve",
        parameters=[DOI_PARAMETER],
        summary="Entities a paper mentions",
        description="Each entity with its record, how often the paper mentions it and where its mentions are in "
        "the page's text (offsets into the text content of the element with that data-entity-target: abstract "
        "or a full-text section's id). Most mentioned first. Supports ETag and Last-Modified.",
    )
    def get(self, request, doi):
        paper = paper_or_404(doi)
        annotations, rows = selectors.entities_for_api(paper=paper)
        if annotations is None and not rows:
            row = enrichments.enrichment_states(paper=paper).get("entities")
            raise NotFound(
                f"No entities of {paper.doi} are on PaperHub. {enrichments.describe(row, label='Entities')}."
            )

        def body():
            return Response(
                PaperEntitiesSerializer(
                    {
                        "doi": paper.doi,
                        "scope": annotations.scope if annotations else "",
                        "mentions": annotations.mentions if annotations else sum(r.mentions for r in rows),
                        "placed": annotations.placed if annotations else 0,
                        "fetched_at": annotations.fetched_at if annotations else None,
                        "entities": rows,
                        "unlinked": annotations.unlinked if annotations else [],
                    },
                    context={"request": request},
                ).data
            )

        # Whatever changes a paper's entities moves its updated_at (entities.services calls papers_touch).
        return conditional(
            request, body, parts=["entities", paper.id, paper.updated_at], last_modified=paper.updated_at
        )


class EntityPapersPage(CursorPage):
    ordering = ("-mentions", "-id")


class EntityDetail(generics.GenericAPIView):
    """One entity and the papers on PaperHub that mention it, most mentions first, a page at a time."""

    serializer_class = EntityDetailSerializer
    pagination_class = EntityPapersPage
    filter_backends = []

    @extend_schema(
        operation_id="entities_retrieve",
        summary="One entity and the papers that mention it",
        parameters=[
            TYPE_PARAMETER,
            IDENTIFIER_PARAMETER,
            OpenApiParameter("cursor", OpenApiTypes.STR, description="The pagination cursor value."),
            OpenApiParameter(
                "page_size",
                OpenApiTypes.INT,
                description=f"Papers per page, 1 to {MAX} (more gives {MAX}).",
            ),
        ],
    )
    def get(self, request, type, identifier):
        if type not in EntityType.values:
            raise NotFound(f"“{type}” is not an entity type; the types are {', '.join(EntityType.values)}.")
        entity = selectors.entity_get(type=type, identifier=identifier)
        if entity is None:
            raise NotFound(f"No paper on PaperHub mentions the {EntityType(type).label.lower()} {identifier}.")
        papers = selectors.entity_papers(entity=entity)
        page = self.paginate_queryset(papers)
        return Response(
            {
                **entity_fields(entity, request),
                "paper_count": papers.count(),
                "next": self.paginator.get_next_link(),
                "previous": self.paginator.get_previous_link(),
                "results": EntityPaperSerializer(page, many=True, context={"request": request}).data,
            }
        )
