"""Merging two records of the directory into one, and undoing it.

`directory.actions.merge_people` / `merge_organisations` check access and
the input, then call `merge()` here; restoring the merged record from the
trash calls `undo()` (`directory.actions.restore_records`).

What happens to the rows that point to the merged record is decided by one
table, `RELATIONS`, keyed by the relation ("app_label.Model.field"). The
directory imports no other app: the rows are found through the models'
reverse relations (`_meta.get_fields(include_hidden=True)`), so that
baskets, campaigns, tickets and tasks move without the directory knowing
their code. A test fails when a model gains a link to a person, an
organisation or a position that this table does not name
(tests/directory/test_merge_relations.py). The handlings:

* `MOVE`: the row now points to the kept record;
* `MOVE_UNLESS_DUPLICATE`: moved, unless the kept record already has a row
  equal on `keys` (the same basket and action, the same position); the
  duplicate stays with the merged record, in the trash with it, where it
  harms nothing and from where it comes back with a restore. A duplicate
  position hands its own links (campaign deliveries, basket rows) to the
  kept record's equal position, by the `Position` rows of the table;
* `MERGE`: a set (interest areas): the kept record gets the union;
* `IGNORE`: left as it is, for the reason given;
* `REFUSE`: a record that has such a row cannot be merged (an erased
  person: merging would tie their kept history to someone again).

Generic links (Wagtail's audit log, revisions, editing sessions) point by
content type and text id: the merged record's own history stays with it
(`GENERIC_LINKS`), and the merge's one log entry, on the kept record, says
what moved.

Every moved row is recorded on the `Merge` (`moved`: [from, to, [ids]] by
relation), with the values the kept record had before: undoing moves those
rows back (those still linked to where the merge put them) and gives the
kept record its values back where they were not changed since.
"""

from __future__ import annotations

import datetime
import decimal
from dataclasses import dataclass, field

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import Consent, Organisation, Person, Position
from .models.duplicates import DuplicateKind, Merge

MOVE = "move"
MOVE_UNLESS_DUPLICATE = "move_unless_duplicate"
MERGE = "merge"
IGNORE = "ignore"
REFUSE = "refuse"


@dataclass(frozen=True)
class Handling:
    how: str
    keys: tuple[str, ...] = ()  # MOVE_UNLESS_DUPLICATE: what makes two rows the same
    reason: str = ""  # IGNORE, REFUSE: why
    label: str = ""  # what the log says moved ("positions", "tickets"…)


def _move(label, *keys):
    return Handling(MOVE_UNLESS_DUPLICATE if keys else MOVE, keys=keys, label=label)


# "app_label.Model.field" (the field that points to Person, Organisation or
# Position) -> how a merge treats its rows.
RELATIONS: dict[str, Handling] = {
    # People
    "directory.Position.person": _move("positions", "organisation_id", "function_id", "title"),
    "directory.Comment.person": _move("comments"),
    "directory.Activity.person": _move("activities"),
    "selections.BasketEntry.person": _move("basket_rows", "basket_id", "action"),
    "selections.SnapshotRow.person": _move("snapshot_rows"),
    "outreach.Delivery.person": _move("deliveries"),
    "outreach.Suppression.person": _move("suppressions"),
    "helpdesk.Ticket.person": _move("tickets"),
    "planner.Task.person": _move("tasks"),
    # An account is linked to one person at most: moved unless the kept
    # person has one (then it stays linked to the merged person, in the trash).
    "crmsite.User.person": Handling(MOVE_UNLESS_DUPLICATE, keys=(), label="accounts"),
    # The history of a person's consents goes with the refusals the merge keeps.
    "directory.ConsentChange.person": _move("consent_changes"),
    "crmsite.DormantReview.person": _move("dormant_reviews"),
    "crmsite.Erasure.person": Handling(REFUSE, reason=_("its personal data was erased")),
    "directory.Merge.kept_person": Handling(IGNORE, reason="the merges' own record"),
    "directory.Merge.merged_person": Handling(IGNORE, reason="the merges' own record"),
    # Organisations
    "directory.Position.organisation": _move("positions", "person_id", "function_id", "title"),
    "directory.Comment.organisation": _move("comments"),
    "directory.Activity.organisation": _move("activities"),
    "directory.Organisation.interest_centres": Handling(MERGE, label="interest_centres"),
    "selections.BasketEntry.organisation": _move("basket_rows", "basket_id", "action"),
    "selections.SnapshotRow.organisation": _move("snapshot_rows"),
    "outreach.Delivery.organisation": _move("deliveries"),
    "helpdesk.Ticket.organisation": _move("tickets"),
    "planner.Task.organisation": _move("tasks"),
    "directory.Merge.kept_organisation": Handling(IGNORE, reason="the merges' own record"),
    "directory.Merge.merged_organisation": Handling(IGNORE, reason="the merges' own record"),
    # Positions: the links of a merged record's position that duplicates one
    # of the kept record (the same organisation and function) go to that one.
    "selections.BasketEntry.position": _move("basket_rows", "basket_id", "action"),
    "selections.SnapshotRow.position": _move("snapshot_rows"),
    "outreach.Delivery.position": _move("deliveries"),
}

