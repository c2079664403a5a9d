"""Search reads the full text's words too, weighted below the abstract.

PostgreSQL has four weights; the document becomes title A, authors and venue B, abstract C, body D (it was title
A, authors B, venue C, abstract D). With ts_rank's default weights (1, 0.4, 0.2, 0.1) a word found only in the body
scores at most 0.1, below any title (from 0.61), author or venue (0.24) or abstract (0.12) match of that word.
The paper trigger now also fires on body_text, and recomputes nothing when none of its columns changed (Django's
save() sets every column it loaded): papers_touch and other saves never re-tokenise a 100 KB body.

SQLite: FTS5 tables have no ALTER, so papers_paper_fts is rebuilt with a fifth column, body, and its triggers
recreated (which also restores them if an earlier table remake dropped them).

Not atomic: the functions and trigger change in one transaction, then existing rows' vectors are rebuilt in
batches of their own; every statement can run again, so an interrupted run is finished by running it again.
"""

import importlib

from django.db import migrations, transaction

BATCH = 2000

FORWARD = r"""
CREATE OR REPLACE FUNCTION paperhub_document(title text, authors text, venue text, abstract text, body text)
    RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT
        setweight(to_tsvector('english', paperhub_unaccent(coalesce(title, ''))), 'A') ||
        setweight(to_tsvector('english', paperhub_unaccent(coalesce(authors, ''))), 'B') ||
        setweight(to_tsvector('english', paperhub_unaccent(coalesce(venue, ''))), 'B') ||
        setweight(to_tsvector('english', paperhub_unaccent(coalesce(abstract, ''))), 'C') ||
        setweight(to_tsvector('english', paperhub_unaccent(coalesce(body, ''))), 'D')
$$;

CREATE OR REPLACE FUNCTION paperhub_paper_search_trigger() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.title IS NOT DISTINCT FROM OLD.title
            AND NEW.abstract IS NOT DISTINCT FROM OLD.abstract
            AND NEW.container_title IS NOT DISTINCT FROM OLD.container_title
            AND NEW.body_text IS NOT DISTINCT FROM OLD.body_text THEN
        -- Columns rewritten unchanged: keep the vector (and ignore any the application sent back).
        NEW.search_vector := OLD.search_vector;
        RETURN NEW;
    END IF;
    -- A new paper has no authorships yet (they reference it), so only an update looks them up.
    NEW.search_vector := paperhub_document(
        NEW.title, CASE WHEN TG_OP = 'UPDATE' THEN paperhub_paper_authors(NEW.id) END,
        NEW.container_title, NEW.abstract, NEW.body_text);
    RETURN NEW;
END $$;

DROP TRIGGER IF EXISTS paper_search_vector ON papers_paper;
CREATE TRIGGER paper_search_vector
    BEFORE INSERT OR UPDATE OF title, abstract, container_title, body_text ON papers_paper
    FOR EACH ROW EXECUTE FUNCTION paperhub_paper_search_trigger();

CREATE OR REPLACE FUNCTION paperhub_refresh_papers(paper_ids bigint[]) RETURNS void
    LANGUAGE sql AS $$
    UPDATE papers_paper p
    SET search_vector = paperhub_document(p.title, x.names, p.container_title, p.abstract, p.body_text)
    FROM (
        SELECT c.paper_id,
               string_agg(concat_ws(' ', a.given_name, a.family_name, a.literal_name), ' ' ORDER BY s.position)
                   AS names
        FROM unnest(paper_ids) AS c(paper_id)
        LEFT JOIN papers_authorship s ON s.paper_id = c.paper_id
        LEFT JOIN papers_author a ON a.id = s.author_id
        GROUP BY c.paper_id
    ) x
    WHERE p.id = x.paper_id
$$;

DROP FUNCTION IF EXISTS paperhub_document(text, text, text, text);
"""

# 0003's document, trigger and refresh function, as they were.
BACKWARD = r"""
CREATE OR REPLACE FUNCTION paperhub_document(title text, authors text, venue text, abstract text)
    RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT
        setweight(to_tsvector('english', paperhub_unaccent(coalesce(title, ''))), 'A') ||
        setweight(to_tsvector('english', paperhub_unaccent(coalesce(authors, ''))), 'B') ||
        setweight(to_tsvector('english', paperhub_unaccent(coalesce(venue, ''))), 'C') ||
        setweight(to_tsvector('english', paperhub_unaccent(coalesce(abstract, ''))), 'D')
$$;

CREATE OR REPLACE FUNCTION paperhub_paper_search_trigger() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector := paperhub_document(
        NEW.title, CASE WHEN TG_OP = 'UPDATE' THEN paperhub_paper_authors(NEW.id) END,
        NEW.container_title, NEW.abstract);
    RETURN NEW;
END $$;

DROP TRIGGER IF EXISTS paper_search_vector ON papers_paper;
CREATE TRIGGER paper_search_vector
    BEFORE INSERT OR UPDATE OF title, abstract, container_title ON papers_paper
    FOR EACH ROW EXECUTE FUNCTION paperhub_paper_search_trigger();

CREATE OR REPLACE FUNCTION paperhub_refresh_papers(paper_ids bigint[]) RETURNS void
    LANGUAGE sql AS $$
    UPDATE papers_paper p
    SET search_vector = paperhub_document(p.title, x.names, p.container_title, p.abstract)
    FROM (
        SELECT c.paper_id,
               string_agg(concat_ws(' ', a.given_name, a.family_name, a.literal_name), ' ' ORDER BY s.position)
                   AS names
        FROM unnest(paper_ids) AS c(paper_id)
        LEFT JOIN papers_authorship s ON s.paper_id = c.paper_id
        LEFT JOIN papers_author a ON a.id = s.author_id
        GROUP BY c.paper_id
    ) x
    WHERE p.id = x.paper_id
$$;

DROP FUNCTION IF EXISTS paperhub_document(text, text, text, text, text);
"""

