"""Whole paper pages for anonymous visitors, kept in the shared cache (Redis in production) per paper version.

Every anonymous visitor sees the same page, so the finished response is kept with the version it shows: the
paper's `updated_at` (which every change to the paper, its reviews or its videos moves) and its fetch state.
The middleware sits right after WhiteNoise, so a hit skips sessions, CSRF, messages and the view, and costs one
cache round trip: the current version and the stored page are read together. Versions live in the cache too,
set from the database after each change commits (`papers_changed`). Profiled: the database query for the
version was half of a cached page's time, and the middleware stack a quarter.

Signed-in visitors, and anyone with a message waiting, go through the view, which renders their page around
the cached fragments. With a per-process cache (`make run`), versions come from the database on every request,
since a worker's change would not reach the web process's memory.
"""

from __future__ import annotations

import functools
import hashlib

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils.cache import get_conditional_response, patch_vary_headers

from paperhub.caching import origin_key

from . import doi as doi_lib
from .models import Paper, doi_path
from .selectors import PaperVersion, paper_version

# A page lives this long at most; any change to what it shows changes its version first.
PAGE_SECONDS = 24 * 3600
# A version read from the database is trusted this long; changes replace it at once (papers_changed).
VERSION_SECONDS = 300


class SharedPaperPageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        doi = _shareable_doi(request)
        if doi is None:
            return self.get_response(request)
        version, stored = _current(request, doi)
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


def papers_changed(*, paper_ids=None, dois=None) -> None:
    """Tell the page cache that these papers changed; call it wherever `updated_at` or the fetch state moves.

    The old versions are dropped at once (inside a transaction this sends readers to the database, which still
    shows the committed state), and the new ones are set once the change commits, overwriting any older version
    a reader put back meanwhile.
    """
    if not settings.PAPERHUB_SHARED_CACHE:
        return
    dois = list(dois or [])
    if paper_ids:
        dois += Paper.objects.filter(id__in=list(paper_ids)).values_list("doi", flat=True)
    if not dois:
        return
    cache.delete_many([_version_key(doi) for doi in dois])
    transaction.on_commit(functools.partial(set_versions, dois))


def set_versions(dois: list[str]) -> None:
    rows = Paper.objects.filter(doi__in=dois).values_list("doi", "id", "updated_at", "fetch_state")
    found = {doi: PaperVersion(*rest) for doi, *rest in rows}
    cache.set_many({_version_key(doi): version for doi, version in found.items()}, VERSION_SECONDS)
    cache.delete_many([_version_key(doi) for doi in dois if doi not in found])


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


def _current(request: HttpRequest, doi: str) -> tuple[PaperVersion | None, tuple | None]:
    """The paper's current version and the stored page (with the version it shows), in one round trip."""
    if not settings.PAPERHUB_SHARED_CACHE:
        return paper_version(doi=doi), cache.get(_page_key(request, doi))
    version_key, page_key = _version_key(doi), _page_key(request, doi)
    found = cache.get_many([version_key, page_key])
    version = found.get(version_key)
    if version is None:
        version = paper_version(doi=doi)
        if version is not None:
            cache.add(version_key, version, VERSION_SECONDS)  # add: a newer version set meanwhile wins
    return version, found.get(page_key)


def _version_key(doi: str) -> str:
    return f"paper-version:{_digest(doi)}"


def _page_key(request: HttpRequest, doi: str) -> str:
    return f"paper-response:{_digest(doi)}:{origin_key(request)}"


def _digest(doi: str) -> str:
    # DOIs may hold spaces and other characters that not every cache accepts in a key.
    return hashlib.sha256(doi.encode()).hexdigest()[:24]


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
