"""Paper.review_dois: the reviews its Crossref record names (has-review), so that Crossref is searched for them
only when there are some.

On SQLite, adding a column with a default remakes papers_paper, which drops the search triggers on it: as in
0010, the FTS tables and their triggers are dropped first and built again after.
"""

import importlib

from django.db import migrations, models

# 0010's step: drop (create=False) or build (create=True) the FTS tables and triggers, on SQLite only.
_sqlite_search = importlib.import_module("papers.migrations.0010_funding_editors_openalex_cited_by")._sqlite_search


class Migration(migrations.Migration):
    dependencies = [
        ("papers", "0012_merge_0011_paper_relations_0011_reference_lookups"),
    ]

    operations = [
        migrations.RunPython(_sqlite_search(create=False), _sqlite_search(create=True)),
        migrations.AddField(
            model_name="paper",
            name="review_dois",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="DOIs of the reviews registered of it, as its Crossref record names them (has-review).",
            ),
        ),
        migrations.RunPython(_sqlite_search(create=True), _sqlite_search(create=False)),
    ]
