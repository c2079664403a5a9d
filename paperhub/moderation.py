"""The moderation states shared by everything visitors submit (reviews, videos)."""

from django.db import models

from paperhub.text import strip_bidi_controls


class ModerationStatus(models.TextChoices):
    PENDING = "pending", "Pending moderation"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


def status_constraint(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=models.Q(status__in=ModerationStatus.values), name=name)


def contributor_is_trusted(user) -> bool:
    """Staff and people marked trusted publish reviews and videos without waiting for moderation."""
    if user.is_staff:
        return True
    from reviews.models import ReviewerProfile  # the profile lives with reviews, where trust began

    return ReviewerProfile.objects.filter(user=user, trusted=True).exists()


def contributor_display_name(user) -> str:
    from reviews.models import ReviewerProfile

    profile = ReviewerProfile.objects.filter(user=user).first()
    return strip_bidi_controls((profile and profile.display_name) or user.get_full_name() or "")


def approved_paper_count(model, *, name: str, attribute: str, label: str, nouns: tuple[str, str], exclude=None):
    """A papers.extensions.PaperCount of `model`'s approved rows per paper (reviews, videos), less `exclude` (a Q)."""
    from django.db.models import Count, Exists, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    from papers.extensions import PaperCount

    def approved():
        rows = model.objects.filter(status=ModerationStatus.APPROVED)
        return rows.exclude(exclude) if exclude is not None else rows

    def per_paper(*, outer: str = "pk"):
        rows = approved().filter(paper=OuterRef(outer)).order_by().values("paper").annotate(n=Count("id"))
        return Coalesce(Subquery(rows.values("n")[:1]), 0)

    return PaperCount(
        name=name,
        attribute=attribute,
        label=label,
        per_paper=per_paper,
        exists=lambda: Exists(approved().filter(paper=OuterRef("pk"))),
        total=lambda: approved().count(),
        nouns=nouns,
    )
