"""Querysets that keep derived columns current on bulk writes."""

from django.db import models


class DerivedColumnsQuerySet(models.QuerySet):
    """`update()` and `bulk_create()` recompute the rows' derived columns
    (`prepare_for_write()`: folded name, department, region, search text)
    when a field they come from is written."""

    source_fields: frozenset = frozenset()

    def refresh(self, ids, updated_fields) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def update(self, **kwargs):
        if not self.source_fields.intersection(kwargs):
            return super().update(**kwargs)
        ids = list(self.values_list("pk", flat=True))
        count = super().update(**kwargs)
        self.refresh(ids, kwargs)
        return count

    def bulk_create(self, objs, *args, prepared: bool = False, **kwargs):
        """`prepared`: the caller computed the derived columns itself (the
        import does, for people, with their positions held in memory)."""
        if not prepared:
            for obj in objs:
                obj.prepare_for_write()
        return super().bulk_create(objs, *args, **kwargs)