GENERIC_LINKS = {
    "wagtailcore.ModelLogEntry": "the merged record's history stays its own; the merge is "
    "logged once on the kept record",
    "wagtailcore.Revision": "people and organisations have no revisions",
    "wagtailadmin.EditingSession": "sessions of the edit form, short-lived",
}

MOVED_LABELS = {
    "positions": pgettext_lazy("moved by a merge", "positions"),
    "comments": pgettext_lazy("moved by a merge", "comments"),
    "activities": pgettext_lazy("moved by a merge", "activities"),
    "basket_rows": pgettext_lazy("moved by a merge", "basket rows"),
    "snapshot_rows": pgettext_lazy("moved by a merge", "snapshot rows"),
    "deliveries": pgettext_lazy("moved by a merge", "campaign deliveries"),
    "suppressions": pgettext_lazy("moved by a merge", "unsubscribed coordinates"),
    "tickets": pgettext_lazy("moved by a merge", "tickets"),
    "tasks": pgettext_lazy("moved by a merge", "tasks"),
    "accounts": pgettext_lazy("moved by a merge", "accounts"),
    "consent_changes": pgettext_lazy("moved by a merge", "consent changes"),
    "dormant_reviews": pgettext_lazy("moved by a merge", "reviews of dormant contacts"),
    "interest_centres": pgettext_lazy("moved by a merge", "interest areas"),
}

TARGETS = (Person, Organisation, Position)


def relation_key(relation) -> str:
    """ "app_label.Model.field" of a reverse relation (or a many-to-many field)."""
    if isinstance(relation, models.ManyToManyField):
        return f"{relation.model._meta.label}.{relation.name}"
    return f"{relation.related_model._meta.label}.{relation.field.name}"


def links_to(model) -> list:
    """Every relation that points to `model`: the reverse foreign keys and
    one-to-ones of every installed model (hidden ones, `related_name="+"`,
    included), and `model`'s own many-to-many fields."""
    found = []
    for relation in model._meta.get_fields(include_hidden=True):
        if relation.auto_created and not relation.concrete:
            if relation.many_to_many:
                continue  # the other side of a many-to-many: listed by its field
            if relation.related_model._meta.auto_created:
                continue  # a many-to-many's through table: listed by its field
            found.append(relation)
    found += [f for f in model._meta.get_fields() if f.many_to_many and f.concrete]
    return found


def handling_of(relation) -> Handling:
    key = relation_key(relation)
    try:
        return RELATIONS[key]
    except KeyError:
        raise RuntimeError(
            f"{key} points to a record of the directory: say in directory.merging.RELATIONS "
            "how a merge treats its rows."
        ) from None


def refusals(record) -> list[str]:
    """Why `record` cannot be merged (the `REFUSE` rows it has), or []."""
    reasons = []
    for relation in links_to(type(record)):
        handling = handling_of(relation)
        if (
            handling.how == REFUSE
            and relation.related_model._base_manager.filter(
                **{relation.field.attname: record.pk}
            ).exists()
        ):
            reasons.append(str(handling.reason))
    return reasons


# --- Fields the user picks -----------------------------------------------------------

ADDRESS = ("address_line1", "address_line2", "postcode", "city", "country")

