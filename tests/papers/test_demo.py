import pytest
from django.core.management import call_command
from django.db.models import Model

from papers.demo import DEMO_SOURCES
from papers.models import Author, Authorship, Paper, PaperRelation, PaperTopic, PaperUpdate, Reference, Topic

pytestmark = pytest.mark.django_db

MODELS: list[type[Model]] = [Paper, Author, Authorship, Reference, Topic, PaperTopic, PaperUpdate, PaperRelation]


def snapshot():
    return {model.__name__: sorted(model.objects.values_list(flat=False)) for model in MODELS}


def test_load_demo_loads_real_papers(client):
    call_command("load_demo", verbosity=0)
    # 12 recorded responses make 11 papers: one OpenAlex record adds topics to a Crossref paper. The entities
    # demo adds the 5 papers its recorded PubTator3 documents describe (built from those documents), the OpenReview
    # demo the paper of its recorded forum (built from the forum's submission).
    assert len(DEMO_SOURCES) == 12
    assert Paper.objects.count() == 17
    assert Paper.objects.filter(metadata_source="pubtator").count() == 5
    assert Paper.objects.filter(metadata_source="openreview").count() == 1
    assert set(Paper.objects.values_list("fetch_state", flat=True)) == {"ready"}

    # The Research Square preprint names its published version, which is not among the demo papers.
    assert list(PaperRelation.objects.values_list("paper__doi", "kind", "other_doi", "other_paper")) == [
        ("10.21203/rs.1.1/v2", "preprint_of", "10.1186/s13063-019-3980-5", None)
    ]

    pone = Paper.objects.get(doi="10.1371/journal.pone.0033693")
    assert pone.references.count() == 70
    assert pone.updates.get().kind == "correction"
    nar = Paper.objects.get(doi="10.1093/nar/gkr715")
    assert nar.references.exclude(pmid="").count() == 47
    proceedings = Paper.objects.get(doi="10.1145/3448016.3452841")
    assert proceedings.paper_topics.filter(is_primary=True).get().topic.openalex_id == "T11478"
    # Crossref's two funders, with OpenAlex's ids and its four other funders merged in; OpenAlex's count.
    nsf = proceedings.fundings.get(position=1)
    assert (nsf.funder_doi, nsf.funder_openalex_id) == ("10.13039/100000001", "F4320306076")
    assert proceedings.fundings.count() == 6
    assert proceedings.openalex_cited_by_count == 39
    book = Paper.objects.get(doi="10.1039/9781788019972")
    assert list(book.authorships.values_list("role", "author__family_name")) == [("editor", "Pileio")]
    assert "Edited by" in client.get(book.get_absolute_url()).content.decode()

    html = client.get("/doi/10.1093/nar/gkr715").content.decode()
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/14744438/"' in html
    html = client.get("/doi/10.1371/journal.pone.0033693").content.decode()
    assert 'href="https://doi.org/10.1038/sj.npp.1301164"' in html


def test_load_demo_twice_changes_nothing(capsys):
    call_command("load_demo")
    first = snapshot()
    capsys.readouterr()
    call_command("load_demo")
    assert snapshot() == first
    assert "0 added, 11 already present" in capsys.readouterr().out


def test_load_demo_keeps_user_content_and_existing_papers():
    from tests.reviews.factories import ReviewFactory

    review = ReviewFactory(paper__doi="10.7554/elife.01567", paper__title="Edited by staff")
    call_command("load_demo", verbosity=0)
    review.refresh_from_db()
    assert review.paper.title == "Edited by staff"
    assert Paper.objects.count() == 17


def test_demo_paper_from_the_recorded_openalex_work_keeps_its_title_italics(client):
    call_command("load_demo", verbosity=0)
    paper = Paper.objects.get(doi="10.1101/2025.02.05.636615")
    assert paper.title.endswith("epidemiologically successful Shigella sonnei") and "<" not in paper.title
    assert paper.title_html.endswith("epidemiologically successful <i>Shigella sonnei</i>")
    html = client.get(paper.get_absolute_url()).content.decode()
    assert "successful <i>Shigella sonnei</i></h1>" in html
    assert "successful Shigella sonnei · PaperHub</title>" in html
