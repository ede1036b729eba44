"""Bulk actions on the directory's records that refuse ids that cannot be ids.

Wagtail's bulk actions read the selected records from `?id=` (or "all") and
look them up as they are: "abc" fails in the database, as does, on SQLite, a
number past 64 bits. Here such a value answers 404 (`directory.ids`). The
snippets' "delete" is the only bulk action on these records; one added later
takes `RecordIdsMixin` too.
"""

from django.http import Http404
from wagtail.snippets.bulk_actions.delete import DeleteBulkAction

from .ids import is_record_id
from .models import Function, InterestCentre, Organisation, OrganisationKind, Person


class RecordIdsMixin:
    models = [Organisation, Person, InterestCentre, OrganisationKind, Function]

    @classmethod
    def get_queryset(cls, model, object_ids):
        if not all(is_record_id(pk) for pk in object_ids):
            raise Http404
        return super().get_queryset(model, object_ids)


class DirectoryDeleteBulkAction(RecordIdsMixin, DeleteBulkAction):
    pass
