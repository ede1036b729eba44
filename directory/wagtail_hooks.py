from django.urls import include, path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.search import SearchArea
from wagtail.admin.ui.components import Component
from wagtail.log_actions import LogFormatter
from wagtail.snippets.models import register_snippet

from .actions import (
    ACTIVITY_ACTION,
    ACTIVITY_UPDATE_ACTION,
    RESTORE_ACTION,
    TRASH_ACTION,
    describe_trash_summary,
)
from .activities import describe_changed, describe_logged
from .audit import CHANGES, ChangesFormatter, describe_changes, register_log_formatters
from .views import DirectoryViewSetGroup, comments
from .views.activities import RecordActivitiesPanel
from .views.bulk_actions import ListDeleteBulkAction, TrashBulkAction
from .views.consents import ConsentHistoryPanel
from .views.quick_search import QuickSearchView

register_snippet(DirectoryViewSetGroup)
# After Wagtail's own bulk delete (order 0), which they replace for these models.
hooks.register("register_bulk_action", TrashBulkAction, order=20)
hooks.register("register_bulk_action", ListDeleteBulkAction, order=20)


@hooks.register("register_admin_urls")
def register_directory_urls():
    return [
        path("directory/search/", QuickSearchView.as_view(), name="directory_search"),
        path(
            "directory/comments/",
            include((comments.urlpatterns, comments.app_name), namespace=comments.app_name),
        ),
    ]


class DirectorySearchArea(SearchArea):
    def is_shown(self, request):
        return request.user.has_perm("directory.view_person")


@hooks.register("register_admin_search_area")
def register_directory_search_area():
    # Lower than Wagtail's pages area (100): the sidebar search opens the directory.
    return DirectorySearchArea(
        _("Directory"), reverse("directory_search"), name="directory", icon_name="group", order=10
    )


class QuickSearchPanel(Component):
    name = "directory_search"
    order = 10
    template_name = "directory/includes/quick_search_panel.html"


@hooks.register("construct_homepage_panels")
def add_directory_search_panel(request, panels):
    if request.user.has_perm("directory.view_person"):
        panels.insert(0, QuickSearchPanel())


@hooks.register("register_log_actions")
def register_comment_actions(actions):
    actions.register_action("directory.comment.add", _("Add comment"), _("Comment added"))
    actions.register_action("directory.comment.edit", _("Edit comment"), _("Comment edited"))
    actions.register_action("directory.comment.delete", _("Delete comment"), _("Comment deleted"))


@hooks.register("register_log_actions", order=1)  # after Wagtail's own "wagtail.edit"
def register_change_formatters(actions):
    register_log_formatters(actions)


class TrashFormatter(LogFormatter):
    label = _("Move to the trash")
    message = _("Moved to the trash")

    def format_message(self, log_entry):
        moved = describe_trash_summary((log_entry.data or {}).get("moved") or {})
        if not moved:
            return self.message
        return gettext("Moved to the trash with %(moved)s") % {"moved": moved}


class PositionFormatter(ChangesFormatter):
    def format_message(self, log_entry):
        position = (log_entry.data or {}).get("position") or {}
        message = gettext("%(message)s: %(label)s – %(person)s – %(organisation)s") % {
            "message": self.message,
            "label": position.get("label", ""),
            "person": position.get("person", ""),
            "organisation": position.get("organisation", ""),
        }
        found = (log_entry.data or {}).get(CHANGES)
        return f"{message} ({describe_changes(found)})" if found else message


def position_formatter(label, message):
    return type("Formatter", (PositionFormatter,), {"label": label, "message": message})


@hooks.register("register_log_actions")
def register_record_actions(actions):
    actions.register_action(TRASH_ACTION)(TrashFormatter)
    actions.register_action(
        RESTORE_ACTION, _("Restore from the trash"), _("Restored from the trash")
    )
    actions.register_action(
        "directory.import", _("Import a spreadsheet"), _("Spreadsheet imported")
    )
    actions.register_action("directory.position.add")(
        position_formatter(_("Add position"), _("Position added"))
    )
    actions.register_action("directory.position.edit")(
        position_formatter(_("Edit position"), _("Position edited"))
    )
    actions.register_action("directory.position.remove")(
        position_formatter(_("Remove position"), _("Position removed"))
    )


