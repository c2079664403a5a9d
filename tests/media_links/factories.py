import factory

from media_links.models import Video
from paperhub.moderation import ModerationStatus
from tests.papers.factories import PaperFactory
from tests.reviews.factories import UserFactory


class VideoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Video

    paper = factory.SubFactory(PaperFactory)
    added_by = factory.SubFactory(UserFactory)
    added_by_name = "Video Adder"
    provider = "youtube"
    video_id = factory.Sequence(lambda n: f"vid{n:08d}")
    title = factory.Faker("sentence", nb_words=5)
    status = ModerationStatus.APPROVED
