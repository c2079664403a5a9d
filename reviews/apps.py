import datetime as dt

from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Peer reviews"

    def ready(self):
        from django.conf import settings
        from django.db.models import Q
        from django.urls import reverse

        from paperhub.moderation import approved_paper_count
        from papers import enrichments
        from papers.extensions import PageSection, register_count, register_section
        from papers.models import EnrichmentState as State

        from . import signals  # noqa: F401  (connects the receivers)
        from .models import NOT_COUNTED_AS_REVIEWS, Review
        from .selectors import reviews_for_paper_page
        from .services import CROSSREF_KIND

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
        days = dt.timedelta(days=1)
        enrichments.register(
            enrichments.EnrichmentKind(
                name=CROSSREF_KIND,
                label="Reviews registered with Crossref",
                task="reviews.tasks.reviews_fetch_from_crossref",
                input_of=_crossref_input,
                # Crossref's rule for peer-review records: "The item being reviewed must have a Crossref DOI."
                missing="not asked: Crossref registers reviews only of works with a Crossref DOI, and this one's "
                "metadata came from DataCite",
                recheck_after={
                    State.NONE: days * settings.CROSSREF_REVIEWS_RECHECK_NONE_DAYS,
                    State.DONE: days * settings.CROSSREF_REVIEWS_RECHECK_DONE_DAYS,
                    State.FAILED: days,
                },
                api_field="crossref_reviews",
                url=lambda paper: reverse("api:paper-reviews", kwargs={"doi": paper.doi}),
            )
        )


def _crossref_input(paper) -> str:
    """What the Crossref reviews are looked up by: the paper's DOI, once its metadata came from anywhere but
    DataCite (whose DOIs Crossref holds no reviews of)."""
    return "" if paper.metadata_source == "datacite" else paper.doi
