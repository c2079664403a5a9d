import pytest
from bs4 import BeautifulSoup

from reviews.rendering import ALLOWED_TAGS, render_review_markdown
from tests.reviews.xss_vectors import XSS_VECTORS

DANGEROUS_SCHEMES = ("javascript:", "data:", "vbscript:")


def assert_inert(html: str) -> None:
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(True):
        assert tag.name in ALLOWED_TAGS, f"<{tag.name}> survived in {html!r}"
        for name, value in tag.attrs.items():
            assert not name.lower().startswith("on"), f"event handler {name} in {html!r}"
            assert name != "style", html
            text = " ".join(value) if isinstance(value, list) else value
            assert not text.strip().lower().startswith(DANGEROUS_SCHEMES), f"{name}={text!r} in {html!r}"
        if tag.name == "a" and tag.get("href"):
            assert tag["href"].split(":", 1)[0].lower() in {"http", "https", "mailto"} or ":" not in tag["href"]
            assert tag["rel"] == ["nofollow", "ugc", "noopener"]


def test_there_are_at_least_thirty_distinct_vectors():
    assert len(set(XSS_VECTORS)) >= 30


@pytest.mark.parametrize("vector", XSS_VECTORS)
def test_hostile_markdown_renders_inert(vector):
    assert_inert(render_review_markdown(vector))
    assert_inert(render_review_markdown(f"Some text before.\n\n{vector}\n\nAnd after."))


def test_markdown_features_survive():
    html = render_review_markdown(
        "## Summary\n\nThe paper is **strong** and *clear*.\n\n- point one\n- point two\n\n1. first\n\n"
        "> quoted\n\n`inline` code\n\n```\nblock\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
        "[OpenReview](https://openreview.net/forum?id=x) ~~old~~"
    )
    soup = BeautifulSoup(html, "html.parser")
    for tag in ("h4", "strong", "em", "ul", "ol", "blockquote", "code", "pre", "table", "td", "a", "s"):
        assert soup.find(tag) is not None, tag
    link = soup.find("a")
    assert (link["href"], link["rel"]) == ("https://openreview.net/forum?id=x", ["nofollow", "ugc", "noopener"])


def test_images_become_links_so_nothing_loads_from_other_sites():
    soup = BeautifulSoup(render_review_markdown("![a figure](https://img.example/fig.png)"), "html.parser")
    assert soup.find("img") is None
    assert soup.a["href"] == "https://img.example/fig.png" and soup.a.get_text() == "a figure"


def test_headings_sit_below_the_sections_a_review_is_shown_in():
    html = render_review_markdown(
        "# Summary\n\n## Strengths\n\n### Detail\n\n#### Deeper\n\n###### Deepest\n\nSetext\n===\n"
    )
    soup = BeautifulSoup(html, "html.parser")
    assert [(h.name, h.get_text()) for h in soup.find_all(["h1", "h2", "h3", "h4", "h5", "h6"])] == [
        ("h3", "Summary"),
        ("h4", "Strengths"),
        ("h5", "Detail"),
        ("h6", "Deeper"),
        ("h6", "Deepest"),
        ("h3", "Setext"),
    ]
