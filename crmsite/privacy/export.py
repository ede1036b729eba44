"""Access and portability: everything the product holds about one person.

`collect(person)` gathers it, section by section (`SECTIONS`), as plain
JSON-ready rows; `export_zip(person)` writes one JSON file per section and
a readable French summary (`resume.html`) into a ZIP.

Every relation that points at a person (or at one of their positions) is
either exported by a section or named in `NOT_EXPORTED` with the reason:
`tests/crmsite/privacy/test_export.py` fails when a new model points at
`Person` or `Position` without being handled here.

Nothing about anybody else: in a ticket, only the person's own messages
(written from their account) are exported, with the ticket's subject,
status and dates; colleagues appear by name only as authors of what
concerns the person (a comment, a log entry), never with their coordinates.
"""

from __future__ import annotations

import datetime
import io
import json
import re
import zipfile
from decimal import Decimal

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _
from wagtail.models import BaseLogEntry

from directory.models import Activity, Comment, Person, Position

# Person fields derived from the others, left out of the export.
DERIVED = {"name_key", "search_text", "department", "region"}

# "app_label.Model.field" of each relation to Person or Position, and where it is exported.
EXPORTED = {
    "directory.Position.person": "positions",
    "directory.Comment.person": "comments",
    "directory.Activity.person": "activities",
    "directory.ConsentChange.person": "consent_history",
    "directory.Merge.kept_person": "merges",
    "directory.Merge.merged_person": "merges",
    "selections.BasketEntry.person": "baskets",
    "selections.BasketEntry.position": "baskets",
    "selections.SnapshotRow.person": "baskets",
    "selections.SnapshotRow.position": "baskets",
    "outreach.Delivery.person": "deliveries",
    "outreach.Delivery.position": "deliveries",
    "outreach.Suppression.person": "suppressions",
    "helpdesk.Ticket.person": "tickets",
    "planner.Task.person": "tasks",
    "crmsite.User.person": "account",
    "crmsite.Erasure.person": "person",
    "crmsite.DormantReview.person": "dormant_reviews",
}
NOT_EXPORTED: dict[str, str] = {}


def _value(value):
    if isinstance(value, datetime.datetime):
        return (
            timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
        )
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_value(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _value(item) for key, item in value.items()}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _fields(obj, names) -> dict:
    return {name: _value(getattr(obj, name)) for name in names}


def _user(user) -> str:
    if user is None:
        return ""
    return user.get_full_name().strip() or user.get_username()


def _choice(obj, name) -> str:
    display = getattr(obj, f"get_{name}_display", None)
    return str(display()) if display else str(getattr(obj, name))


def _model(label: str):
    try:
        return apps.get_model(label)
    except LookupError:
        return None


# --- Sections -------------------------------------------------------------------------


def person_section(person: Person) -> dict:
    data = {}
    for field in Person._meta.concrete_fields:
        if field.name in DERIVED or field.name in ("trashed_by",):
            continue
        data[field.name] = _value(getattr(person, field.attname))
    data["trashed_by"] = _user(person.trashed_by) if person.trashed_by_id else ""
    for field in ("civility", "language", "email_consent", "sms_consent", "post_consent"):
        data[f"{field}_label"] = _choice(person, field)
    erasure = getattr(person, "erasure", None)
    data["erased_at"] = _value(erasure.erased_at) if erasure else None
    return data


POSITION_FIELDS = [
    "id",
    "title",
    "email",
    "phone",
    "mobile",
    "address_line1",
    "address_line2",
    "postcode",
    "city",
    "country",
    "is_primary",
    "start_date",
    "end_date",
    "in_trash",
    "created_at",
    "updated_at",
]


def positions_section(person, positions) -> list:
    return [
        {
            **_fields(position, POSITION_FIELDS),
            "organisation": position.organisation.name,
            "function": position.function.name if position.function_id else "",
            "label": position.label,
        }
        for position in positions
    ]


