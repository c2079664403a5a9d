"""Figure images: copied by the worker into our storage, checked, served by us; a failure shows the caption."""

import io
import struct
import zlib

import pytest
from bs4 import BeautifulSoup
from PIL import Image

from fulltext import figures, services
from fulltext.models import FigureImage, FullText
from papers import enrichments
from tests.fake_upstream.server import Fail
from tests.papers.factories import PaperFactory

pytestmark = pytest.mark.django_db


def png(width=40, height=30) -> bytes:
    # No figure image was ever recorded from Europe PMC: this one is drawn by the test (constructed, not upstream).
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A valid PNG header saying it is width × height: what a decompression bomb looks like to its reader."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


def test_image_check_accepts_real_images_and_says_why_it_refuses_others():
    assert figures.image_check(png()) == ("image/png", 40, 30)
    for body, reason in [
        (b"<!DOCTYPE html><html><body>Not found</body></html>", "not an image"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "not an image"),
        (png_claiming(100_000, 100_000), "too large"),
        (png_claiming(7_000, 7_000), "pixels"),
        (b"", "not an image"),
    ]:
        with pytest.raises(figures.NotAnImage, match=reason):
            figures.image_check(body)


def stored_nar_text(fake_upstream):
    paper = PaperFactory(doi="10.1093/nar/gkr715", pmcid="PMC3258128")
    row = enrichments.enrichment_start(paper_id=paper.id, kind="fulltext")
    services.fulltext_fetch(paper=row.paper, row=row)
    return paper, FullText.objects.get(paper=paper)


def test_figures_are_copied_checked_and_then_shown_from_our_own_site(client, fake_upstream, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    paper, full_text = stored_nar_text(fake_upstream)
    images = list(full_text.images.order_by("id"))
    assert len(images) == 5 and all(i.state == "pending" for i in images)
    assert all(i.source_url.startswith(settings.EUROPEPMC_ARTICLES_URL) for i in images)
    # The first is a PNG, the second an HTML error page with status 200, the third too big; the rest are 404s.
    settings.FULLTEXT_FIGURE_MAX_BYTES = 50_000
    fake_upstream.script(
        "europepmc-articles",
        Fail(200, body=png(), content_type="image/png"),
        Fail(200, body=b"<html><body>Error</body></html>", content_type="image/jpeg"),
        Fail(200, body=b"\xff" * 60_000, content_type="image/jpeg"),
    )
    assert figures.figures_fetch(full_text_id=full_text.id) is True
    states = list(full_text.images.order_by("id").values_list("state", flat=True))
    assert states == ["stored", "failed", "failed", "failed", "failed"]
    errors = list(full_text.images.order_by("id").values_list("error", flat=True))
    assert "not an image" in errors[1] and "limit" in errors[2] and "no such record" in errors[3]

    services.fulltext_rerender(full_text=FullText.objects.get(id=full_text.id))
    soup = BeautifulSoup(client.get(paper.get_absolute_url()).content, "html.parser")
    srcs = [img["src"] for img in soup.select("#fulltext figure img")]
    stored = images[0]
    assert srcs == [f"/figures/{stored.pk}"], "only the stored image is shown, from our own address"
    assert len(soup.select("#fulltext figure figcaption")) >= 5, "every figure keeps its caption"

    response = client.get(f"/figures/{stored.pk}")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert "immutable" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == png()
    assert client.get(f"/figures/{images[1].pk}").status_code == 404, "a failed figure is not served"


def test_figure_outage_is_retried_not_recorded_as_failed(fake_upstream, settings, tmp_path):
    from paperhub.http import UpstreamUnavailable

    settings.MEDIA_ROOT = tmp_path
    _, full_text = stored_nar_text(fake_upstream)
    fake_upstream.script("europepmc-articles", Fail(503))
    with pytest.raises(UpstreamUnavailable):
        figures.figures_fetch(full_text_id=full_text.id)
    assert full_text.images.filter(state=FigureImage.State.FAILED).count() == 0
