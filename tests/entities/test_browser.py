"""The highlighting script in a real browser: marks hold exactly the spans' text, switches work, axe is content."""

import pytest
from django.utils import timezone

from entities.models import EntityType
from fulltext.models import FullText
from tests.browser import axe_violations, chromium
from tests.entities.factories import AnnotationsFactory, EntityFactory, PaperEntityFactory
from tests.papers.factories import PaperFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ABSTRACT = "BRAF V600E drives melanoma in humans.\n\nVemurafenib inhibits it."
# A section whose text has markup: "Homo sapiens" crosses from <i> into plain text, "BRAF" sits inside <b>.
SECTION_HTML = "<p>Cells of <i>Homo</i> sapiens with <b>BRAF</b> mutations.</p><p>A375 cells.</p>"
SECTION_TEXT = "Cells of Homo sapiens with BRAF mutations.A375 cells."


def span(target, text, word, entity, occurrence=0):
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(word, start + 1)
    return {
        "target": target,
        "start": start,
        "end": start + len(word),
        "type": entity.type,
        "identifier": entity.identifier,
        "text": word,  # as entities.services stores it: the words the span was placed on
    }


@pytest.fixture
def paper():
    paper = PaperFactory(doi="10.5555/browser.entities", abstract=ABSTRACT)
    FullText.objects.create(
        paper=paper,
        source="europepmc",
        jats="<article/>",
        converter_version=2,
        rendered_at=timezone.now(),
        sections=[{"id": "sec-1", "level": 2, "heading": "Results", "heading_html": "Results", "html": SECTION_HTML}],
    )
    braf = EntityFactory(type=EntityType.GENE, identifier="673", name="BRAF")
    v600e = EntityFactory(type=EntityType.VARIANT, identifier="rs113488022", name="p.V600E")
    melanoma = EntityFactory(type=EntityType.DISEASE, identifier="MESH:D008545", name="Melanoma")
    human = EntityFactory(type=EntityType.SPECIES, identifier="9606", name="Homo sapiens")
    drug = EntityFactory(type=EntityType.CHEMICAL, identifier="MESH:C551177", name="vemurafenib")
    a375 = EntityFactory(type=EntityType.CELL_LINE, identifier="CVCL_0132", name="A-375")
    for entity in (braf, v600e, melanoma, human, drug, a375):
        PaperEntityFactory(paper=paper, entity=entity, mentions=2)
    abstract = ABSTRACT.replace("\n\n", "")
    AnnotationsFactory(
        paper=paper,
        scope="full",
        spans=[
            span("abstract", abstract, "BRAF", braf),
            span("abstract", abstract, "V600E", v600e),
            span("abstract", abstract, "melanoma", melanoma),
            span("abstract", abstract, "humans", human),
            span("abstract", abstract, "Vemurafenib", drug),
            span("sec-1", SECTION_TEXT, "Homo sapiens", human),
            span("sec-1", SECTION_TEXT, "BRAF", braf),
            span("sec-1", SECTION_TEXT, "A375", a375),
            # Past the end of the text, and overlapping the one before: both left out, nothing breaks.
            {"target": "sec-1", "start": 500, "end": 504, "type": "gene", "identifier": "673"},
            {"target": "sec-1", "start": 10, "end": 20, "type": "gene", "identifier": "673"},
            # Placed on words the text no longer has (it changed since): left out, never marks "cells".
            {**span("sec-1", SECTION_TEXT, "cells", a375), "text": "genes"},
        ],
        mentions=12,
        placed=8,
    )
    return paper


MARKS_JS = """() => Array.from(document.querySelectorAll('mark.entity')).map(m => ({
  target: m.closest('[data-entity-target]').dataset.entityTarget, text: m.textContent,
  type: m.dataset.entityType, label: m.title, tab: m.tabIndex,
}))"""