def consent_history_section(person) -> list:
    model = _model("directory.ConsentChange")
    if model is None:
        return []
    rows = []
    for change in model.objects.filter(person=person).select_related("changed_by"):
        rows.append(
            {
                "channel": change.channel,
                "channel_label": _choice(change, "channel"),
                "value": change.value,
                "value_label": _choice(change, "value"),
                "changed_at": _value(change.changed_at),
                "source_kind": change.source_kind,
                "source_label": _choice(change, "source_kind"),
                "detail": change.detail,
                "changed_by": _user(change.changed_by),
            }
        )
    return rows


def comments_section(person) -> list:
    return [
        {
            "id": comment.pk,
            "body": comment.body,
            "author": _user(comment.author),
            "created_at": _value(comment.created_at),
            "updated_at": _value(comment.updated_at),
        }
        for comment in Comment.all_objects.filter(person=person).select_related("author")
    ]


def activities_section(person) -> list:
    return [
        {
            "id": activity.pk,
            "kind": activity.kind.name,
            "date": _value(activity.date),
            "amount": _value(activity.amount),
            "currency": activity.currency,
            "external_reference": activity.external_reference,
            "recorded_by": activity.source_name,
            "details": _value(activity.details),
            "created_at": _value(activity.created_at),
        }
        for activity in Activity.objects.filter(person=person).select_related("kind")
    ]


def baskets_section(person, position_ids) -> dict:
    from selections.models import BasketEntry, SnapshotRow

    held = Q(person=person) | Q(position_id__in=position_ids)
    entries = [
        {
            "basket": entry.basket.name,
            "action": _choice(entry, "action"),
            "capacity": "position" if entry.position_id else "personal",
            "position_id": entry.position_id,
            "date": _value(entry.created_at),
        }
        for entry in BasketEntry.objects.filter(held).select_related("basket")
    ]
    frozen = [
        {
            "snapshot": row.snapshot.label,
            "frozen_at": _value(row.snapshot.created_at),
            "capacity": row.kind,
            "name": row.name,
            "capacity_label": row.capacity,
            "email": row.email,
            "phone": row.phone,
            "mobile": row.mobile,
            "address": row.address,
        }
        for row in SnapshotRow.objects.filter(held).select_related("snapshot")
    ]
    return {"entries": entries, "snapshots": frozen}


def deliveries_section(person, position_ids) -> list:
    from outreach.models import Delivery
    from outreach.views.report import source_label

    rows = []
    deliveries = (
        Delivery.objects.filter(Q(person=person) | Q(position_id__in=position_ids))
        .select_related("campaign")
        .prefetch_related("events")
    )
    for delivery in deliveries:
        rows.append(
            {
                "campaign": delivery.campaign.name,
                "channel": delivery.campaign.channel,
                "channel_label": _choice(delivery.campaign, "channel"),
                "capacity": delivery.kind,
                "capacity_label": delivery.capacity,
                "name": delivery.name,
                "coordinate": delivery.coordinate,
                "coordinate_of": delivery.source,
                "coordinate_of_label": source_label(delivery.source, delivery.coordinate),
                "status": delivery.status,
                "status_label": _choice(delivery, "status"),
                "reason": delivery.reason,
                "sent_at": _value(delivery.sent_at),
                "events": [
                    {
                        "event": event.event,
                        "occurred_at": _value(event.occurred_at or event.received_at),
                    }
                    for event in delivery.events.all()
                ],
            }
        )
    return rows


def suppressions_section(person) -> list:
    from outreach.models import Suppression

    return [
        {
            "channel": row.channel,
            "coordinate": row.coordinate,
            "reason": _choice(row, "reason"),
            "date": _value(row.created_at),
        }
        for row in Suppression.objects.filter(person=person)
    ]


