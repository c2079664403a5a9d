"""entities.placement: PubTator's mentions placed in the text our page renders, exactly or not at all."""

from dataclasses import replace

import pytest
from lxml import etree

from entities import placement, pubtator
from entities.placement import Target
from papers.models import Paper
from papers.normalize import jats_article
from tests.entities.recordings import FILES, JATS_PMC3040717, document, page_from_passages


def _assert_spans_are_the_mentions(result, targets, documents):
    """Every span's text is a mention's text (case and whitespace aside), of the type and id that mention names."""
    texts = {t.key: t.text for t in targets}
    mentions = {}
    for doc in documents:
        for annotation in doc.annotations:
            resolved = pubtator.resolve(annotation)
            key = (resolved[0].type, resolved[0].identifier) if resolved else (None, "")
            mentions.setdefault(key, set()).add(" ".join(annotation.text.split()).casefold())
    for span in result.spans:
        ours = " ".join(texts[span.target][span.start : span.end].split()).casefold()
        key = (span.type, span.identifier) if span.identifier else (None, "")
        assert ours in mentions[key], span
    assert len({(s.target, s.start, s.end) for s in result.spans}) == len(result.spans)


# -- our page's text


def test_text_content_is_what_a_browser_computes():
    fragment = (
        "<h3>Results</h3>\n<p>MDA-MB-231 &amp; MCF-7 cells<sup>12</sup>,\n  treated&nbsp;with D609"
        "<!-- a comment --> (<math><mi>x</mi><mo>=</mo><mn>2</mn></math>)</p><pre>\nkept\n</pre>"
    )
    assert placement.text_content(fragment) == (
        "Results\nMDA-MB-231 & MCF-7 cells12,\n  treated\xa0with D609 (x=2)kept\n"
    )


def test_the_abstract_target_joins_paragraphs_as_the_template_does():
    [abstract, section] = placement.page_targets(["First.", "Second."], [("sec-1", "<p>A &lt; B</p>")])
    assert abstract == Target("abstract", "First.Second.")
    assert section == Target("sec-1", "A < B")
    assert placement.page_targets([], []) == []


# -- the real pair: PMC3040717's JATS abstract and PubTator's document for PMID 20516115


def _jats_abstract_paragraphs() -> list[str]:
    record = jats_article(JATS_PMC3040717.read_text(encoding="utf-8"))
    return Paper(abstract=record.abstract).abstract_paragraphs


def test_the_jats_abstract_is_pubtators_abstract_passage():
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.fromstring(JATS_PMC3040717.read_bytes(), parser)
    paragraphs = ["".join(p.itertext()) for p in root.find(".//abstract").iter("p")]
    assert " ".join(paragraphs) == document("20516115").passages[1].text
    assert [" ".join(p.split()) for p in paragraphs] == _jats_abstract_paragraphs()


def test_every_abstract_mention_of_20516115_is_placed_in_our_abstract():
    doc = document("20516115")
    targets = placement.page_targets(_jats_abstract_paragraphs(), [])
    result = placement.place([doc], targets)
    abstract_mentions = len(doc.passages[1].annotations)
    assert (result.total, result.in_title, result.placed) == (9, 1, abstract_mentions)
    assert len(result.spans) == abstract_mentions
    _assert_spans_are_the_mentions(result, targets, [doc])
    text = targets[0].text
    assert [text[s.start : s.end] for s in result.spans if s.identifier == "672"] == ["BRCA1"] * 4


def test_a_changed_word_is_counted_but_never_highlighted():
    paragraphs = _jats_abstract_paragraphs()
    paragraphs[0] = paragraphs[0].replace("human", "murine", 1)
    targets = placement.page_targets(paragraphs, [])
    result = placement.place([document("20516115")], targets)
    assert result.placed == 7 and result.total == 9
    assert not [s for s in result.spans if s.type == "species"]
    _assert_spans_are_the_mentions(result, targets, [document("20516115")])


def test_title_mentions_are_counted_apart_and_never_placed():
    doc = document("22663011")
    targets = [Target("abstract", doc.title + doc.passages[1].text)]  # even when the title text is there
    result = placement.place([doc], targets)
    assert result.in_title == len(doc.passages[0].annotations) == 3
    assert result.placed == result.total - result.in_title
    title_end = len(doc.title)
    assert all(s.start >= title_end for s in result.spans)


def test_passages_missing_from_the_page_place_nothing():
    doc = document("22429397-full")
    abstract = "".join(p.text for p in doc.passages if p.section_type == "ABSTRACT")
    result = placement.place([doc], [Target("abstract", abstract)])
    in_abstract = sum(len(p.annotations) for p in doc.passages if p.section_type == "ABSTRACT")
    assert result.placed == in_abstract < result.total
    assert {s.target for s in result.spans} == {"abstract"}


# -- tolerance: targets built from each recording's own passages, joined and marked up differently


@pytest.mark.parametrize("name", list(FILES))
def test_each_recording_places_on_a_differently_marked_up_page(name):
    doc = document(name)
    targets = page_from_passages(doc)
    result = placement.place([doc], targets)
    placeable = result.total - result.in_title
    assert result.total == len(doc.annotations)
    assert result.placed == placeable  # all of them, on these recordings
    _assert_spans_are_the_mentions(result, targets, [doc])


def test_the_full_text_document_places_across_its_sections():
    doc = document("22429397-full")
    targets = page_from_passages(doc)
    result = placement.place([doc], targets)
    assert result.total == 666 and result.in_title == 1 and result.placed == 665
    assert {s.target for s in result.spans} >= {"abstract", "intro", "methods", "results", "discuss", "fig", "ref"}
    texts = {t.key: t.text for t in targets}
    d609 = [s for s in result.spans if s.identifier == "MESH:C046498"]
    assert d609 and all(texts[s.target][s.start : s.end].casefold() == "d609" for s in d609)


def test_a_repeated_passage_takes_the_next_stretch_of_our_text():
    doc = document("20516115")
    passage = doc.passages[1]
    shift = passage.offset + len(passage.text) + 1
    again = replace(
        passage,
        offset=passage.offset + shift,
        annotations=tuple(
            replace(a, locations=tuple((o + shift, n) for o, n in a.locations)) for a in passage.annotations
        ),
    )
    twice = replace(doc, passages=(*doc.passages, again))
    paragraphs = _jats_abstract_paragraphs()
    result = placement.place([twice], placement.page_targets(paragraphs + paragraphs, []))
    assert result.placed == 2 * len(passage.annotations)
    assert len({s.start for s in result.spans}) == len(result.spans)
