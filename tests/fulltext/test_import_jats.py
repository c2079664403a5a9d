"""`manage.py import_jats`: a publisher's own JATS files make complete pages; each bad file fails alone."""

import pytest
from bs4 import BeautifulSoup
from django.core.management import CommandError, call_command

from fulltext.models import FullText
from papers.demo import FIXTURES
from papers.models import Enrichment, Paper
from tests.papers.factories import PaperFactory

pytestmark = pytest.mark.django_db

ELIFE_01567 = FIXTURES / "jats/elife-publisher-jats-digest-10.7554_eLife.01567.xml"
ELIFE_09560 = FIXTURES / "jats/elife-publisher-jats-digest-10.7554_eLife.09560.xml"


def test_a_file_alone_makes_a_complete_page(client, capsys, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        call_command("import_jats", str(ELIFE_09560))
    out = capsys.readouterr().out
    assert "10.7554/elife.09560 created" in out and "1 loaded, 0 failed" in out
    paper = Paper.objects.get(doi="10.7554/elife.09560")
    assert paper.fetch_state == "ready" and paper.metadata_source == "jats"
    assert paper.title and paper.abstract and paper.container_title == "eLife"
    assert paper.authorships.count() > 10 and paper.authorships.exclude(affiliations=[]).exists()
    assert paper.published_date and paper.license_url
    assert paper.references.count() > 50
    assert (paper.summary_source, bool(paper.summary)) == ("eLife digest", True)
    assert FullText.objects.get(paper=paper).source == "publisher"
    row = Enrichment.objects.get(paper=paper, kind="fulltext")
    assert (row.state, row.source) == ("done", "the publisher's JATS")

    soup = BeautifulSoup(client.get(paper.get_absolute_url()).content, "html.parser")
    assert (
        soup.select_one("#fulltext .fulltext-source")
        .get_text(" ", strip=True)
        .startswith("Full text from the publisher's JATS")
    )
    assert soup.select_one("#fulltext .fulltext-source a[rel=license]").get_text().startswith("CC BY ")
    assert soup.select_one("#summary").get_text(" ", strip=True).endswith("eLife digest")
    assert len(soup.select("#references li.reference")) == paper.references.count()


def test_a_file_for_a_paper_already_here_keeps_its_metadata(capsys):
    paper = PaperFactory(doi="10.7554/elife.01567", title="The title Crossref gave")
    call_command("import_jats", str(ELIFE_01567))
    assert "10.7554/elife.01567 updated" in capsys.readouterr().out
    paper.refresh_from_db()
    assert paper.title == "The title Crossref gave"
    assert FullText.objects.filter(paper=paper).exists()
    assert paper.summary_source == "eLife digest"


def test_loading_the_same_file_twice_changes_nothing(capsys):
    call_command("import_jats", str(ELIFE_01567))
    paper = Paper.objects.get(doi="10.7554/elife.01567")
    before = (paper.references.count(), FullText.objects.get(paper=paper).sections)
    call_command("import_jats", str(ELIFE_01567))
    assert (paper.references.count(), FullText.objects.get(paper=paper).sections) == before
    assert Paper.objects.filter(doi="10.7554/elife.01567").count() == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"this is not xml", "Not XML"),
        (b"<html><body>Hello</body></html>", "Not JATS"),
        (
            b"<article><front><article-meta><title-group><article-title>T</article-title></title-group>"
            b"</article-meta></front></article>",
            "no DOI",
        ),
        (b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><article>&x;</article>', "entit"),
    ],
    ids=["not-xml", "html", "no-doi", "external-entity"],
)
def test_each_bad_file_fails_alone_with_a_clear_message(tmp_path, capsys, content, message):
    bad = tmp_path / "bad.xml"
    bad.write_bytes(content)
    with pytest.raises(CommandError, match="1 of 2 files failed"):
        call_command("import_jats", str(bad), str(ELIFE_01567))
    out = capsys.readouterr().out
    failed = [line for line in out.splitlines() if "failed" in line and "bad.xml" in line]
    assert failed and message.lower() in failed[0].lower()
    assert Paper.objects.filter(doi="10.7554/elife.01567").exists(), "the good file still loads"


