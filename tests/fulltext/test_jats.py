"""fulltext.jats on every recorded JATS sample, and on hostile inputs we write here. Pure: no database, no network."""

import re
import socket
import threading
from pathlib import Path

import pytest
from lxml import etree

from fulltext import jats
from fulltext.jats import JatsError

UPSTREAM = Path(__file__).resolve().parents[2] / "papers" / "fixtures" / "upstream"
SAMPLES = {
    "nar": UPSTREAM / "europepmc" / "fulltextxml-nar-research-article-PMC3258128.xml",
    "scirep": UPSTREAM / "europepmc" / "fulltextxml-scirep-figures-bibr-xrefs-PMC8233371.xml",
    "elife01567": UPSTREAM / "jats" / "elife-publisher-jats-digest-10.7554_eLife.01567.xml",
    "elife09560": UPSTREAM / "jats" / "elife-publisher-jats-digest-10.7554_eLife.09560.xml",
    "pmc-s3": UPSTREAM / "jats" / "pmc-oa-opendata-s3-PMC3040717.1.xml",
    "pmc-efetch": UPSTREAM / "jats" / "efetch-pmc-xml-PMC3040717-author-manuscript.xml",
}
MML = "{http://www.w3.org/1998/Math/MathML}"


@pytest.fixture(scope="module", params=sorted(SAMPLES))
def sample(request):
    data = SAMPLES[request.param].read_bytes()
    doc = jats.parse(data)
    return request.param, doc, jats.convert(doc)


def _all_html(body: jats.Body) -> str:
    parts = [s.heading_html + s.html for s in body.sections]
    parts += [r.html for r in body.reviews]
    if body.summary:
        parts.append(body.summary.html)
    return "\n".join(parts)


def _text(element) -> str:
    return re.sub(r"\s+", " ", "".join(element.itertext())).strip()


def _plain(fragment: str) -> str:
    return re.sub(r"\s+", " ", jats.html_to_text(fragment))


# ---------------------------------------------------------------- every recorded sample


def test_every_body_sec_title_is_a_section_heading_in_order(sample):
    _, doc, body = sample
    titles = [_text(sec.find("title")) for sec in doc.root.find("body").iter("sec") if sec.find("title") is not None]
    headings = [s.heading for s in body.sections]
    position = 0
    for title in titles:
        while position < len(headings) and title not in headings[position]:
            position += 1
        assert position < len(headings), f"{title!r} is missing or out of order"
        position += 1


def test_sections_have_unique_safe_ids_and_levels(sample):
    _, _, body = sample
    ids = [s.id for s in body.sections]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[A-Za-z][A-Za-z0-9_.:-]*", i) for i in ids)
    assert {s.level for s in body.sections} <= {2, 3, 4}
    assert body.sections[0].level == 2


def test_every_citation_links_to_a_reference_and_every_recorded_anchor_exists(sample):
    _, _, body = sample
    html = _all_html(body)
    anchors = re.findall(r'<a class="citation" href="#ref-(\d+)" id="(cite-[\d]+-[\dx]+)"', html)
    assert anchors, "no inline citation rendered"
    assert all(1 <= int(n) <= len(body.references) for n, _ in anchors)
    ids_in_html = set(re.findall(r'\sid="([^"]+)"', html))
    recorded = [anchor for anchors_of in body.citations.values() for anchor in anchors_of]
    assert recorded and set(recorded) <= ids_in_html
    assert all(1 <= position <= len(body.references) for position in body.citations)
    assert len(ids_in_html) == len(re.findall(r'\sid="', html)), "an id appears twice"


def test_every_in_page_link_points_at_an_id_in_the_output(sample):
    _, _, body = sample
    html = _all_html(body)
    ids = set(re.findall(r'\sid="([^"]+)"', html))
    for target in re.findall(r'href="#([^"]+)"', html):
        assert target.startswith("ref-") or target in ids, target