# Each choice is one field, or a group whose fields go together (an address).
PERSON_CHOICES = {
    "civility": ("civility",),
    "first_name": ("first_name",),
    "last_name": ("last_name",),
    "email": ("email",),
    "phone": ("phone",),
    "mobile": ("mobile",),
    "language": ("language",),
    "address": ADDRESS,
    "notes": ("notes",),
}
ORGANISATION_CHOICES = {
    "name": ("name",),
    "kind": ("kind",),
    "siret": ("siret",),
    "email": ("email",),
    "phone": ("phone",),
    "website": ("website",),
    "address": ADDRESS,
    "is_active": ("is_active",),
    "notes": ("notes",),
}
CHANNELS = ("email", "sms", "post")
CONSENT_FIELDS = tuple(
    f"{channel}_{suffix}"
    for channel in CHANNELS
    for suffix in ("consent", "consent_date", "consent_source")
)
KEEP, TAKE = "kept", "merged"  # a choice: the kept record's value, or the merged one's


def choices_for(model) -> dict[str, tuple[str, ...]]:
    return PERSON_CHOICES if model is Person else ORGANISATION_CHOICES


def choice_label(model, name: str) -> str:
    from django.utils.text import capfirst

    if name == "address":
        return str(_("Address"))
    return str(capfirst(model._meta.get_field(name).verbose_name))


def _filled(record, fields) -> bool:
    for name in fields:
        value = getattr(record, model_attname(record, name))
        if name == "country":
            continue  # France by default: not a sign of a filled address
        if name == "is_active":
            return True
        if value not in (None, ""):
            return True
    return False


def model_attname(record, name) -> str:
    return record._meta.get_field(name).attname


def default_choices(kept, merged) -> dict[str, str]:
    """Filled values first; where both are filled, the most recently
    updated record's."""
    newest = TAKE if merged.updated_at > kept.updated_at else KEEP
    result = {}
    for name, fields in choices_for(type(kept)).items():
        kept_filled, merged_filled = _filled(kept, fields), _filled(merged, fields)
        if kept_filled and merged_filled:
            result[name] = newest
        else:
            result[name] = TAKE if merged_filled else KEEP
    return result


def merged_consents(kept, merged) -> dict[str, object]:
    """The consent fields of the merged record: a refusal is never lost (with
    its date and source, the kept record's first), then a consent (the most
    recent), else the kept record's."""
    values = {}
    for channel in CHANNELS:
        answers = [
            (
                getattr(record, f"{channel}_consent"),
                getattr(record, f"{channel}_consent_date"),
                getattr(record, f"{channel}_consent_source"),
            )
            for record in (kept, merged)
        ]
        refused = [answer for answer in answers if answer[0] == Consent.REFUSED]
        consented = [answer for answer in answers if answer[0] == Consent.CONSENTED]
        if refused:
            chosen = refused[0]
        elif consented:
            chosen = max(consented, key=lambda answer: answer[1] or datetime.date.min)
        else:
            chosen = answers[0]
        values.update(
            {
                f"{channel}_consent": chosen[0],
                f"{channel}_consent_date": chosen[1],
                f"{channel}_consent_source": chosen[2],
            }
        )
    return values


def version_of(record) -> str:
    """Changes when the record or one of its positions is edited: the form
    sends the versions it showed, and a merge of records changed since is
    refused."""
    field = "person" if isinstance(record, Person) else "organisation"
    positions = Position.all_objects.filter(**{field: record}).aggregate(
        count=models.Count("pk"), latest=models.Max("updated_at")
    )
    latest = positions["latest"].isoformat() if positions["latest"] else "-"
    return f"{record.updated_at.isoformat()}|{positions['count']}|{latest}"


# --- Raw values, stored as JSON on the Merge ---------------------------------------


def _raw(record, name):
    value = getattr(record, model_attname(record, name))
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def _parse(model, name, value):
    if value is None:
        return None
    return model._meta.get_field(name).to_python(value)


# --- Merging ---------------------------------------------------------------------------


@dataclass
class Outcome:
    merge: Merge
    moved: dict[str, int] = field(default_factory=dict)  # label -> count
    changed: list[str] = field(default_factory=list)  # field names


def _fk_attname(model, field_name) -> str:
    return model._meta.get_field(field_name).attname


def _move_rows(relation, handling: Handling, source_id, target_id) -> list[int]:
    """Move the rows of `relation` from `source_id` to `target_id`; the ids moved."""
    model = relation.related_model
    attname = relation.field.attname
    rows = model._base_manager.filter(**{attname: source_id})
    if handling.how == MOVE_UNLESS_DUPLICATE:
        taken = model._base_manager.filter(**{attname: target_id})
        if handling.keys:
            present = set(taken.values_list(*handling.keys))
            candidates = list(rows.values_list("pk", *handling.keys).order_by("pk"))
            ids = []
            for pk, *values in candidates:
                if tuple(values) not in present:
                    ids.append(pk)
                    present.add(tuple(values))
        else:
            ids = [] if taken.exists() else list(rows.values_list("pk", flat=True)[:1])
    else:
        ids = list(rows.values_list("pk", flat=True).order_by("pk"))
    if ids:
        model._base_manager.filter(pk__in=ids).update(**{attname: target_id})
    return ids


