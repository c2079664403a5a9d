"""Titles with upstream markup in a real browser: the markup renders, nothing in it runs."""

import html

import pytest

from papers import markup
from tests.browser import chromium
from tests.papers.factories import PaperFactory, ReferenceFactory
from tests.reviews.xss_vectors import XSS_VECTORS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_title_markup_renders_and_hostile_markup_is_inert(live_server):
    # Constructed: escaped Crossref-style italics and MathML, then every known XSS vector, raw and escaped.
    raw = (
        "Growth of &lt;i&gt;Escherichia coli&lt;/i&gt; at <mml:math><mml:msup><mml:mi>x</mml:mi><mml:mn>2</mml:mn>"
        "</mml:msup></mml:math> " + " ".join(XSS_VECTORS) + " ".join(html.escape(v) for v in XSS_VECTORS)
    )
    title = markup.title(raw)
    paper = PaperFactory(doi="10.5555/browser.title", title=title.text, title_html=title.html)
    ReferenceFactory(paper=paper, position=1, title=title.text, title_html=title.html, raw="")
    with chromium() as browser:
        page = browser.new_page()
        dialogs = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.add_init_script("window.__xss = 0; window.alert = () => { window.__xss += 1; };")
        for path in (paper.get_absolute_url(), "/"):
            page.goto(f"{live_server.url}{path}")
            page.wait_for_timeout(300)  # let any injected handler fire if it could
        page.goto(f"{live_server.url}{paper.get_absolute_url()}")
        assert page.inner_text("h1 i") == "Escherichia coli"
        assert page.evaluate("document.querySelector('h1 math').namespaceURI") == "http://www.w3.org/1998/Math/MathML"
        assert page.query_selector_all("h1 script, h1 img, h1 iframe, h1 a, h1 style, .reference-text script") == []
        assert page.title() == f"{paper.title} · PaperHub"
        assert dialogs == [] and page.evaluate("window.__xss") == 0