_sqlite_0005 = importlib.import_module("papers.migrations.0005_sqlite_search")
AUTHORS, _refresh_authors = _sqlite_0005.AUTHORS, _sqlite_0005._refresh_authors
_CHANGED = (
    "new.title IS NOT old.title OR new.abstract IS NOT old.abstract"
    " OR new.container_title IS NOT old.container_title OR new.body_text IS NOT old.body_text"
)
_PAPER_TRIGGERS = ("papers_paper_fts_insert", "papers_paper_fts_update", "papers_paper_fts_delete")
_AUTHOR_TRIGGERS = (
    "papers_authorship_fts_insert",
    "papers_authorship_fts_update",
    "papers_authorship_fts_delete",
    "papers_author_fts_update",
)


def _sqlite_statements(*, body: bool) -> list[str]:
    """papers_paper_fts and its triggers, with the body column (0009) or without it (0005)."""
    columns = "title, authors, venue, abstract" + (", body" if body else "")
    values = "new.title, {authors}, new.container_title, new.abstract" + (", new.body_text" if body else "")
    update_of = "title, abstract, container_title" + (", body_text" if body else "")
    update_set = "title = new.title, venue = new.container_title, abstract = new.abstract" + (
        ", body = new.body_text" if body else ""
    )
    when = f"WHEN {_CHANGED}" if body else ""
    return [
        *(f"DROP TRIGGER IF EXISTS {name}" for name in (*_PAPER_TRIGGERS, *_AUTHOR_TRIGGERS)),
        "DROP TABLE IF EXISTS papers_paper_fts",
        f"CREATE VIRTUAL TABLE papers_paper_fts USING fts5({columns},"
        " tokenize = 'porter unicode61 remove_diacritics 2')",
        f"""CREATE TRIGGER papers_paper_fts_insert AFTER INSERT ON papers_paper BEGIN
            INSERT INTO papers_paper_fts (rowid, {columns})
            VALUES (new.id, {values.format(authors=AUTHORS.format(paper_id="new.id"))});
        END""",
        f"""CREATE TRIGGER papers_paper_fts_update AFTER UPDATE OF {update_of} ON papers_paper {when} BEGIN
            UPDATE papers_paper_fts SET {update_set} WHERE rowid = new.id;
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
        f"""CREATE TRIGGER papers_author_fts_update AFTER UPDATE OF given_name, family_name, literal_name
        ON papers_author BEGIN
            UPDATE papers_paper_fts SET authors = {AUTHORS.format(paper_id="papers_paper_fts.rowid")}
            WHERE rowid IN (SELECT paper_id FROM papers_authorship WHERE author_id = new.id);
        END""",
        f"""INSERT INTO papers_paper_fts (rowid, {columns})
            SELECT p.id, {values.replace("new.", "p.").format(authors=AUTHORS.format(paper_id="p.id"))}
            FROM papers_paper p""",
    ]


def _rebuild_vectors(schema_editor) -> None:
    """Every paper's vector from the current document function, BATCH papers a transaction."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM papers_paper")
        (last,) = cursor.fetchone()
        for start in range(0, last + 1, BATCH):
            with transaction.atomic(using=schema_editor.connection.alias):
                cursor.execute(
                    "SELECT paperhub_refresh_papers(ARRAY(SELECT id FROM papers_paper WHERE id >= %s AND id < %s))",
                    [start, start + BATCH],
                )


def _run(schema_editor, *, postgresql: str, sqlite: list[str]) -> None:
    vendor = schema_editor.connection.vendor
    with transaction.atomic(using=schema_editor.connection.alias):
        if vendor == "postgresql":
            schema_editor.execute(postgresql)
        elif vendor == "sqlite":
            for statement in sqlite:
                schema_editor.execute(statement)
    if vendor == "postgresql":
        _rebuild_vectors(schema_editor)


def forward(apps, schema_editor):
    _run(schema_editor, postgresql=FORWARD, sqlite=_sqlite_statements(body=True))


def backward(apps, schema_editor):
    _run(schema_editor, postgresql=BACKWARD, sqlite=_sqlite_statements(body=False))


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("papers", "0008_summary_source_body_text_cited_in"),
    ]

    operations = [migrations.RunPython(forward, backward)]