def test_references_match_the_ref_list(sample):
    _, doc, body = sample
    refs = [ref for back in doc.root.findall("back") for ref in back.iter("ref")]
    assert len(body.references) == len(refs)
    assert [r.id for r in body.references] == [ref.get("id", "") for ref in refs]


def test_every_figure_and_table_caption_is_present(sample):
    _, doc, body = sample
    html = _plain(_all_html(body))
    figs = list(doc.root.find("body").iter("fig")) + list(doc.root.find("back").iter("fig"))
    assert len([f for f in body.figures if f.href]) >= len(figs)
    for element in [*figs, *doc.root.iter("table-wrap")]:
        caption = element.find("caption")
        title = _text(caption.find("title")) if caption is not None and caption.find("title") is not None else ""
        label = _text(element.find("label")) if element.find("label") is not None else ""
        assert (title or label) and (title or label) in html
    for table in body.tables:
        assert f'<figure class="table-wrap" id="{table.id}">' in _all_html(body)


def test_tables_are_real_tables_with_integer_spans(sample):
    _, doc, body = sample
    html = _all_html(body)
    assert html.count("<table>") == len(list(doc.root.iter("table")))
    for span in re.findall(r'(?:rowspan|colspan)="([^"]*)"', html):
        assert span.isdigit()


def test_every_formula_renders_as_mathml_or_its_fallback(sample):
    _, doc, body = sample
    html = _all_html(body)
    display = [f for f in doc.root.iter("disp-formula") if f.getparent().tag != "disp-formula-group"]
    maths = [f for f in display if next(f.iter(f"{MML}math"), None) is not None]
    assert html.count('<math display="block">') >= len(maths)
    for formula in display:
        if formula.get("id"):
            assert f'id="{formula.get("id")}"' in html
    assert "mml:" not in html


def test_no_tag_or_entity_shows_as_text(sample):
    _, _, body = sample
    texts = [_plain(_all_html(body)), body.text, body.license_text]
    texts += [s.heading for s in body.sections]
    texts += [r.record.title for r in body.references]
    for text in texts:
        assert not re.search(r"</?[a-z][a-z0-9:-]*[\s>/]", text), re.search(r"</?[a-z][a-z0-9:-]*[\s>/]", text)
        assert not re.search(r"&(?:[a-z]+|#\d+|#x[0-9a-f]+);", text, re.IGNORECASE)
        assert "&lt;" not in text and "&amp;#" not in text


def test_abstract_is_not_a_section_and_text_excludes_references(sample):
    _, doc, body = sample
    abstract = doc.root.find("front/article-meta/abstract")
    first_sentence = _text(abstract)[:80]
    assert all(first_sentence not in _plain(s.html) for s in body.sections)
    assert body.word_count > 1000
    first_ref = body.references[0].record.title
    assert not first_ref or first_ref not in body.text


def test_outbound_links_are_http_and_nofollow(sample):
    _, _, body = sample
    for href, rel in re.findall(r'<a href="([^"#][^"]*)" rel="([^"]*)"', _all_html(body)):
        assert href.startswith(("http://", "https://", "mailto:")) and rel == "nofollow noopener"
    assert "javascript:" not in _all_html(body)


def test_figures_link_out_to_europe_pmc_only_when_there_is_a_pmcid(sample):
    _, doc, body = sample
    html = _all_html(body)
    if doc.pmcid:
        href = body.figures[0].href
        assert jats.figure_source_url(doc, href).startswith(f"https://europepmc.org/articles/{doc.pmcid}/bin/")
        assert 'class="figure-link"' in html
    else:
        assert jats.figure_source_url(doc, body.figures[0].href) == ""
        assert "<img" not in html and "figure-link" not in html


def test_figure_src_gives_lazy_images():
    doc = jats.parse(SAMPLES["scirep"].read_bytes())
    body = jats.convert(doc, figure_src=lambda href: f"https://media.example.org/{href}.jpg")
    html = _all_html(body)
    for figure in body.figures:
        assert f'<img src="https://media.example.org/{figure.href}.jpg"' in html
    assert html.count('loading="lazy"') >= len(body.figures)


