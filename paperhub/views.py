from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from . import tokens
from .models import ApiToken


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers, 503 otherwise: what a load balancer's health check asks."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return JsonResponse({"status": "unavailable", "database": f"error: {type(exc).__name__}"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


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
    """404 in the API's error format under /api/, the site's page elsewhere."""
    if request.path.startswith("/api/"):
        return _api_error(404, "not_found", "There is no API endpoint at this address.")
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return _api_error(500, "server_error", "Something went wrong on our side; it has been logged.")
    return render(request, "500.html", status=500)
