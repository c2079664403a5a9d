"""The OpenReview client against the fake upstream, which replays the recorded forums (tests/fake_upstream/server.py).

The ICLR 2026 forum is served in a CONSTRUCTED envelope ({"notes": the tracker's genuine v2 replies, "count": 4});
the v1 forums are their recorded bodies. No 401, 403 or login exchange was recorded: those bodies are ours.
"""

import copy
import json

import pytest
from django.core.cache import cache

from paperhub import http
from review_imports.clients import openreview as client
from review_imports.openreview import NoteKind, map_forum
from tests.fake_upstream.server import FIXTURES, OPENREVIEW_PASSWORD, Fail, Garbage

OR = FIXTURES / "openreview"
ICLR2026 = json.loads((OR / "v2-iclr2026-direct-replies-in-tracker-wrapper-00F7BfXLYJ.json").read_text())["replies"]
CHALLENGE = json.loads((OR / "v2-anonymous-challenge-200-html-in-fixture-wrapper.json").read_text())["response"]
SIGN_IN = "OpenReview asks for sign-in: set OPENREVIEW_USERNAME and OPENREVIEW_PASSWORD"


@pytest.fixture
def account(settings):
    settings.OPENREVIEW_USERNAME = "reader@paperhub.example"
    settings.OPENREVIEW_PASSWORD = OPENREVIEW_PASSWORD


@pytest.fixture
def full_pages(settings):
    # 1000 full ICLR 2026 reviews are about 3.9 MB a page: over the tests' 2 MB cap, within the 10 MB default.
    settings.UPSTREAM_MAX_RESPONSE_BYTES = 10 * 1024 * 1024


def long_forum(count: int) -> list[dict]:
    """CONSTRUCTED: the recorded ICLR 2026 reviews repeated under new ids, for a forum longer than a page."""
    notes = []
    for index in range(count):
        note = copy.deepcopy(ICLR2026[index % len(ICLR2026)])
        note["id"] = f"Long{index:06d}"
        notes.append(note)
    return notes


# -- where the forum is


def test_a_v2_forum_comes_from_api_v2(fake_upstream):
    found = client.get_forum_notes("00F7BfXLYJ")
    assert (found.api_version, found.pages, len(found.notes)) == (2, 1, 4)
    assert [n["id"] for n in found.notes] == [n["id"] for n in ICLR2026]
    [call] = fake_upstream.calls("openreview")
    assert call.path == "notes"
    assert call.query == {"forum": ["00F7BfXLYJ"], "limit": ["1000"], "offset": ["0"]}
    assert "Authorization" not in call.headers  # no account configured
    assert fake_upstream.calls("openreview-v1") == []
    assert found.url.endswith("/openreview/notes?forum=00F7BfXLYJ&limit=1000&offset=0")


@pytest.mark.parametrize(
    ("forum_id", "count", "kinds"),
    [
        ("B1CEaMbR-", 6, {NoteKind.REVIEW: 3, NoteKind.COMMENT: 2}),
        ("HJepJh0qKX", 3, {NoteKind.META_REVIEW: 1, NoteKind.REVIEW: 1}),
        ("BkgzMCVtPB", 3, {NoteKind.DECISION: 1, NoteKind.COMMENT: 1}),
    ],
)
def test_a_forum_v2_does_not_know_comes_from_api_v1(fake_upstream, forum_id, count, kinds):
    found = client.get_forum_notes(forum_id)
    assert (found.api_version, found.pages, len(found.notes)) == (1, 1, count)
    [v2] = fake_upstream.calls("openreview")
    assert v2.status == 404  # the recorded NotFoundError
    [v1] = fake_upstream.calls("openreview-v1")
    assert v1.query == {"forum": [forum_id], "limit": ["1000"], "offset": ["0"]}
    forum = map_forum(found.notes, forum_id=forum_id, version=found.api_version)
    assert forum.submission is not None
    assert {kind: len(forum.of_kind(kind)) for kind in kinds} == kinds


def test_the_2018_forum_is_served_as_recorded(fake_upstream):
    recorded = json.loads((OR / "v1-iclr2018-notes-forum-B1CEaMbR-submission-3-reviews-comments.json").read_bytes())
    assert client.get_forum_notes("B1CEaMbR-").notes == recorded["notes"]


def test_an_empty_v2_listing_also_falls_back_to_v1(fake_upstream):
    fake_upstream.serve_openreview_forum("B1CEaMbR-", [], version=2)
    found = client.get_forum_notes("B1CEaMbR-")
    assert found.api_version == 1
    assert [c.status for c in fake_upstream.calls("openreview")] == [200]


def test_a_forum_neither_version_knows_is_not_found(fake_upstream):
    with pytest.raises(client.ForumNotFound, match="no forum ZZZZZZZZZZ on API v2 or v1") as excinfo:
        client.get_forum_notes("ZZZZZZZZZZ")
    assert isinstance(excinfo.value, http.UpstreamNotFound)
    assert [c.status for c in fake_upstream.requests] == [404, 404]


