import datetime as dt

import factory

from papers.models import Author, Authorship, Domain, Field, Paper, PaperTopic, Reference, Subfield, Topic


class PaperFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Paper

    doi = factory.Sequence(lambda n: f"10.5555/paperhub.test.{n}")
    title = factory.Faker("sentence", nb_words=8)
    abstract = "First paragraph of the abstract.\n\nSecond paragraph of the abstract."
    published_date = dt.date(2021, 6, 15)
    published_precision = Paper.DatePrecision.DAY
    work_type = "journal-article"
    container_title = "Journal of Tests"
    volume = "12"
    issue = "3"
    pages = "101-117"
    publisher = "Test Publisher"
    fetch_state = Paper.FetchState.READY


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author

    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")


class AuthorshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Authorship

    paper = factory.SubFactory(PaperFactory)
    author = factory.SubFactory(AuthorFactory)
    position = factory.Sequence(lambda n: n + 1)
    affiliations = factory.LazyFunction(lambda: ["University of Testing"])


class ReferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reference

    paper = factory.SubFactory(PaperFactory)
    position = factory.Sequence(lambda n: n + 1)
    authors = "Smith J, Doe A"
    title = factory.Faker("sentence", nb_words=6)
    journal = "Cited Journal"
    year = "2019"
    doi = factory.Sequence(lambda n: f"10.5555/cited.{n}")
    pmid = factory.Sequence(lambda n: str(30000000 + n))


class DomainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Domain
        django_get_or_create = ("openalex_id",)

    openalex_id = "3"
    name = "Physical Sciences"


class FieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Field
        django_get_or_create = ("openalex_id",)

    openalex_id = "17"
    name = "Computer Science"
    domain = factory.SubFactory(DomainFactory)


class SubfieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subfield
        django_get_or_create = ("openalex_id",)

    openalex_id = "1705"
    name = "Computer Networks and Communications"
    field = factory.SubFactory(FieldFactory)


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    openalex_id = factory.Sequence(lambda n: f"T{90000 + n}")
    name = factory.Faker("catch_phrase")
    subfield = factory.SubFactory(SubfieldFactory)


class PaperTopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PaperTopic

    paper = factory.SubFactory(PaperFactory)
    topic = factory.SubFactory(TopicFactory)
    score = 0.9
    is_primary = False
