from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Peer reviews"

    def ready(self):
        from django.db.models import Q

        from paperhub.moderation import approved_paper_count
        from papers.extensions import PageSection, register_count, register_section

        from . import signals  # noqa: F401  (connects the receivers)
        from .models import NOT_COUNTED_AS_REVIEWS, Review
        from .selectors import reviews_for_paper_page

        register_section(
            PageSection(name="reviews", template="reviews/_paper_section.html", load=reviews_for_paper_page, order=400)
        )
        # Decisions, discussion comments and authors' replies are on the page, but they are not reviews.
        register_count(
            approved_paper_count(
                Review,
                name="reviews",
                attribute="review_count",
                label="Approved public reviews (decisions, comments and authors' replies not counted).",
                nouns=("review", "reviews"),
                exclude=Q(kind__in=NOT_COUNTED_AS_REVIEWS),
            )
        )