def tickets_section(person, account) -> list:
    from helpdesk.models import Message, Ticket

    concerned = Q(person=person)
    if account is not None:
        concerned |= Q(author=account) | Q(messages__author=account) | Q(participants__user=account)
    rows = []
    for ticket in Ticket.objects.filter(concerned).distinct().order_by("pk"):
        own = (
            Message.objects.filter(ticket=ticket, author=account)
            if account is not None
            else Message.objects.none()
        )
        rows.append(
            {
                "id": ticket.pk,
                "subject": ticket.subject,
                "status": _choice(ticket, "status"),
                "opened_at": _value(ticket.created_at),
                "closed_at": _value(ticket.closed_at),
                "concerns_the_person": ticket.person_id == person.pk,
                "opened_by_the_person": account is not None and ticket.author_id == account.pk,
                "messages_in_ticket": ticket.messages.count(),
                "own_messages": [
                    {"number": m.number, "text": m.text, "sent_at": _value(m.created_at)}
                    for m in own.order_by("number")
                ],
            }
        )
    return rows


def tasks_section(person) -> list:
    from planner.models import Task

    return [
        {
            "title": task.title,
            "place": task.place,
            "due_date": _value(task.due_date),
            "due_time": _value(task.due_time),
            "description": task.description,
            "done_at": _value(task.done_at),
            "owner": _user(task.owner),
        }
        for task in Task.objects.filter(person=person).select_related("owner")
    ]


def account_section(account) -> dict | None:
    if account is None:
        return None
    return {
        "username": account.username,
        "first_name": account.first_name,
        "last_name": account.last_name,
        "email": account.email,
        "phone": account.phone,
        "job_title": account.job_title,
        "is_active": account.is_active,
        "date_joined": _value(account.date_joined),
        "last_login": _value(account.last_login),
        "groups": sorted(group.name for group in account.groups.all()),
    }


def dormant_reviews_section(person) -> list:
    from crmsite.models import DormantReview

    return [
        {
            "reason": review.reason,
            "kept_at": _value(review.kept_at),
            "kept_by": _user(review.kept_by),
        }
        for review in DormantReview.objects.filter(person=person).select_related("kept_by")
    ]


def merges_section(person) -> list:
    model = _model("directory.Merge")
    if model is None:
        return []
    rows = []
    for merge in model.objects.filter(Q(kept_person=person) | Q(merged_person=person)):
        rows.append(
            {
                "role": "kept" if merge.kept_person_id == person.pk else "merged",
                "kept_person_id": merge.kept_person_id,
                "merged_person_id": merge.merged_person_id,
                "date": _value(getattr(merge, "merged_at", None)),
            }
        )
    return rows


def log_entries_of(person, position_ids):
    """Every audit log entry about the person or one of their positions."""
    from wagtail.models import ModelLogEntry

    person_type = ContentType.objects.get_for_model(Person)
    position_type = ContentType.objects.get_for_model(Position)
    return ModelLogEntry.objects.filter(
        Q(content_type=person_type, object_id=str(person.pk))
        | Q(content_type=position_type, object_id__in=[str(pk) for pk in position_ids])
    ).order_by("timestamp", "pk")


def audit_log_section(person, position_ids) -> list:
    rows = []
    for entry in log_entries_of(person, position_ids):
        rows.append(
            {
                "timestamp": _value(entry.timestamp),
                "action": entry.action,
                "message": str(entry.message),
                "about": str(entry.object_verbose_name),
                "by": _user(entry.user) if entry.user_id else "",
                "data": _value(entry.data),
            }
        )
    return rows


# name -> French title of the summary (files are named `<name>.json`).
SECTIONS = {
    "person": _("Identity and personal contact details"),
    "positions": _("Positions"),
    "consent_history": _("Consent history"),
    "comments": _("Comments"),
    "activities": _("Activities"),
    "baskets": _("Baskets"),
    "deliveries": _("Campaign deliveries"),
    "suppressions": _("Coordinates excluded from campaigns"),
    "tickets": _("Helpdesk tickets"),
    "tasks": _("Tasks"),
    "account": _("User account"),
    "dormant_reviews": _("Dormant contact reviews"),
    "merges": _("Merges"),
    "audit_log": _("Audit log"),
}


