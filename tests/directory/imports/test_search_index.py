"""On PostgreSQL an import leaves its new search-index entries in the GIN
pending lists and merges them after commit: the people and organisations
it created are found by the search at once, through the index, before and
after the merge."""

import pytest
from django.db import connection, transaction

from directory.imports.columns import auto_mapping
from directory.imports.plan import build_plan
from directory.imports.search_index import clean_search_indexes
from directory.imports.writing import write_plan
from directory.models import Organisation, Person
from directory.search import search

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's trigram GIN indexes"
)

HEADERS = ["Prénom", "Nom", "Structure", "E-mail pro", "Code postal", "Ville"]
ROWS = [
    ["Hélène", "Vasseur", "Théâtre de l'Aquarium", "h.vasseur@aquarium.fr", "75012", "Paris"],
    ["Paul", "Quintard", "Théâtre de l'Aquarium", "p.quintard@aquarium.fr", "75012", "Paris"],
    ["Inès", "Lebrun", "Scène nationale d'Orléans", "ines@scenenationale.fr", "45000", "Orléans"],
]


def _import():
    rows = [(line, list(cells)) for line, cells in enumerate(ROWS, start=2)]
    plan = build_plan(HEADERS, rows, auto_mapping(HEADERS))
    with transaction.atomic():
        write_plan(plan)


def _pending_limit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW gin_pending_list_limit")
        return cursor.fetchone()[0]


def _found_through_the_index(model, query) -> list[str]:
    # `all_objects`, unordered: on tables this small the other indexes look as cheap.
    queryset = search(model.all_objects.order_by(), query)
    with connection.cursor() as cursor:
        # The tables are tiny: forbid what reads them whole, so that the GIN index is used.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    plan = queryset.explain()
    index = f"{model._meta.db_table}_search_trgm"
    assert index in plan, plan
    field = "last_name" if model is Person else "name"
    return sorted(queryset.values_list(field, flat=True))


@pytest.mark.django_db
def test_imported_records_are_found_before_and_after_the_index_merges_them(
    django_capture_on_commit_callbacks,
):
    limit = _pending_limit()
    with django_capture_on_commit_callbacks() as callbacks:
        _import()
    # The import's larger pending list was for its own writes only.
    assert _pending_limit() == limit
    assert clean_search_indexes.delay in callbacks

    # Before the merge, the new entries wait in the pending lists, and the search finds them.
    assert _found_through_the_index(Person, "vasseur") == ["Vasseur"]
    assert _found_through_the_index(Person, "aquarium") == ["Quintard", "Vasseur"]
    assert _found_through_the_index(Organisation, "orleans") == ["Scène nationale d'Orléans"]

    # The task queued on commit merges them (it had something to merge) ...
    assert clean_search_indexes() > 0
    assert clean_search_indexes() == 0
    # ... and the search finds the same records in the index itself.
    assert _found_through_the_index(Person, "vasseur") == ["Vasseur"]
    assert _found_through_the_index(Person, "aquarium") == ["Quintard", "Vasseur"]
    assert _found_through_the_index(Organisation, "orleans") == ["Scène nationale d'Orléans"]


@pytest.mark.django_db
def test_a_failed_import_leaves_the_pending_list_limit_as_it_was(monkeypatch):
    from directory.imports import writing

    limit = _pending_limit()

    def broken(*args, **kwargs):
        raise RuntimeError("refused")

    monkeypatch.setattr(writing, "insert", broken)
    with pytest.raises(RuntimeError, match="refused"):
        _import()
    assert _pending_limit() == limit
    assert not Person.objects.exists()