def test_an_oversized_file_is_refused_before_it_is_read(tmp_path, capsys, settings):
    settings.FULLTEXT_MAX_XML_BYTES = 1000
    big = tmp_path / "big.xml"
    big.write_bytes(b"<article>" + b" " * 5000 + b"</article>")
    with pytest.raises(CommandError):
        call_command("import_jats", str(big))
    assert "the limit is 1,000" in capsys.readouterr().out


def test_a_missing_file_is_reported(tmp_path, capsys):
    with pytest.raises(CommandError):
        call_command("import_jats", str(tmp_path / "nope.xml"))
    assert "cannot be read" in capsys.readouterr().out


def test_the_journals_reviews_come_with_the_file(client):
    call_command("import_jats", str(ELIFE_01567))
    paper = Paper.objects.get(doi="10.7554/elife.01567")
    soup = BeautifulSoup(client.get(paper.get_absolute_url()).content, "html.parser")
    cards = soup.select("#reviews .review")
    assert len(cards) == 2
    text = " ".join(card.get_text(" ", strip=True) for card in cards)
    assert "Decision letter" in text and "published by eLife" in text


HOSTILE = b"""<?xml version="1.0"?>
<article xmlns:xlink="http://www.w3.org/1999/xlink" article-type="research-article">
<front><journal-meta><journal-title-group><journal-title>Test Journal</journal-title></journal-title-group>
</journal-meta><article-meta><article-id pub-id-type="doi">10.5555/hostile.1</article-id>
<title-group><article-title>A <italic>hostile</italic> file<script>alert(1)</script></article-title></title-group>
</article-meta></front>
<body><sec id="s1" onclick="alert(2)"><title>Intro <img src="x" onerror="alert(3)"/></title>
<p>Read <ext-link ext-link-type="uri" xlink:href="javascript:alert(4)">this</ext-link> and
<ext-link ext-link-type="uri" xlink:href="https://example.org/ok">that</ext-link>.</p>
<script>alert(5)</script><p onmouseover="alert(6)">Plain <style>body{}</style>text.</p></sec></body>
</article>"""


def test_a_hostile_file_gives_a_safe_page(client, tmp_path):
    # Hand-written, obviously not an upstream payload: the XSS vectors a JATS file could carry.
    path = tmp_path / "hostile.xml"
    path.write_bytes(HOSTILE)
    call_command("import_jats", str(path))
    html = client.get("/doi/10.5555/hostile.1").content.decode()
    article = BeautifulSoup(html, "html.parser").select_one("#fulltext")
    assert article is not None and "Intro" in article.get_text()
    assert "alert" not in str(article) and "javascript:" not in html
    assert not article.select("script, style, [onclick], [onerror], [onmouseover]")
    link = article.find("a", string="that")
    assert link["href"] == "https://example.org/ok" and set(link["rel"]) >= {"nofollow", "noopener"}
    assert article.find("a", string="this") is None, "a javascript: link is plain text"


def test_a_file_born_paper_then_gets_topics_and_ids_and_keeps_its_own_text(fake_upstream):
    from fulltext import services as fulltext_services
    from tests.callbacks import run_enrichment_batches

    call_command("import_jats", str(ELIFE_09560))
    paper = Paper.objects.get(doi="10.7554/elife.09560")
    title = paper.title
    queued = Enrichment.objects.filter(paper=paper, kind__in=["topics", "pubmed_ids"], state="queued").count()
    assert queued == 2, "the file's paper queues its topics and PubMed ids like any paper"
    run_enrichment_batches()  # what the batch tasks run
    paper.refresh_from_db()
    assert (paper.pmid, paper.pmcid) == ("26354291", "PMC4559886"), "from the recorded NCBI ID-converter answer"
    assert paper.title == title, "the file's metadata stays"
    row = Enrichment.objects.get(paper=paper, kind="fulltext")
    assert (row.state, row.input_key) == ("queued", "PMC4559886"), "a PMCID appeared: the full text is asked again"
    started = fulltext_services.enrichments.enrichment_start(paper_id=paper.id, kind="fulltext")
    fulltext_services.fulltext_fetch(paper=started.paper, row=started)
    assert fake_upstream.calls("europepmc") == [], "the publisher's own file is kept; Europe PMC is not asked"
    assert Enrichment.objects.get(id=row.id).state == "done"
