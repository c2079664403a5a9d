"""Search reads the full text's words too, weighted below the abstract.

PostgreSQL has four weights; the document becomes title A, authors and venue B, abstract C, body D (it was title
A, authors B, venue C, abstract D). With ts_rank's default weights (1, 0.4, 0.2, 0.1) a word found only in the body
scores at most 0.1, below any title (from 0.61), author or venue (0.24) or abstract (0.12) match of that word.
The paper trigger now also fires on body_text, and recomputes nothing when none of its columns changed (Django's
save() sets every column it loaded): papers_touch and other saves never re-tokenise a 100 KB body.

SQLite: a second FTS5 table, papers_paper_doc_fts, holds the whole document (0005's columns and the body): queries
match there, so words may be found across metadata and body as in one tsvector. Ranking stays on 0005's
papers_paper_fts, whose rows do not carry the body: bm25 divides by a row's length, so a body in the same row would
sink a paper's title and abstract matches below those of papers without full text. A body-only match ranks below
every other (papers/search.py). 0005's triggers are recreated too: 0008 remade papers_paper, which dropped them.

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
AUTHORS = _sqlite_0005.AUTHORS
# What 0005 built (title, authors, venue, abstract: what ranks and gives snippets), and the whole document with the
# body (what queries match, so that words may match across metadata and body as in one tsvector).
META, DOCUMENT = "papers_paper_fts", "papers_paper_doc_fts"
_CHANGED = (
    "new.title IS NOT old.title OR new.abstract IS NOT old.abstract"
    " OR new.container_title IS NOT old.container_title OR new.body_text IS NOT old.body_text"
)


def _sqlite_statements(table: str, *, create: bool = True) -> list[str]:
    """Drop `table` and its triggers, then (with create) build it again from the papers, with triggers as in 0005."""
    tag = table.removeprefix("papers_paper_")  # fts, doc_fts: 0005's trigger names for META
    body = table == DOCUMENT
    triggers = [f"papers_paper_{tag}_{event}" for event in ("insert", "update", "delete")]
    triggers += [f"papers_authorship_{tag}_{event}" for event in ("insert", "update", "delete")]
    triggers += [f"papers_author_{tag}_update"]
    drop = [*(f"DROP TRIGGER IF EXISTS {name}" for name in triggers), f"DROP TABLE IF EXISTS {table}"]
    if not create:
        return drop

    def refresh_authors(paper_id: str) -> str:
        return f"UPDATE {table} SET authors = {AUTHORS.format(paper_id=paper_id)} WHERE rowid = {paper_id};"

    columns = "title, authors, venue, abstract" + (", body" if body else "")
    values = "new.title, {authors}, new.container_title, new.abstract" + (", new.body_text" if body else "")
    update_of = "title, abstract, container_title" + (", body_text" if body else "")
    update_set = "title = new.title, venue = new.container_title, abstract = new.abstract" + (
        ", body = new.body_text" if body else ""
    )
    # Skip rewrites of unchanged columns (Django's save() sets them all): re-indexing a body costs.
    when = f"WHEN {_CHANGED}" if body else ""
    return [
        *drop,
        f"CREATE VIRTUAL TABLE {table} USING fts5({columns}, tokenize = 'porter unicode61 remove_diacritics 2')",
        f"""CREATE TRIGGER {triggers[0]} AFTER INSERT ON papers_paper BEGIN
            INSERT INTO {table} (rowid, {columns})
            VALUES (new.id, {values.format(authors=AUTHORS.format(paper_id="new.id"))});
        END""",
        f"""CREATE TRIGGER {triggers[1]} AFTER UPDATE OF {update_of} ON papers_paper {when} BEGIN
            UPDATE {table} SET {update_set} WHERE rowid = new.id;
        END""",
        f"""CREATE TRIGGER {triggers[2]} AFTER DELETE ON papers_paper BEGIN
            DELETE FROM {table} WHERE rowid = old.id;
        END""",
        f"""CREATE TRIGGER {triggers[3]} AFTER INSERT ON papers_authorship BEGIN
            {refresh_authors("new.paper_id")}
        END""",
        f"""CREATE TRIGGER {triggers[4]} AFTER UPDATE ON papers_authorship BEGIN
            {refresh_authors("old.paper_id")}
            {refresh_authors("new.paper_id")}
        END""",
        f"""CREATE TRIGGER {triggers[5]} AFTER DELETE ON papers_authorship BEGIN
            {refresh_authors("old.paper_id")}
        END""",
        f"""CREATE TRIGGER {triggers[6]} AFTER UPDATE OF given_name, family_name, literal_name ON papers_author
        BEGIN
            UPDATE {table} SET authors = {AUTHORS.format(paper_id=f"{table}.rowid")}
            WHERE rowid IN (SELECT paper_id FROM papers_authorship WHERE author_id = new.id);
        END""",
        f"""INSERT INTO {table} (rowid, {columns})
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
    # META is rebuilt too: 0008 remade papers_paper on SQLite, which dropped its triggers.
    _run(schema_editor, postgresql=FORWARD, sqlite=_sqlite_statements(META) + _sqlite_statements(DOCUMENT))


def backward(apps, schema_editor):
    _run(
        schema_editor, postgresql=BACKWARD, sqlite=_sqlite_statements(DOCUMENT, create=False) + _sqlite_statements(META)
    )


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("papers", "0008_summary_source_body_text_cited_in"),
    ]

    operations = [migrations.RunPython(forward, backward)]
