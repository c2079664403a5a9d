"""Recency index for search candidates and date-sorted lists. PostgreSQL only: SQLite cannot index NULLS LAST."""

from django.db import migrations, models
from django.db.models import F

INDEX = models.Index(F("published_date").desc(nulls_last=True), F("id").desc(), name="paper_published_desc")


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("papers", "Paper"), INDEX)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("papers", "Paper"), INDEX)


class Migration(migrations.Migration):
    dependencies = [
        ("papers", "0003_search_vector"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddIndex(model_name="paper", index=INDEX)],
            database_operations=[migrations.RunPython(forward, backward)],
        ),
    ]
