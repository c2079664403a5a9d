"""Whole pages for anonymous visitors, kept in the shared cache (Redis in production) with what versions them.

Every anonymous visitor sees the same page, so the finished response is kept beside the version it shows:
- a paper page, the paper's version (papers/versions.py: `updated_at`, which every change to the paper, its
  reviews or its videos moves, and the fetch state);
- the home page, search results, suggestions, the taxonomy and author pages, the generation of all papers,
  which every change to any paper moves (LISTING_SECONDS at most). The home page's add form holds no CSRF token
  for this reason: its script fetches one when the form is used, and without script it asks again on /add.

The middleware sits right after WhiteNoise, so a hit skips sessions, CSRF, messages and the view, and costs one
cache round trip: the version and the stored page are read together (a large body is read once per process and
then taken from its own copy: paperhub/cached_bodies.py). Profiled: for a paper page the version
query was half of a cached page's time, and the middleware stack a quarter.

Signed-in visitors, anyone with a message waiting, and every other page go through the views; a paper page is
then rendered around its cached fragments. A page that used a CSRF token or set a cookie is never kept.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers

from paperhub import cached_bodies
from paperhub.caching import current_payload, keep, origin_key, request_key, resolved

from . import doi as doi_lib
from . import versions
from .models import doi_path

# A paper page lives this long at most; any change to what it shows changes its version first.
PAGE_SECONDS = 24 * 3600
# Pages that show many papers are kept this long at most.
LISTING_SECONDS = 60
BY_GENERATION = {"papers:home", "papers:search", "papers:suggest", "papers:taxonomy", "papers:taxon", "papers:author"}


class SharedPageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        view_name, kwargs = _shareable_view(request)
        if view_name == "papers:detail":
            doi = _canonical_doi(request, kwargs["doi"])
            if doi is None:
                return self.get_response(request)  # the view redirects to the canonical spelling
            key, seconds = f"paper-response:{versions.digest(doi)}:{origin_key(request)}", PAGE_SECONDS
            version, stored = versions.current(doi, also=key)  # None: not here, the view answers 404
        elif view_name in BY_GENERATION:
            key, seconds = request_key("shared-page", request), LISTING_SECONDS
            version, stored = versions.generation(also=key)  # None: the cache is per-process
        else:
            return self.get_response(request)
        if version is None:
            return self.get_response(request)

        etag = '"' + hashlib.sha256(f"{key}:{version}".encode()).hexdigest()[:32] + '"'
        not_modified = get_conditional_response(request, etag=etag)
        if not_modified is not None:
            not_modified["ETag"] = etag  # a 304 repeats the validator (RFC 9110 15.4.5)
            return _personal_by_cookie(not_modified)
        kept = current_payload(stored, version)
        content = cached_bodies.fetch(kept[0]) if kept is not None else None
        if content is not None:
            return _response(content, kept[1])
        response = self.get_response(request)
        if _keepable(request, response):
            response["ETag"] = etag
            _personal_by_cookie(response)
            keep(key, version, (cached_bodies.stash(response.content, seconds), dict(response.headers)), seconds)
        return response


def is_shareable(request: HttpRequest) -> bool:
    """True when the request carries nothing that makes its page personal: no session, no pending messages."""
    return settings.SESSION_COOKIE_NAME not in request.COOKIES and CookieStorage.cookie_name not in request.COOKIES


def raw_path(request: HttpRequest) -> str | None:
    """The path exactly as the client sent it (gunicorn's RAW_URI, or REQUEST_URI), when the server tells."""
    raw = request.META.get("RAW_URI") or request.META.get("REQUEST_URI")
    return raw.split("?", 1)[0] if raw else None


def _shareable_view(request: HttpRequest) -> tuple[str | None, dict]:
    if request.method not in ("GET", "HEAD") or not is_shareable(request):
        return None, {}
    match = resolved(request.path_info)
    if match is None:
        return None, {}
    return match.view_name, match.kwargs


def _canonical_doi(request: HttpRequest, doi: str) -> str | None:
    """The DOI when the path spells it canonically; None when the view should redirect."""
    try:
        if doi_lib.normalize_doi(doi) != doi or raw_path(request) not in (None, doi_path("papers:detail", doi)):
            return None
    except doi_lib.InvalidDOI:
        return None
    return doi


def _keepable(request: HttpRequest, response: HttpResponse) -> bool:
    # A response that set a cookie or holds a CSRF token is somebody's own; a streaming one has no content to keep.
    return (
        request.method == "GET"
        and response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")  # set by get_token(), i.e. {% csrf_token %}
    )


def _response(content: bytes, headers: dict) -> HttpResponse:
    response = HttpResponse(content)
    for name, value in headers.items():
        response[name] = value
    return response


def _personal_by_cookie(response: HttpResponse) -> HttpResponse:
    # Shared caches must not hand one visitor's signed-in page to another.
    patch_vary_headers(response, ["Cookie"])
    return response
