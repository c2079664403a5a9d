"""The one way PaperHub talks to other servers: fixed timeouts, a size cap, a deadline, our own errors.

Clients call `get_json`; they never see httpx responses or exceptions.
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

from . import ratelimit

logger = logging.getLogger(__name__)


class UpstreamError(Exception):
    """Something went wrong talking to `upstream`; the message is fit to show on a paper page."""

    def __init__(self, upstream: str, message: str, *, status: int | None = None):
        super().__init__(f"{upstream}: {message}")
        self.upstream = upstream
        self.status = status  # the HTTP status, when there was an answer


class UpstreamNotFound(UpstreamError):
    """The upstream answered that it does not know the record (404, 410). Not worth retrying."""


class UpstreamUnavailable(UpstreamError):
    """Timeouts, refused connections, 429 and 5xx: worth retrying later, after `retry_after` seconds if given."""

    def __init__(self, upstream: str, message: str, retry_after: float | None = None, *, status: int | None = None):
        super().__init__(upstream, message, status=status)
        self.retry_after = retry_after


class UpstreamBadResponse(UpstreamError):
    """The upstream answered, but not with something usable (other 4xx, not JSON, too large)."""


@dataclass
class UpstreamResponse:
    data: Any
    headers: httpx.Headers


_client: httpx.Client | None = None


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


def get_json(
    upstream: str,
    url: str,
    *,
    params: dict | None = None,
    follow_redirects: bool = True,
    not_found_statuses: tuple[int, ...] = (404, 410),
) -> UpstreamResponse:
    """GET `url` and parse its JSON body, within the upstream's shared rate limit, a deadline and a size cap."""
    ratelimit.acquire(upstream)
    deadline = time.monotonic() + 2 * settings.UPSTREAM_TIMEOUT_SECONDS
    cap = settings.UPSTREAM_MAX_RESPONSE_BYTES
    try:
        with client().stream("GET", url, params=params, follow_redirects=follow_redirects) as response:
            if 300 <= response.status_code < 400:
                raise UpstreamBadResponse(upstream, f"redirected ({response.status_code}); redirects are not followed")
            _raise_for_status(upstream, response, not_found_statuses)
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > cap:
                raise UpstreamBadResponse(upstream, f"the response is {int(declared):,} bytes; the limit is {cap:,}")
            body = bytearray()
            for chunk in response.iter_bytes():
                body.extend(chunk)
                if len(body) > cap:
                    raise UpstreamBadResponse(upstream, f"the response is larger than the {cap:,}-byte limit")
                if time.monotonic() > deadline:
                    raise UpstreamUnavailable(upstream, "the response was too slow to arrive")
            headers = response.headers
    except httpx.TimeoutException:
        raise UpstreamUnavailable(upstream, "the request timed out") from None
    except httpx.TooManyRedirects:
        raise UpstreamBadResponse(upstream, "too many redirects") from None
    except httpx.TransportError as exc:
        raise UpstreamUnavailable(upstream, f"unreachable ({type(exc).__name__})") from None
    ratelimit.learn_from_headers(upstream, headers)
    try:
        return UpstreamResponse(data=json.loads(body), headers=headers)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise UpstreamBadResponse(upstream, "the response is not valid JSON") from None


def _raise_for_status(upstream: str, response: httpx.Response, not_found_statuses: tuple[int, ...]) -> None:
    status = response.status_code
    if status < 300:
        return
    logger.info("%s answered %s for %s", upstream, status, response.request.url)
    if status in not_found_statuses:
        raise UpstreamNotFound(upstream, "no such record", status=status)
    retry_after = parse_retry_after(response.headers)
    if status == 429:
        raise UpstreamUnavailable(upstream, "rate limited (429)", retry_after=retry_after, status=status)
    if status >= 500:
        raise UpstreamUnavailable(upstream, f"server error ({status})", retry_after=retry_after, status=status)
    raise UpstreamBadResponse(upstream, f"unexpected answer ({status})", status=status)


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
