import factory

from media_links.models import Video
from paperhub.moderation import ModerationStatus
from tests.papers.factories import PaperFactory


class VideoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Video

    paper = factory.SubFactory(PaperFactory)
    url = factory.Sequence(lambda n: f"https://www.youtube.com/watch?v=vid{n:08d}")
    title = factory.Faker("sentence", nb_words=5)
    status = ModerationStatus.APPROVED
