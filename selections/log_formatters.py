"""How the history reads the entries `selections.actions` writes.

Messages name people, groups, columns and counts, never a search or a
basket: the entry's own name is shown apart, and only to those who may
read it (`selections.models.SelectionLogManager.hide_names`). Older entries
without data read as their plain message.
"""

from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from wagtail.log_actions import LogFormatter

from .actions import (
    ENTRY_CANCELLED_ACTION,
    ROWS_ADDED_ACTION,
    ROWS_REMOVED_ACTION,
    STEP_REMOVED_ACTION,
)
from .columns import EXPORT_COLUMNS
from .models import EXPORT_ACTION, FREEZE_ACTION, SHARE_ACTION, UNSHARE_ACTION

FORMAT_NAMES = {"csv": "CSV", "xlsx": "Excel"}


def _data(log_entry) -> dict:
    return log_entry.data if isinstance(log_entry.data, dict) else {}


def _count(log_entry, key="rows"):
    value = _data(log_entry).get(key)
    return value if isinstance(value, int) else None


def describe_audience(who) -> str:
    names = []
    for item in who or []:
        if item.get("kind") == "all_staff":
            names.append(_("every staff member"))
        elif item.get("kind") == "group":
            names.append(_("the group “%(name)s”") % {"name": item.get("name", "")})
        else:
            names.append(str(item.get("name", "")))
    return ", ".join(names)


class SharingFormatter(LogFormatter):
    def format_message(self, log_entry):
        data = _data(log_entry)
        parts = []
        if data.get("gained"):
            parts.append(_("shared with %(who)s") % {"who": describe_audience(data["gained"])})
        if data.get("lost"):
            lost = describe_audience(data["lost"])
            parts.append(_("no longer shared with %(who)s") % {"who": lost})
        return capfirst(_("; ").join(parts)) if parts else self.message


class ShareFormatter(SharingFormatter):
    label = gettext_lazy("Share")
    message = gettext_lazy("Sharing changed")


class UnshareFormatter(SharingFormatter):
    label = gettext_lazy("Unshare")
    message = gettext_lazy("Sharing withdrawn")


class ExportFormatter(LogFormatter):
    label = gettext_lazy("Export")
    message = gettext_lazy("Exported")

    def format_message(self, log_entry):
        data, count = _data(log_entry), _count(log_entry)
        if count is None:
            return self.message
        columns = ", ".join(
            str(EXPORT_COLUMNS[key][0]) if key in EXPORT_COLUMNS else str(key)
            for key in data.get("columns") or []
        )
        values = {
            "count": count,
            "format": FORMAT_NAMES.get(data.get("format"), data.get("format", "")),
            "columns": columns,
        }
        if data.get("snapshot"):
            return (
                ngettext(
                    "Snapshot exported: %(count)s row as %(format)s, columns: %(columns)s",
                    "Snapshot exported: %(count)s rows as %(format)s, columns: %(columns)s",
                    count,
                )
                % values
            )
        return (
            ngettext(
                "Exported %(count)s row as %(format)s, columns: %(columns)s",
                "Exported %(count)s rows as %(format)s, columns: %(columns)s",
                count,
            )
            % values
        )


def counted_formatter(label, message, counted):
    """A formatter whose message says how many rows (`data["rows"]`):
    `counted(count)` is the message for that count."""

    def format_message(self, log_entry):
        count = _count(log_entry)
        if count is None:
            return self.message
        return counted(count) % {"count": count}

    return type(
        "CountedFormatter",
        (LogFormatter,),
        {"label": label, "message": message, "format_message": format_message},
    )


class EntryCancelledFormatter(LogFormatter):
    label = gettext_lazy("Cancel a change by hand")
    message = gettext_lazy("Change by hand cancelled")

    def format_message(self, log_entry):
        row = (_data(log_entry).get("entry") or {}).get("row")
        if not row:
            return self.message
        return _("%(message)s: %(row)s") % {"message": self.message, "row": row}


def register(actions) -> None:
    """The `register_log_actions` hook of the selections."""
    actions.register_action(SHARE_ACTION)(ShareFormatter)
    actions.register_action(UNSHARE_ACTION)(UnshareFormatter)
    actions.register_action(EXPORT_ACTION)(ExportFormatter)
    actions.register_action(FREEZE_ACTION)(
        counted_formatter(
            gettext_lazy("Freeze"),
            gettext_lazy("Snapshot kept"),
            lambda n: ngettext(
                "Snapshot kept with %(count)s row", "Snapshot kept with %(count)s rows", n
            ),
        )
    )
    actions.register_action(ROWS_ADDED_ACTION)(
        counted_formatter(
            gettext_lazy("Add rows"),
            gettext_lazy("Rows added by hand"),
            lambda n: ngettext("%(count)s row added by hand", "%(count)s rows added by hand", n),
        )
    )
    actions.register_action(ROWS_REMOVED_ACTION)(
        counted_formatter(
            gettext_lazy("Remove rows"),
            gettext_lazy("Rows removed by hand"),
            lambda n: ngettext(
                "%(count)s row removed by hand", "%(count)s rows removed by hand", n
            ),
        )
    )
    actions.register_action(ENTRY_CANCELLED_ACTION)(EntryCancelledFormatter)
    actions.register_action(
        STEP_REMOVED_ACTION,
        gettext_lazy("Step removed"),
        gettext_lazy("A step was removed: its source was deleted by its owner"),
    )
