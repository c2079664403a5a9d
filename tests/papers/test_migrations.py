"""Data migrations of papers, run on rows as the code before them stored them."""

import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from papers.models import Paper, Reference
from tests.papers.factories import PaperFactory, ReferenceFactory

pytestmark = pytest.mark.django_db

title_markup = importlib.import_module("papers.migrations.0006_title_markup")


def historical_apps():
    """The models as migration 0005 sees them (no custom methods), without migrating the test database."""
    return MigrationExecutor(connection).loader.project_state(("papers", "0006_title_markup")).apps


def test_stored_titles_get_their_markup_back_and_plain_text():
    # What the old plain-text conversion stored for escaped upstream markup: the tags as literal text.
    escaped = PaperFactory(title="<i>Escherichia coli</i> in CO<sub>2</sub> & <script>alert(1)</script>x")
    escaped.container_title = "Journal of A &amp; B"
    escaped.save()
    literal = PaperFactory(title="When x < y")
    done = PaperFactory(title="Already done", title_html="Already <i>done</i>")
    extra = [PaperFactory(title=f"<b>Extra</b> {n}") for n in range(3)]
    references = [
        ReferenceFactory(paper=literal, position=position, title=f"Wings of <i>Drosophila</i> {position}")
        for position in (1, 2, 3)
    ]
    before = {p.id: p.updated_at for p in Paper.objects.all()}

    title_markup.clean_stored_titles(historical_apps(), batch=2)  # batches smaller than the rows

    escaped.refresh_from_db()
    assert escaped.title == "Escherichia coli in CO2 & x"
    assert escaped.title_html == "<i>Escherichia coli</i> in CO<sub>2</sub> &amp; x"
    assert escaped.container_title == "Journal of A & B"
    assert escaped.updated_at > before[escaped.id]  # cached fragments keyed on it are rebuilt
    literal.refresh_from_db()
    assert (literal.title, literal.title_html) == ("When x < y", "When x &lt; y")
    for n, paper in enumerate(extra):
        paper.refresh_from_db()
        assert (paper.title, paper.title_html) == (f"Extra {n}", f"<b>Extra</b> {n}")
    done.refresh_from_db()
    assert (done.title, done.title_html, done.updated_at) == ("Already done", "Already <i>done</i>", before[done.id])
    for reference in Reference.objects.filter(id__in=[r.id for r in references]).order_by("position"):
        assert reference.title == f"Wings of Drosophila {reference.position}"
        assert reference.title_html == f"Wings of <i>Drosophila</i> {reference.position}"
    # The search document follows the plain title (database trigger).
    assert Paper.objects.filter(id=escaped.id, search_vector="escherichia").exists()


def test_running_it_again_changes_nothing():
    paper = PaperFactory(title="<i>A</i> b")
    apps = historical_apps()
    title_markup.clean_stored_titles(apps)
    paper.refresh_from_db()
    first = (paper.title, paper.title_html, paper.updated_at)
    title_markup.clean_stored_titles(apps)
    paper.refresh_from_db()
    assert first == ("A b", "<i>A</i> b", paper.updated_at) == (paper.title, paper.title_html, paper.updated_at)


def test_the_migration_is_reversible_as_a_no_op():
    [*_, run_python] = title_markup.Migration.operations
    assert run_python.reversible and run_python.reverse_code.__name__ == "noop"
