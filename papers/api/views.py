from django.db.models import Count
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response

from paperhub.api import StrictOrderingFilter, conditional, idempotent
from paperhub.caching import current_payload, keep, origin_key, request_key
from paperhub.limits import paper_add_limit_message

from .. import citation, selectors, services, versions
from .. import doi as doi_lib
from ..models import Reference, Topic, without_heavy_paper_fields
from ..selectors import paper_or_404
from .filters import PaperFilter
from .renderers import EXPORT_RENDERERS, BibTeXRenderer, CSLJSONRenderer, RISRenderer
from .serializers import (
    PaperCreatedSerializer,
    PaperCreateSerializer,
    PaperDetailSerializer,
    PaperListSerializer,
    ReferenceSerializer,
    TopicSerializer,
    paper_api_path,
)

# A cached record lives this long at most; any change to what it shows changes its key first.
RECORD_CACHE_SECONDS = 24 * 3600
LISTING_CACHE_SECONDS = 60

DOI_PARAMETER = OpenApiParameter(
    "doi",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="The DOI, in any casing; its slashes stay as they are (e.g. 10.1371/journal.pone.0033693).",
)


def canonical_doi(doi: str) -> str:
    try:
        return doi_lib.normalize_doi(doi)
    except doi_lib.InvalidDOI as exc:
        raise NotFound(str(exc)) from None


class PaperListCreate(generics.ListAPIView):
    """Papers, newest first; filter by topic, year, type, venue, reviews, videos or fetch state."""

    serializer_class = PaperListSerializer
    filterset_class = PaperFilter
    filter_backends = [*generics.ListAPIView.filter_backends, StrictOrderingFilter]
    ordering_fields = ["created_at", "published_date", "title"]
    ordering = ["-created_at"]

    def get_queryset(self):
        return selectors.papers_for_listing()

    @extend_schema(operation_id="papers_list", summary="List papers")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def list(self, request, *args, **kwargs):
        # Every client gets the same page (counts are of approved items only), so each page is kept until any
        # paper changes (versions.generation), LISTING_CACHE_SECONDS at most.
        key = request_key(f"api-list:{request.accepted_renderer.format}", request)
        generation, stored = versions.generation(also=key)
        kept = current_payload(stored, generation) if generation is not None else None
        if kept is not None:
            return Response(kept)
        response = super().list(request, *args, **kwargs)
        if generation is not None and response.status_code == 200:
            keep(key, generation, response.data, LISTING_CACHE_SECONDS)
        return response

    @extend_schema(
        operation_id="papers_create",
        summary="Add a paper",
        request=PaperCreateSerializer,
        responses={202: PaperCreatedSerializer, 200: PaperCreatedSerializer},
        examples=[
            OpenApiExample("By DOI URL", value={"doi": "https://doi.org/10.7554/eLife.01567"}, request_only=True)
        ],
        description="Queues the metadata import (202) or finds the paper already here (200). Accepts a DOI in any "
        "form, an arXiv id, a PMID or a PMCID; a PMID or PMCID is looked up at NCBI first (202 with the "
        "lookup's page).",
    )
    @idempotent
    def post(self, request):
        serializer = PaperCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        limited = paper_add_limit_message(request)
        if limited:
            from rest_framework.exceptions import Throttled

            raise Throttled(detail=limited, wait=3600)
        result = services.identifier_request_import(text=serializer.validated_data["doi"])
        if result.paper:
            body = {
                "url": request.build_absolute_uri(paper_api_path(result.paper.doi)),
                "html_url": request.build_absolute_uri(result.paper.get_absolute_url()),
                "state": result.paper.fetch_state,
                "created": result.created,
            }
            code = status.HTTP_202_ACCEPTED if result.created else status.HTTP_200_OK
        else:
            page = request.build_absolute_uri(result.lookup.get_absolute_url())
            body = {"url": page, "html_url": page, "state": result.lookup.state, "created": result.created}
            code = status.HTTP_202_ACCEPTED
        return Response(body, status=code, headers={"Location": body["url"]})


