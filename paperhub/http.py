"""The one way PaperHub talks to other servers: fixed timeouts, a size cap, a deadline, our own errors.

Clients call `get_json` (parsed JSON) or `get_bytes` (the raw body, e.g. XML), and `post_json` for the rare POST
(a login); all go through one implementation and never hand out httpx responses or exceptions.
"""

from __future__ import annotations

import email.utils
import json
import logging
import time
from dataclasses import dataclass
from typing import Any

import httpx
from django.conf import settings

from . import concurrency, ratelimit

logger = logging.getLogger(__name__)


class UpstreamError(Exception):
    """Something went wrong talking to `upstream`; the message is fit to show on a paper page."""

    def __init__(self, upstream: str, message: str, *, status: int | None = None, body: bytes = b""):
        super().__init__(f"{upstream}: {message}")
        self.upstream = upstream
        self.status = status  # the HTTP status, when there was an answer
        self.body = body  # the start of an error answer's body (ERROR_BODY_BYTES at most), for clients that read it


class UpstreamNotFound(UpstreamError):
    """The upstream answered that it does not know the record (404, 410). Not worth retrying."""


class UpstreamUnavailable(UpstreamError):
    """Timeouts, refused connections, 429 and 5xx: worth retrying later, after `retry_after` seconds if given."""

    def __init__(
        self,
        upstream: str,
        message: str,
        retry_after: float | None = None,
        *,
        status: int | None = None,
        body: bytes = b"",
    ):
        super().__init__(upstream, message, status=status, body=body)
        self.retry_after = retry_after


class UpstreamChallenge(UpstreamUnavailable):
    """A 200 HTML page where data was asked for: a bot challenge or a login wall. Retried like any unavailability;
    a client that knows what the wall means (OpenReview: sign in) can say so instead."""


class UpstreamBadResponse(UpstreamError):
    """The upstream answered, but not with something usable (other 4xx, not JSON, too large)."""


@dataclass
class UpstreamResponse:
    """What an upstream answered. `data` is the parsed JSON (get_json only); `content` the raw body.

    Two answers carry no body and are not errors: `not_modified` (a 304 to a conditional request: what the caller
    holds is current) and `no_content` (a status the caller listed in `no_content_statuses`, e.g. 204).
    """

    data: Any
    headers: httpx.Headers
    content: bytes = b""
    status: int = 200
    url: str = ""
    not_modified: bool = False
    no_content: bool = False

    @property
    def etag(self) -> str:
        return self.headers.get("ETag", "")

    @property
    def last_modified(self) -> str:
        return self.headers.get("Last-Modified", "")


_client: httpx.Client | None = None
ERROR_BODY_BYTES = 4096  # what is kept of an error answer's body: enough for a JSON error, never a whole page


def user_agent() -> str:
    contact = settings.PAPERHUB_CONTACT_EMAIL
    return f"PaperHub/1.0 (mailto:{contact})" if contact else "PaperHub/1.0"


def client() -> httpx.Client:
    """One pooled client per process (httpx clients are thread-safe); built on first use."""
    global _client
    if _client is None:
        timeout = settings.UPSTREAM_TIMEOUT_SECONDS
        _client = httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            headers={"User-Agent": user_agent(), "Accept": "application/json"},
            follow_redirects=True,
            max_redirects=3,
        )
    return _client


def get_json(upstream: str, url: str, **options) -> UpstreamResponse:
    """GET `url` and parse its JSON body, within the upstream's shared rate limit, a deadline and a size cap.

    A 304 or a no-content status comes back with `data=None` (see UpstreamResponse); `options` as get_bytes.
    """
    return _parsed(upstream, _request("GET", upstream, url, **{**options, "accept": "application/json"}))


def post_json(
    upstream: str,
    url: str,
    *,
    json_body: Any,
    headers: dict[str, str] | None = None,
    not_found_statuses: tuple[int, ...] = (404, 410),
) -> UpstreamResponse:
    """POST `json_body` as JSON to `url` and parse the JSON answer, with get_bytes' guarantees (rate limit, deadline,
    size cap, errors). For the few calls that must POST (logging in for a token); never retried here."""
    response = _request(
        "POST",
        upstream,
        url,
        headers=headers,
        accept="application/json",
        json_body=json_body,
        not_found_statuses=not_found_statuses,
    )
    return _parsed(upstream, response)


