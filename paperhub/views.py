import re
import sys

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from . import tokens
from .models import ApiToken


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """What a load balancer's health check asks: 200 when the database and the broker answer, 503 otherwise."""
    checks = {"database": _check_database(), "broker": _check_broker()}
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503)


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return f"error: {type(exc).__name__}"
    return "ok"


def _check_broker() -> str:
    from django.conf import settings

    from paperhub.celery import app

    try:
        with app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=0, timeout=2)
    except Exception as exc:  # any broker failure is a failed health check, reported by its type
        return f"error: {type(exc).__name__}"
    return "ok"


@login_required
def account_tokens(request: HttpRequest) -> HttpResponse:
    """Make, name and revoke API tokens. A new token is shown once, right after it is made."""
    new_key = None
    if request.method == "POST":
        if "revoke" in request.POST:
            if tokens.token_revoke(user=request.user, token_id=int(request.POST.get("revoke") or 0)):
                messages.success(request, "The token is revoked; requests with it are refused from now on.")
            return redirect("account_tokens")
        name = (request.POST.get("name") or "").strip()
        if not name:
            messages.error(request, "Give the token a name, so you know later what uses it.")
        else:
            _, new_key = tokens.token_create(user=request.user, name=name)
    active = ApiToken.objects.filter(user=request.user, revoked_at__isnull=True)
    return render(request, "account/tokens.html", {"tokens": active, "new_key": new_key})


def _api_error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"status": status, "code": code, "message": message}}, status=status)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    """404 in the API's error format under /api/; elsewhere the site's page, with the reason when ours gave one
    ("The metadata of … has not arrived, so it takes no reviews or videos yet.")."""
    if request.path.startswith("/api/"):
        return _api_error(404, "not_found", "There is no API endpoint at this address.")
    return render(request, "404.html", {"reason": _not_found_reason(exception)}, status=404)


def _not_found_reason(exception) -> str:
    # A plain Http404 with words of ours only: the resolver's carries a dict, get_object_or_404's names a model.
    message = exception.args[0] if type(exception) is Http404 and exception.args else ""
    if not isinstance(message, str) or message.endswith("matches the given query."):
        return ""
    return message


def server_error(request: HttpRequest) -> HttpResponse:
    """500, or 503 with a retry hint when the database went away (it reconnects on the next request).

    Renders static templates only: whatever failed must not be needed to explain the failure.
    """
    from django.db import InterfaceError, OperationalError
    from django.template.loader import render_to_string

    failure = sys.exc_info()[1]
    if isinstance(failure, OperationalError | InterfaceError):
        if request.path.startswith("/api/"):
            response = _api_error(503, "database_unavailable", "The database is unavailable; retry in a few seconds.")
        else:
            response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "5"
        return response
    if request.path.startswith("/api/"):
        return _api_error(500, "server_error", "Something went wrong on our side; it has been logged.")
    return HttpResponse(render_to_string("500.html"), status=500)


# Fields never shown back: secrets, the honeypot, and the buttons and ticks that carry no text.
_NOT_SHOWN_BACK = re.compile(r"pass|token|secret|key|csrf", re.IGNORECASE)
_NO_TEXT = {"website", "submit", "preview"}


def _submitted_text(request: HttpRequest) -> list[tuple[str, str]]:
    """The text fields of a refused POST, to show back so nothing typed is lost (never a password or token)."""
    if request.method != "POST":
        return []
    try:
        data = request.POST
    except Exception:  # unreadable or too large: there is nothing to give back
        return []
    return [
        (name, value)
        for name, value in data.items()
        if value.strip() and value != "on" and name not in _NO_TEXT and not _NOT_SHOWN_BACK.search(name)
    ]


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: say what happened in words and show the text back; never offer to resend it (that would
    hand a forged form a valid token)."""
    if request.path.startswith("/api/"):
        return _api_error(403, "csrf_failed", "CSRF check failed: send the X-CSRFToken header, or use a token.")
    context = {"csrf_failure": True, "submitted": _submitted_text(request)}
    return render(request, "403.html", context, status=403)


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    """403 in the API's error format under /api/; elsewhere the reason in words, and any submitted text back."""
    reason = str(exception or "") or "Your account may not do this."
    if request.path.startswith("/api/"):
        return _api_error(403, "permission_denied", reason)
    return render(request, "403.html", {"reason": reason, "submitted": _submitted_text(request)}, status=403)


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    """400, except a post over DATA_UPLOAD_MAX_MEMORY_SIZE: 413 with a page that says what happened."""
    from django.conf import settings
    from django.core.exceptions import RequestDataTooBig
    from django.template.defaultfilters import filesizeformat
    from django.views import defaults

    if not isinstance(exception, RequestDataTooBig):
        return defaults.bad_request(request, exception)
    limit = filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    if request.path.startswith("/api/"):
        return _api_error(413, "too_large", f"The request body is larger than {limit}, the most accepted.")
    context = {"limit": limit, "review_max": f"{settings.REVIEW_MAX_LENGTH:,}"}
    return render(request, "413.html", context, status=413)
