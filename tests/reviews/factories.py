import factory
from django.contrib.auth import get_user_model

from paperhub.moderation import ModerationStatus
from reviews.models import Review, ReviewerProfile
from reviews.rendering import render_review_markdown
from tests.papers.factories import PaperFactory


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


class TrustedReviewerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewerProfile

    user = factory.SubFactory(UserFactory)
    trusted = True
    display_name = "Trusted Reviewer"


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    paper = factory.SubFactory(PaperFactory)
    author = factory.SubFactory(UserFactory)
    platform = "openreview"
    source_url = factory.Sequence(lambda n: f"https://openreview.net/forum?id=abc{n}")
    venue = "ICLR 2024"
    year = 2024
    reviewer_name = factory.Faker("name")
    body = factory.Faker("paragraph")
    body_html = factory.LazyAttribute(lambda r: render_review_markdown(r.body))
    status = ModerationStatus.APPROVED


class CrossrefReviewFactory(ReviewFactory):
    """A review registered with Crossref, stored as reviews_sync_from_crossref stores one (for tests that need many;
    the sync itself is tested on the recorded record)."""

    author = None
    origin = "crossref"
    platform = "journal"
    external_id = factory.Sequence(lambda n: f"doi:10.5555/review.{n}")
    source_url = factory.LazyAttribute(lambda r: f"https://doi.org/{r.external_id.removeprefix('doi:')}")
    venue = "Test Publisher"
    kind = "referee-report"
    stage = "pre-publication"
    title = factory.Faker("sentence", nb_words=5)
    body = "Referee report registered with Crossref by Test Publisher."
    license = ""
