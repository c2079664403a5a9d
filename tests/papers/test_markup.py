"""papers.markup, pure: upstream title markup to a safe fragment and plain text, whatever the escaping depth."""

import html
import json
import re

import pytest
from bs4 import BeautifulSoup

from papers import markup
from papers.demo import FIXTURES
from tests.reviews.xss_vectors import XSS_VECTORS

OPENALEX_SHIGELLA = FIXTURES / "openalex" / "work-preprint-biorxiv-topics-W4407166645.json"
MATHML_ELEMENTS = {"math", "mi", "mn", "mo", "ms", "mtext", "mspace", "mrow", "mfrac", "msqrt", "mroot", "msub"}
MATHML_ELEMENTS |= {"msup", "msubsup", "munder", "mover", "munderover", "mstyle", "mpadded", "mphantom", "menclose"}
MATHML_ELEMENTS |= {"mfenced", "mtable", "mtr", "mtd", "semantics"}
ALLOWED = {"i", "b", "sub", "sup", "span"} | MATHML_ELEMENTS
ENTITY = re.compile(r"&(#\d+|#x[0-9a-f]+|[a-z]+);", re.IGNORECASE)


def escaped(text: str, times: int = 1) -> str:
    for _ in range(times):
        text = html.escape(text, quote=False)
    return text


def assert_only_allowed_markup(fragment: str) -> None:
    soup = BeautifulSoup(fragment, "html.parser")
    for element in soup.find_all(True):
        assert element.name in ALLOWED, fragment
        expected = {"class": ["small-caps"]} if element.name == "span" else {}
        assert element.attrs == expected, fragment
    assert "<!--" not in fragment


def test_recorded_openalex_title_keeps_its_italics():
    raw = json.loads(OPENALEX_SHIGELLA.read_text())["display_name"]
    title = markup.title(raw)
    assert title.html == raw  # already clean: nothing but the italics
    assert title.text == raw.replace("<i>", "").replace("</i>", "")
    assert title.text.endswith("successful Shigella sonnei")


# Constructed cases: no recorded Crossref title with markup exists in papers/fixtures/upstream, so these strings
# are written here in the shapes Crossref sends (raw, entity-escaped, escaped twice).
@pytest.mark.parametrize("times", [0, 1, 2, 3])
def test_raw_escaped_and_twice_escaped_markup_read_the_same(times):
    raw = "Regulation of <i>Escherichia coli</i> CO<sub>2</sub> uptake at 10<sup>3</sup> <scp>Lux</scp> & more"
    title = markup.title(escaped(raw, times))
    assert title.html == (
        'Regulation of <i>Escherichia coli</i> CO<sub>2</sub> uptake at 10<sup>3</sup> <span class="small-caps">Lux'
        "</span> &amp; more"
    )
    assert title.text == "Regulation of Escherichia coli CO2 uptake at 103 Lux & more"


def test_apos_entities_of_crossref_reference_titles_become_apostrophes():
    title = markup.title("Progressive dopamine neuron loss in Parkinson&apos;s disease: the multiple hit hypothesis.")
    assert title.text == "Progressive dopamine neuron loss in Parkinson's disease: the multiple hit hypothesis."
    assert "&apos;" not in title.html and "&apos;" not in title.text


@pytest.mark.parametrize(
    "raw, text, fragment",
    [
        ("x < y for all y", "x < y for all y", "x &lt; y for all y"),
        ("A&B: a<b when p&lt;0.05", "A&B: a<b when p<0.05", "A&amp;B: a&lt;b when p&lt;0.05"),
        ("AT&T &amp; M&A", "AT&T & M&A", "AT&amp;T &amp; M&amp;A"),
        ("x&notation and &copy as typed", "x&notation and &copy as typed", "x&amp;notation and &amp;copy as typed"),
        ("  spread \n over\tlines  ", "spread over lines", "spread over lines"),
    ],
)
def test_literal_angle_brackets_and_ampersands_survive_as_text(raw, text, fragment):
    title = markup.title(raw)
    assert (title.text, title.html) == (text, fragment)