def _twin_positions(kept, merged) -> dict[int, int]:
    """{position left with the merged record: the kept record's equal position}."""
    side = "organisation" if isinstance(kept, Organisation) else "person"
    keys = RELATIONS[f"directory.Position.{side}"].keys
    kept_positions = {
        tuple(values): pk
        for pk, *values in Position.all_objects.filter(**{side: kept})
        .order_by("-pk")
        .values_list("pk", *keys)
    }
    twins = {}
    for pk, *values in Position.all_objects.filter(**{side: merged}).values_list("pk", *keys):
        if tuple(values) in kept_positions:
            twins[pk] = kept_positions[tuple(values)]
    return twins


def _through(field):
    """A many-to-many's table and its two columns (this side, the other)."""
    through = field.remote_field.through
    return (
        through,
        through._meta.get_field(field.m2m_field_name()).attname,
        through._meta.get_field(field.m2m_reverse_field_name()).attname,
    )


def _merge_set(field, kept, merged) -> list[int]:
    """Give the kept record the merged one's items it lacks; the ids added."""
    through, own, other = _through(field)
    present = set(through.objects.filter(**{own: kept.pk}).values_list(other, flat=True))
    added = [
        pk
        for pk in through.objects.filter(**{own: merged.pk})
        .order_by(other)
        .values_list(other, flat=True)
        if pk not in present
    ]
    through.objects.bulk_create([through(**{own: kept.pk, other: pk}) for pk in added])
    return added


def merge(user, kept, merged, choices: dict[str, str]) -> Outcome:
    """Merge `merged` into `kept` (both locked, checked, of one model) in the
    caller's transaction; move it to the trash; return what was done."""
    from .search import people_of_organisations, refresh_people

    model = type(kept)
    is_person = model is Person
    record = Merge(
        kind=DuplicateKind.PERSON if is_person else DuplicateKind.ORGANISATION,
        merged_by=user if user is not None and user.is_authenticated else None,
        **(
            {"kept_person": kept, "merged_person": merged}
            if is_person
            else {"kept_organisation": kept, "merged_organisation": merged}
        ),
    )

    # The values of the kept record.
    values = {}
    for name, fields in choices_for(model).items():
        if choices.get(name, KEEP) == TAKE:
            for field_name in fields:
                values[field_name] = getattr(merged, model_attname(merged, field_name))
    if is_person:
        values.update(merged_consents(kept, merged))
        if merged.do_not_contact:
            values["do_not_contact"] = True
    changed = [
        name for name, value in values.items() if getattr(kept, model_attname(kept, name)) != value
    ]
    record.kept_before = {name: _raw(kept, name) for name in changed}
    if not is_person and "siret" in changed and merged.siret:
        # Unique: the merged organisation gives it up (and gets it back on undo).
        record.merged_cleared = {"siret": merged.siret}
        model.all_objects.filter(pk=merged.pk).update(siret=None)
        merged.siret = None
    for name in changed:
        setattr(kept, model_attname(kept, name), values[name])
    record.kept_after = {name: _raw(kept, name) for name in changed}

    # The rows that point to the merged record.
    moved: dict[str, list] = {}
    counts: dict[str, int] = {}
    unprimary = []
    if is_person and Position.all_objects.filter(person=kept, is_primary=True).exists():
        # One primary position per person: the kept person's stays so.
        unprimary = list(
            Position.all_objects.filter(person=merged, is_primary=True).values_list("pk", flat=True)
        )
        Position.all_objects.filter(pk__in=unprimary).update(is_primary=False)
    for relation in links_to(model):
        key = relation_key(relation)
        handling = handling_of(relation)
        if handling.how in (IGNORE, REFUSE):
            continue
        if handling.how == MERGE:
            ids = _merge_set(relation, kept, merged)
        else:
            ids = _move_rows(relation, handling, merged.pk, kept.pk)
        if ids:
            moved.setdefault(key, []).append([merged.pk, kept.pk, ids])
            counts[handling.label] = counts.get(handling.label, 0) + len(ids)
    twins = _twin_positions(kept, merged)  # positions that stayed: their links go to their twin
    for relation in links_to(Position):
        key = relation_key(relation)
        handling = handling_of(relation)
        if handling.how in (IGNORE, MERGE, REFUSE):
            continue
        for source, target in twins.items():
            ids = _move_rows(relation, handling, source, target)
            if ids:
                moved.setdefault(key, []).append([source, target, ids])
                counts[handling.label] = counts.get(handling.label, 0) + len(ids)
    if unprimary:
        moved["primary"] = unprimary
    record.moved = moved

    kept.save()
    # To the trash, with what stayed (duplicate positions); logged once, by the caller.
    now = timezone.now()
    model.all_objects.filter(pk=merged.pk).update(trashed_at=now, trashed_by=record.merged_by)
    merged.trashed_at, merged.trashed_by = now, record.merged_by
    positions = Position.all_objects.filter(**{"person" if is_person else "organisation": merged})
    Position.all_objects.filter(pk__in=positions.values("pk")).update(in_trash=True)
    record.save()
    if is_person:
        refresh_people([kept.pk, merged.pk])
    else:
        refresh_people(people_of_organisations([kept.pk, merged.pk]))
    return Outcome(record, counts, changed)


