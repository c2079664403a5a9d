"""The paper page's abstract: TeX in it as MathML, and a line that says so when the metadata has none."""

import pytest
from bs4 import BeautifulSoup

from papers.templatetags.papers_extras import abstract_paragraph
from tests.papers.factories import PaperFactory

pytestmark = pytest.mark.django_db

NO_ABSTRACT = "No abstract in the publisher's metadata."


def page(client, paper):
    response = client.get(paper.get_absolute_url())
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


@pytest.mark.parametrize("abstract", ["", "   \n\n  "])
def test_a_paper_with_metadata_but_no_abstract_says_so_under_its_heading(client, abstract):
    soup = page(client, PaperFactory(abstract=abstract))
    section = soup.select_one("#abstract")
    assert section.select_one("h2").get_text() == "Abstract"
    line = section.select_one("p.muted")
    assert line.get_text() == NO_ABSTRACT
    assert section.select_one("[data-entity-target]") is None


def test_a_placeholder_shows_nothing_where_the_abstract_goes(client):
    paper = PaperFactory(fetch_state="pending", fetched_at=None, title="", abstract="")
    html = client.get(paper.get_absolute_url()).content.decode()
    assert 'id="abstract"' not in html and NO_ABSTRACT not in html


def test_an_abstract_keeps_its_entity_hook_and_paragraphs(client):
    soup = page(client, PaperFactory())
    assert soup.select_one("#abstract .abstract")["data-entity-target"] == "abstract"
    assert NO_ABSTRACT not in soup.get_text()


def test_tex_in_an_abstract_is_mathml_on_the_page_and_other_paragraphs_are_text(client):
    abstract = (
        "We bound the error by \\(O(n^2)\\) and $\\alpha < 1$.\n\nNo maths here: it costs $5 to $10 & <b>more</b>."
    )
    soup = page(client, PaperFactory(abstract=abstract))
    first, second = soup.select("#abstract p")
    assert [m["display"] for m in first.find_all("math")] == ["inline", "inline"]
    assert first.find("msup") is not None and "\\(" not in first.get_text()
    assert second.find("math") is None and second.find("b") is None
    assert second.get_text() == "No maths here: it costs $5 to $10 & <b>more</b>."


@pytest.mark.parametrize(
    "paragraph",
    [
        r"x \(\text{<script>alert(1)</script>}\) y",
        r"x $\href{javascript:alert(1)}{z}$ y",
        r"x \[\text{<img src=q onerror=alert(1)>}\] y",
    ],
)
def test_script_and_links_in_abstract_maths_are_removed(paragraph):
    html = str(abstract_paragraph(paragraph))
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find("math") is not None
    assert {tag.name for tag in soup.find_all(True)} <= {"math", "mrow", "mtext", "mi"}
    assert "script" not in html and "javascript" not in html and "onerror" not in html and "<img" not in html


def test_malformed_tex_in_an_abstract_is_shown_as_typed_and_escaped():
    html = str(abstract_paragraph(r"Bad \(x^\) and <i>$\frac{$"))
    assert html == r"Bad \(x^\) and &lt;i&gt;$\frac{$"


def test_a_paragraph_without_tex_is_only_escaped():
    assert str(abstract_paragraph("a < b & c")) == "a &lt; b &amp; c"
