import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from papers.models import Author, Paper, PaperTopic, Reference
from tests.papers.factories import PaperFactory, PaperTopicFactory, ReferenceFactory, TopicFactory

pytestmark = pytest.mark.django_db


def test_duplicate_doi_in_another_casing_is_rejected_by_validation():
    PaperFactory(doi="10.1234/abc")
    paper = Paper(doi="10.1234/ABC")
    with pytest.raises(ValidationError) as excinfo:
        paper.full_clean()
    assert "canonical form: 10.1234/abc" in str(excinfo.value)
    paper.doi = "10.1234/abc"
    with pytest.raises(ValidationError) as excinfo:
        paper.full_clean()
    assert "already exists" in str(excinfo.value)


def test_database_rejects_duplicate_and_uppercase_dois():
    PaperFactory(doi="10.1234/abc")
    with pytest.raises(IntegrityError), transaction.atomic():
        Paper.objects.create(doi="10.1234/abc")
    with pytest.raises(IntegrityError, match="paper_doi_lowercase"), transaction.atomic():
        Paper.objects.create(doi="10.1234/ABC")


def test_invalid_doi_is_rejected_with_a_clear_message():
    with pytest.raises(ValidationError) as excinfo:
        Paper(doi="11.1234/abc").full_clean()
    assert "a DOI starts with “10.”" in excinfo.value.message_dict["doi"][0]
    with pytest.raises(IntegrityError, match="paper_doi_prefix"), transaction.atomic():
        Paper.objects.create(doi="abc/def")


def test_invalid_orcid_is_rejected_with_a_clear_message():
    with pytest.raises(ValidationError) as excinfo:
        Author(family_name="Curie", orcid="0000-0002-1825-0098").full_clean()
    assert "check digit" in excinfo.value.message_dict["orcid"][0]
    with pytest.raises(IntegrityError, match="author_orcid_format"), transaction.atomic():
        Author.objects.create(family_name="Curie", orcid="orcid-123")


def test_author_needs_a_name():
    with pytest.raises(IntegrityError, match="author_has_name"), transaction.atomic():
        Author.objects.create()


def test_fetch_state_and_date_precision_are_checked_in_the_database():
    with pytest.raises(IntegrityError, match="paper_fetch_state_valid"), transaction.atomic():
        PaperFactory(fetch_state="lost")
    with pytest.raises(IntegrityError, match="paper_date_precision_valid"), transaction.atomic():
        PaperFactory(published_precision="")
    with pytest.raises(IntegrityError, match="paper_date_precision_valid"), transaction.atomic():
        PaperFactory(published_date=None, published_precision="day")


def test_reference_positions_are_unique_per_paper():
    paper = PaperFactory()
    ReferenceFactory(paper=paper, position=1)
    ReferenceFactory(position=1)  # another paper may use position 1
    with pytest.raises(IntegrityError, match="reference_unique_position"), transaction.atomic():
        ReferenceFactory(paper=paper, position=1)
    with pytest.raises(IntegrityError, match="reference_position_positive"), transaction.atomic():
        ReferenceFactory(paper=paper, position=0)


def test_a_paper_cannot_cite_itself():
    paper = PaperFactory()
    with pytest.raises(IntegrityError, match="reference_not_self"), transaction.atomic():
        Reference.objects.create(paper=paper, position=1, cited_paper=paper)


def test_only_one_primary_topic_per_paper_and_scores_in_range():
    paper = PaperFactory()
    PaperTopicFactory(paper=paper, is_primary=True)
    PaperTopicFactory(paper=paper, is_primary=False)
    with pytest.raises(IntegrityError, match="papertopic_one_primary"), transaction.atomic():
        PaperTopicFactory(paper=paper, is_primary=True)
    with pytest.raises(IntegrityError, match="papertopic_score_range"), transaction.atomic():
        PaperTopic.objects.create(paper=paper, topic=TopicFactory(), score=1.5)


def test_date_display_follows_precision():
    paper = PaperFactory.build(published_precision="year")
    assert (paper.published_display, paper.published_citation_date, paper.published_iso) == ("2021", "2021", "2021")
    paper.published_precision = "month"
    assert (paper.published_display, paper.published_citation_date, paper.published_iso) == (
        "June 2021",
        "2021/06",
        "2021-06",
    )
    paper.published_precision = "day"
    assert (paper.published_display, paper.published_citation_date) == ("15 June 2021", "2021/06/15")


@pytest.mark.parametrize(
    "doi", ["10.1371/journal.pone.0033693", "10.1002/(sici)1097-4636(199603)", "10.1000/a b#c?d%e<f>", "10.1000/ü/x"]
)
def test_doi_paths_are_what_reverse_gives(doi):
    from django.urls import reverse

    from papers.models import doi_path

    for name in ("papers:detail", "api:paper-detail", "papers:refresh"):
        assert doi_path(name, doi) == reverse(name, kwargs={"doi": doi})


def test_reference_html_is_its_text_escaped_with_the_title_markup():
    reference = Reference(
        authors="Doe J & Roe R.",
        year="2001",
        title="On E. coli",
        title_html="On <i>E. coli</i>",
        journal="J. <Bio>",
        volume="12",
        pages="3-9",
    )
    assert reference.display_text == "Doe J & Roe R. (2001). On E. coli. J. <Bio>, 12, 3-9"
    assert reference.display_html == ("Doe J &amp; Roe R. (2001). On <i>E. coli</i>. J. &lt;Bio&gt;, 12, 3-9")
