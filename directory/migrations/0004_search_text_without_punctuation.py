"""Search texts leave punctuation out (`directory.search.PUNCTUATION`).

Removing characters from the stored texts is all it takes: the new texts are
the old ones without them. On PostgreSQL, translate() does it in one
statement per table, with the trigram index dropped meanwhile and rebuilt
once (updating a GIN index row by row would take far longer); elsewhere it
is done row by row in Python. On PostgreSQL the two tables cannot be read
until the migration ends (4 min 38 s for 1,000,000 people on a 2-core
machine): plan it with the deployment's downtime, and VACUUM afterwards.
"""

from django.db import migrations

# `directory.search.PUNCTUATION` when this migration was written (a migration
# keeps the values it was written with).
PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{}~" + "‘’‚“”„«»‹›ʼ‐‑‒–—―−·•…"
WITHOUT_PUNCTUATION = str.maketrans("", "", PUNCTUATION)
TABLES = ("directory_organisation", "directory_person")


def strip_punctuation(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Foreign-key checks still queued in this transaction would make
            # CREATE INDEX refuse the tables: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table in TABLES:
                cursor.execute(f"DROP INDEX IF EXISTS {table}_search_trgm")
                cursor.execute(
                    f"UPDATE {table} SET search_text = translate(search_text, %s, '') "  # noqa: S608
                    f"WHERE search_text <> translate(search_text, %s, '')",
                    [PUNCTUATION, PUNCTUATION],
                )
                cursor.execute(
                    f"CREATE INDEX {table}_search_trgm ON {table} "
                    f"USING gin (search_text gin_trgm_ops)"
                )
        return
    for name in ("Organisation", "Person"):
        model = apps.get_model("directory", name)
        # Read first: SQLite should not be written while a query reads the table.
        for pk, text in list(model.objects.values_list("pk", "search_text")):
            if (bare := text.translate(WITHOUT_PUNCTUATION)) != text:
                model.objects.filter(pk=pk).update(search_text=bare)


class Migration(migrations.Migration):
    dependencies = [("directory", "0003_search_trigram_index")]

    # Backwards nothing is restored: the earlier code's search then misses
    # terms with punctuation until records are saved again.
    operations = [migrations.RunPython(strip_punctuation, migrations.RunPython.noop)]
