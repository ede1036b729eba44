"""What an edit changed, for the audit log and the record's history.

One home for the idea, so that every app's writes log it the same way:

* `values_of(instance)` reads a record as a person sees it: one display
  string per concrete editable field (a foreign key as its object's name,
  many-to-many as the sorted names, a choice as its label, a date as
  dd/mm/yyyy, a phone or SIRET as the record's `<field>_display`).
* `changes(before, after, model)` compares two such readings and lists what
  changed: `[{"field", "label", "before", "after"}]`.
* `log_change(instance, before, user=...)` writes it to Wagtail's log entry
  `data` under `"changes"` (nothing is logged when nothing changed), with
  the action "wagtail.edit".
* `ChangesFormatter` shows those changes in the history ("Modifié : nom :
  « A » → « B »"); `register_log_formatters` installs it for "wagtail.edit"
  (entries without changes still read "Modifié").

It knows no model: the directory's records, saved searches and baskets all
use it. Values are stored as displayed when they were written, cut to
`MAX_VALUE_LENGTH` characters.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping

from django.db import models
from django.utils import formats
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.log_actions import LogFormatter
from wagtail.log_actions import log as wagtail_log

CHANGES = "changes"
EDIT_ACTION = "wagtail.edit"
MAX_VALUE_LENGTH = 200
# Never shown, never compared: bookkeeping every save rewrites.
SKIPPED_FIELDS = frozenset({"created_at", "updated_at"})


def audited_fields(model) -> list[models.Field]:
    """The fields a person edits: concrete or many-to-many, editable, not the key."""
    fields = []
    for field in model._meta.get_fields():
        if not (field.concrete or field.many_to_many) or field.auto_created:
            continue
        if getattr(field, "primary_key", False) or not getattr(field, "editable", False):
            continue
        if field.name in SKIPPED_FIELDS:
            continue
        fields.append(field)
    return fields


def _cut(text: str) -> str:
    text = " ".join(str(text).split()) if "\n" in str(text) else str(text)
    return text if len(text) <= MAX_VALUE_LENGTH else text[: MAX_VALUE_LENGTH - 1] + "…"


def display_value(instance, field: models.Field) -> str:
    """How one field of `instance` reads, as a string ("" when empty)."""
    name = field.name
    if field.many_to_many:
        try:
            related = getattr(instance, name).all()
        except ValueError:  # a plain many-to-many of an unsaved instance
            return ""
        return ", ".join(sorted((str(obj) for obj in related), key=str.lower))
    if field.is_relation:
        if getattr(instance, field.attname) is None:
            return ""
        return str(getattr(instance, name))
    if field.choices:
        value = getattr(instance, field.attname)
        return "" if value in (None, "") else str(dict(field.flatchoices).get(value, value))
    display = getattr(type(instance), f"{name}_display", None)
    if isinstance(display, property):
        return str(getattr(instance, f"{name}_display") or "")
    value = getattr(instance, field.attname)
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime.datetime):
        return formats.date_format(value, "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


def values_of(instance, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """{field name: display string} of a record; `extra` adds computed values
    (for example a person's positions), labelled by `changes(labels=...)`."""
    values = {
        field.name: _cut(display_value(instance, field)) for field in audited_fields(type(instance))
    }
    for name, value in (extra or {}).items():
        values[name] = _cut(value)
    return values


def field_label(model, name: str, labels: Mapping[str, str] | None = None) -> str:
    if labels and name in labels:
        return str(labels[name])
    try:
        return str(capfirst(model._meta.get_field(name).verbose_name))
    except Exception:  # a computed value, or a field since removed
        return name


def changes(
    before: Mapping[str, str],
    after: Mapping[str, str],
    model,
    labels: Mapping[str, str] | None = None,
) -> list[dict[str, str]]:
    """What differs between two readings, in the order of `after`."""
    result = []
    for name in [*after, *(name for name in before if name not in after)]:
        old, new = before.get(name, ""), after.get(name, "")
        if old != new:
            result.append(
                {
                    "field": name,
                    "label": field_label(model, name, labels),
                    "before": old,
                    "after": new,
                }
            )
    return result


def log_change(
    instance,
    before: Mapping[str, str],
    *,
    user=None,
    extra: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
    action: str = EDIT_ACTION,
    data: dict | None = None,
):
    """Log the edit of `instance` since `before` (a `values_of` reading);
    return the log entry, or None when nothing changed."""
    found = changes(before, values_of(instance, extra), type(instance), labels)
    if not found:
        return None
    return wagtail_log(instance, action, user=user, data={**(data or {}), CHANGES: found})


def describe_changes(found: Iterable[Mapping[str, str]]) -> str:
    """ "Nom : « A » → « B » ; Ville : « vide » → « Reims »"."""
    parts = []
    for change in found:
        parts.append(
            _("%(label)s: “%(before)s” → “%(after)s”")
            % {
                "label": change.get("label") or change.get("field", ""),
                "before": change.get("before") or _("empty"),
                "after": change.get("after") or _("empty"),
            }
        )
    return _("; ").join(parts)


class ChangesFormatter(LogFormatter):
    """A message that lists the changes in the entry's data, if any."""

    label = gettext_lazy("Edit")
    message = gettext_lazy("Edited")

    def format_message(self, log_entry):
        found = (log_entry.data or {}).get(CHANGES) if isinstance(log_entry.data, dict) else None
        if not found:
            return self.message
        return _("%(message)s: %(changes)s") % {
            "message": self.message,
            "changes": describe_changes(found),
        }


def register_log_formatters(actions) -> None:
    """Show the changes of "wagtail.edit" entries (a `register_log_actions` hook
    that runs after Wagtail's own, which it replaces for that action)."""
    actions.register_action(EDIT_ACTION)(ChangesFormatter)
    seen = set()
    actions.choices = [
        choice for choice in actions.choices if not (choice[0] in seen or seen.add(choice[0]))
    ]