def test_marks_hold_the_spans_text_switches_hide_a_type_and_axe_finds_nothing(live_server, paper):
    with chromium() as browser:
        page = browser.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.goto(f"{live_server.url}{paper.get_absolute_url()}")
        page.wait_for_selector("mark.entity")
        marks = page.evaluate(MARKS_JS)
        assert [(m["target"], m["text"], m["type"]) for m in marks] == [
            ("abstract", "BRAF", "gene"),
            ("abstract", "V600E", "variant"),
            ("abstract", "melanoma", "disease"),
            ("abstract", "humans", "species"),
            ("abstract", "Vemurafenib", "chemical"),
            ("sec-1", "Homo", "species"),  # the mention crosses </i>: a mark per piece
            ("sec-1", " sapiens", "species"),
            ("sec-1", "BRAF", "gene"),
            ("sec-1", "A375", "cellline"),
        ]
        assert marks[0]["label"] == "BRAF · Gene · 673" and marks[1]["label"] == "p.V600E · Mutation · rs113488022"
        assert [m["tab"] for m in marks[5:7]] == [0, -1]  # one tab stop per mention
        # The page's text is unchanged, markup included.
        assert page.inner_text("[data-entity-target=sec-1] i") == "Homo"
        assert page.evaluate("document.querySelector('[data-entity-target=sec-1]').textContent") == SECTION_TEXT

        # Focus shows the label on screen, not only in a title.
        page.focus("mark.entity-gene")
        after = page.evaluate("getComputedStyle(document.activeElement, '::after').content")
        assert "BRAF · Gene · 673" in after
        # Each type is told apart by its line too, not colour alone.
        styles = page.evaluate(
            """() => Object.fromEntries(['gene','chemical','disease','species','variant','cellline'].map(t => {
              const s = getComputedStyle(document.querySelector('mark.entity-' + t));
              return [t, s.textDecorationLine + ' ' + s.textDecorationStyle];
            }))"""
        )
        assert len(set(styles.values())) == 6, styles

        assert page.is_visible("[data-entity-legend]")
        gene_background = page.evaluate("getComputedStyle(document.querySelector('mark.entity-gene')).backgroundColor")
        page.uncheck("[data-entity-toggle=gene]")
        hidden = page.evaluate(
            """() => { const m = document.querySelector('mark.entity-gene'); const s = getComputedStyle(m);
                       return [s.backgroundColor, s.textDecorationLine, m.tabIndex, m.title]; }"""
        )
        assert hidden == ["rgba(0, 0, 0, 0)", "none", -1, ""]
        species = page.evaluate("getComputedStyle(document.querySelector('mark.entity-species')).textDecorationLine")
        assert species != "none"
        page.check("[data-entity-toggle=gene]")
        shown = page.evaluate("getComputedStyle(document.querySelector('mark.entity-gene')).backgroundColor")
        assert shown == gene_background

        assert axe_violations(page) == []
        assert errors == []


def test_without_javascript_the_section_lists_everything_and_hides_the_switches(live_server, paper):
    with chromium() as browser:
        page = browser.new_context(java_script_enabled=False).new_page()
        page.goto(f"{live_server.url}{paper.get_absolute_url()}")
        assert page.query_selector_all("mark.entity") == []
        assert not page.is_visible("[data-entity-legend]")
        assert len(page.query_selector_all("#entities .entity-name")) == 6


def test_entity_page_and_filtered_search_have_no_serious_axe_violations(live_server, paper):
    found = {}
    with chromium() as browser:
        page = browser.new_page()
        for path in ("/entities/gene/673", "/entities/gene/404404", "/search?entity=gene:673", "/search?entity=gene"):
            page.goto(f"{live_server.url}{path}")
            if violations := axe_violations(page):
                found[path] = violations
        page.goto(f"{live_server.url}{paper.get_absolute_url()}")
        page.wait_for_selector("mark.entity")
        page.focus("mark.entity-species")
        page.locator("#abstract").screenshot(path="/tmp/entities-abstract.png")
        page.locator("#entities").screenshot(path="/tmp/entities-section.png")
    assert found == {}