def collect(person: Person) -> dict:
    """{section name: rows} about `person` (a record in the trash too)."""
    person = Person.all_objects.select_related("trashed_by").get(pk=person.pk)
    positions = list(
        Position.all_objects.filter(person=person)
        .select_related("organisation", "function")
        .order_by("pk")
    )
    position_ids = [position.pk for position in positions]
    from crmsite.models import User

    account = User._base_manager.filter(person=person).first()
    return {
        "person": person_section(person),
        "positions": positions_section(person, positions),
        "consent_history": consent_history_section(person),
        "comments": comments_section(person),
        "activities": activities_section(person),
        "baskets": baskets_section(person, position_ids),
        "deliveries": deliveries_section(person, position_ids),
        "suppressions": suppressions_section(person),
        "tickets": tickets_section(person, account),
        "tasks": tasks_section(person),
        "account": account_section(account),
        "dormant_reviews": dormant_reviews_section(person),
        "merges": merges_section(person),
        "audit_log": audit_log_section(person, position_ids),
    }


# Column titles of the summary (a key without one is shown as it is).
LABELS = {
    "id": _("number"),
    "title": _("title"),
    "email": _("e-mail"),
    "phone": _("phone"),
    "mobile": _("mobile"),
    "address_line1": _("address"),
    "address_line2": _("address (continued)"),
    "postcode": _("postcode"),
    "city": _("city"),
    "country": _("country"),
    "is_primary": _("primary position"),
    "start_date": _("start date"),
    "end_date": _("end date"),
    "in_trash": _("in the trash"),
    "created_at": _("created"),
    "updated_at": _("updated"),
    "organisation": _("organisation"),
    "function": _("function"),
    "label": _("position"),
    "channel": _("channel"),
    "value": _("answer"),
    "value_label": _("answer"),
    "changed_at": _("date"),
    "source_kind": _("source"),
    "source_label": _("source"),
    "detail": _("detail"),
    "changed_by": _("by"),
    "body": _("comment"),
    "author": _("author"),
    "kind": _("kind"),
    "date": _("date"),
    "amount": _("amount"),
    "currency": _("currency"),
    "external_reference": _("reference"),
    "recorded_by": _("recorded by"),
    "details": _("details"),
    "basket": _("basket"),
    "action": _("action"),
    "capacity": _("capacity"),
    "capacity_label": _("capacity"),
    "position_id": _("position"),
    "snapshot": _("frozen list"),
    "frozen_at": _("frozen on"),
    "name": _("name"),
    "address": _("address"),
    "campaign": _("campaign"),
    "channel_label": _("channel"),
    "coordinate": _("coordinate"),
    "coordinate_of": _("whose coordinate"),
    "coordinate_of_label": _("whose coordinate"),
    "erased_at": _("erased on"),
    "event": _("event"),
    "occurred_at": _("date"),
    "number": _("number"),
    "text": _("text"),
    "status": _("status"),
    "status_label": _("status"),
    "reason": _("reason"),
    "sent_at": _("sent"),
    "events": _("events"),
    "subject": _("subject"),
    "opened_at": _("opened"),
    "closed_at": _("closed"),
    "concerns_the_person": _("concerns the person"),
    "opened_by_the_person": _("opened by the person"),
    "messages_in_ticket": _("messages in the ticket"),
    "own_messages": _("the person's messages"),
    "place": _("place"),
    "due_date": _("date"),
    "due_time": _("time"),
    "description": _("description"),
    "done_at": _("done on"),
    "owner": _("owner"),
    "kept_at": _("kept on"),
    "kept_by": _("kept by"),
    "role": _("role"),
    "kept_person_id": _("kept record"),
    "merged_person_id": _("merged record"),
    "timestamp": _("date"),
    "message": _("change"),
    "about": _("about"),
    "by": _("by"),
    "data": _("details"),
    "username": _("username"),
    "first_name": _("first name"),
    "last_name": _("last name"),
    "job_title": _("job title"),
    "is_active": _("active"),
    "date_joined": _("created"),
    "last_login": _("last sign-in"),
    "groups": _("groups"),
}
# Columns left out of the summary's tables (they are in the JSON files): codes
# shown by their label, and the audit log's action codes (its message says it).
HIDDEN_COLUMNS = {"value", "source_kind", "channel", "status", "data", "capacity", "coordinate_of"}
HIDDEN_IN_SECTION = {"audit_log": {"action"}}
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def _when(value: str) -> str | None:
    """An ISO date or date-time of the JSON, as a French reader reads it."""
    try:
        if ISO_DATETIME.fullmatch(value[:16]) and len(value) > 16:
            moment = datetime.datetime.fromisoformat(value)
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return formats.date_format(moment, "DATETIME_FORMAT")
        if ISO_DATE.fullmatch(value):
            return formats.date_format(datetime.date.fromisoformat(value), "DATE_FORMAT")
    except ValueError:
        return None
    return None