def _parsed(upstream: str, response: UpstreamResponse) -> UpstreamResponse:
    if response.not_modified or response.no_content:
        return response
    try:
        response.data = json.loads(response.content)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise UpstreamBadResponse(upstream, "the response is not valid JSON", status=response.status) from None
    return response


def get_bytes(upstream: str, url: str, **options) -> UpstreamResponse:
    """GET `url` and return its body unparsed, with get_json's guarantees (rate limit, deadline, size cap, errors).

    `etag` / `last_modified` (as an earlier answer gave them) are sent as If-None-Match / If-Modified-Since; a 304
    then returns `not_modified=True` rather than raising, since "unchanged" is a normal outcome for a refresh.
    Statuses in `no_content_statuses` return `no_content=True` with an empty body instead of their usual error
    or body. A 200 HTML page when `accept` asked for something else (a bot challenge, a login wall) raises
    UpstreamChallenge (an UpstreamUnavailable), so it is retried later and never stored as the document.

    Options, all keyword-only and optional, are _request's: params, headers, accept, etag, last_modified,
    follow_redirects, not_found_statuses, no_content_statuses, max_bytes. An unknown one is a TypeError there.
    """
    return _request("GET", upstream, url, **options)


def _request(
    method: str,
    upstream: str,
    url: str,
    *,
    params: dict | None = None,
    headers: dict[str, str] | None = None,
    accept: str = "*/*",
    etag: str = "",
    last_modified: str = "",
    follow_redirects: bool = True,
    not_found_statuses: tuple[int, ...] = (404, 410),
    no_content_statuses: tuple[int, ...] = (),
    max_bytes: int | None = None,
    json_body: Any = None,
) -> UpstreamResponse:
    """The one implementation behind get_bytes, get_json and post_json (see get_bytes)."""
    # The User-Agent is read per request, so it names the contact address configured now.
    request_headers = {"User-Agent": user_agent(), "Accept": accept, **(headers or {})}
    if etag:
        request_headers["If-None-Match"] = etag
    if last_modified:
        request_headers["If-Modified-Since"] = last_modified
    conditional = any(name.lower() in ("if-none-match", "if-modified-since") for name in request_headers)
    cap = min(max_bytes or settings.UPSTREAM_MAX_RESPONSE_BYTES, settings.UPSTREAM_MAX_RESPONSE_BYTES)
    try:
        # The slot first, then the rate's: a request leaves at its rate slot's time, never in a burst of waiters
        # that a freed slot let go together. The slot is given back however the block ends.
        with concurrency.slot(upstream):
            ratelimit.acquire(upstream)
            deadline = time.monotonic() + 2 * settings.UPSTREAM_TIMEOUT_SECONDS
            status, answered_headers, final_url, body = _exchange(
                method,
                upstream,
                url,
                params=params,
                headers=request_headers,
                json_body=json_body,
                follow_redirects=follow_redirects,
                conditional=conditional,
                not_found_statuses=not_found_statuses,
                no_content_statuses=no_content_statuses,
                cap=cap,
                deadline=deadline,
            )
    except concurrency.NoSlot as exc:
        raise UpstreamUnavailable(upstream, str(exc)) from None
    ratelimit.learn_from_headers(upstream, answered_headers)
    concurrency.learn_from_headers(upstream, answered_headers)
    answer = UpstreamResponse(data=None, headers=answered_headers, content=body, status=status, url=final_url)
    if status in no_content_statuses:
        answer.no_content = True
    elif status == 304:
        answer.not_modified = True
    elif _is_html_page(answered_headers, body) and not _asks_for_html(accept):
        logger.info("%s answered an HTML page for %s", upstream, final_url)
        raise UpstreamChallenge(upstream, "answered with an HTML page (a bot challenge?)", status=status)
    return answer


