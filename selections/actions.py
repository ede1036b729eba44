"""Every write a person can ask for on saved searches and baskets, one function each.

Each function checks access (`access_selection`, `access_model`: the policy
of `selections.permissions`, raising one clear `PermissionDenied`),
validates (a `ValidationError` changes nothing), writes in a transaction
and records the audit log entry: for an edit, each changed field with its
value before and after (`directory.audit`). Views, the API, imports and
tests call these; they never write searches, baskets or their log
themselves. Nothing here schedules a task yet; one that must would do it
with `transaction.on_commit`, so that it never acts on a rolled-back write.

The rules that hold on every path:

* a basket has at most `MAX_STEPS` steps, each one saved search or one
  basket its owner may see, never one that makes the basket include itself,
  never a step of another basket;
* a search or a basket is shared with staff only (`staff_users`, `staff_groups`);
* deleting a search or a basket is refused while its owner's own baskets
  use it, and removes the steps of colleagues' baskets that use it.

Sharing, unsharing, exports and snapshots are oversight entries
(`selections.models.OVERSIGHT_ACTIONS`): administrators read them in the
site history too, without the names of selections they may not see.
"""

from __future__ import annotations

import json

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.log_actions import log

from directory.audit import log_change, values_of

from . import resolution
from .columns import EXPORT_COLUMNS
from .criteria import CriteriaError, describe, parse
from .models import (
    EXPORT_ACTION,
    FREEZE_ACTION,
    SHARE_ACTION,
    UNSHARE_ACTION,
    Basket,
    BasketEntry,
    BasketStep,
    SavedSearch,
    parse_row_keys,
)
from .permissions import SharedObjectPolicy

MAX_STEPS = 50
EXPORT_FORMATS = ("csv", "xlsx")
EDITABLE_FIELDS = {
    SavedSearch: ("name", "description", "target", "criteria"),
    Basket: ("name", "description"),
}
ROWS_ADDED_ACTION = "selections.rows_added"
ROWS_REMOVED_ACTION = "selections.rows_removed"
ENTRY_CANCELLED_ACTION = "selections.entry_cancelled"
STEP_REMOVED_ACTION = "selections.step_removed"
CRITERIA, STEPS = "criteria", "steps"


# --- Access -------------------------------------------------------------------


def _refusal(model, action: str) -> str:
    if action == "add":
        if model is SavedSearch:
            return _("You are not allowed to save searches.")
        return _("You are not allowed to create baskets.")
    if action == "view":
        if model is SavedSearch:
            return _("This saved search is neither yours nor shared with you.")
        return _("This basket is neither yours nor shared with you.")
    if model is SavedSearch:
        return _("Only its owner may change, share or delete a saved search.")
    return _("Only its owner may change, share or delete a basket.")