class PaperDetail(generics.GenericAPIView):
    serializer_class = PaperDetailSerializer
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, *EXPORT_RENDERERS]
    pagination_class = None
    filter_backends = []

    @extend_schema(
        operation_id="papers_retrieve",
        summary="One paper, or its citation",
        parameters=[DOI_PARAMETER],
        responses={
            200: PaperDetailSerializer,
            (200, BibTeXRenderer.media_type): OpenApiResponse(OpenApiTypes.STR, description="BibTeX"),
            (200, RISRenderer.media_type): OpenApiResponse(OpenApiTypes.STR, description="RIS"),
            (200, CSLJSONRenderer.media_type): OpenApiResponse(OpenApiTypes.OBJECT, description="CSL-JSON"),
        },
        description="The full record. With `Accept: application/x-bibtex`, `application/x-research-info-systems` "
        "or `application/vnd.citationstyles.csl+json` (or `?format=bibtex|ris|csl`), the citation in "
        "that format, as doi.org answers. Supports ETag and Last-Modified.",
    )
    def get(self, request, doi):
        doi = canonical_doi(doi)
        export = request.accepted_renderer.format
        # The record is kept per paper version, read with the version in one cache round trip: a repeat or a 304
        # costs no query (profiled: the version query was a third of a cached record's time).
        key = f"api-record:{versions.digest(doi)}:{export}:{origin_key(request)}"
        version, stored = versions.current(doi, also=key)
        if version is None:
            raise NotFound(f"No paper with DOI {doi} is on PaperHub.")
        return conditional(
            request,
            lambda: Response(self._stored_or_built_body(doi, version, export, key, stored)),
            parts=[version.id, version.updated_at, export],
            last_modified=version.updated_at,
        )

    def _stored_or_built_body(self, doi, version, export, key, stored):
        body = current_payload(stored, version)
        if body is None:
            paper = selectors.paper_get_for_page(doi=doi)
            if paper is None:  # deleted since the version was read
                raise NotFound(f"No paper with DOI {doi} is on PaperHub.")
            body = self._body(paper, export)
            keep(key, version, body, RECORD_CACHE_SECONDS)
        return body

    def _body(self, paper, export):
        if export == "bibtex":
            return citation.bibtex(paper)
        if export == "ris":
            return citation.ris(paper)
        if export == "csl":
            return citation.csl_json(paper)
        return PaperDetailSerializer(paper, context={"request": self.request}).data


class PaperReferences(generics.ListAPIView):
    """The paper's reference list, in the paper's order."""

    serializer_class = ReferenceSerializer
    pagination_class = None
    filter_backends = []

    def get_queryset(self):
        paper = paper_or_404(self.kwargs["doi"])
        return without_heavy_paper_fields(
            Reference.objects.filter(paper=paper).select_related("cited_paper"), "cited_paper"
        ).order_by("position")

    @extend_schema(operation_id="papers_references", parameters=[DOI_PARAMETER], summary="References of a paper")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class PaperCitations(generics.ListAPIView):
    """Papers on PaperHub whose reference lists cite this paper."""

    serializer_class = PaperListSerializer
    filter_backends = []

    def get_queryset(self):
        paper = paper_or_404(self.kwargs["doi"])
        return selectors.papers_for_listing().filter(references__cited_paper=paper).distinct()

    @extend_schema(operation_id="papers_citations", parameters=[DOI_PARAMETER], summary="Papers here that cite it")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class TopicList(generics.ListAPIView):
    """OpenAlex topics with their subfield > field > domain and how many papers here have each."""

    serializer_class = TopicSerializer
    filter_backends = [StrictOrderingFilter]
    ordering_fields = ["name", "paper_count"]
    ordering = ["name"]
    permission_classes = [AllowAny]

    def get_queryset(self):
        return Topic.objects.select_related("subfield__field__domain").annotate(
            paper_count=Count("paper_topics", distinct=True)
        )


class TopicDetail(generics.RetrieveAPIView):
    serializer_class = TopicSerializer
    lookup_field = "openalex_id"
    lookup_url_kwarg = "id"
    filter_backends = []

    def get_queryset(self):
        return TopicList.get_queryset(self)

    @extend_schema(
        operation_id="topics_retrieve",
        summary="One topic",
        parameters=[
            OpenApiParameter(
                "id", OpenApiTypes.STR, OpenApiParameter.PATH, description="OpenAlex topic id, e.g. T11478."
            )
        ],
    )
    def get(self, request, id):
        topic = get_object_or_404(self.get_queryset(), openalex_id=id)
        return Response(TopicSerializer(topic, context={"request": request}).data)
