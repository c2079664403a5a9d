"""Submission rate limits per user and per IP address, counted in the shared cache (django-ratelimit)."""

from dataclasses import dataclass

from django.conf import settings
from django_ratelimit.core import get_usage, is_ratelimited


def submission_limit_message(
    request, *, group: str, user_rate: str | None = None, ip_rate: str | None = None, what: str = "submissions"
):
    """Count one submission before acting on it; return a message for the person if they are over a limit, else None."""
    user_rate = user_rate or settings.REVIEW_RATE_LIMIT_USER
    ip_rate = ip_rate or settings.REVIEW_RATE_LIMIT_IP
    # Anonymous visitors (who may add papers) have no account to count: the per-IP limit bounds them. Keyed on
    # "user" they would all share one bucket (django-ratelimit keys them all as "None").
    signed_in = request.user.is_authenticated
    over_user = signed_in and is_ratelimited(request, group=f"{group}:user", key="user", rate=user_rate, increment=True)
    over_ip = is_ratelimited(request, group=f"{group}:ip", key=_client_ip, rate=ip_rate, increment=True)
    if over_user or over_ip:
        who = "your account" if over_user else "your network"
        return _message(what=what, who=who, rate=user_rate if over_user else ip_rate)
    return None


@dataclass(frozen=True)
class AttemptLimits:
    """Accepted submissions and rejected attempts, counted apart: a person's typos must not use up the allowance
    for real submissions, while the looser rejected-attempt bound still stops someone probing endlessly."""

    group: str
    user_rate: str
    ip_rate: str
    rejected_user_rate: str
    rejected_ip_rate: str
    what: str = "submissions"


def attempt_limit_message(request, *, limits: AttemptLimits) -> str | None:
    """Before an attempt, counting nothing: a message if the person has used up either allowance, else None.
    Count the attempt's outcome with attempt_count. (Concurrent attempts can pass together: a burst overshoots
    by at most its size, once.)"""
    for accepted, what in ((True, limits.what), (False, "rejected attempts")):
        for who, group, key, rate in _attempt_buckets(request, limits, accepted=accepted):
            usage = get_usage(request, group=group, key=key, rate=rate, increment=False)
            if usage is not None and usage["count"] >= usage["limit"]:
                return _message(what=what, who=who, rate=rate)
    return None


def attempt_count(request, *, limits: AttemptLimits, accepted: bool) -> None:
    """Count one attempt that was accepted (stored) or rejected (invalid, duplicate)."""
    for _, group, key, rate in _attempt_buckets(request, limits, accepted=accepted):
        get_usage(request, group=group, key=key, rate=rate, increment=True)


def _attempt_buckets(request, limits: AttemptLimits, *, accepted: bool):
    """(who, group, key, rate) of the counters one outcome goes to: the account's (when signed in) and the IP's."""
    suffix = "" if accepted else ":rejected"
    user_rate, ip_rate = (
        (limits.user_rate, limits.ip_rate) if accepted else (limits.rejected_user_rate, limits.rejected_ip_rate)
    )
    if request.user.is_authenticated:
        yield "your account", f"{limits.group}{suffix}:user", "user", user_rate
    yield "your network", f"{limits.group}{suffix}:ip", _client_ip, ip_rate


def video_limits() -> AttemptLimits:
    return AttemptLimits(
        group="video-add",
        user_rate=settings.VIDEO_RATE_LIMIT_USER,
        ip_rate=settings.VIDEO_RATE_LIMIT_IP,
        rejected_user_rate=settings.VIDEO_REJECTED_RATE_LIMIT_USER,
        rejected_ip_rate=settings.VIDEO_REJECTED_RATE_LIMIT_IP,
        what="videos linked",
    )


def _message(*, what: str, who: str, rate: str) -> str:
    count, period = rate.split("/")
    unit = {"s": "second", "m": "minute", "h": "hour", "d": "day"}.get(period[-1], period)
    return f"Too many {what} from {who}: at most {count} per {unit}. Nothing was saved; please try again later."


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
