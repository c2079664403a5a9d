import datetime as dt
import hashlib

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
                # Crossref shows every review registered of a work in the work's own record (has-review), so a
                # paper whose record names none costs Crossref no search (lists: 3/s in its polite pool).
                missing="none: its Crossref record names no registered review (Crossref registers reviews only of "
                "works with a Crossref DOI)",
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
    """What the Crossref reviews are looked up by: the reviews the paper's Crossref record names (has-review), as
    a short key that changes when that list does; "" when it names none, or the metadata came from DataCite
    (whose DOIs Crossref holds no reviews of)."""
    if paper.metadata_source == "datacite" or not paper.review_dois:
        return ""
    listed = ",".join(sorted(doi.lower() for doi in paper.review_dois))
    return f"{len(paper.review_dois)} reviews:{hashlib.sha256(listed.encode()).hexdigest()[:16]}"
