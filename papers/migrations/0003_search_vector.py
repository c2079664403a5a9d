"""Full-text search: a stored tsvector per paper, a GIN index, and triggers that keep it current.

PostgreSQL only; on SQLite (the `make run` default) the column exists but stays empty: migration 0005 builds an
FTS5 index there instead (papers/search.py picks the backend).
"""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.db import migrations

FORWARD = r"""
CREATE EXTENSION IF NOT EXISTS unaccent;

-- unaccent() is only STABLE; this wrapper pins the dictionary so the result can be trusted in triggers.
CREATE OR REPLACE FUNCTION paperhub_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$;

CREATE OR REPLACE FUNCTION paperhub_document(title text, authors text, venue text, abstract text)
    RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT
        setweight(to_tsvector('english', paperhub_unaccent(coalesce(title, ''))), 'A') ||
        setweight(to_tsvector('english', paperhub_unaccent(coalesce(authors, ''))), 'B') ||
        setweight(to_tsvector('english', paperhub_unaccent(coalesce(venue, ''))), 'C') ||
        setweight(to_tsvector('english', paperhub_unaccent(coalesce(abstract, ''))), 'D')
$$;

CREATE OR REPLACE FUNCTION paperhub_paper_authors(pid bigint) RETURNS text
    LANGUAGE sql STABLE AS $$
    SELECT string_agg(concat_ws(' ', a.given_name, a.family_name, a.literal_name), ' ' ORDER BY s.position)
    FROM papers_authorship s JOIN papers_author a ON a.id = s.author_id
    WHERE s.paper_id = pid
$$;

CREATE OR REPLACE FUNCTION paperhub_paper_search_trigger() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    -- A new paper has no authorships yet (they reference it), so only an update looks them up.
    NEW.search_vector := paperhub_document(
        NEW.title, CASE WHEN TG_OP = 'UPDATE' THEN paperhub_paper_authors(NEW.id) END,
        NEW.container_title, NEW.abstract);
    RETURN NEW;
END $$;

CREATE TRIGGER paper_search_vector
    BEFORE INSERT OR UPDATE OF title, abstract, container_title ON papers_paper
    FOR EACH ROW EXECUTE FUNCTION paperhub_paper_search_trigger();

-- Authors live in other tables: when they change, refresh the papers concerned, once per statement and
-- with one grouped join (bulk inserts of thousands of authorships stay cheap).
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

CREATE OR REPLACE FUNCTION paperhub_authorship_search_trigger() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM paperhub_refresh_papers(ARRAY(SELECT DISTINCT paper_id FROM changed_rows));
    RETURN NULL;
END $$;

CREATE TRIGGER authorship_search_insert AFTER INSERT ON papers_authorship
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION paperhub_authorship_search_trigger();
CREATE TRIGGER authorship_search_update AFTER UPDATE ON papers_authorship
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION paperhub_authorship_search_trigger();
CREATE TRIGGER authorship_search_delete AFTER DELETE ON papers_authorship
    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION paperhub_authorship_search_trigger();

CREATE OR REPLACE FUNCTION paperhub_author_search_trigger() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM paperhub_refresh_papers(ARRAY(
        SELECT DISTINCT s.paper_id FROM papers_authorship s WHERE s.author_id IN (SELECT id FROM changed_rows)));
    RETURN NULL;
END $$;

CREATE TRIGGER author_search_update AFTER UPDATE ON papers_author
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION paperhub_author_search_trigger();

CREATE INDEX IF NOT EXISTS paper_search_gin ON papers_paper USING gin (search_vector);
SELECT paperhub_refresh_papers(ARRAY(SELECT id FROM papers_paper));
"""

BACKWARD = r"""
DROP TRIGGER IF EXISTS author_search_update ON papers_author;
DROP TRIGGER IF EXISTS authorship_search_insert ON papers_authorship;
DROP TRIGGER IF EXISTS authorship_search_update ON papers_authorship;
DROP TRIGGER IF EXISTS authorship_search_delete ON papers_authorship;
DROP TRIGGER IF EXISTS paper_search_vector ON papers_paper;
DROP FUNCTION IF EXISTS paperhub_author_search_trigger();
DROP FUNCTION IF EXISTS paperhub_authorship_search_trigger();
DROP FUNCTION IF EXISTS paperhub_paper_search_trigger();
DROP FUNCTION IF EXISTS paperhub_refresh_papers(bigint[]);
DROP FUNCTION IF EXISTS paperhub_paper_authors(bigint);
DROP FUNCTION IF EXISTS paperhub_document(text, text, text, text);
DROP INDEX IF EXISTS paper_search_gin;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [
        ("papers", "0002_identifier_lookup"),
    ]

    operations = [
        migrations.AddField(
            model_name="paper",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(
                    model_name="paper",
                    index=django.contrib.postgres.indexes.GinIndex(fields=["search_vector"], name="paper_search_gin"),
                ),
            ],
            database_operations=[migrations.RunPython(forward, backward)],
        ),
    ]
