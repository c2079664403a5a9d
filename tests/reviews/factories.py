import factory

from paperhub.moderation import ModerationStatus
from reviews.models import Review
from tests.papers.factories import PaperFactory


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    paper = factory.SubFactory(PaperFactory)
    reviewer_name = factory.Faker("name")
    source_url = "https://openreview.net/forum?id=abc123"
    body = factory.Faker("paragraph")
    status = ModerationStatus.APPROVED
