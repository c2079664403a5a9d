"""Submission rate limits per user and per IP address, counted in the shared cache (django-ratelimit)."""

from django.conf import settings
from django_ratelimit.core import is_ratelimited


def submission_limit_message(
    request, *, group: str, user_rate: str | None = None, ip_rate: str | None = None, what: str = "submissions"
):
    """Count one submission; return a message for the person if they are over a limit, else None."""
    user_rate = user_rate or settings.REVIEW_RATE_LIMIT_USER
    ip_rate = ip_rate or settings.REVIEW_RATE_LIMIT_IP
    # Anonymous visitors (who may add papers) have no account to count: the per-IP limit bounds them. Keyed on
    # "user" they would all share one bucket (django-ratelimit keys them all as "None").
    signed_in = request.user.is_authenticated
    over_user = signed_in and is_ratelimited(request, group=f"{group}:user", key="user", rate=user_rate, increment=True)
    over_ip = is_ratelimited(request, group=f"{group}:ip", key=_client_ip, rate=ip_rate, increment=True)
    if over_user or over_ip:
        count, period = (user_rate if over_user else ip_rate).split("/")
        unit = {"s": "second", "m": "minute", "h": "hour", "d": "day"}.get(period[-1], period)
        who = "your account" if over_user else "your network"
        return f"Too many {what} from {who}: at most {count} per {unit}. Nothing was saved; please try again later."
    return None


def _client_ip(group, request) -> str:
    # Some servers (a unix socket, a WSGI test client) send no REMOTE_ADDR: count those together, never crash.
    return request.META.get("REMOTE_ADDR") or "unknown"


def paper_add_limit_message(request):
    """Count one paper added (by the form or the API: one bucket); a message if over a limit, else None."""
    return submission_limit_message(
        request,
        group="paper-add",
        user_rate=settings.PAPER_ADD_RATE_LIMIT_USER,
        ip_rate=settings.PAPER_ADD_RATE_LIMIT_IP,
        what="papers added",
    )