def undo(merge_record: Merge) -> dict[str, int]:
    """Move back what `merge_record` moved and give the kept record its values
    back (those not changed since); the merged record is being restored by
    the caller. Returns the counts moved back, by label."""
    from .search import people_of_organisations, refresh_people

    model = Person if merge_record.kind == DuplicateKind.PERSON else Organisation
    kept = model.all_objects.get(pk=merge_record.kept.pk)
    merged = model.all_objects.get(pk=merge_record.merged.pk)
    relations = {
        relation_key(relation): relation for target in TARGETS for relation in links_to(target)
    }
    counts: dict[str, int] = {}
    for key, movements in merge_record.moved.items():
        if key == "primary":
            continue
        relation, handling = relations.get(key), RELATIONS.get(key)
        if relation is None or handling is None:
            continue  # a relation since removed
        for source, target, ids in movements:
            if handling.how == MERGE:
                through, own, other = _through(relation)
                count, _deleted = through.objects.filter(
                    **{own: target, f"{other}__in": ids}
                ).delete()
            else:
                related = relation.related_model
                count = related._base_manager.filter(
                    pk__in=ids, **{relation.field.attname: target}
                ).update(**{relation.field.attname: source})
            counts[handling.label] = counts.get(handling.label, 0) + count
    if merge_record.moved.get("primary"):
        Position.all_objects.filter(
            pk__in=merge_record.moved["primary"], person_id=merged.pk
        ).update(is_primary=True)

    # The kept record's values, where the merge's are still there.
    for name, after in merge_record.kept_after.items():
        if _raw(kept, name) == after:
            setattr(
                kept, model_attname(kept, name), _parse(model, name, merge_record.kept_before[name])
            )
    kept.save()
    for name, value in merge_record.merged_cleared.items():
        if not model.all_objects.filter(**{name: value}).exists():
            model.all_objects.filter(pk=merged.pk).update(**{name: value})
    merge_record.undone_at = timezone.now()
    merge_record.save(update_fields=["undone_at"])
    if model is Person:
        refresh_people([kept.pk, merged.pk])
    else:
        refresh_people(people_of_organisations([kept.pk, merged.pk]))
    return counts


def describe_moved(counts: dict[str, int]) -> str:
    """ "2 positions, 1 ticket" in words: « postes : 2, tickets : 1 »."""
    from django.utils.translation import gettext

    parts = [
        gettext("%(what)s: %(count)d") % {"what": MOVED_LABELS.get(label, label), "count": count}
        for label, count in counts.items()
        if count
    ]
    return gettext(", ").join(parts)


def merged_into(records) -> dict:
    """{(model name, pk): the kept record} for those of `records` (in the
    trash) that a merge put there and that were not restored since."""
    found = {}
    for kind, side in (("person", "merged_person"), ("organisation", "merged_organisation")):
        ids = [r.pk for r in records if r._meta.model_name == kind]
        if not ids:
            continue
        for merge in (
            Merge.objects.filter(**{f"{side}__in": ids}, undone_at__isnull=True)
            .select_related(f"kept_{kind}")
            .order_by("merged_at")
        ):
            found[kind, getattr(merge, f"{side}_id")] = merge.kept
    return found
