"""OpenReview's API: every note of a forum (https://docs.openreview.net/reference/api-v2, GET /notes?forum=).

API v2 (api2.openreview.net) holds venues from 2024 on and many older ones migrated to it; the rest are only on API
v1 (api.openreview.net). v2 answers 404 NotFoundError (or an empty list) for a forum it does not hold, so the
client then asks v1. Both page with `limit` (at most 1000, v2 refuses more with a 400) and `offset`.

Anonymous requests may meet a browser check: a 200 HTML "Verifying your browser" page, or a 403
ChallengeRequiredError. Neither goes away by retrying, so both raise SignInRequired. With OPENREVIEW_USERNAME and
OPENREVIEW_PASSWORD set, the client logs in (POST /login on v2) for a token, keeps it in the shared cache so every
worker uses one, sends it as a Bearer token to both versions and logs in again once when it is refused (401).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from paperhub import http

UPSTREAM = "OpenReview"
PAGE_SIZE = 1000  # v2's maximum (a larger limit is a 400 ValidationError)
MAX_PAGES = 50  # 50,000 notes: far beyond any forum; a guard against an upstream that ignores offset
TOKEN_CACHE_KEY = "openreview:token"
TOKEN_TTL_SECONDS = 12 * 3600  # OpenReview tokens last about a day by default; renewed on a 401 anyway
SIGN_IN_MESSAGE = "OpenReview asks for sign-in: set OPENREVIEW_USERNAME and OPENREVIEW_PASSWORD"


class SignInRequired(http.UpstreamError):
    """OpenReview wants a signed-in client (a browser check, a refused token). Retrying without an account (or with
    the same wrong one) will not help, so this is not an UpstreamUnavailable."""

    def __init__(self, message: str = SIGN_IN_MESSAGE, *, status: int | None = None):
        super().__init__(UPSTREAM, message, status=status)
        self.args = (message,)  # the message names OpenReview already: no "OpenReview: " before it


class ForumNotFound(http.UpstreamNotFound):
    """Neither API version holds the forum (or it holds no notes anyone may read)."""

    def __init__(self, forum_id: str):
        super().__init__(UPSTREAM, f"no forum {forum_id} on API v2 or v1", status=404)
        self.forum_id = forum_id


@dataclass(frozen=True)
class ForumNotes:
    forum_id: str
    api_version: int  # 2 or 1: which API held the forum
    notes: list[dict]  # as the API sent them, every page in order
    pages: int  # requests made for the notes on that version
    url: str  # the first page's URL


def get_forum_notes(forum_id: str) -> ForumNotes:
    """Every note of `forum_id`, from API v2 or else v1. Raises ForumNotFound, SignInRequired, and http's
    UpstreamUnavailable (429, 5xx, timeouts) / UpstreamBadResponse like every client."""
    try:
        found = _all_pages(settings.OPENREVIEW_API_URL, forum_id, version=2)
    except http.UpstreamNotFound:
        found = None
    if found is None or not found.notes:
        try:
            found = _all_pages(settings.OPENREVIEW_API_V1_URL, forum_id, version=1)
        except http.UpstreamNotFound:
            raise ForumNotFound(forum_id) from None
    if not found.notes:
        raise ForumNotFound(forum_id)
    return found


def _all_pages(root: str, forum_id: str, *, version: int) -> ForumNotes:
    notes: list[dict] = []
    seen: set[str] = set()
    first_url = ""
    for page in range(MAX_PAGES):
        params = {"forum": forum_id, "limit": PAGE_SIZE, "offset": page * PAGE_SIZE}
        response = _get(f"{root}/notes", params)
        first_url = first_url or response.url
        batch = (response.data or {}).get("notes") if isinstance(response.data, dict) else None
        if not isinstance(batch, list):
            raise http.UpstreamBadResponse(UPSTREAM, "the answer holds no list of notes", status=response.status)
        new = [n for n in batch if isinstance(n, dict) and n.get("id") not in seen]
        seen.update(n.get("id") for n in new)
        notes.extend(new)
        if len(batch) < PAGE_SIZE or not new:
            return ForumNotes(forum_id, version, notes, page + 1, first_url)
    return ForumNotes(forum_id, version, notes, MAX_PAGES, first_url)


def _get(url: str, params: dict) -> http.UpstreamResponse:
    """One GET with the token, if there are credentials; logs in again once when the token is refused."""
    token = _token()
    try:
        return _get_as(url, params, token)
    except SignInRequired as exc:
        if exc.status != 401 or not token:
            raise
    return _get_as(url, params, _token(renew=True))  # a second refusal is final


def _get_as(url: str, params: dict, token: str) -> http.UpstreamResponse:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        return http.get_json(UPSTREAM, url, params=params, headers=headers)
    except http.UpstreamChallenge as exc:
        raise SignInRequired(status=exc.status) from None
    except http.UpstreamBadResponse as exc:
        if exc.status == 401 or (exc.status == 403 and _error_name(exc.body) == "ChallengeRequiredError"):
            raise SignInRequired(status=exc.status) from None
        raise


def _token(*, renew: bool = False) -> str:
    """A token for the configured account ("" without one), from the shared cache or a fresh login."""
    username, password = settings.OPENREVIEW_USERNAME, settings.OPENREVIEW_PASSWORD
    if not (username and password):
        return ""
    if not renew:
        cached = cache.get(TOKEN_CACHE_KEY)
        if cached:
            return cached
    try:
        response = http.post_json(
            UPSTREAM, f"{settings.OPENREVIEW_API_URL}/login", json_body={"id": username, "password": password}
        )
    except http.UpstreamBadResponse as exc:
        if exc.status in (400, 401, 403):
            raise SignInRequired(
                "OpenReview refused the sign-in: check OPENREVIEW_USERNAME and OPENREVIEW_PASSWORD", status=exc.status
            ) from None
        raise
    token = response.data.get("token") if isinstance(response.data, dict) else None
    if not isinstance(token, str) or not token:
        raise http.UpstreamBadResponse(UPSTREAM, "the login answer holds no token", status=response.status)
    cache.set(TOKEN_CACHE_KEY, token, timeout=TOKEN_TTL_SECONDS)
    return token


def _error_name(body: bytes) -> str:
    """OpenReview's error kind ("NotFoundError", "ChallengeRequiredError") from a JSON error body, else ""."""
    try:
        error = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return ""
    return str(error.get("name", "")) if isinstance(error, dict) else ""
