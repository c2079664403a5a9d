"""What every API endpoint shares: errors, body parsing, throttles, pagination, token auth, conditional GET."""

from __future__ import annotations

import binascii
import functools
import hashlib
import io
import json
import re
import time
from urllib import parse

import django_filters
from django import forms
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponseNotModified
from django.utils import timezone
from django.utils.http import http_date, parse_http_date_safe, quote_etag
from rest_framework import exceptions, status
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.filters import OrderingFilter
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import JSONParser, get_encoding
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle
from rest_framework.utils import encoders

# ---------------------------------------------------------------- errors: one format everywhere


def api_exception_handler(exc, context):
    # Imported here: rest_framework.views reads the REST_FRAMEWORK settings, which name classes in this module.
    from rest_framework.views import exception_handler

    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or None)
    elif isinstance(exc, RequestDataTooBig):
        # Django's own ceiling (DATA_UPLOAD_MAX_MEMORY_SIZE, any content type) would otherwise answer an HTML 400.
        exc = exceptions.ParseError("The request body is too large.", code="too_large")
    response = exception_handler(exc, context)
    if response is None:
        return None
    body: dict = {"status": response.status_code, "code": _code(exc), "message": _message(exc)}
    if isinstance(exc, exceptions.ValidationError) and isinstance(exc.detail, dict):
        body["fields"] = {
            field: [str(m) for m in (msgs if isinstance(msgs, list) else [msgs])] for field, msgs in exc.detail.items()
        }
        body["message"] = _fields_message(context.get("request"), body["fields"])
    response.data = {"error": body}
    # Errors are JSON even when the request asked for BibTeX or RIS.
    request = context.get("request")
    if request is not None:
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = "application/json"
    return response


def _fields_message(request, fields: dict) -> str:
    # On a read the "fields" are query parameters (filters, cursor, ordering, page size): say which.
    if request is not None and request.method in ("GET", "HEAD", "OPTIONS") and set(fields) <= set(request.GET):
        return f"Invalid query parameter: {', '.join(fields)}."
    return "The request has invalid fields."


def invalid_parameter(name: str, message: str) -> exceptions.ValidationError:
    """A query parameter the API can't honour: a 400 naming it, never silently ignored."""
    return exceptions.ValidationError({name: [message]})


def _code(exc) -> str:
    codes = exc.get_codes() if hasattr(exc, "get_codes") else None
    if isinstance(codes, str):
        return codes
    return getattr(exc, "default_code", "error")


def _message(exc) -> str:
    detail = getattr(exc, "detail", None)
    if isinstance(detail, list) and detail:
        return str(detail[0])
    if isinstance(detail, str):
        return detail
    return str(getattr(exc, "default_detail", "Error"))


def error_response(status_code: int, code: str, message: str, **extra) -> Response:
    return Response({"error": {"status": status_code, "code": code, "message": message, **extra}}, status=status_code)


# ---------------------------------------------------------------- request bodies

# Our write bodies are flat objects of at most a review's 60,000 characters (6 bytes each when \u-escaped).
MAX_JSON_BYTES = 1024 * 1024
MAX_JSON_DEPTH = 20
# A whole string (escapes included) or one bracket: brackets inside strings are text, not nesting.
_JSON_STRUCTURE = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)


def json_nesting_exceeds(text: str, *, limit: int) -> bool:
    """Whether the JSON text nests arrays and objects deeper than limit, found without parsing it."""
    depth = 0
    for match in _JSON_STRUCTURE.finditer(text):
        char = match.group()
        if char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


class BoundedJSONParser(JSONParser):
    """JSON bodies bounded in size and depth before parsing: json.loads recurses once per level, so a few KB of
    brackets would end in RecursionError (a 500) instead of a 400."""

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read(MAX_JSON_BYTES + 1)
        if len(raw) > MAX_JSON_BYTES:
            raise exceptions.ParseError(f"The JSON body is over {MAX_JSON_BYTES} bytes.", code="too_large")
        try:
            text = raw.decode(get_encoding(parser_context or {}))
        except (UnicodeDecodeError, LookupError):
            raise exceptions.ParseError("The JSON body is not valid text in its declared encoding.") from None
        if json_nesting_exceeds(text, limit=MAX_JSON_DEPTH):
            raise exceptions.ParseError(f"The JSON body is nested more than {MAX_JSON_DEPTH} levels deep.")
        return super().parse(io.BytesIO(raw), media_type, parser_context)


# ---------------------------------------------------------------- throttling and pagination


