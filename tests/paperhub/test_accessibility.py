"""Every kind of page in a real browser: no serious or critical axe-core violation."""

import pytest
from django.core.management import call_command

from paperhub.tokens import token_create
from papers.models import Author, Paper, Topic
from tests.browser import axe_violations, chromium, new_page, session_cookie, sideways_overflow
from tests.media_links.factories import VideoFactory
from tests.reviews.factories import CrossrefReviewFactory, ReviewFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site():
    """The demo papers (real records) with a published review and video, and a signed-in reader."""
    call_command("load_demo", verbosity=0)
    paper = Paper.objects.get(doi="10.7554/elife.01567")
    # What reviewers paste: a long unbroken URL and a wide Markdown table.
    wide_table = "| " + " | ".join(f"column {n}" for n in range(12)) + " |\n|" + "---|" * 12 + "\n"
    ReviewFactory(paper=paper, body=f"See https://example.org/{'a' * 120} for the data.\n\n{wide_table}")
    CrossrefReviewFactory(paper=paper)  # a review registered with Crossref: its own card, title and DOI link
    VideoFactory(paper=paper)
    author = Author.objects.exclude(orcid="").order_by("pk").first()
    topic = Topic.objects.order_by("pk").first()
    user = UserFactory(username="reader")
    token_create(user=user, name="reading list")  # the tokens page shows its table only when there are tokens
    ReviewFactory(paper=paper, author=user)
    return {"paper": paper, "author": author, "topic": topic, "user": user}


def anonymous_paths(site):
    paper = site["paper"]
    return [
        "/",
        paper.get_absolute_url(),
        "/doi/10.1371/journal.pone.0033693",
        "/doi/10.21203/rs.1.1/v2",  # a preprint: the published-version banner and the Versions line
        "/doi/10.5555/not.yet.here",
        "/search?q=protein",
        "/search?q=cell",
        "/search?q=zzzzunfindable",
        "/topics/",
        f"/topics/{site['topic'].openalex_id}",
        f"/authors/{site['author'].orcid}",
        "/add",
        "/add?identifier=10.5555/asked.again",  # the home page's add form without script: asked again
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
    ]


def signed_in_paths(site):
    paper = site["paper"]
    return [
        paper.get_absolute_url(),
        f"{paper.get_absolute_url()}/reviews/new",
        f"{paper.get_absolute_url()}/videos/new",
        "/reviews/mine",
        "/account/tokens",
        "/accounts/email/",
        "/accounts/password/change/",
    ]


def test_no_serious_or_critical_axe_violations_on_any_page_kind(live_server, site):
    found = {}
    cookie = session_cookie(live_server=live_server, user=site["user"])
    runs = ((None, anonymous_paths(site)), (cookie, signed_in_paths(site)))
    with chromium() as browser:
        for cookie, paths in runs:
            page = new_page(browser, cookie=cookie)
            for path in paths:
                page.goto(f"{live_server.url}{path}")
                assert "/accounts/login/" not in page.url or path.startswith("/accounts/"), path
                if violations := axe_violations(page):
                    found[path] = violations
    assert found == {}


# What the keyboard-focused element's ring is drawn in, and the colours right behind it (its own background for a
# ring drawn inwards, else the nearest ancestor's; every stop of a gradient).
_FOCUS_RING_JS = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const drawn = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const backgrounds = [];
  for (let node = parseFloat(style.outlineOffset) < 0 ? el : el.parentElement; node; node = node.parentElement) {
    const s = getComputedStyle(node);
    const stops = s.backgroundImage.match(/rgba?\\([^)]*\\)/g);
    if (stops) { backgrounds.push(...stops); break; }
    if (s.backgroundColor !== "rgba(0, 0, 0, 0)" && s.backgroundColor !== "transparent") {
      backgrounds.push(s.backgroundColor); break;
    }
  }
  return {
    element: el.outerHTML.slice(0, 80), ring: drawn ? style.outlineColor : null,
    backgrounds: backgrounds.length ? backgrounds : ["rgb(255, 255, 255)"],
  };
}"""


def _luminance(css_colour: str) -> float:
    red, green, blue = (int(float(part)) / 255 for part in css_colour[css_colour.index("(") + 1 : -1].split(",")[:3])
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (red, green, blue)]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_focus_ring_contrasts_3_to_1_with_what_is_behind_it(live_server, site):
    low = []
    cookie = session_cookie(live_server=live_server, user=site["user"])
    paper_url = site["paper"].get_absolute_url()
    with chromium() as browser:
        page = new_page(browser, cookie=cookie)
        for path in ("/", paper_url, "/search?q=cell", f"{paper_url}/reviews/new", "/account/tokens"):
            page.goto(f"{live_server.url}{path}")
            seen = set()
            for _ in range(150):  # every tab stop once: stop when focus comes round again
                page.keyboard.press("Tab")
                focus = page.evaluate(_FOCUS_RING_JS)
                if focus["element"] in seen or focus["element"].startswith("<body"):
                    break
                seen.add(focus["element"])
                if focus["ring"] is None:
                    low.append((path, focus["element"], "no ring"))
                    continue
                worst = min(contrast(focus["ring"], background) for background in focus["backgrounds"])
                if worst < 3:
                    low.append((path, focus["element"], round(worst, 2)))
    assert low == []


def test_no_page_scrolls_sideways_at_phone_width(live_server, site):
    too_wide = {}
    cookie = session_cookie(live_server=live_server, user=site["user"])
    runs = ((None, anonymous_paths(site)), (cookie, signed_in_paths(site)))
    with chromium() as browser:
        for cookie, paths in runs:
            page = new_page(browser, cookie=cookie, viewport={"width": 390, "height": 844})
            for path in paths:
                page.goto(f"{live_server.url}{path}")
                measured = sideways_overflow(page)
                if measured["scrollWidth"] > 390:
                    too_wide[path] = measured
                if violations := axe_violations(page):  # what scrolls inside the page must still be reachable
                    too_wide[path] = violations
    assert too_wide == {}, "\n".join(f"{path}: {measured}" for path, measured in too_wide.items())
