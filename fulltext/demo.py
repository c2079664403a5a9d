"""Demo full texts, from recorded real files in papers/fixtures/upstream (see its PROVENANCE.md): offline."""

from __future__ import annotations

from django.conf import settings

from papers import enrichments
from papers.demo import FIXTURES
from papers.models import Paper

from . import jats, services
from .models import FullText, Source

# (file, where it was recorded from): 10.1093/nar/gkr715 as Europe PMC serves it, eLife 01567 as eLife published it.
DEMO_FULL_TEXTS = [
    ("europepmc/fulltextxml-nar-research-article-PMC3258128.xml", Source.EUROPE_PMC),
    ("jats/elife-publisher-jats-digest-10.7554_eLife.01567.xml", Source.PUBLISHER),
]


def demo_full_texts_load() -> list[str]:
    """Store each demo full text whose paper is here and has none yet; the lines `load_demo` prints."""
    lines = []
    for name, source in DEMO_FULL_TEXTS:
        document = jats.parse((FIXTURES / name).read_bytes(), max_bytes=settings.FULLTEXT_MAX_XML_BYTES)
        paper = Paper.objects.filter(doi=document.doi).first()
        if paper is None or FullText.objects.filter(paper=paper).exists():
            continue
        url = services.europepmc_article_url(document.pmcid) if source == Source.EUROPE_PMC else paper.doi_url
        stored = services.fulltext_store(paper=paper, document=document, source=source, source_url=url)
        enrichments.enrichment_done(paper_id=paper.id, kind="fulltext", source=Source(source).label)
        lines.append(f"/doi/{paper.doi}: full text, {len(stored.body.sections)} sections ({Source(source).label})")
    return lines