def test_the_404_body_is_openreviews_recorded_not_found_error(fake_upstream):
    with pytest.raises(http.UpstreamNotFound) as excinfo:
        http.get_json("OpenReview", f"{fake_upstream.url}/openreview/notes", params={"forum": "ZZZZZZZZZZ"})
    assert json.loads(excinfo.value.body)["name"] == "NotFoundError"


# -- paging


def test_a_forum_longer_than_a_page_is_read_page_by_page(fake_upstream, full_pages):
    notes = long_forum(2345)
    fake_upstream.serve_openreview_forum("LongForum1", notes)
    found = client.get_forum_notes("LongForum1")
    assert (found.api_version, found.pages) == (2, 3)
    assert [n["id"] for n in found.notes] == [n["id"] for n in notes]
    assert [c.query["offset"] for c in fake_upstream.calls("openreview")] == [["0"], ["1000"], ["2000"]]
    assert {c.query["limit"][0] for c in fake_upstream.calls("openreview")} == {"1000"}


def test_exactly_one_full_page_takes_one_more_request_to_be_sure(fake_upstream, full_pages):
    fake_upstream.serve_openreview_forum("LongForum2", long_forum(1000))
    found = client.get_forum_notes("LongForum2")
    assert (len(found.notes), found.pages) == (1000, 2)


def test_v1_is_paged_the_same_way(fake_upstream, full_pages):
    fake_upstream.serve_openreview_forum("LongForum3", long_forum(1500), version=1)
    found = client.get_forum_notes("LongForum3")
    assert (found.api_version, found.pages, len(found.notes)) == (1, 2, 1500)
    assert [c.query["offset"] for c in fake_upstream.calls("openreview-v1")] == [["0"], ["1000"]]


def test_an_upstream_that_ignores_offset_does_not_loop(fake_upstream, full_pages):
    # CONSTRUCTED: every page answers the same full page, as a server ignoring `offset` would.
    page = json.dumps({"notes": long_forum(1000)}).encode()
    fake_upstream.always("openreview", Fail(200, body=page, content_type="application/json"))
    found = client.get_forum_notes("LongForum4")
    assert (len(found.notes), found.pages) == (1000, 2)


# -- failures


def test_rate_limited_is_unavailable_with_retry_after(fake_upstream):
    fake_upstream.script("openreview", Fail(429, retry_after=7))
    with pytest.raises(http.UpstreamUnavailable, match="rate limited") as excinfo:
        client.get_forum_notes("00F7BfXLYJ")
    assert (excinfo.value.status, excinfo.value.retry_after) == (429, 7.0)
    assert fake_upstream.calls("openreview-v1") == []  # a 429 is not "unknown on v2"


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_unavailable(fake_upstream, status):
    fake_upstream.script("openreview", Fail(status))
    with pytest.raises(http.UpstreamUnavailable, match=f"server error \\({status}\\)"):
        client.get_forum_notes("00F7BfXLYJ")


def test_a_v1_server_error_after_the_fallback_is_unavailable(fake_upstream):
    fake_upstream.script("openreview-v1", Fail(503, retry_after=30))
    with pytest.raises(http.UpstreamUnavailable) as excinfo:
        client.get_forum_notes("B1CEaMbR-")
    assert excinfo.value.retry_after == 30.0


@pytest.mark.parametrize("behaviour", [Garbage(), Fail(200, body=b'{"count": 3}', content_type="application/json")])
def test_answers_without_notes_are_bad_responses(fake_upstream, behaviour):
    fake_upstream.script("openreview", behaviour)
    with pytest.raises(http.UpstreamBadResponse):
        client.get_forum_notes("00F7BfXLYJ")


def test_the_browser_check_asks_for_sign_in(fake_upstream):
    fake_upstream.challenge_anonymous_openreview()  # the recorded "Verifying your browser" page, 200 text/html
    with pytest.raises(client.SignInRequired) as excinfo:
        client.get_forum_notes("00F7BfXLYJ")
    assert str(excinfo.value) == SIGN_IN
    assert not isinstance(excinfo.value, http.UpstreamUnavailable)  # waiting will not get past it
    [call] = fake_upstream.calls("openreview")
    assert call.status == 200


def test_a_scripted_challenge_page_on_v1_asks_for_sign_in_too(fake_upstream):
    fake_upstream.script(
        "openreview-v1", Fail(200, body=CHALLENGE["text"].encode(), content_type=CHALLENGE["headers"]["content-type"])
    )
    with pytest.raises(client.SignInRequired, match="set OPENREVIEW_USERNAME and OPENREVIEW_PASSWORD"):
        client.get_forum_notes("B1CEaMbR-")


def test_a_challenge_required_error_asks_for_sign_in(fake_upstream):
    # CONSTRUCTED body (no 403 was recorded), in the shape of OpenReview's recorded errors.
    body = b'{"name": "ChallengeRequiredError", "message": "Challenge required", "status": 403}'
    fake_upstream.script("openreview", Fail(403, body=body, content_type="application/json"))
    with pytest.raises(client.SignInRequired, match="asks for sign-in") as excinfo:
        client.get_forum_notes("00F7BfXLYJ")
    assert excinfo.value.status == 403