class FixedWindowMixin:
    """Count requests per fixed window with one atomic cache incr.

    DRF's own throttles keep a list of every request's time per client and rewrite it on each request, so a
    generous rate (600/min) makes each request read and write 600 timestamps. A counter costs the same at any
    rate. A client can get up to twice the rate across a window boundary, which is fine for abuse protection.
    """

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        key = self.window_key()
        # Counted already when the request came by the cache in front of DRF (anonymous_throttle_windows).
        counted = getattr(request, "counted_throttles", None)
        count = counted.pop(key, None) if counted else None
        return self.allows(count if count is not None else self.count(key))

    def window_key(self) -> str:
        """The counter of this client's current window (self.key is the client's)."""
        now = time.time()
        window = int(now // self.duration)
        self._wait = (window + 1) * self.duration - now
        return f"{self.key}:{window}"

    def count(self, key: str) -> int:
        try:
            return self.cache.incr(key)  # one round trip on every request but a window's first
        except ValueError:
            return 1 if self.cache.add(key, 1, self.duration + 1) else self.cache.incr(key)

    def allows(self, count: int) -> bool:
        return count <= self.num_requests

    def wait(self):
        return self._wait


class AnonThrottle(FixedWindowMixin, AnonRateThrottle):
    def get_rate(self):
        return settings.API_THROTTLE_ANON


class UserThrottle(FixedWindowMixin, UserRateThrottle):
    def get_rate(self):
        return settings.API_THROTTLE_USER

    def get_cache_key(self, request, view):
        # Anonymous clients are AnonThrottle's: counting them here as well would cost a second counter each.
        return super().get_cache_key(request, view) if request.user and request.user.is_authenticated else None


def anonymous_throttle_windows(request, view_class) -> dict[str, FixedWindowMixin] | None:
    """The counters that view_class's throttles would count this anonymous request on, each with its throttle;
    None when one of them is not a fixed window's (its count can't be taken before DRF runs).

    For answers given before DRF: the caller counts these (in the round trip that reads the answer), and sets
    the counts as `request.counted_throttles` so that DRF, if it answers after all, uses them instead of
    counting again. One limit then holds whichever path answers."""
    caller = _AnonymousCaller(request)
    windows = {}
    for throttle in [throttle_class() for throttle_class in view_class.throttle_classes]:
        if not isinstance(throttle, FixedWindowMixin):
            return None
        if throttle.rate is None:
            continue
        throttle.key = throttle.get_cache_key(caller, None)
        if throttle.key is not None:
            windows[throttle.window_key()] = throttle
    return windows


class _AnonymousCaller:
    """What a throttle reads of a DRF request: its user, and the headers that tell the client's address."""

    user = AnonymousUser()

    def __init__(self, request):
        # Only the headers get_ident reads: building request.headers from all of META costs more than the count.
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
        self.headers = {"x-forwarded-for": forwarded} if forwarded is not None else {}
        self.META = request.META


class CursorPage(CursorPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = "-created_at"
    invalid_cursor_message = "Not a cursor this API gave out: follow the next and previous links."

    def get_page_size(self, request):
        # DRF falls back to the default on a value it can't read; a client asking for something else should know.
        raw = request.query_params.get(self.page_size_query_param)
        if not raw:  # absent, or left empty by a form
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if size < 1:
            raise invalid_parameter(self.page_size_query_param, f"A whole number from 1 to {self.max_page_size}.")
        return min(size, self.max_page_size)

    def decode_cursor(self, request):
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is not None and not _is_cursor_text(encoded):
            raise invalid_parameter(self.cursor_query_param, self.invalid_cursor_message)
        try:
            return super().decode_cursor(request)
        except exceptions.NotFound:
            raise invalid_parameter(self.cursor_query_param, self.invalid_cursor_message) from None

    def paginate_queryset(self, queryset, request, view=None):
        # A crafted cursor's position reaches the query: a value its field can't hold is the cursor's fault.
        try:
            return super().paginate_queryset(queryset, request, view)
        except (DjangoValidationError, ValueError, TypeError, OverflowError):
            raise invalid_parameter(self.cursor_query_param, self.invalid_cursor_message) from None

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
                parameter["description"] = (
                    f"Results per page, 1 to {self.max_page_size} (more gives {self.max_page_size})."
                )
        return parameters


def _is_cursor_text(encoded: str) -> bool:
    """Whether the text could be a cursor encode_cursor made: strict base64 of o=, r= and p= only.

    DRF's own decoding skips characters that aren't base64 and ignores unknown keys, so most garbage reads as the
    first page. PostgreSQL text can't hold NUL, so no row has a position with one (psycopg refuses to send it).
    """
    try:
        querystring = binascii.a2b_base64(encoded.encode("ascii"), strict_mode=True).decode("ascii")
    except (ValueError, UnicodeError):
        return False
    tokens = parse.parse_qs(querystring, keep_blank_values=True)
    return set(tokens) <= {"o", "r", "p"} and not any("\x00" in value for values in tokens.values() for value in values)


class StrictOrderingFilter(OrderingFilter):
    """`?ordering=` by the declared fields only: an unknown one is a 400 naming the parameter, not ignored."""

    def get_ordering(self, request, queryset, view):
        params = request.query_params.get(self.ordering_param)
        terms = [term.strip() for term in (params or "").split(",") if term.strip()]
        if not terms:
            return self.get_default_ordering(view)
        valid = self.remove_invalid_fields(queryset, terms, view, request)
        if len(valid) != len(terms):
            names = [name for name, _ in self.get_valid_fields(queryset, view, {"request": request})]
            raise invalid_parameter(
                self.ordering_param, f"Order by {', '.join(names)} (a leading - reverses), comma-separated."
            )
        return valid

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        names = [name for name, _ in self.get_valid_fields(view.get_queryset(), view, {"request": None})]
        for parameter in parameters:
            parameter["schema"]["enum"] = [f"{sign}{name}" for name in names for sign in ("", "-")]
            parameter["description"] = (
                "Order by this field (a leading - reverses); several, comma-separated, also work."
            )
        return parameters


class StrictBooleanField(forms.NullBooleanField):
    """true/false (or 1/0), absent for either: Django's NullBooleanField (its select widget) reads any other word as
    absent."""

    widget = forms.TextInput

    def to_python(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        raise forms.ValidationError("Use true or false.", code="invalid")


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class ContentNegotiation(DefaultContentNegotiation):
    def filter_renderers(self, renderers, format):
        # DRF answers an unknown ?format= with 404, as if the resource were missing.
        try:
            return super().filter_renderers(renderers, format)
        except Http404:
            formats = ", ".join(dict.fromkeys(renderer.format for renderer in renderers))
            raise invalid_parameter("format", f"Use one of: {formats}.") from None


# ---------------------------------------------------------------- tokens


class BearerTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer <token>` (or `Token <token>`) with a token made on the account page."""

    keywords = (b"bearer", b"token")

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in self.keywords:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Send the token as `Authorization: Bearer <token>`.")
        from .models import ApiToken

        token = (
            ApiToken.objects.filter(
                key_hash=ApiToken.hash_key(parts[1].decode(errors="replace")), revoked_at__isnull=True
            )
            .select_related("user")
            .first()
        )
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed("Unknown or revoked token.")
        if not token.last_used_at or (timezone.now() - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(id=token.id).update(last_used_at=timezone.now())
        return token.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


# ---------------------------------------------------------------- Idempotency-Key on POST

IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_KEY_MAX_LENGTH = 255
IDEMPOTENCY_WINDOW_SECONDS = 24 * 3600
# How long a claimed key waits for its first request to finish: a process that died mid-request frees it then.
IDEMPOTENCY_CLAIM_SECONDS = 60
REPLAYED_HEADERS = ("Location",)


def idempotent(post):
    """Decorate an API view's post: a repeat with the same Idempotency-Key answers the first response again."""

    @functools.wraps(post)
    def wrapper(view, request, *args, **kwargs):
        return idempotent_response(request=request, act=lambda: post(view, request, *args, **kwargs))

    wrapper.idempotent = True  # type: ignore[attr-defined]  # tests check every POST has it, as the schema says
    return wrapper


def idempotent_response(*, request, act) -> Response:
    """Run act once per (user, key) in the window and keep its successful response for repeats.

    Only a 2xx is kept: after an error nothing happened, so a retry with the same key acts again. The same key with
    another request (body, method or address) is a 422; a repeat while the first is still running, a 409.
    """
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is None or not request.user.is_authenticated:  # keys are kept per user; every POST here needs one
        return act()
    if not key.strip() or len(key) > IDEMPOTENCY_KEY_MAX_LENGTH:
        raise exceptions.ValidationError(
            {IDEMPOTENCY_HEADER: [f"Send 1 to {IDEMPOTENCY_KEY_MAX_LENGTH} characters, unique per request."]}
        )
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    cache_key = f"idempotency:{request.user.pk}:{digest}"
    fingerprint = _request_fingerprint(request)
    if not cache.add(cache_key, {"fingerprint": fingerprint}, IDEMPOTENCY_CLAIM_SECONDS):
        kept = cache.get(cache_key) or {}
        if kept.get("fingerprint") != fingerprint:
            return error_response(
                422, "idempotency_key_reused", f"This {IDEMPOTENCY_HEADER} was sent with another request."
            )
        if "status" not in kept:
            return error_response(
                409, "idempotency_key_in_use", f"A request with this {IDEMPOTENCY_HEADER} is still being handled."
            )
        headers = {**kept["headers"], "Idempotent-Replayed": "true"}
        return Response(kept["body"], status=kept["status"], headers=headers)
    try:
        response = act()
    except BaseException:
        cache.delete(cache_key)
        raise
    if status.is_success(response.status_code):
        kept = {
            "fingerprint": fingerprint,
            "status": response.status_code,
            # Plain JSON types: what a repeat renders is what the first request rendered.
            "body": json.loads(json.dumps(response.data, cls=encoders.JSONEncoder)),
            "headers": {name: response[name] for name in REPLAYED_HEADERS if response.has_header(name)},
        }
        cache.set(cache_key, kept, IDEMPOTENCY_WINDOW_SECONDS)
    else:
        cache.delete(cache_key)
    return response


def _request_fingerprint(request) -> str:
    data = request.data
    plain = dict(data.lists()) if hasattr(data, "lists") else data
    text = json.dumps([request.method, request.path, plain], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


IDEMPOTENCY_PARAMETER = {
    "name": IDEMPOTENCY_HEADER,
    "in": "header",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": IDEMPOTENCY_KEY_MAX_LENGTH},
    "description": "A value unique to this request (a UUID, say). Sending the same key again within 24 hours "
    "answers the first successful response again (with header Idempotent-Replayed: true) instead of acting "
    "twice; the same key with another request is a 422, and while the first is still running, a 409.",
}


# ---------------------------------------------------------------- conditional GET


def conditional(request, response_builder, *, parts: list, last_modified):
    """Answer 304 when the client's ETag or Last-Modified is current; otherwise build the response and tag it."""
    etag = quote_etag(hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:32])
    last_modified = last_modified.replace(microsecond=0) if last_modified else None
    if client_copy_is_current(
        request, etag=etag, last_modified=int(last_modified.timestamp()) if last_modified else None
    ):
        return _not_modified(etag, last_modified)
    response = response_builder()
    if response.status_code == status.HTTP_200_OK:
        response["ETag"] = etag
        if last_modified:
            response["Last-Modified"] = http_date(last_modified.timestamp())
    return response


def client_copy_is_current(request, *, etag: str, last_modified: int | None) -> bool:
    """Whether If-None-Match names this ETag (or *), or, without it, If-Modified-Since is no older than
    last_modified (seconds since the epoch)."""
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match:
        return etag in [tag.strip() for tag in if_none_match.split(",")] or if_none_match.strip() == "*"
    if last_modified is not None and request.headers.get("If-Modified-Since"):
        since = parse_http_date_safe(request.headers["If-Modified-Since"])
        return since is not None and last_modified <= since
    return False


def _not_modified(etag, last_modified):
    # A plain 304, not a DRF Response: a renderer would give it a body ("null" from the citation renderers),
    # which a 304 must not have.
    response = HttpResponseNotModified()
    response["ETag"] = etag
    if last_modified:
        response["Last-Modified"] = http_date(last_modified.timestamp())
    return response


def add_error_responses(result, generator, request, public):
    """drf-spectacular hook: every operation documents the shared error body for the errors it can answer."""
    error_ref = {"$ref": "#/components/schemas/Error"}
    for path, methods in result.get("paths", {}).items():
        for method, operation in methods.items():
            responses = operation.setdefault("responses", {})
            codes = ["400", "404", "406", "429"] if method == "get" else ["400", "401", "403", "404", "406", "429"]
            if method == "post":
                operation.setdefault("parameters", []).append(IDEMPOTENCY_PARAMETER)
                codes += ["409", "422"]
            if method == "get" and ("{doi}" in path or "{id}" in path):
                responses.setdefault("304", {"description": "Not modified: your copy is current."})
            for code in codes:
                responses.setdefault(
                    code,
                    {
                        "description": {
                            "400": "Invalid input",
                            "401": "Not signed in",
                            "403": "Not allowed",
                            "404": "Not found",
                            "406": "No acceptable format",
                            "409": "Conflict",
                            "422": "This Idempotency-Key came with another request",
                            "429": "Too many requests",
                        }[code],
                        "content": {"application/json": {"schema": error_ref}},
                    },
                )
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    return result


ERROR_SCHEMA = {
    "type": "object",
    "description": "Every error has this shape.",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["status", "code", "message"],
            "properties": {
                "status": {"type": "integer", "example": 404},
                "code": {"type": "string", "example": "not_found", "description": "Stable, machine-readable."},
                "message": {"type": "string", "example": "No paper with DOI 10.5555/x is here."},
                "fields": {
                    "type": "object",
                    "description": "Per-field messages for invalid input.",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                },
            },
        }
    },
}