# ---------------------------------------------------------------- particular samples


def test_nar_has_47_references_with_pmids():
    doc = jats.parse(SAMPLES["nar"].read_bytes())
    body = jats.convert(doc)
    assert (doc.doi, doc.pmcid) == ("10.1093/nar/gkr715", "PMC3258128")
    assert len(body.references) == 47
    assert all(ref.record.pmid.isdigit() for ref in body.references)
    assert body.license_url == "http://creativecommons.org/licenses/by-nc/3.0"
    assert jats.figure_source_url(doc, body.figures[0].href) == (
        f"https://europepmc.org/articles/PMC3258128/bin/{body.figures[0].href}.jpg"
    )


def test_elife_01567_digest_and_two_reviews():
    doc = jats.parse(SAMPLES["elife01567"].read_bytes())
    body = jats.convert(doc)
    assert doc.doi == "10.7554/elife.01567" and doc.pmcid == ""
    assert body.summary is not None and body.summary.source == "eLife digest"
    assert body.summary.text.startswith("Our understanding of the living world")
    assert "\n\n" in body.summary.text and "DOI:" not in body.summary.text
    assert all(s.heading != "eLife digest" for s in body.sections)
    letter, response = body.reviews
    assert (letter.kind, letter.title, letter.doi) == ("decision-letter", "Decision letter", "10.7554/elife.01567.016")
    assert letter.authors == ["Jan Traas"]
    assert (response.kind, response.title, response.doi) == ("reply", "Author response", "10.7554/elife.01567.017")
    assert response.authors[0] == "Martial Sankar"
    for review in body.reviews:
        assert review.date is not None and review.date.year == 2014
        assert review.license_url == "http://creativecommons.org/licenses/by/3.0/"
        assert "<p>" in review.html
    assert "Thank you for sending your work" in letter.html
    assert '<math display="block">' in _all_html(body)
    assert {"Acknowledgements", "Competing interests", "Funding"} <= {s.heading for s in body.sections}


def test_elife_09560_digest_reviews_and_tables():
    doc = jats.parse(SAMPLES["elife09560"].read_bytes())
    body = jats.convert(doc)
    assert body.summary is not None and body.summary.source == "eLife digest"
    assert [r.kind for r in body.reviews] == ["decision-letter", "reply"]
    assert len(body.tables) == 3 and len(body.figures) >= 22
    assert body.license_url == "http://creativecommons.org/licenses/by/4.0/"


def test_pmc_articleset_wrapper_reads_like_the_bare_article():
    wrapped = jats.convert(jats.parse(SAMPLES["pmc-efetch"].read_bytes()))
    bare_doc = jats.parse(SAMPLES["pmc-s3"].read_bytes())
    bare = jats.convert(bare_doc)
    assert (bare_doc.doi, bare_doc.pmcid, bare_doc.pmid) == ("10.1158/0008-5472.can-09-4563", "PMC3040717", "20516115")
    assert [s.heading for s in wrapped.sections] == [s.heading for s in bare.sections]
    assert wrapped.text == bare.text


def test_reference_positions_map_citations_and_unknown_ids_stay_text():
    doc = jats.parse(SAMPLES["nar"].read_bytes())
    ids = [ref.get("id") for ref in doc.root.find("back").iter("ref")]
    positions = {ref_id: n for n, ref_id in enumerate(reversed(ids[1:]), 1)}  # the first ref is not stored
    body = jats.convert(doc, reference_positions=positions)
    html = _all_html(body)
    assert max(body.citations) <= len(ids) - 1
    first_ref_citations = [x for x in doc.root.find("body").iter("xref") if x.get("rid") == ids[0]]
    assert first_ref_citations and f'href="#ref-{len(ids)}"' not in html


# ---------------------------------------------------------------- hostile and broken inputs


