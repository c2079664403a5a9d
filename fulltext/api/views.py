from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from paperhub.api import conditional
from papers import enrichments
from papers.api.views import DOI_PARAMETER
from papers.selectors import paper_or_404

from .. import selectors
from .serializers import FullTextSerializer


class PaperFullText(generics.GenericAPIView):
    """The paper's open-access full text, section by section, as PaperHub rendered it from its JATS."""

    serializer_class = FullTextSerializer
    pagination_class = None
    filter_backends = []

    @extend_schema(operation_id="papers_fulltext_retrieve", parameters=[DOI_PARAMETER], summary="A paper's full text")
    def get(self, request, doi):
        paper = paper_or_404(doi)
        full_text = selectors.full_text_for_api(paper=paper)
        if full_text is None:
            row = enrichments.enrichment_states(paper=paper).get("fulltext")
            raise NotFound(
                f"No full text of {paper.doi} is on PaperHub. {enrichments.describe(row, label='Full text')}."
            )
        return conditional(
            request,
            lambda: Response(FullTextSerializer(full_text).data),
            parts=["fulltext", paper.id, paper.updated_at, full_text.rendered_at],
            last_modified=max(paper.updated_at, full_text.rendered_at),
        )