def _cell(value) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return ""
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, list):
        return " ; ".join(_cell(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(
            f"{LABELS.get(key, key)} : {_cell(item)}" for key, item in value.items() if _cell(item)
        )
    if isinstance(value, str):
        return _when(value) or value
    return str(value)


def _table(rows: list, section: str = "") -> dict:
    hidden = HIDDEN_COLUMNS | HIDDEN_IN_SECTION.get(section, set())
    keys = []
    for row in rows:
        keys += [key for key in row if key not in keys and key not in hidden]
    return {
        "headers": [str(LABELS.get(key, key)) for key in keys],
        "rows": [[_cell(row.get(key)) for key in keys] for row in rows],
    }


def _person_lines(data: dict) -> list:
    lines = []
    for key, value in data.items():
        if key.endswith("_label") or key in ("id",):
            continue
        shown = data.get(f"{key}_label", value)
        try:
            label = Person._meta.get_field(key).verbose_name
        except Exception:
            label = LABELS.get(key, key)
        lines.append((str(label), _cell(shown)))
    return lines


def summary_html(person: Person, data: dict, generated_at) -> str:
    with translation.override("fr"):
        sections = []
        for name, title in SECTIONS.items():
            rows = data.get(name)
            section = {"name": name, "title": str(title), "count": None}
            if name == "person":
                section["lines"] = _person_lines(rows)
            elif name == "account":
                section["lines"] = (
                    [(str(LABELS.get(k, k)), _cell(v)) for k, v in rows.items()] if rows else []
                )
            elif name == "baskets":
                section["tables"] = [_table(rows["entries"]), _table(rows["snapshots"])]
                section["count"] = len(rows["entries"]) + len(rows["snapshots"])
            else:
                section["tables"] = [_table(rows or [], name)]
                section["count"] = len(rows or [])
            sections.append(section)
        return render_to_string(
            "crmsite/privacy/export_summary.html",
            {
                "person_id": person.pk,
                "full_name": " ".join(
                    filter(None, [data["person"]["first_name"], data["person"]["last_name"]])
                ),
                "sections": sections,
                "generated_at": generated_at,
            },
        )


def filename_for(person: Person) -> str:
    return f"donnees-personne-{person.pk}-{timezone.localdate():%Y%m%d}.zip"


def export_zip(person: Person) -> bytes:
    """The archive, its labels in French (the person's own language is not asked)."""
    with translation.override("fr"):
        data = collect(person)
    generated_at = timezone.localtime()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in SECTIONS:
            archive.writestr(
                f"{name}.json", json.dumps(data[name], ensure_ascii=False, indent=2) + "\n"
            )
        archive.writestr("resume.html", summary_html(person, data, generated_at))
    return buffer.getvalue()


def is_log_entry_model(model) -> bool:
    return issubclass(model, BaseLogEntry) and not model._meta.abstract
