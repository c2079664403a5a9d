"""Django's SQLite backend, creating the indexes SQLite accepts.

Django writes `F(...).desc(nulls_last=True)` as `DESC NULLS LAST`, which SQLite (3.40) accepts in ORDER BY but
refuses in CREATE INDEX. In an index SQLite's own order is the same (NULL is the smallest value: last when
descending, first when ascending), so the modifier is dropped there. Without this, every remake of papers_paper
(SQLite adds a NOT NULL column by rebuilding the table with all its indexes) fails on paper_published_desc.
"""

import re

from django.db.backends.sqlite3 import base, schema

_REDUNDANT_NULLS_ORDER = re.compile(r"\b(DESC NULLS LAST|ASC NULLS FIRST)\b")


class DatabaseSchemaEditor(schema.DatabaseSchemaEditor):
    def execute(self, sql, params=()):
        text = str(sql)
        if text.lstrip().upper().startswith(("CREATE INDEX", "CREATE UNIQUE INDEX")):
            sql = _REDUNDANT_NULLS_ORDER.sub(lambda match: match.group(1).split()[0], text)
        return super().execute(sql, params)


class DatabaseWrapper(base.DatabaseWrapper):
    SchemaEditorClass = DatabaseSchemaEditor