def _exchange(
    method: str,
    upstream: str,
    url: str,
    *,
    params,
    headers,
    json_body,
    follow_redirects: bool,
    conditional: bool,
    not_found_statuses: tuple[int, ...],
    no_content_statuses: tuple[int, ...],
    cap: int,
    deadline: float,
) -> tuple[int, httpx.Headers, str, bytes]:
    """Send the request and read its answer (status, headers, final URL, body); errors mapped to ours."""
    try:
        with client().stream(
            method, url, params=params, headers=headers, follow_redirects=follow_redirects, json=json_body
        ) as response:
            status, answered_headers, final_url = response.status_code, response.headers, str(response.url)
            if status in no_content_statuses or (status == 304 and conditional):
                body = b""  # nothing to read: an answer without a body, by the caller's leave
            else:
                if 300 <= status < 400 and status != 304:  # an unasked-for 304 is just unexpected
                    raise UpstreamBadResponse(
                        upstream, f"redirected ({status}); redirects are not followed", status=status
                    )
                _raise_for_status(upstream, response, not_found_statuses)
                body = _read_capped(upstream, response, cap, deadline)
    except httpx.TimeoutException:
        raise UpstreamUnavailable(upstream, "the request timed out") from None
    except httpx.TooManyRedirects:
        raise UpstreamBadResponse(upstream, "too many redirects") from None
    except httpx.TransportError as exc:
        raise UpstreamUnavailable(upstream, f"unreachable ({type(exc).__name__})") from None
    return status, answered_headers, final_url, body


def _read_capped(upstream: str, response: httpx.Response, cap: int, deadline: float) -> bytes:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > cap:
        raise UpstreamBadResponse(
            upstream, f"the response is {int(declared):,} bytes; the limit is {cap:,}", status=response.status_code
        )
    body = bytearray()
    for chunk in response.iter_bytes():
        body.extend(chunk)
        if len(body) > cap:
            raise UpstreamBadResponse(
                upstream, f"the response is larger than the {cap:,}-byte limit", status=response.status_code
            )
        if time.monotonic() > deadline:
            raise UpstreamUnavailable(upstream, "the response was too slow to arrive", status=response.status_code)
    return bytes(body)


def _asks_for_html(accept: str) -> bool:
    accept = accept.lower()
    return "html" in accept or accept.strip() == "*/*"


def _is_html_page(headers: httpx.Headers, body: bytes) -> bool:
    """An HTML document, by both its Content-Type and its first bytes (a JSON string about HTML is not one)."""
    if "text/html" not in headers.get("Content-Type", "").lower():
        return False
    start = body[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return start.startswith((b"<!doctype html", b"<html"))


def _raise_for_status(upstream: str, response: httpx.Response, not_found_statuses: tuple[int, ...]) -> None:
    status = response.status_code
    if status < 300:
        return
    logger.info("%s answered %s for %s", upstream, status, response.request.url)
    body = _error_body(response)
    if status in not_found_statuses:
        raise UpstreamNotFound(upstream, "no such record", status=status, body=body)
    retry_after = parse_retry_after(response.headers)
    if status == 429:
        concurrency.count_rate_limited(upstream)
        raise UpstreamUnavailable(upstream, "rate limited (429)", retry_after=retry_after, status=status, body=body)
    if status >= 500:
        message = f"server error ({status})"
        raise UpstreamUnavailable(upstream, message, retry_after=retry_after, status=status, body=body)
    raise UpstreamBadResponse(upstream, f"unexpected answer ({status})", status=status, body=body)


def _error_body(response: httpx.Response) -> bytes:
    """The start of an error answer's body (an API's JSON error names its kind); never more than ERROR_BODY_BYTES."""
    body = bytearray()
    try:
        for chunk in response.iter_bytes():
            body.extend(chunk)
            if len(body) >= ERROR_BODY_BYTES:
                break
    except httpx.HTTPError:
        pass  # a body that does not arrive is no reason to hide the status
    return bytes(body[:ERROR_BODY_BYTES])


def parse_retry_after(headers: httpx.Headers) -> float | None:
    """Retry-After in seconds, from either of its forms (seconds, or an HTTP date)."""
    value = headers.get("Retry-After", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
