"""Bulk delete in the directory's listings, through `directory.actions`.

Organisations and people go to the trash (the confirmation says what goes
with each); interest centres, kinds and functions are deleted for good,
one action each, so that each deletion is in the audit log.
"""

from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.snippets.bulk_actions.delete import DeleteBulkAction

from .. import actions
from ..models import Function, InterestCentre, Organisation, OrganisationKind, Person


class TrashBulkAction(DeleteBulkAction):
    models = [Organisation, Person]
    aria_label = _("Move the selected records to the trash")
    template_name = "directory/bulk_actions/confirm_bulk_trash.html"

    def object_context(self, snippet):
        return {
            **super().object_context(snippet),
            "moved": actions.describe_trash_summary(actions.trash_summary(snippet)),
        }

    @classmethod
    def execute_action(cls, objects, user=None, **kwargs):
        return actions.trash_records(kwargs["self"].request.user, objects), 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        return ngettext(
            "%(count)d %(model_name)s moved to the trash.",
            "%(count)d %(model_name)s moved to the trash.",
            num_parent_objects,
        ) % {
            "count": num_parent_objects,
            "model_name": capfirst(
                self.model._meta.verbose_name
                if num_parent_objects == 1
                else self.model._meta.verbose_name_plural
            ),
        }


class ListDeleteBulkAction(DeleteBulkAction):
    models = [InterestCentre, OrganisationKind, Function]

    @classmethod
    def execute_action(cls, objects, user=None, **kwargs):
        user = kwargs["self"].request.user
        deleted = 0
        for item in objects:
            try:
                actions.delete_list_item(user, item)
                deleted += 1
            except ValidationError:
                continue  # in use: kept (its usage is shown on the confirmation)
        return deleted, 0