class _Listener:
    """A local TCP server that records whether anything connected to it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


@pytest.fixture
def listener():
    server = _Listener()
    yield server
    server.close()


def test_external_entity_is_refused_without_a_connection(listener):
    xml = (
        f'<?xml version="1.0"?><!DOCTYPE article [<!ENTITY x SYSTEM "http://127.0.0.1:{listener.port}/x">]>'
        "<article><body><p>&x;</p></body></article>"
    )
    with pytest.raises(JatsError, match=r"declares entities \(<!ENTITY>\)"):
        jats.parse(xml)
    assert listener.connections == 0


def test_file_entity_is_refused():
    xml = '<!DOCTYPE article [<!ENTITY x SYSTEM "file:///etc/passwd">]><article><body><p>&x;</p></body></article>'
    with pytest.raises(JatsError) as caught:
        jats.parse(xml.encode())
    assert "root:" not in str(caught.value)


def test_parameter_entity_is_refused(listener):
    xml = f'<!DOCTYPE article [<!ENTITY % p SYSTEM "http://127.0.0.1:{listener.port}/p"> %p;]><article/>'
    with pytest.raises(JatsError, match="entities"):
        jats.parse(xml)
    assert listener.connections == 0


def test_external_dtd_is_never_fetched(listener):
    # No entity at all: only the DOCTYPE's system id points at our listener. The parse succeeds without it.
    xml = (
        f'<!DOCTYPE article SYSTEM "http://127.0.0.1:{listener.port}/jats.dtd"><article><body><p>x</p></body></article>'
    )
    doc = jats.parse(xml)
    assert jats.convert(doc).sections[0].html == "<p>x</p>"
    assert listener.connections == 0


def test_utf16_cannot_hide_an_entity_declaration(listener):
    xml = f'<!DOCTYPE article [<!ENTITY x SYSTEM "http://127.0.0.1:{listener.port}/x">]><article>&x;</article>'
    with pytest.raises(JatsError, match="entities"):
        jats.parse(xml.encode("utf-16"))
    assert listener.connections == 0


def test_billion_laughs_is_refused():
    lol = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    xml = f'<!DOCTYPE article [<!ENTITY lol0 "lol">{lol}]><article><body><p>&lol9;</p></body></article>'
    with pytest.raises(JatsError, match="PaperHub does not expand them"):
        jats.parse(xml)


def test_undeclared_named_entity_never_shows_as_text():
    xml = '<!DOCTYPE article SYSTEM "jats.dtd"><article><body><p>a&nbsp;b &bogus; c</p></body></article>'
    html = jats.convert(jats.parse(xml)).sections[0].html
    assert "&bogus;" not in html and "bogus" not in html
    assert html == "<p>a&nbsp;b  c</p>"


def test_undeclared_entity_in_a_reference_is_read():
    xml = (
        '<!DOCTYPE article SYSTEM "jats.dtd"><article><body><p><xref ref-type="bibr" rid="r1">1</xref></p></body>'
        '<back><ref-list><ref id="r1"><element-citation><article-title>A&nbsp;B&ndash;C</article-title>'
        "</element-citation></ref></ref-list></back></article>"
    )
    body = jats.convert(jats.parse(xml))
    assert body.references[0].record.title == "A B–C"  # papers.markup folds the no-break space
    assert body.citations == {1: ["cite-1-1"]}


def test_ten_thousand_nested_sections_give_a_clear_error():
    xml = "<article><body>" + "<sec>" * 10_000 + "</sec>" * 10_000 + "</body></article>"
    with pytest.raises(JatsError, match=r"^Nested too deeply"):
        jats.parse(xml)


def test_nesting_under_libxml2s_limit_but_over_ours_is_refused():
    xml = "<article><body>" + "<sec>" * 200 + "</sec>" * 200 + "</body></article>"
    with pytest.raises(JatsError, match=r"^Nested too deeply: more than 160"):
        jats.parse(xml)


def test_fifty_megabytes_is_refused_before_parsing():
    data = b"<article>" + b" " * (50 * 1024 * 1024 - 19) + b"</article>"
    with pytest.raises(JatsError, match=r"^The file is 52,428,800 bytes; the limit is 20,000,000$"):
        jats.parse(data)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", r"^Not XML: the file is empty$"),
        (b"this is not xml", r"^Not XML: .+ \(line 1\)$"),
        (b"<article>\n<body>\n<p>unclosed</body></article>", r"^Not XML: .+ \(line 3\)$"),
        (b"<!DOCTYPE html><html><head><title>x</title></head><body><p>hi<br></body></html>", r"^Not JATS: .*HTML"),
        (b"<html><body><p>hi</p></body></html>", r"^Not JATS: the root element is <html>, not <article>$"),
        (b"<pmc-articleset><error>none</error></pmc-articleset>", r"^Not JATS: the <pmc-articleset> holds no"),
        (b"<OAI-PMH><record/></OAI-PMH>", r"^Not JATS: the root element is <OAI-PMH>, not <article>$"),
    ],
)
def test_broken_inputs_give_one_line_messages(data, message):
    with pytest.raises(JatsError, match=message) as caught:
        jats.parse(data)
    assert "\n" not in str(caught.value)


def test_leading_blank_lines_and_declaration_are_accepted():
    doc = jats.parse('\n\n  <?xml version="1.0" encoding="UTF-8"?>\n<article><body><p>é</p></body></article>')
    assert jats.convert(doc).text == "é"


HOSTILE = """<article xmlns:xlink="http://www.w3.org/1999/xlink"
  xmlns:mml="http://www.w3.org/1998/Math/MathML"><front><article-meta>
  <article-id pub-id-type="doi">not a doi</article-id></article-meta></front><body>
