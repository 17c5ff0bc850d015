"""The full-text index of passages, one per database engine:

- PostgreSQL: a GIN index on ``search_vector`` (filled by the indexing service with the
  course language's configuration, title weighted A and body B). ``fastupdate`` is off: a
  course is indexed in bulk, and searches should not scan a pending list afterwards.
- SQLite: an FTS5 table (``porter`` stemming) whose rowid is the passage id.

Other engines get neither (retrieval then needs one of these two).
"""

from django.db import migrations


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX assistant_passage_search_gin ON assistant_passage "
            "USING gin (search_vector) WITH (fastupdate = off)"
        )
    elif vendor == "sqlite":
        schema_editor.execute(
            "CREATE VIRTUAL TABLE assistant_passage_fts USING fts5("
            "title, body, tokenize = 'porter unicode61')"
        )


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS assistant_passage_search_gin")
    elif vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS assistant_passage_fts")


class Migration(migrations.Migration):
    dependencies = [("assistant", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
