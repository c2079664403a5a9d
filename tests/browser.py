"""Playwright driving Debian's Chromium (never a browser Playwright downloads)."""

import contextlib
import shutil

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@contextlib.contextmanager
def chromium():
    from playwright.sync_api import sync_playwright

    if not shutil.which("chromium"):
        pytest.fail("Debian's chromium is missing: `apt-get install chromium` (.ci/run installs it)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


# axe-core's impact levels that fail a test; "minor" and "moderate" findings are left to review.
AXE_FAILING_IMPACTS = ("serious", "critical")
# Lesser rules the site once broke and fixed (tokens table's action column, the search forms): kept failing.
AXE_FAILING_RULES = ("empty-table-header", "landmark-unique")


def axe_violations(page) -> list[str]:
    """Serious and critical axe-core violations on the page, one readable line per rule and element."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{violation['id']} ({violation['impact']}): {', '.join(node['target'])}: {violation['help']}"
        for violation in results.response["violations"]
        if violation["impact"] in AXE_FAILING_IMPACTS or violation["id"] in AXE_FAILING_RULES
        for node in violation["nodes"]
    ]


def session_cookie(*, live_server, user) -> dict:
    """A signed-in user's session cookie for a browser context (the sign-in form has its own journey test).

    Made before Playwright starts: its event loop makes Django refuse database calls in this thread."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    return {"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}


def new_page(browser, *, cookie: dict | None = None, **context_options):
    """A page in a browser context of its own, signed in when given a session_cookie()."""
    context = browser.new_context(**context_options)
    if cookie:
        context.add_cookies([cookie])
    return context.new_page()


# Elements reaching past the viewport's right edge (the last three, for the message) and the page's scroll width.
_WIDEST_JS = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll("body *")].filter(el => el.getBoundingClientRect().right > width + 0.5);
  return {
    scrollWidth: document.documentElement.scrollWidth,
    widest: wide.slice(-3).map(el => el.outerHTML.slice(0, 100)),
  };
}"""


def sideways_overflow(page) -> dict:
    """{"scrollWidth": the page's width, "widest": what sticks out}; wider than the viewport scrolls sideways."""
    return page.evaluate(_WIDEST_JS)