def test_mathml_is_kept_as_mathml_without_prefix_attributes_or_annotations():
    raw = (
        'Bounds for <mml:math xmlns:mml="http://www.w3.org/1998/Math/MathML" display="inline">\n'
        '  <mml:semantics><mml:msup><mml:mi mathvariant="normal" onclick="x()">x</mml:mi><mml:mn>2</mml:mn>'
        "</mml:msup><mml:annotation encoding='TeX'>x^2</mml:annotation></mml:semantics>\n</mml:math> sums"
    )
    title = markup.title(raw)
    assert title.html == "Bounds for <math><semantics><msup><mi>x</mi><mn>2</mn></msup></semantics></math> sums"
    assert title.text == "Bounds for x2 sums"
    assert_only_allowed_markup(title.html)


def test_jats_alternatives_show_the_mathml_not_the_tex():
    raw = (
        "Rate <inline-formula><alternatives><tex-math>\\(k^2\\)</tex-math><mml:math><mml:msup><mml:mi>k</mml:mi>"
        "<mml:mn>2</mml:mn></mml:msup></mml:math></alternatives></inline-formula> and <tex-math>n</tex-math>"
    )
    title = markup.title(raw)
    assert title.html == "Rate <math><msup><mi>k</mi><mn>2</mn></msup></math> and n"
    assert title.text == "Rate k2 and n"


def test_jats_and_html_synonyms_map_to_our_four_elements():
    title = markup.title("<jats:italic>a</jats:italic> <em>b</em> <strong>c</strong> <bold>d</bold> <sc>e</sc>")
    assert title.html == '<i>a</i> <i>b</i> <b>c</b> <b>d</b> <span class="small-caps">e</span>'


@pytest.mark.parametrize(
    "raw, text",
    [
        ("<script>alert(1)</script>Safe title", "Safe title"),
        ("&lt;script&gt;alert(1)&lt;/script&gt;Safe title", "Safe title"),
        ("&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;Safe title", "Safe title"),
        ("&amp;amp;lt;script&amp;amp;gt;alert(1)&amp;amp;lt;/script&amp;amp;gt;Safe title", "Safe title"),
        ("<style>h1{color:red}</style>Safe <!-- hidden --> title", "Safe title"),
        ('Safe <img src=x onerror="alert(1)"> title', "Safe title"),
        ('<a href="javascript:alert(1)" onmouseover="alert(2)">Safe</a> title', "Safe title"),
        ('<i onclick="alert(1)" style="color:red">Safe</i> title', "Safe title"),
        ("Safe title <i>unclosed <b>nested", "Safe title unclosed nested"),
        ("<b>Safe <i>title</b></i>", "Safe title"),
        ("Safe <svg><script>alert(1)</script></svg>title", "Safe title"),
        ("Safe title<script>alert(1)", "Safe title"),
    ],
)
def test_hostile_markup_ends_up_harmless(raw, text):
    title = markup.title(raw)
    assert title.text == text
    assert_only_allowed_markup(title.html)
    assert "alert" not in title.html and "<" not in title.text and ">" not in title.text
    assert not ENTITY.search(title.text)


@pytest.mark.parametrize("vector", XSS_VECTORS)
@pytest.mark.parametrize("times", [0, 1, 2])
def test_every_known_xss_vector_leaves_only_allowed_markup(vector, times):
    title = markup.title(escaped(vector, times))
    assert_only_allowed_markup(title.html)
    # The text is the fragment's text: nothing is shown in one form that the other hides.
    assert markup.text_of(title.html) == title.text
    assert not ENTITY.search(title.text)


def test_empty_and_tag_only_titles_are_empty():
    assert markup.title("") == markup.Title("", "")
    assert markup.title(None) == markup.Title("", "")
    assert markup.title("<i> </i><script>x</script>") == markup.Title("", "")


def test_title_and_subtitle_join_in_both_forms():
    joined = markup.join(markup.title("On <i>E. coli</i>"), markup.title("a & b"))
    assert joined == markup.Title("On <i>E. coli</i>: a &amp; b", "On E. coli: a & b")
    assert markup.join(markup.title("Only"), markup.title("")) == markup.title("Only")


def test_fragment_falls_back_to_the_escaped_plain_title():
    assert markup.fragment("", "x < y & <z>") == "x &lt; y &amp; &lt;z&gt;"
    assert markup.fragment("<i>a</i>", "a") == "<i>a</i>"


def test_cleaning_is_idempotent_on_its_own_output():
    title = markup.title("&lt;i&gt;Shigella&lt;/i&gt; CO<sub>2</sub> x < y <scp>ab</scp>")
    again = markup.title(title.html)
    assert again == title
