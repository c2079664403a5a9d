from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from paperhub.moderation import ModerationStatus
from papers.models import without_heavy_paper_fields

from .models import Origin, Review

# Cards name who pasted a review ("pasted by …"): the author and their profile come with it, in the same query.
_WITH_PASTER = ("paper", "author", "author__reviewer_profile")


def reviews_visible_to(*, user) -> QuerySet[Review]:
    """Approved reviews for everyone; pending and rejected ones only for their author and staff."""
    reviews = without_heavy_paper_fields(Review.objects.select_related(*_WITH_PASTER))
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
    """The paper page's Peer Reviews section, in one query: its approved reviews, those the journal published
    first and in the journal's order (decision letter before author response), then those it registered with
    Crossref (by date), then pasted ones, newest first.
    Reviews imported from OpenReview are shown by review_imports' section, a block per forum."""
    journal_first = Case(
        When(origin=Origin.JOURNAL, then=Value(0)),
        When(origin=Origin.CROSSREF, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return list(
        Review.objects.filter(paper=paper, status=ModerationStatus.APPROVED)
        .exclude(origin=Origin.OPENREVIEW)
        .select_related("author", "author__reviewer_profile")
        .order_by(journal_first, "position", "-created_at")
    )
