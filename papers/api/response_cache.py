"""Whole API answers for anonymous callers, from the shared cache before DRF runs, as papers/page_cache.py does
for pages.

The paper record (in each format it is negotiated in) and the paper list are the same for every anonymous
caller, so the rendered answer is kept beside the version it shows: the paper's version for a record, the
generation of all papers for a list (papers/versions.py). Profiled: on a cached record DRF's per-request work
(authentication, negotiation, the view, rendering the kept data) and the middleware inside this one were most
of its time, and the cache round trips most of the rest; a hit here costs one round trip, which reads the
version and the answer and counts the throttle together.

A hit still does what the API promises every caller: it counts the anonymous throttle on DRF's own counters
(a caller over the limit, like any miss, goes on to DRF with the counts taken, which answers the 429), answers
If-None-Match / If-Modified-Since with the 304 DRF would send, and comes back through CorsMiddleware (outside
this one) for the CORS headers. The kept headers are those DRF and the middleware inside this one set, so a hit
equals the answer it copies.

Sessions, tokens (any Authorization header), HEAD and other methods, the browsable API, a media type with
parameters (`application/json; indent=4`) and query parameters the record doesn't take all go to DRF.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.http import parse_http_date_safe
from rest_framework.exceptions import APIException
from rest_framework.settings import api_settings

from paperhub.api import anonymous_throttle_windows, client_copy_is_current
from paperhub.caching import current_payload, keep, origin_key, request_key, resolved, response_from

from .. import doi as doi_lib
from .. import versions
from . import views

PREFIX = "/api/v1/papers/"
# The formats whose answer is the same for every anonymous caller (not the browsable API: it holds a CSRF token).
KEPT_FORMATS = {"json", "bibtex", "ris", "csl"}
# The record reads no query parameter but the format: any other goes to DRF, which ignores it, unkept.
RECORD_PARAMETERS = {api_settings.URL_FORMAT_OVERRIDE}


class SharedApiResponseMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        answer = self._answerable(request)
        if answer is None:
            return self.get_response(request)
        view_class, key, version, stored, negotiated, allowed = answer
        kept = current_payload(stored, version)
        if kept is not None and allowed:
            content, headers = kept
            if view_class is views.PaperDetail and _client_copy_is_current(request, headers):
                return _not_modified(headers)
            return response_from(content, headers)
        response = self.get_response(request)  # DRF answers, the 429 too, with the counts taken here
        if kept is None and _keepable(request, response, negotiated):
            keep(key, version, (response.content, dict(response.headers)), _seconds(view_class))
        return response

    def _answerable(self, request: HttpRequest):
        """(view class, key, current version, stored entry, negotiated format and media type, whether the
        throttles allow it) when this request may be answered from the cache; None when it goes to DRF as it
        came."""
        if request.method != "GET" or not request.path_info.startswith(PREFIX) or not _anonymous(request):
            return None
        match = resolved(request.path_info)
        if match is None:
            return None
        view_class = getattr(match.func, "view_class", None)
        if view_class not in (views.PaperDetail, views.PaperListCreate):
            return None
        query = request.GET if request.META.get("QUERY_STRING") else {}  # parsing an empty one costs too
        accept = request.META.get("HTTP_ACCEPT")
        negotiated = _negotiate(view_class, query.get(api_settings.URL_FORMAT_OVERRIDE), accept)
        windows = anonymous_throttle_windows(request, view_class)
        if negotiated is None or windows is None:
            return None
        export = negotiated[0]
        if view_class is views.PaperDetail:
            try:
                doi = doi_lib.normalize_doi(match.kwargs["doi"])
            except doi_lib.InvalidDOI:
                return None  # DRF's 404 says why
            if not set(query) <= RECORD_PARAMETERS:
                return None
            key = f"api-response:{versions.digest(doi)}:{export}:{origin_key(request)}"
            # None: not here, DRF answers 404
            version, stored, counts = versions.current_counting(doi, also=key, counters=windows)
        else:
            key = request_key(f"api-response-list:{export}", request)
            # None: the cache is per-process
            version, stored, counts = versions.generation_counting(also=key, counters=windows)
        # From here on the request is counted: DRF takes these counts if it answers.
        request.counted_throttles = {
            window: count if count is not None else throttle.count(window)  # a window's first request
            for (window, throttle), count in zip(windows.items(), counts, strict=True)
        }
        if version is None:
            return None
        # Every throttle is asked, as in DRF's check_throttles.
        allowed = all([throttle.allows(request.counted_throttles[window]) for window, throttle in windows.items()])
        return view_class, key, version, stored, negotiated, allowed


_NEGOTIATOR = api_settings.DEFAULT_CONTENT_NEGOTIATION_CLASS()


@functools.lru_cache(maxsize=256)
def _negotiate(view_class, format_override: str | None, accept: str | None) -> tuple[str, str] | None:
    """The format and media type DRF would answer in, when it is one that is kept and plain. DRF's own
    negotiation, remembered: it depends on nothing but the format parameter, the Accept header and the view's
    renderers (bounded, so that made-up headers cannot grow it)."""
    renderers = [renderer() for renderer in view_class.renderer_classes]
    try:
        renderer, media_type = _NEGOTIATOR.select_renderer(_Negotiated(format_override, accept), renderers)
    except APIException:
        return None  # 400 or 406: DRF's to say
    if renderer.format not in KEPT_FORMATS or media_type != renderer.media_type:
        return None
    return renderer.format, media_type


class _Negotiated:
    """What content negotiation reads of a DRF request."""

    def __init__(self, format_override: str | None, accept: str | None):
        self.query_params = {api_settings.URL_FORMAT_OVERRIDE: format_override} if format_override else {}
        self.headers = {"accept": accept} if accept is not None else {}


def _anonymous(request: HttpRequest) -> bool:
    # Any Authorization header goes to DRF, which answers a bad token with 401.
    return settings.SESSION_COOKIE_NAME not in request.COOKIES and "HTTP_AUTHORIZATION" not in request.META


def _keepable(request: HttpRequest, response: HttpResponse, negotiated: tuple[str, str]) -> bool:
    # DRF must have answered in the format the key names; a cookie or a CSRF token makes an answer somebody's own.
    renderer = getattr(response, "accepted_renderer", None)
    return (
        response.status_code == 200
        and not response.streaming
        and renderer is not None
        and (renderer.format, response.accepted_media_type) == negotiated
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
    )


def _seconds(view_class) -> int:
    return views.RECORD_CACHE_SECONDS if view_class is views.PaperDetail else views.LISTING_CACHE_SECONDS


def _client_copy_is_current(request: HttpRequest, headers: dict) -> bool:
    if "HTTP_IF_NONE_MATCH" not in request.META and "HTTP_IF_MODIFIED_SINCE" not in request.META:
        return False
    last_modified = headers.get("Last-Modified")
    return client_copy_is_current(
        request,
        etag=headers.get("ETag", ""),
        last_modified=parse_http_date_safe(last_modified) if last_modified else None,
    )


def _not_modified(headers: dict) -> HttpResponse:
    # What DRF's 304 (paperhub.api.conditional) carries: the 200's headers without its body's.
    response = HttpResponse(status=304)
    for name, value in headers.items():
        if name.lower() not in ("content-type", "content-length"):
            response[name] = value
    del response["Content-Type"]
    response["Content-Length"] = "0"
    return response
