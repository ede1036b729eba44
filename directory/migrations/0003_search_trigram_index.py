"""Trigram indexes for the simple search on PostgreSQL (nothing on SQLite).

The search columns hold text already folded by `directory.text.fold`, so a
plain `LIKE '%term%'` is accent- and case-insensitive; pg_trgm's GIN index
serves it without scanning the table.
"""

from django.db import migrations

TABLES = ("directory_organisation", "directory_person")


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table in TABLES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {table}_search_trgm "
            f"ON {table} USING gin (search_text gin_trgm_ops)"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_search_trgm")


class Migration(migrations.Migration):
    dependencies = [("directory", "0002_directory")]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
