"""Full-text search on SQLite: an FTS5 index of title, authors, venue and abstract, kept current by triggers.

What migration 0003's tsvector and triggers are on PostgreSQL (a no-op there). The index's rowid is the paper id;
porter stemming and unicode61 without diacritics match "neuron" to "Neurons" and "Diaz" to "Díaz".
Beware: when a later migration rebuilds papers_paper on SQLite (Django's table remake), SQLite drops the
triggers on it; such a migration must run FORWARD again.
"""

from django.db import migrations

# A paper's authors as one text, in author order (the ordered subquery: SQLite 3.40 has no ORDER BY in group_concat).
AUTHORS = """(
    SELECT group_concat(name, ' ') FROM (
        SELECT trim(a.given_name || ' ' || a.family_name || ' ' || a.literal_name) AS name
        FROM papers_authorship s JOIN papers_author a ON a.id = s.author_id
        WHERE s.paper_id = {paper_id} ORDER BY s.position
    )
)"""


def _refresh_authors(paper_id: str) -> str:
    return f"UPDATE papers_paper_fts SET authors = {AUTHORS.format(paper_id=paper_id)} WHERE rowid = {paper_id};"


FORWARD = [
    """CREATE VIRTUAL TABLE papers_paper_fts USING fts5(
        title, authors, venue, abstract, tokenize = 'porter unicode61 remove_diacritics 2')""",
    f"""CREATE TRIGGER papers_paper_fts_insert AFTER INSERT ON papers_paper BEGIN
        INSERT INTO papers_paper_fts (rowid, title, authors, venue, abstract)
        VALUES (new.id, new.title, {AUTHORS.format(paper_id="new.id")}, new.container_title, new.abstract);
    END""",
    """CREATE TRIGGER papers_paper_fts_update AFTER UPDATE OF title, abstract, container_title ON papers_paper BEGIN
        UPDATE papers_paper_fts SET title = new.title, venue = new.container_title, abstract = new.abstract
        WHERE rowid = new.id;
    END""",
    """CREATE TRIGGER papers_paper_fts_delete AFTER DELETE ON papers_paper BEGIN
        DELETE FROM papers_paper_fts WHERE rowid = old.id;
    END""",
    f"""CREATE TRIGGER papers_authorship_fts_insert AFTER INSERT ON papers_authorship BEGIN
        {_refresh_authors("new.paper_id")}
    END""",
    f"""CREATE TRIGGER papers_authorship_fts_update AFTER UPDATE ON papers_authorship BEGIN
        {_refresh_authors("old.paper_id")}
        {_refresh_authors("new.paper_id")}
    END""",
    f"""CREATE TRIGGER papers_authorship_fts_delete AFTER DELETE ON papers_authorship BEGIN
        {_refresh_authors("old.paper_id")}
    END""",
    f"""CREATE TRIGGER papers_author_fts_update AFTER UPDATE OF given_name, family_name, literal_name ON papers_author
    BEGIN
        UPDATE papers_paper_fts SET authors = {AUTHORS.format(paper_id="papers_paper_fts.rowid")}
        WHERE rowid IN (SELECT paper_id FROM papers_authorship WHERE author_id = new.id);
    END""",
    f"""INSERT INTO papers_paper_fts (rowid, title, authors, venue, abstract)
        SELECT p.id, p.title, {AUTHORS.format(paper_id="p.id")}, p.container_title, p.abstract FROM papers_paper p""",
]

BACKWARD = [
    "DROP TRIGGER IF EXISTS papers_author_fts_update",
    "DROP TRIGGER IF EXISTS papers_authorship_fts_delete",
    "DROP TRIGGER IF EXISTS papers_authorship_fts_update",
    "DROP TRIGGER IF EXISTS papers_authorship_fts_insert",
    "DROP TRIGGER IF EXISTS papers_paper_fts_delete",
    "DROP TRIGGER IF EXISTS papers_paper_fts_update",
    "DROP TRIGGER IF EXISTS papers_paper_fts_insert",
    "DROP TABLE IF EXISTS papers_paper_fts",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("papers", "0004_published_index"),
    ]

    operations = [migrations.RunPython(forward, backward)]
