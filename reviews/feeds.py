"""Atom feeds of newly approved reviews: all, and per paper."""

from django.urls import reverse

from paperhub.feeds import AtomFeed
from paperhub.moderation import ModerationStatus
from paperhub.text import strip_bidi_controls
from papers.models import without_heavy_paper_fields
from papers.selectors import paper_or_404

from .models import Review


class LatestReviewsFeed(AtomFeed):
    title = "PaperHub: new public peer reviews"
    subtitle = "Reviews approved on PaperHub, newest first."

    def link(self):
        return reverse("papers:home")

    def items(self, paper=None):
        reviews = without_heavy_paper_fields(
            Review.objects.filter(status=ModerationStatus.APPROVED).select_related("paper")
        )
        if paper is not None:
            reviews = reviews.filter(paper=paper)
        return reviews.order_by("-published_at", "-id")[:50]

    def item_title(self, item):
        return strip_bidi_controls(f"Review of “{item.paper.title or item.paper.doi}” by {item.reviewer_name}")

    def item_description(self, item):
        return item.body_html  # sanitized when it was saved

    def item_link(self, item):
        return item.get_absolute_url()

    def item_pubdate(self, item):
        return item.published_at or item.created_at

    def item_updateddate(self, item):
        return item.updated_at  # an edit moves the feed's Last-Modified

    def item_author_name(self, item):
        # "" would write an empty atom:name; the feed's author stands in
        return strip_bidi_controls(item.reviewer_name) or None


class PaperReviewsFeed(LatestReviewsFeed):
    def get_object(self, request, doi):
        return paper_or_404(doi)

    def title(self, paper):
        return f"PaperHub: reviews of “{paper.title or paper.doi}”"

    def link(self, paper):
        return paper.get_absolute_url()
