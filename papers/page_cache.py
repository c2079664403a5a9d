"""Whole paper pages for anonymous visitors, kept in the shared cache (Redis in production) per paper version.

Every anonymous visitor sees the same page, so the finished response is kept with the version it shows: the
paper's `updated_at` (which every change to the paper, its reviews or its videos moves) and its fetch state.
The middleware sits right after WhiteNoise, so a hit skips sessions, CSRF, messages and the view, and costs one
cache round trip: the current version (papers/versions.py) and the stored page are read together. Profiled:
the database query for the version was half of a cached page's time, and the middleware stack a quarter.

Signed-in visitors, and anyone with a message waiting, go through the view, which renders their page around
the cached fragments.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils.cache import get_conditional_response, patch_vary_headers

from paperhub.caching import origin_key

from . import doi as doi_lib
from . import versions
from .models import doi_path
from .selectors import PaperVersion

# A page lives this long at most; any change to what it shows changes its version first.
PAGE_SECONDS = 24 * 3600


class SharedPaperPageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        doi = _shareable_doi(request)
        if doi is None:
            return self.get_response(request)
        version, stored = versions.current(doi, also=_page_key(request, doi))
        if version is None:
            return self.get_response(request)  # not here: the view answers 404
        etag = _etag(request, version)
        not_modified = get_conditional_response(request, etag=etag)
        if not_modified is not None:
            return _personal_by_cookie(not_modified)
        if stored is not None and stored[0] == version:
            return _response(*stored[1:])
        response = self.get_response(request)
        # A response that sets a cookie is somebody's own; a streaming one has no content to keep.
        if request.method == "GET" and response.status_code == 200 and not response.cookies and not response.streaming:
            response["ETag"] = etag
            _personal_by_cookie(response)
            cache.set(_page_key(request, doi), (version, response.content, dict(response.headers)), PAGE_SECONDS)
        return response


def is_shareable(request: HttpRequest) -> bool:
    """True when the request carries nothing that makes its page personal: no session, no pending messages."""
    return settings.SESSION_COOKIE_NAME not in request.COOKIES and CookieStorage.cookie_name not in request.COOKIES


def raw_path(request: HttpRequest) -> str | None:
    """The path exactly as the client sent it (gunicorn's RAW_URI, or REQUEST_URI), when the server tells."""
    raw = request.META.get("RAW_URI") or request.META.get("REQUEST_URI")
    return raw.split("?", 1)[0] if raw else None


def _shareable_doi(request: HttpRequest) -> str | None:
    """The DOI whose canonical page this anonymous GET asks for; None for anything else."""
    if request.method not in ("GET", "HEAD") or not request.path_info.startswith("/doi/") or not is_shareable(request):
        return None
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    if match.view_name != "papers:detail":
        return None
    doi = match.kwargs["doi"]
    # Non-canonical spellings get the view's redirect, never a cached page.
    try:
        if doi_lib.normalize_doi(doi) != doi or raw_path(request) not in (None, doi_path("papers:detail", doi)):
            return None
    except doi_lib.InvalidDOI:
        return None
    return doi


def _page_key(request: HttpRequest, doi: str) -> str:
    return f"paper-response:{versions.digest(doi)}:{origin_key(request)}"


def _etag(request: HttpRequest, version: PaperVersion) -> str:
    tag = f"{version.id}:{version.updated_at.timestamp()}:{version.fetch_state}:{origin_key(request)}"
    return '"' + hashlib.sha256(tag.encode()).hexdigest()[:32] + '"'


def _response(content: bytes, headers: dict) -> HttpResponse:
    response = HttpResponse(content)
    for name, value in headers.items():
        response[name] = value
    return response


def _personal_by_cookie(response: HttpResponse) -> HttpResponse:
    # Shared caches must not hand one visitor's signed-in page to another.
    patch_vary_headers(response, ["Cookie"])
    return response