@hooks.register("directory_record_panels")
def activities_panel(request, record):
    return RecordActivitiesPanel.for_record(request, record)


@hooks.register("directory_record_panels")
def consent_history_panel(request, record):
    return ConsentHistoryPanel.for_record(request, record)


class ActivityFormatter(LogFormatter):
    """« Activité enregistrée : Commande CMD-123 du 12/03/2026, 1 234,50 €
    (Location de matériel) », and for an update what changed."""

    def format_message(self, log_entry):
        data = log_entry.data or {}
        message = gettext("%(message)s: %(activity)s") % {
            "message": self.message,
            "activity": describe_logged(data),
        }
        changed = describe_changed(data.get("changed"))
        if changed:
            message = gettext("%(message)s; changed: %(changed)s") % {
                "message": message,
                "changed": changed,
            }
        return message


class ActivityRecordedFormatter(ActivityFormatter):
    label = _("Record an activity")
    message = _("Activity recorded")


class ActivityUpdatedFormatter(ActivityFormatter):
    label = _("Update an activity")
    message = _("Activity updated")


@hooks.register("register_log_actions")
def register_activity_actions(actions):
    actions.register_action(ACTIVITY_ACTION)(ActivityRecordedFormatter)
    actions.register_action(ACTIVITY_UPDATE_ACTION)(ActivityUpdatedFormatter)


# --- Duplicates and merging ---------------------------------------------------------


class MergeFormatter(LogFormatter):
    """« Fiche « Élodie Martin » (n° 12) fusionnée dans celle-ci et mise à la
    corbeille ; rattachés ici : postes : 2, billets : 1 ; Nom : « … » → « … » »."""

    label = _("Merge")
    message = _("Merged")

    def format_message(self, log_entry):
        from .merging import describe_moved

        data = log_entry.data or {}
        merged = data.get("merged") or {}
        message = gettext("Merged “%(name)s” (no. %(id)s) into this record, now in the trash") % {
            "name": merged.get("name", ""),
            "id": merged.get("id", ""),
        }
        moved = describe_moved(data.get("moved") or {})
        if moved:
            message = gettext("%(message)s; moved here: %(moved)s") % {
                "message": message,
                "moved": moved,
            }
        if data.get(CHANGES):
            message = gettext("%(message)s; %(changes)s") % {
                "message": message,
                "changes": describe_changes(data[CHANGES]),
            }
        return message


class UnmergeFormatter(LogFormatter):
    label = _("Undo a merge")
    message = _("Merge undone")

    def format_message(self, log_entry):
        from .merging import describe_moved

        data = log_entry.data or {}
        merged = data.get("merged") or {}
        message = gettext("Merge with “%(name)s” undone (restored from the trash)") % {
            "name": merged.get("name", "")
        }
        moved = describe_moved(data.get("moved") or {})
        if moved:
            message = gettext("%(message)s; moved back: %(moved)s") % {
                "message": message,
                "moved": moved,
            }
        return message


class NotDuplicateFormatter(LogFormatter):
    label = _("Mark as not a duplicate")
    message = _("Marked as not a duplicate")

    def format_message(self, log_entry):
        other = (log_entry.data or {}).get("other") or {}
        return gettext("Not a duplicate of “%(name)s”") % {"name": other.get("name", "")}


@hooks.register("register_log_actions")
def register_merge_actions(actions):
    from .actions import MERGE_ACTION, NOT_DUPLICATE_ACTION, UNMERGE_ACTION

    actions.register_action(MERGE_ACTION)(MergeFormatter)
    actions.register_action(UNMERGE_ACTION)(UnmergeFormatter)
    actions.register_action(NOT_DUPLICATE_ACTION)(NotDuplicateFormatter)
