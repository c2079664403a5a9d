"""Cache-Control on every response whose view said nothing, from what the request shows about whose it is.

- A response to a session or an API token, or personal in another way (a CSRF token in a form, a message
  waiting, a cookie set), is `private, no-store`: signed-in pages show names, tokens and drafts, and a page
  with a CSRF token is good for one visitor only (so it gets no ETag either).
- Everything else is the same for every anonymous visitor: `public, no-cache`, so any cache may keep it but asks
  again each time, with the ETag (the page cache's version, else ConditionalGetMiddleware's hash of the body);
  the page cache changes a version the moment what it shows changes, so revalidating is always right.

It sits outside the page cache, so whole pages served from the cache (and their 304s) get the same headers, and
inside ConditionalGetMiddleware, which adds no ETag to what may not be stored. It reads cookies and headers only:
no query, so the query-count tests hold."""

from __future__ import annotations

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers


class CacheControlMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.has_header("Cache-Control"):  # the view knew better (never_cache, WhiteNoise's static files)
            return response
        if _personal(request, response):
            patch_cache_control(response, private=True, no_store=True)
        else:
            patch_cache_control(response, public=True, no_cache=True)
        # The same URL answers differently to a session or a token.
        patch_vary_headers(response, ["Cookie", "Authorization"])
        return response


def _personal(request: HttpRequest, response: HttpResponse) -> bool:
    return bool(
        settings.SESSION_COOKIE_NAME in request.COOKIES
        or "HTTP_AUTHORIZATION" in request.META
        or CookieStorage.cookie_name in request.COOKIES
        or response.cookies
        or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")  # set by get_token(): the page holds a CSRF token
    )