def test_another_403_stays_a_bad_response(fake_upstream):
    body = b'{"name": "ForbiddenError", "message": "Forbidden", "status": 403}'  # CONSTRUCTED, as above
    fake_upstream.script("openreview", Fail(403, body=body, content_type="application/json"))
    with pytest.raises(http.UpstreamBadResponse) as excinfo:
        client.get_forum_notes("00F7BfXLYJ")
    assert not isinstance(excinfo.value, client.SignInRequired)


def test_a_401_without_an_account_asks_for_sign_in(fake_upstream):
    fake_upstream.script("openreview", Fail(401))
    with pytest.raises(client.SignInRequired, match="asks for sign-in"):
        client.get_forum_notes("00F7BfXLYJ")
    assert fake_upstream.calls("openreview-login") == []


# -- signing in


def test_with_an_account_the_client_logs_in_once_and_reuses_the_token(fake_upstream, account):
    fake_upstream.challenge_anonymous_openreview()  # anonymous requests would meet the browser check
    assert len(client.get_forum_notes("00F7BfXLYJ").notes) == 4
    assert len(client.get_forum_notes("B1CEaMbR-").notes) == 6  # v2's 404 and v1, with the same token
    [login] = fake_upstream.calls("openreview-login")
    assert login.path == "/openreview/login"
    assert login.headers["Content-Type"] == "application/json"
    calls = fake_upstream.calls("openreview") + fake_upstream.calls("openreview-v1")
    assert len(calls) == 3
    assert {c.headers["Authorization"] for c in calls} == {"Bearer fake-token-1"}
    assert cache.get(client.TOKEN_CACHE_KEY) == "fake-token-1"  # shared with every worker


def test_a_refused_token_is_renewed_once(fake_upstream, account):
    client.get_forum_notes("00F7BfXLYJ")
    fake_upstream.revoke_openreview_tokens()  # the token expired upstream
    assert len(client.get_forum_notes("00F7BfXLYJ").notes) == 4
    assert len(fake_upstream.calls("openreview-login")) == 2
    assert [c.status for c in fake_upstream.calls("openreview")] == [200, 401, 200]
    assert fake_upstream.calls("openreview")[-1].headers["Authorization"] == "Bearer fake-token-2"
    assert cache.get(client.TOKEN_CACHE_KEY) == "fake-token-2"


def test_a_token_refused_twice_asks_for_sign_in(fake_upstream, account):
    fake_upstream.script("openreview", Fail(401), Fail(401))
    with pytest.raises(client.SignInRequired):
        client.get_forum_notes("00F7BfXLYJ")
    assert len(fake_upstream.calls("openreview-login")) == 2
    assert len(fake_upstream.calls("openreview")) == 2  # renewed once, not in a loop


def test_a_wrong_password_says_the_sign_in_was_refused(fake_upstream, settings, account):
    settings.OPENREVIEW_PASSWORD = "not-the-password"
    with pytest.raises(client.SignInRequired, match="refused the sign-in: check OPENREVIEW_USERNAME"):
        client.get_forum_notes("00F7BfXLYJ")
    assert fake_upstream.calls("openreview") == []
    assert cache.get(client.TOKEN_CACHE_KEY) is None


def test_a_failing_login_is_unavailable(fake_upstream, account):
    fake_upstream.script("openreview-login", Fail(503))
    with pytest.raises(http.UpstreamUnavailable):
        client.get_forum_notes("00F7BfXLYJ")


def test_a_login_answer_without_a_token_is_a_bad_response(fake_upstream, account):
    fake_upstream.script("openreview-login", Fail(200, body=b'{"user": {}}', content_type="application/json"))
    with pytest.raises(http.UpstreamBadResponse, match="no token"):
        client.get_forum_notes("00F7BfXLYJ")


# -- paperhub.http.post_json


def test_post_json_shares_the_rate_limit_and_error_mapping(fake_upstream, settings):
    settings.UPSTREAM_RATE_LIMITS = {**settings.UPSTREAM_RATE_LIMITS, "openreview": 1000.0}
    answer = http.post_json(
        "OpenReview", f"{fake_upstream.url}/openreview/login", json_body={"id": "a", "password": OPENREVIEW_PASSWORD}
    )
    assert answer.data["token"].startswith("fake-token-")
    with pytest.raises(http.UpstreamBadResponse) as excinfo:
        http.post_json("OpenReview", f"{fake_upstream.url}/openreview/login", json_body={"password": "x"})
    assert excinfo.value.status == 400
    with pytest.raises(http.UpstreamNotFound):
        http.post_json("OpenReview", f"{fake_upstream.url}/elsewhere", json_body={})


def test_openreview_has_its_own_rate_limit_of_one_a_second(settings):
    from paperhub import ratelimit

    assert settings.UPSTREAM_RATE_LIMITS["openreview"] == 1.0  # OPENREVIEW_RATE_LIMIT's default
    assert ratelimit.current_limit(client.UPSTREAM) == 1.0  # "OpenReview" is counted under that setting
