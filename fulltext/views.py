from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from .models import FigureImage


@require_safe
def figure_image(request: HttpRequest, pk: int) -> FileResponse:
    """A stored figure image, from whatever storage holds it; its content never changes, so caches keep it."""
    image = get_object_or_404(FigureImage, pk=pk, state=FigureImage.State.STORED)
    try:
        handle = image.image.open("rb")
    except FileNotFoundError:
        raise Http404("The figure's image is missing from storage.") from None
    response = FileResponse(handle, content_type=image.content_type)
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    response["Content-Security-Policy"] = "default-src 'none'"  # an image, never a document
    return response