<sec id="s1" onclick="alert(1)"><title onmouseover="x()">Intro <italic>vivo</italic></title>
<p onclick="alert(2)">See <ext-link xlink:href="javascript:alert(3)">this</ext-link>,
<ext-link xlink:href="data:text/html,hi">data</ext-link>, <ext-link xlink:href="/relative">rel</ext-link>,
<uri>https://example.org/ok</uri> and <email>a@b.example</email> and <email>javascript:x</email>.
<script>alert(4)</script><style>p{}</style><img src="x" onerror="alert(5)"/>
<xref ref-type="bibr" rid="nope">[9]</xref> <xref ref-type="fig" rid="gone">Fig. 9</xref>
<xref ref-type="bibr" rid="b1 b2">1,2</xref> <xref ref-type="fig" rid="f1">Fig. 1</xref>
<inline-formula><mml:math><mml:mi onclick="x" mathvariant="bold" href="javascript:x">x</mml:mi></mml:math>
</inline-formula>
<inline-formula><tex-math>\\alpha &lt; 1</tex-math></inline-formula></p>
<fig id="f1"><label>Figure 1</label><caption><p>Cap</p></caption><graphic xlink:href="javascript:alert(6)"/></fig>
<table-wrap id="t1"><table><tr><td rowspan="2x" colspan="3" onclick="x">c</td></tr></table></table-wrap>
<sec id="ref-1"><title>Clash</title><p>x</p></sec>
</sec></body><back><ref-list><ref id="b1"><mixed-citation>A. 2001.</mixed-citation></ref>
<ref id="b2"><element-citation><pub-id pub-id-type="pmid">123</pub-id></element-citation></ref></ref-list></back>
</article>"""


def test_hostile_markup_is_neutralised():
    doc = jats.parse(HOSTILE)
    assert doc.doi == ""
    body = jats.convert(doc, figure_src=lambda href: href)
    html = _all_html(body)
    for bad in ("onclick", "onmouseover", "onerror", "<script", "<style", "alert(4)", "<iframe"):
        assert bad not in html, bad
    assert not re.search(r'(?:href|src)="(?:javascript|data):', html)
    assert "javascript:x" in html  # an address that is not one stays text
    assert "/relative" not in html and "rel," in html
    assert '<img alt="Figure 1" loading="lazy">' not in html  # a javascript: figure_src gives no image at all
    assert '<a href="https://example.org/ok" rel="nofollow noopener">' in html
    assert '<a href="mailto:a@b.example" rel="nofollow noopener">' in html
    assert "[9]" in html and 'href="#gone"' not in html and "Fig. 9" in html
    assert '<a class="citation" href="#ref-1" id="cite-1-1">1,2</a>' in html
    assert body.citations == {1: ["cite-1-1"], 2: ["cite-1-1"]}
    assert '<a class="xref" href="#f1">Fig. 1</a>' in html
    assert '<mi mathvariant="bold">x</mi>' in html
    assert '<code class="tex-math">\\alpha &lt; 1</code>' in html
    assert '<td colspan="3">c</td>' in html
    assert body.sections[0].heading == "Intro vivo" and body.sections[0].heading_html == "Intro <i>vivo</i>"
    clash = body.sections[1]
    assert clash.heading == "Clash" and clash.id != "ref-1" and 'id="ref-1"' not in html
    assert len(body.references) == 2 and body.references[1].record.pmid == "123"


def test_clean_html_drops_what_the_allow_list_does_not_name():
    dirty = '<p onclick="x">a<script>b</script><iframe src="https://x"></iframe><a href="javascript:y">c</a></p>'
    assert jats.clean_html(dirty) == "<p>a<a>c</a></p>"


def test_parse_never_loads_a_dtd_or_resolves_entities():
    parser = jats._parser()
    xml = b'<!DOCTYPE a [<!ENTITY e "expanded">]><a>&e;</a>'
    root = etree.fromstring(xml, parser)  # the parser itself, below parse()'s refusal
    assert "expanded" not in etree.tostring(root).decode()


# ---------------------------------------------------------------- rules, on small articles of our own


def _convert(body_xml: str, **kwargs) -> jats.Body:
    xml = (
        '<article xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:mml="http://www.w3.org/1998/Math/MathML">'
        f"{body_xml}</article>"
    )
    return jats.convert(jats.parse(xml), **kwargs)


def test_a_section_holds_its_own_content_not_its_subsections():
    body = _convert(
        "<body><p>Lead.</p><sec><title>A</title><p>a</p><sec><title>A.1</title><p>a1</p>"
        "<sec><title>A.1.1</title><sec><title>A.1.1.1</title><p>deep</p></sec></sec></sec></sec></body>"
    )
    assert [(s.heading, s.level, s.html) for s in body.sections] == [
        ("", 2, "<p>Lead.</p>"),
        ("A", 2, "<p>a</p>"),
        ("A.1", 3, "<p>a1</p>"),
        ("A.1.1", 4, ""),
        ("A.1.1.1", 4, "<p>deep</p>"),
    ]
    assert [s.id for s in body.sections] == ["body", "a", "a-1", "a-1-1", "a-1-1-1"]
    assert body.text == "Lead.\n\nA\n\na\n\nA.1\n\na1\n\nA.1.1\n\nA.1.1.1\n\ndeep"
    assert body.word_count == 8


def test_lists_quotes_boxes_and_a_figure_inside_a_paragraph():
    body = _convert(
        '<body><sec id="s1"><title>T</title><p>Before <list list-type="bullet"><list-item><p>one</p></list-item>'
        '</list> after <fig id="f1"><label>Figure 1</label><caption><title>Cap</title></caption>'
        '<graphic xlink:href="f1.tif"/></fig> end.</p><list list-type="order"><list-item><p>x</p></list-item></list>'
        "<disp-quote><p>q</p></disp-quote><boxed-text><caption><title>Box</title></caption><p>b</p></boxed-text>"
        "</sec></body>"
    )
    html = body.sections[0].html
    assert html.startswith(
        '<p>Before</p><ul class="list-bullet"><li>one</li></ul><p>after</p><figure class="fig" id="f1">'
    )
    assert '<figcaption><span class="label">Figure 1</span> <b class="caption-title">Cap</b></figcaption>' in html
    assert '<p>end.</p><ol class="list-order"><li>x</li></ol><blockquote><p>q</p></blockquote>' in html
    assert '<aside class="boxed-text" id="box"><b class="caption-title">Box</b><p>b</p></aside>' in html
    assert body.figures == [
        jats.Figure(id="f1", label="Figure 1", caption_html=body.figures[0].caption_html, href="f1.tif")
    ]


def test_back_matter_sections_follow_the_body():
    body = _convert(
        '<front><article-meta><author-notes><fn fn-type="conflict"><p>None.</p></fn></author-notes>'
        "<funding-group><award-group><funding-source>Agency</funding-source><award-id>G1</award-id></award-group>"
        "</funding-group></article-meta></front><body><sec><title>Intro</title><p>x</p></sec></body>"
        '<back><ack><p>Thanks.</p></ack><app-group><app id="app1"><title>Appendix 1</title><p>ap</p></app>'
        '</app-group><fn-group><fn id="n1"><label>1</label><p>Note.</p></fn></fn-group></back>'
    )
    assert [(s.heading, s.level, s.kind) for s in body.sections] == [
        ("Intro", 2, "body"),
        ("Acknowledgements", 2, "back"),
        ("Appendices", 2, "back"),
        ("Appendix 1", 3, "back"),
        ("Footnotes", 2, "back"),
        ("Competing interests", 2, "back"),
        ("Funding", 2, "back"),
    ]
    assert body.sections[-1].html == "<ul><li>Agency (G1)</li></ul>"
    assert body.text == "Intro\n\nx"


@pytest.mark.parametrize(
    ("attributes", "title", "kind"),
    [
        ('article-type="decision-letter"', "Decision", "decision-letter"),
        ('article-type="referee-report"', "Reviewer #1", "referee-report"),
        ('article-type="peer-review"', "Review", "referee-report"),
        ('article-type="author-comment"', "Author response", "author-comment"),
        ('article-type="reply"', "Author response", "reply"),
        ('article-type="article-commentary"', "Decision letter", "decision-letter"),
        ('article-type="article-commentary"', "Author response", "reply"),
    ],
)
def test_sub_article_types_become_review_kinds(attributes, title, kind):
    body = _convert(
        f'<body><p>x</p></body><sub-article {attributes} id="sa 1"><front-stub>'
        f'<article-id pub-id-type="doi">10.1234/R.1</article-id><title-group><article-title>{title}</article-title>'
        "</title-group><pub-date><day>2</day><month>3</month><year>2020</year></pub-date></front-stub>"
        "<body><p>Text</p></body></sub-article>"
    )
    (review,) = body.reviews
    assert (review.kind, review.title, review.doi, review.html, review.id) == (
        kind,
        title,
        "10.1234/r.1",
        "<p>Text</p>",
        "sa-1",
    )
    assert str(review.date) == "2020-03-02"


def test_other_sub_articles_are_not_reviews():
    body = _convert('<body><p>x</p></body><sub-article article-type="translation"><body><p>y</p></body></sub-article>')
    assert body.reviews == [] and "y" not in body.text


def test_figure_source_url_only_for_plain_file_names():
    doc = jats.parse(
        '<article><front><article-meta><article-id pub-id-type="pmc">123</article-id></article-meta></front></article>'
    )
    assert doc.pmcid == "PMC123"
    assert jats.figure_source_url(doc, "fig1.tif") == "https://europepmc.org/articles/PMC123/bin/fig1.jpg"
    assert jats.figure_source_url(doc, "fig1") == "https://europepmc.org/articles/PMC123/bin/fig1.jpg"
    for bad in ("../x", "http://evil.example/x.jpg", "a/b.jpg", "javascript:alert(1)", "", " "):
        assert jats.figure_source_url(doc, bad) == ""
    assert jats.figure_source_url(jats.parse("<article/>"), "fig1.tif") == ""


def test_converter_version_is_an_int():
    assert isinstance(jats.CONVERTER_VERSION, int) and jats.CONVERTER_VERSION >= 1
