"""Titles with their inline markup: `title_html` beside the plain `title`, for papers and references.

The data step cleans the rows already stored. Those titles went through the old plain-text conversion, which dropped
raw tags but turned escaped ones (`&lt;i&gt;`) into literal "<i>" text: those now become markup again, and every
title plain text. Raw tags already dropped stay lost until the paper is imported again.
"""

from django.db import migrations, models
from django.utils import timezone

# Pure (no database, no network, no models), so importing it here stays valid whatever the app becomes.
from papers import markup

BATCH = 500
PAPER_TITLE_HTML = models.TextField(
    blank=True,
    help_text="The title's inline markup (italics, sub/superscripts, MathML), cleaned by papers.markup.",
)


def _paper_field():
    field = PAPER_TITLE_HTML.clone()
    field.set_attributes_from_name("title_html")
    return field


def add_paper_column(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        # SQLite adds a NOT NULL column by rebuilding the table, and the rebuild recreates every index of the state,
        # paper_published_desc included, which SQLite cannot build (NULLS LAST, see 0004). It can add the column.
        schema_editor.execute("ALTER TABLE papers_paper ADD COLUMN title_html text NOT NULL DEFAULT ''")
    else:
        schema_editor.add_field(apps.get_model("papers", "Paper"), _paper_field())


def drop_paper_column(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("ALTER TABLE papers_paper DROP COLUMN title_html")
    else:
        schema_editor.remove_field(apps.get_model("papers", "Paper"), _paper_field())


def clean_stored_titles(apps, schema_editor=None, *, batch: int = BATCH) -> None:
    Paper = apps.get_model("papers", "Paper")
    Reference = apps.get_model("papers", "Reference")
    # The page caches key on updated_at: moving it shows the new headings at once, not when the fragments expire.
    now = timezone.now()
    # Writing title or container_title reruns the search-document trigger (0003) even for an unchanged value: rows
    # whose text stays the same get only the new column.
    columns = {True: ["title", "title_html", "container_title", "updated_at"], False: ["title_html", "updated_at"]}
    rows: dict[bool, list] = {True: [], False: []}
    papers = Paper.objects.filter(title_html="").exclude(title="", container_title="")
    for paper in papers.only("id", "title", "container_title").iterator(chunk_size=batch):
        title, container_title = markup.title(paper.title), markup.plain(paper.container_title)
        text_changed = (title.text, container_title) != (paper.title, paper.container_title)
        paper.title, paper.title_html, paper.container_title = title.text, title.html, container_title
        paper.updated_at = now
        rows[text_changed].append(paper)
        if len(rows[text_changed]) >= batch:
            Paper.objects.bulk_update(rows[text_changed], columns[text_changed])
            rows[text_changed] = []
    for text_changed, remaining in rows.items():
        Paper.objects.bulk_update(remaining, columns[text_changed])

    rows = []
    references = Reference.objects.filter(title_html="").exclude(title="")
    for reference in references.only("id", "title").iterator(chunk_size=batch):
        title = markup.title(reference.title)
        reference.title, reference.title_html = title.text, title.html
        rows.append(reference)
        if len(rows) >= batch:
            Reference.objects.bulk_update(rows, ["title", "title_html"])
            rows = []
    Reference.objects.bulk_update(rows, ["title", "title_html"])


class Migration(migrations.Migration):
    dependencies = [
        ("papers", "0005_sqlite_search"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddField(model_name="paper", name="title_html", field=PAPER_TITLE_HTML)],
            database_operations=[migrations.RunPython(add_paper_column, drop_paper_column)],
        ),
        migrations.AddField(
            model_name="reference",
            name="title_html",
            field=models.TextField(blank=True, help_text="The title's inline markup, cleaned by papers.markup."),
        ),
        # Backwards: nothing to undo; the columns go, and the plain titles were plain before too.
        migrations.RunPython(clean_stored_titles, migrations.RunPython.noop, elidable=True),
    ]
