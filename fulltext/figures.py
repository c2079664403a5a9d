"""Figure images, copied by the worker into our own storage: pages never make a visitor's browser ask elsewhere.

Each download is capped in size and opened with Pillow before it is kept: only PNG, JPEG, GIF and WebP images
of sane dimensions are stored (a decompression bomb or an HTML error page is refused with a reason).
"""

from __future__ import annotations

import io
import logging
import warnings

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image

from paperhub import http

from .models import FigureImage

logger = logging.getLogger(__name__)

FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
MAX_PIXELS = 40_000_000  # a 6,000 × 6,000 figure is already generous; Pillow's own bomb guard is at 89 M


class NotAnImage(ValueError):
    pass


def image_check(data: bytes) -> tuple[str, int, int]:
    """(content type, width, height) of an image we are willing to serve; NotAnImage with the reason otherwise."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                kind, (width, height) = image.format, image.size
                # Refused on what the header says, before reading further.
                if kind not in FORMATS:
                    raise NotAnImage(f"{kind} images are not served; PNG, JPEG, GIF and WebP are")
                if width * height > MAX_PIXELS:
                    raise NotAnImage(f"the image is {width} × {height} pixels; the limit is {MAX_PIXELS:,} pixels")
                image.verify()
    except NotAnImage:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise NotAnImage("the image is too large in pixels") from None
    except Exception as exc:  # Pillow raises many kinds for a body that is not an image
        raise NotAnImage(f"not an image PaperHub can show ({type(exc).__name__})") from None
    return FORMATS[kind], width, height


def figures_fetch(*, full_text_id: int) -> bool:
    """Download the text's pending figures; True when any was stored. Upstream outages are raised (retried)."""
    stored = False
    pending = FigureImage.objects.filter(full_text_id=full_text_id, state=FigureImage.State.PENDING).exclude(
        source_url=""
    )
    for image in pending:
        try:
            data = http.get_bytes(
                "europepmc", image.source_url, max_bytes=settings.FULLTEXT_FIGURE_MAX_BYTES, accept="image/*"
            ).content
            content_type, width, height = image_check(data)
        except (http.UpstreamNotFound, http.UpstreamBadResponse, NotAnImage) as exc:
            _mark(image, FigureImage.State.FAILED, error=str(exc))
            continue
        extension = content_type.rsplit("/", 1)[-1].replace("jpeg", "jpg")
        with transaction.atomic():
            image.image.save(f"{full_text_id}-{image.pk}.{extension}", ContentFile(data), save=False)
            image.content_type, image.width, image.height = content_type, width, height
            _mark(image, FigureImage.State.STORED, error="")
        stored = True
    return stored


def _mark(image: FigureImage, state: str, *, error: str) -> None:
    image.state, image.error = state, error[:1000]
    image.save()


def figures_mark_failed(*, full_text_id: int, reason: str) -> None:
    FigureImage.objects.filter(full_text_id=full_text_id, state=FigureImage.State.PENDING).update(
        state=FigureImage.State.FAILED, error=reason[:1000]
    )
