"""TeX in review Markdown becomes MathML on the server; nothing in it runs, and bad TeX is shown as typed."""

import pytest
from bs4 import BeautifulSoup

from paperhub.mathml import MAX_TEX_LENGTH, tex_to_mathml
from reviews import services
from reviews.rendering import render_review_markdown
from tests.papers.factories import PaperFactory
from tests.reviews.factories import UserFactory
from tests.reviews.test_rendering import assert_inert


def maths(html: str) -> list:
    return BeautifulSoup(html, "html.parser").find_all("math")


@pytest.mark.parametrize("body", ["The loss $x^2$ falls.", r"The loss \(x^2\) falls."])
def test_inline_maths_becomes_inline_mathml(body):
    html = render_review_markdown(body)
    (math,) = maths(html)
    assert math["display"] == "inline" and math.find("msup") is not None
    assert html.startswith("<p>The loss <math") and html.strip().endswith("</math> falls.</p>")


@pytest.mark.parametrize("body", ["$$\n\\sum_{i=1}^n x_i\n$$", r"\[ \sum_{i=1}^n x_i \]", r"so $$\sum_i x_i$$ here"])
def test_display_maths_becomes_block_mathml(body):
    (math,) = maths(render_review_markdown(body))
    assert math["display"] == "block" and math.find("munderover") or math.find("munder")


def test_the_mathml_namespace_attribute_is_not_needed_and_dropped():
    assert "xmlns" not in render_review_markdown("$x$")


@pytest.mark.parametrize(
    "body",
    [
        r"$\text{<script>alert(1)</script>}$",
        r"\(\text{<script>alert(1)</script>}\)",
        r"$$\text{<img src=x onerror=alert(1)>}$$",
        r"$\href{javascript:alert(1)}{x}$",
        r"\[\href{javascript:alert(1)}{x}\]",
        r"$\color{red}{x}$",
        r"$\text{<style>body{display:none}</style>}$",
    ],
)
def test_script_and_links_inside_maths_are_removed(body):
    html = render_review_markdown(body)
    assert maths(html), html
    assert_inert(html)
    lowered = html.lower()
    assert "<script" not in lowered and "javascript:" not in lowered and "alert" not in lowered
    assert "href" not in lowered and "mathcolor" not in lowered and "<style" not in lowered


@pytest.mark.parametrize(
    ("body", "shown"),
    [
        (r"bad $\frac{$ end", r"bad $\frac{$ end"),
        (r"bad \(x^\) end", r"bad \(x^\) end"),
        ("$$\n<b>^\n$$", "$$&lt;b&gt;^$$"),
    ],
)
def test_malformed_tex_is_shown_as_typed_and_escaped(body, shown):
    html = render_review_markdown(body)
    assert not maths(html)
    assert shown in html
    assert "<b>" not in html


@pytest.mark.parametrize(
    "tex", ["\\", "{", "}", "^", "_", "&", r"\\", r"\left(", r"\sqrt[", r"\begin{matrix}", r"\end{x}", "x^^2", "a_"]
)
def test_no_tex_ever_raises(tex):
    for body in (f"${tex}$", f"$${tex}$$", f"\\({tex}\\)", f"\\[{tex}\\]", f"$$\n{tex}\n$$"):
        assert_inert(render_review_markdown(body))


def test_very_long_tex_stays_text():
    assert tex_to_mathml("x+" * MAX_TEX_LENGTH, display=False) is None


@pytest.mark.parametrize(
    "body", ["It costs $5 and $10.", "Between $ 3 and 4 $ apples", "`$x$` in code", "```\n$$x$$\n```", r"\\(x\)"]
)
def test_dollars_code_and_escaped_brackets_stay_text(body):
    assert not maths(render_review_markdown(body))


@pytest.mark.django_db
def test_preview_is_the_same_html_as_the_stored_review():
    body = "## Result\n\nWe show $\\alpha < \\beta$ and\n\n$$\n\\int_0^1 f(x)\\,dx\n$$\n\nwith \\(n\\) samples."
    review = services.review_create(
        paper=PaperFactory(),
        author=UserFactory(),
        data={
            "platform": "openreview",
            "source_url": "https://openreview.net/forum?id=abc",
            "venue": "ICLR 2024",
            "year": 2024,
            "reviewer_name": "Ada Lovelace",
            "is_anonymous": False,
            "body": body,
            "rating": "8: accept",
            "confidence": "4",
            "license": "CC-BY-4.0",
        },
    )
    assert len(maths(review.body_html)) == 3
    assert services.review_preview_html(body=body) == review.body_html