def _signed_in(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def access_model(user, model, action: str = "add") -> None:
    """Raise PermissionDenied unless `user` may `action` searches or baskets at all."""
    if not (_signed_in(user) and SharedObjectPolicy(model).user_has_permission(user, action)):
        raise PermissionDenied(_refusal(model, action))


def access_selection(user, selection, action: str) -> None:
    """Raise PermissionDenied unless `user` may `action` ("view", "change",
    "delete") this search or basket: see it if it is theirs or shared with
    them; change, share or delete it if it is theirs."""
    policy = SharedObjectPolicy(type(selection))
    if not (_signed_in(user) and policy.user_has_permission_for_instance(user, action, selection)):
        raise PermissionDenied(_refusal(type(selection), action))


# --- Staff, the only people a selection is shared with ------------------------


def _staff_permission():
    return Permission.objects.filter(
        content_type__app_label="selections", codename="view_savedsearch"
    )


def staff_users():
    """Active users who work with searches and baskets (the staff and the
    administrators: those whose role gives them searches)."""
    permission = _staff_permission()
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(groups__permissions__in=permission)
            | Q(user_permissions__in=permission)
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def staff_groups():
    """The groups whose members work with searches and baskets."""
    return Group.objects.filter(permissions__in=_staff_permission()).distinct().order_by("name")


def _user_name(user) -> str:
    return user.get_full_name() or user.get_username()


# --- What the audit log reads -------------------------------------------------


def _criteria_text(node) -> str:
    items = [
        item["rule"] if "rule" in item else f"({_criteria_text(item)})" for item in node["items"]
    ]
    if not items:
        return str(node["label"])
    return _("%(label)s: %(items)s") % {"label": node["label"], "items": _("; ").join(items)}


def criteria_value(search: SavedSearch) -> str:
    """The criteria in words, for the audit of an edit."""
    try:
        return _criteria_text(describe(parse(search.criteria, search.target)))
    except CriteriaError:
        return json.dumps(search.criteria, ensure_ascii=False, sort_keys=True)


def _ordered_steps(basket) -> list[BasketStep]:
    steps = list(basket.steps.all())
    return sorted(steps, key=lambda step: (step.sort_order is None, step.sort_order or 0))


def steps_value(basket: Basket) -> str:
    """The steps in order. Sources by number, never by name: whoever reads the
    basket's history may not be allowed to read the name of a source
    (`selections.disclosure`)."""
    parts = []
    for step in _ordered_steps(basket):
        if step.source_deleted:
            source = _("a deleted search or basket")
        elif step.search_id:
            source = _("saved search #%(id)s") % {"id": step.search_id}
        else:
            source = _("basket #%(id)s") % {"id": step.included_basket_id}
        parts.append(
            _("%(operation)s: %(source)s")
            % {"operation": step.get_operation_display(), "source": source}
        )
    return _("; ").join(parts)


def _extra(selection) -> dict[str, str]:
    if isinstance(selection, SavedSearch):
        return {CRITERIA: criteria_value(selection)}
    return {STEPS: steps_value(selection)}


def _labels() -> dict[str, str]:
    return {STEPS: _("Steps")}


def _values(selection) -> dict[str, str]:
    return values_of(selection, extra=_extra(selection))


def _stored_values(selection) -> dict[str, str]:
    return _values(type(selection).objects.get(pk=selection.pk))


def _log_edit(user, selection, before) -> None:
    log_change(selection, before, user=user, extra=_extra(selection), labels=_labels())


# --- Validation -----------------------------------------------------------------


def _apply(selection, fields: dict) -> None:
    allowed = EDITABLE_FIELDS[type(selection)]
    for name, value in fields.items():
        if name not in allowed:
            raise TypeError(f"{type(selection).__name__} has no editable field {name!r}")
        setattr(selection, name, value)


def _full_clean(selection) -> None:
    """The model's rules (SavedSearch.clean parses the criteria)."""
    selection.full_clean(validate_unique=False)


def _build_steps(steps) -> list[BasketStep]:
    built = []
    for number, step in enumerate(steps):
        if not isinstance(step, BasketStep):
            operation, source = step
            step = BasketStep(
                operation=operation,
                search=source if isinstance(source, SavedSearch) else None,
                included_basket=source if isinstance(source, Basket) else None,
            )
        step.sort_order = number
        built.append(step)
    return built


def validate_steps(user, basket: Basket) -> None:
    """The rules of a basket's steps, as they will be saved (a form leaves
    them in memory): at most MAX_STEPS, one source each that the owner may
    see, none of another basket, none that makes the basket include itself."""
    steps = _ordered_steps(basket)
    if len(steps) > MAX_STEPS:
        raise ValidationError(
            _("A basket combines at most %(max)d steps.") % {"max": MAX_STEPS}, code="max_steps"
        )
    stored = {}
    if basket.pk:
        stored = {
            pk: (search, included)
            for pk, search, included in BasketStep.objects.filter(basket_id=basket.pk).values_list(
                "pk", "search_id", "included_basket_id"
            )
        }
    errors = []
    for number, step in enumerate(steps, start=1):
        if step.pk is not None and step.pk not in stored:
            raise ValidationError(
                _(
                    "A step of this basket no longer exists here (deleted or moved meanwhile): "
                    "reload the page, then make your changes again."
                ),
                code="unknown_step",
            )
        if step.operation not in BasketStep.Operation.values:
            errors.append(_("Step %(number)s: unknown operation.") % {"number": number})
            continue
        if (step.search_id is None) == (step.included_basket_id is None):
            errors.append(
                _("Step %(number)s: choose one saved search or one basket.") % {"number": number}
            )
            continue
        source = step.search or step.included_basket
        unchanged = step.pk is not None and stored[step.pk] == (
            step.search_id,
            step.included_basket_id,
        )
        if not unchanged and not source.is_visible_to(user):
            errors.append(
                _("Step %(number)s: this one is not shared with you: remove this step.")
                % {"number": number}
            )
            continue
        if step.included_basket_id is not None:
            if basket.pk is not None and step.included_basket_id == basket.pk:
                errors.append(
                    _("Step %(number)s: a basket cannot include itself.") % {"number": number}
                )
                continue
            step.basket_id = basket.pk
            try:
                step.clean()
            except ValidationError as error:
                errors.extend(error.messages)
    if errors:
        raise ValidationError(errors)


# --- Saved searches -----------------------------------------------------------


def _own(user, selection) -> None:
    if selection.owner_id is None:
        selection.owner = user
    elif selection.owner_id != user.pk:
        raise PermissionDenied(_refusal(type(selection), "change"))


def create_search(user, search: SavedSearch | None = None, **fields) -> SavedSearch:
    """Save a new search, owned by `user` (name, description, target, criteria)."""
    access_model(user, SavedSearch, "add")
    search = search or SavedSearch()
    _own(user, search)
    _apply(search, fields)
    _full_clean(search)
    with transaction.atomic():
        search.save()
        log(search, "wagtail.create", user=user)
    return search


def update_search(user, search: SavedSearch, **fields) -> SavedSearch:
    """Save a search's new values (set on it, or given as `fields`)."""
    access_selection(user, search, "change")
    before = _stored_values(search)
    _apply(search, fields)
    _full_clean(search)
    with transaction.atomic():
        search.save()
        _log_edit(user, search, before)
    return search


def save_search(user, search: SavedSearch) -> SavedSearch:
    """Create or update what a form built."""
    return update_search(user, search) if search.pk else create_search(user, search)


def copy_search(user, search: SavedSearch) -> SavedSearch:
    """A copy of a search `user` may see, theirs to edit."""
    access_model(user, SavedSearch, "add")
    access_selection(user, search, "view")
    copy = SavedSearch(
        owner=user,
        name=(_("Copy of %(name)s") % {"name": search.name})[:150],
        description=search.description,
        target=search.target,
        criteria=search.criteria,
    )
    # The criteria as they are, even if they no longer hold: the editor says why.
    copy.clean_fields()
    with transaction.atomic():
        copy.save()
        log(copy, "wagtail.create", user=user, data={"copied_from": search.pk})
    return copy


def _delete(user, selection, using) -> None:
    access_selection(user, selection, "delete")
    steps = list(using.select_related("basket"))
    own = sorted({step.basket.name for step in steps if step.basket.owner_id == selection.owner_id})
    if own:
        raise ValidationError(
            ngettext(
                "It is used by your basket %(baskets)s: remove it from there first.",
                "It is used by your baskets %(baskets)s: remove it from there first.",
                len(own),
            )
            % {"baskets": ", ".join(f"“{name}”" for name in own)},
            code="protected",
        )
    with transaction.atomic():
        for step in steps:
            # Logged without its author: the owner may not see the colleague's basket.
            log(
                step.basket,
                STEP_REMOVED_ACTION,
                user=None,
                data={
                    "step": {
                        "operation": step.operation,
                        "search": step.search_id,
                        "basket": step.included_basket_id,
                    }
                },
            )
            step.release_source()
        log(selection, "wagtail.delete", user=user)
        selection.delete()


def delete_search(user, search: SavedSearch) -> None:
    """Delete a search: refused while the owner's baskets use it; the steps of
    colleagues' baskets that use it go with it."""
    _delete(user, search, search.basket_steps.all())


# --- Sharing ------------------------------------------------------------------


def _audience(selection) -> tuple[set, set, bool]:
    return (
        set(selection.shared_with_users.all()),
        set(selection.shared_with_groups.all()),
        selection.shared_with_all_staff,
    )


def _who(users, groups, all_staff: bool) -> list[dict]:
    found = [{"kind": "all_staff"}] if all_staff else []
    found += [
        {"kind": "group", "id": group.pk, "name": group.name}
        for group in sorted(groups, key=lambda g: g.name)
    ]
    found += [
        {"kind": "user", "id": user.pk, "name": _user_name(user)}
        for user in sorted(users, key=lambda u: _user_name(u).lower())
    ]
    return found


def _check_audience(users, groups) -> None:
    errors = {}
    staff = set(staff_users().filter(pk__in=[u.pk for u in users]).values_list("pk", flat=True))
    refused = [_user_name(user) for user in users if user.pk not in staff]
    if refused:
        errors["shared_with_users"] = [
            _("“%(name)s” is not a staff member of this workspace.") % {"name": name}
            for name in refused
        ]
    allowed = set(staff_groups().values_list("pk", flat=True))
    refused = [group.name for group in groups if group.pk not in allowed]
    if refused:
        errors["shared_with_groups"] = [
            _("“%(name)s” is not a staff group: share with staff only.") % {"name": name}
            for name in refused
        ]
    if errors:
        raise ValidationError(errors)


def set_sharing(user, selection, *, users=(), groups=(), all_staff: bool = False) -> bool:
    """Share `selection`, read only, with exactly these staff members, staff
    groups, or every staff member; return whether anything changed."""
    access_selection(user, selection, "change")
    users = {u for u in users if u.pk != selection.owner_id}  # the owner sees it anyway
    groups = set(groups)
    _check_audience(users, groups)
    stored = type(selection).objects.get(pk=selection.pk)
    old_users, old_groups, old_all = _audience(stored)
    gained = _who(users - old_users, groups - old_groups, all_staff and not old_all)
    lost = _who(old_users - users, old_groups - groups, old_all and not all_staff)
    if not (gained or lost):
        return False
    before = _values(stored)
    with transaction.atomic():
        selection.shared_with_all_staff = bool(all_staff)
        selection.save(update_fields=["shared_with_all_staff", "updated_at"])
        selection.shared_with_users.set(users)
        selection.shared_with_groups.set(groups)
        log_change(
            selection,
            before,
            user=user,
            extra=_extra(selection),
            labels=_labels(),
            action=SHARE_ACTION if gained else UNSHARE_ACTION,
            data={"gained": gained, "lost": lost},
        )
    return True


def share(user, selection, *, users=(), groups=(), all_staff: bool = False) -> bool:
    """Share with these too (staff members, staff groups, or every staff member)."""
    old_users, old_groups, old_all = _audience(selection)
    return set_sharing(
        user,
        selection,
        users=old_users | set(users),
        groups=old_groups | set(groups),
        all_staff=old_all or all_staff,
    )


def unshare(user, selection, *, users=(), groups=(), all_staff: bool = False) -> bool:
    """Stop sharing with these (`all_staff=True`: no longer with every staff member)."""
    old_users, old_groups, old_all = _audience(selection)
    return set_sharing(
        user,
        selection,
        users=old_users - set(users),
        groups=old_groups - set(groups),
        all_staff=old_all and not all_staff,
    )


# --- Baskets ------------------------------------------------------------------


def create_basket(user, basket: Basket | None = None, *, steps=None, **fields) -> Basket:
    """A new basket owned by `user`: name, description and, optionally, its
    steps as `(operation, search or basket)` pairs or BasketStep objects
    (a form leaves them in memory on `basket`)."""
    access_model(user, Basket, "add")
    basket = basket or Basket()
    _own(user, basket)
    _apply(basket, fields)
    if steps is not None:
        basket.steps = _build_steps(steps)
    _full_clean(basket)
    validate_steps(user, basket)
    with transaction.atomic():
        basket.save()  # with its steps
        log(basket, "wagtail.create", user=user, data={STEPS: steps_value(basket)})
    return basket


def update_basket(user, basket: Basket, *, steps=None, **fields) -> Basket:
    """Save a basket's name, description and steps (`steps`, if given,
    replaces them all)."""
    access_selection(user, basket, "change")
    before = _stored_values(basket)
    _apply(basket, fields)
    if steps is not None:
        basket.steps = _build_steps(steps)
    _full_clean(basket)
    validate_steps(user, basket)
    with transaction.atomic():
        basket.save()
        _log_edit(user, basket, before)
    return basket


def compose_basket(user, basket: Basket, steps) -> Basket:
    """Replace a basket's steps: `(operation, search or basket)` pairs, in order."""
    return update_basket(user, basket, steps=steps)


def save_basket(user, basket: Basket) -> Basket:
    """Create or update what a form built (the steps in memory on it)."""
    return update_basket(user, basket) if basket.pk else create_basket(user, basket)


def delete_basket(user, basket: Basket) -> None:
    """Delete a basket: refused while the owner's baskets include it; the
    steps of colleagues' baskets that include it go with it. Its snapshots stay."""
    _delete(user, basket, basket.included_in_steps.all())


def _row_keys(row_keys) -> list[str]:
    """The row keys given, refused when none names a row of the directory."""
    keys = [str(key) for key in row_keys]
    if not keys:
        raise ValidationError(_("Select at least one row first."), code="no_rows")
    if not any(parse_row_keys(keys).values()):
        raise ValidationError(_("None of these rows exists any more."), code="no_rows")
    return keys


def add_rows(user, basket: Basket, row_keys) -> int:
    """Add rows by hand (row keys: position-12, personal-3, organisation-7);
    return how many were not added by hand yet."""
    access_selection(user, basket, "change")
    keys = _row_keys(row_keys)
    with transaction.atomic():
        added = basket.add_rows(keys, user)
        log(basket, ROWS_ADDED_ACTION, user=user, data={"rows": added})
    return added


def add_rows_to_new_basket(user, name: str, row_keys) -> tuple[Basket, int]:
    """A new basket named `name`, with these rows added by hand."""
    keys = _row_keys(row_keys)
    with transaction.atomic():
        basket = create_basket(user, name=(name or "").strip())
        return basket, add_rows(user, basket, keys)


def remove_rows(user, basket: Basket, row_keys) -> int:
    """Remove rows by hand: the removal wins over every step of the basket."""
    access_selection(user, basket, "change")
    keys = _row_keys(row_keys)
    with transaction.atomic():
        removed = basket.remove_rows(keys, user)
        log(basket, ROWS_REMOVED_ACTION, user=user, data={"rows": removed})
    return removed


def cancel_entry(user, basket: Basket, entry: BasketEntry) -> None:
    """Undo one addition or removal by hand."""
    access_selection(user, basket, "change")
    if entry.basket_id != basket.pk:
        raise ValidationError(_("This change by hand is not one of this basket's."))
    with transaction.atomic():
        log(
            basket,
            ENTRY_CANCELLED_ACTION,
            user=user,
            data={"entry": {"action": entry.action, "row": str(entry)[:200]}},
        )
        entry.delete()


def freeze_basket(user, basket: Basket, label: str = ""):
    """Keep a snapshot of the basket as it resolves now (raises CriteriaError
    when a step no longer holds)."""
    access_selection(user, basket, "change")
    if not user.has_perm("selections.add_snapshot"):
        raise PermissionDenied(_("You are not allowed to freeze baskets."))
    label = (label or "").strip()
    if len(label) > 200:
        raise ValidationError(
            {"label": _("A label has at most %(max)d characters.") % {"max": 200}}
        )
    with transaction.atomic():
        snapshot = resolution.freeze(basket, user, label)
        log(
            basket,
            FREEZE_ACTION,
            user=user,
            data={"snapshot": snapshot.pk, "rows": snapshot.row_count},
        )
    return snapshot


def record_export(user, selection, *, rows: int, columns, file_format: str, snapshot=None) -> None:
    """Log an export of a basket, a search or a basket's snapshot: who, how
    many rows, which columns (keys of `selections.columns.EXPORT_COLUMNS`),
    which format. The export itself streams apart (`selections.exports`)."""
    access_selection(user, selection, "view")
    columns = list(columns)
    unknown = [column for column in columns if column not in EXPORT_COLUMNS]
    if unknown or file_format not in EXPORT_FORMATS:
        raise ValidationError(_("Unknown export column or format."))
    data = {"rows": int(rows), "columns": columns, "format": file_format}
    if snapshot is not None:
        data["snapshot"] = snapshot.pk
    log(selection, EXPORT_ACTION, user=user, data=data)
