"""The trigram indexes of the search texts, merged after an import rather than during it.

On PostgreSQL each organisation's and person's `search_text` is in a
trigram GIN index (`directory.search`). A GIN index takes a new text apart
into some eighty trigrams and files the row under each: for a 100,000-row
import that filing cost PostgreSQL more than writing the rows themselves.

GIN has a way to put it off, its *pending list* (fast update): new entries
are appended to an unsorted list, which is merged into the index when it
grows past `gin_pending_list_limit` (4 MB by default, so about every 2,000
people) or when vacuumed. Searches read the list along with the index: a
record in it is found at once. While an import writes, the limit is raised
for its transaction only, so that its entries wait in the list; once the
import is committed, a task (`clean_search_indexes`) merges the list into
the index in one pass, off the import's time. Until then a search reads the
whole list (some 2 KB a person), which costs it a fraction of a second on
a 100,000-row import.
"""

from __future__ import annotations

from contextlib import contextmanager

from celery import shared_task
from django.db import connection, transaction

# The indexes of `directory.search` (migrations 0003 and 0004).
SEARCH_INDEXES = ("directory_person_search_trgm", "directory_organisation_search_trgm")
# Enough for the largest import allowed (200,000 rows by default: some
# 400 MB of list); past it, PostgreSQL merges the list as it would anyway.
PENDING_LIMIT = "1GB"


@contextmanager
def search_indexes_deferred():
    """Inside the caller's transaction: new entries of the search indexes wait
    in their pending lists, merged after commit (`clean_search_indexes`)."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('gin_pending_list_limit'), "
            "set_config('gin_pending_list_limit', %s, true)",
            [PENDING_LIMIT],
        )
        before = cursor.fetchone()[0]
    # On an error the transaction (or its savepoint) is rolled back, and the
    # setting with it.
    yield
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('gin_pending_list_limit', %s, true)", [before])
    transaction.on_commit(clean_search_indexes.delay)


@shared_task(name="directory.clean_search_indexes")
def clean_search_indexes() -> int:
    """Merge the search indexes' pending lists into the indexes; return the
    number of pages merged. Harmless at any time (vacuum does the same)."""
    if connection.vendor != "postgresql":
        return 0
    merged = 0
    with connection.cursor() as cursor:
        for index in SEARCH_INDEXES:
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
            merged += cursor.fetchone()[0]
    return merged
