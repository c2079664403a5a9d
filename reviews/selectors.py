from django.db.models import Q, QuerySet

from paperhub.moderation import ModerationStatus
from papers.models import without_heavy_paper_fields

from .models import Review


def reviews_visible_to(*, user) -> QuerySet[Review]:
    """Approved reviews for everyone; pending and rejected ones only for their author and staff."""
    reviews = without_heavy_paper_fields(Review.objects.select_related("paper"))
    if user.is_authenticated and user.is_staff:
        return reviews
    if user.is_authenticated:
        return reviews.filter(Q(status=ModerationStatus.APPROVED) | Q(author=user))
    return reviews.filter(status=ModerationStatus.APPROVED)


def reviews_of_user(*, user) -> QuerySet[Review]:
    return without_heavy_paper_fields(Review.objects.filter(author=user).select_related("paper")).order_by(
        "-created_at"
    )


def reviews_for_paper_page(paper) -> list[Review]:
    """The paper page's Peer Reviews section: its approved reviews, newest first, in one query."""
    return list(Review.objects.filter(paper=paper, status=ModerationStatus.APPROVED).order_by("-created_at"))
