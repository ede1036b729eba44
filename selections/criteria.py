"""The criteria language: a tree of groups and rules, validated against the
field registry (`selections.fields`) and compiled into ORM conditions that
say which *rows* match, each row being a person in one capacity.

A tree is JSON::

    {"match": "all", "rules": [
        {"field": "position.function", "operator": "in", "value": [3]},
        {"field": "organisation.region", "operator": "in", "value": ["44"]},
        {"match": "none", "rules": [
            {"field": "person.do_not_contact", "operator": "is_true"}]}]}

`match` is ``all``, ``any`` or ``none``. The semantics (also in the user
documentation of the builder, `selections/templates/selections/help.html`):

* A search over people returns rows: a person in their **personal**
  capacity, or one of their **positions**. A search over organisations
  returns organisations, reached at their generic coordinates.
* A rule is a **person rule** (scope ``person``) or a **position rule**
  (scope ``position``, or ``organisation``: the organisation the position
  belongs to, interest centres included).
* A group with no position rule anywhere inside it yields the personal rows
  of the people it matches ("French speakers" -> personal coordinates).
* Otherwise it yields position rows. In an ``all`` group every position rule
  holds on the *same* position and every person rule on its person: a
  director in Metz who is a board member in Lyon does not match "directors
  in Lyon". A group of person rules inside it also holds on that person.
* An ``any`` group yields the union of its members' rows. A rule directly in
  an ``any`` that yields positions yields positions (a person rule there:
  the positions of the people it matches); a group of person rules in it
  yields personal rows.
* A ``none`` group removes from its parent's rows what its members would
  yield: positions for position rules (the person may stay in another
  capacity), whole people (every row of theirs) for person rules. At the
  top, it removes them from every row of its kind.
* Ended positions (end date in the past) never match, unless a rule on the
  position's dates or on "current position" asks for them, in the same
  ``all`` group (or in the rule itself, directly in an ``any``).
"""

import json
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _

from .fields import (
    NO_VALUE,
    OPERATORS,
    PERSON,
    REGISTRY,
    RuleValueError,
    _current_condition,
    fields_for,
)

MATCHES = ("all", "any", "none")
TARGETS = ("people", "organisations")
MAX_DEPTH = 6
MAX_RULES = 80
MAX_JSON_CHARS = 100_000
NOTHING = Q(pk__in=[])


class CriteriaError(Exception):
    """The criteria cannot be used; `messages` says why, in the user's language."""

    def __init__(self, messages):
        self.messages = list(messages)
        super().__init__("; ".join(self.messages))


# Validation -----------------------------------------------------------------


def parse(data, target: str = "people") -> dict:
    """Validate a criteria tree (JSON text or already decoded) and return it
    normalised; raise CriteriaError listing every problem."""
    if target not in TARGETS:
        raise CriteriaError([_("Unknown kind of search.")])
    if isinstance(data, str | bytes):
        if len(data) > MAX_JSON_CHARS:
            raise CriteriaError([_("The criteria are too large.")])
        try:
            data = json.loads(data or "{}", parse_constant=_refuse_constant)
        except (ValueError, RecursionError):
            raise CriteriaError([_("The criteria are not valid JSON.")]) from None
    try:
        # Text that cannot be stored or shown (a lone surrogate) is refused here,
        # not when the page shows the search.
        json.dumps(data, ensure_ascii=False, allow_nan=False).encode("utf-8")
    except (ValueError, UnicodeEncodeError, RecursionError, TypeError):
        raise CriteriaError(
            [_("The criteria hold characters or numbers that cannot be used.")]
        ) from None
    errors: list[str] = []
    allowed = {item.key for item in fields_for(target)}
    counter = {"rules": 0}
    tree = _clean_group(data, "1", 1, allowed, target, errors, counter)
    if errors:
        raise CriteriaError(errors)
    return tree


def _refuse_constant(name):
    raise ValueError(name)


def _clean_group(node, where, depth, allowed, target, errors, counter) -> dict:
    if not isinstance(node, dict):
        errors.append(_("Group %(where)s is not a group of rules.") % {"where": where})
        return {"match": "all", "rules": []}
    if depth > MAX_DEPTH:
        errors.append(
            _("Group %(where)s is nested too deeply (at most %(max)s levels).")
            % {"where": where, "max": MAX_DEPTH}
        )
        return {"match": "all", "rules": []}
    match = node.get("match", "all")
    if match not in MATCHES:
        errors.append(
            _("Group %(where)s: “%(match)s” is not one of all, any, none.")
            % {"where": where, "match": str(match)[:50]}
        )
        match = "all"
    members = node.get("rules", [])
    if not isinstance(members, list):
        errors.append(_("Group %(where)s: its rules must be a list.") % {"where": where})
        members = []
    rules = []
    for index, member in enumerate(members, start=1):
        position = f"{where}.{index}"
        if isinstance(member, dict) and ("match" in member or "rules" in member):
            rules.append(
                _clean_group(member, position, depth + 1, allowed, target, errors, counter)
            )
            continue
        counter["rules"] += 1
        if counter["rules"] > MAX_RULES:
            if counter["rules"] == MAX_RULES + 1:
                errors.append(_("Too many rules (at most %(max)s).") % {"max": MAX_RULES})
            continue
        rule = _clean_rule(member, position, allowed, target, errors)
        if rule:
            rules.append(rule)
    return {"match": match, "rules": rules}


def _clean_rule(rule, where, allowed, target, errors) -> dict | None:
    if not isinstance(rule, dict):
        errors.append(_("Rule %(where)s is not a rule.") % {"where": where})
        return None
    key = rule.get("field")
    search_field = REGISTRY.get(key) if isinstance(key, str) else None
    if search_field is None:
        errors.append(
            _("Rule %(where)s: unknown field “%(field)s”.")
            % {"where": where, "field": str(key)[:80]}
        )
        return None
    if key not in allowed:
        errors.append(
            _("Rule %(where)s: “%(field)s” cannot be used in a search of organisations.")
            % {"where": where, "field": search_field.label}
        )
        return None
    operator = rule.get("operator")
    if operator not in search_field.operators:
        errors.append(
            _("Rule %(where)s (%(field)s): the operator “%(operator)s” does not apply.")
            % {"where": where, "field": search_field.label, "operator": str(operator)[:50]}
        )
        return None
    try:
        value = search_field.clean_value(operator, rule.get("value"))
    except RuleValueError as error:
        errors.append(
            _("Rule %(where)s (%(field)s): %(error)s.")
            % {"where": where, "field": search_field.label, "error": error}
        )
        return None
    return {"field": key, "operator": operator, "value": value}


# Compilation ------------------------------------------------------------------


@dataclass
class Rows:
    """Which rows match, as conditions: `positions` on Position (position
    rows), `people` on Person (personal rows), `organisations` on
    Organisation. None means no row of that kind."""

    positions: Q | None = None
    people: Q | None = None
    organisations: Q | None = None
    reasons: list = field(default_factory=list)  # [Reason]: why a row may be there


@dataclass
class Reason:
    """A reason a row may be in a result ("Function is one of Director"), with
    the condition a row of each kind meets when it applies."""

    label: str
    positions: Q | None = None
    people: Q | None = None
    organisations: Q | None = None
    source: tuple | None = None  # (kind, id, name) of a basket's step (`selections.disclosure`)


def is_group(node) -> bool:
    return "match" in node


def is_positional(node) -> bool:
    """A rule on a position or its organisation, or a group holding one."""
    if is_group(node):
        return any(is_positional(member) for member in node["rules"])
    return REGISTRY[node["field"]].scope != PERSON


def _asks_for_dates(node) -> bool:
    """Does this group (outside its `none` groups) have a rule on position dates?"""
    for member in node["rules"]:
        if is_group(member):
            if member["match"] != "none" and _asks_for_dates(member):
                return True
        elif REGISTRY[member["field"]].is_date_rule:
            return True
    return False


def condition(rule, base: str) -> Q:
    return REGISTRY[rule["field"]].condition(base, rule["operator"], rule["value"])


def _or(left: Q | None, right: Q | None) -> Q | None:
    if left is None:
        return right
    if right is None:
        return left
    return left | right


def _boolean(node, leaf) -> Q:
    """A group as one Q: `all` intersects its members, `any` unites them, and
    each `none` member removes what it matches from that; a `none` group on
    its own is everything but what its members match."""
    if not is_group(node):
        return leaf(node)
    removals = [m for m in node["rules"] if is_group(m) and m["match"] == "none"]
    members = [
        leaf(m) if not is_group(m) else _boolean(m, leaf)
        for m in node["rules"]
        if m not in removals
    ]
    if node["match"] == "none":
        matched = NOTHING
        for member in members:
            matched = member if matched is NOTHING else matched | member
        result = ~matched if members else Q()
    elif node["match"] == "all":
        result = Q()
        for member in members:
            result &= member
    else:
        result = NOTHING
        for member in members:
            result = member if result is NOTHING else result | member
    for removal in removals:
        result &= _boolean(removal, leaf)
    return result


def person_condition(node, base: str) -> Q:
    """A group of person rules as a Q on Person, or on Position (its person)."""
    return _boolean(node, lambda rule: condition(rule, base))


def organisation_condition(node) -> Q:
    return _boolean(node, lambda rule: condition(rule, "organisation"))


def _people_of(people: Q) -> Q:
    """Positions whose person has a personal row matching `people`."""
    from directory.models import Person

    return Q(person_id__in=Person.objects.filter(people).values("pk"))


def _position_rows(node, dated: bool) -> tuple[Q | None, Q | None]:
    """(positions, personal rows) of a group that holds a position rule."""
    current = _current_condition("", True)
    removals = [
        member for member in node["rules"] if is_group(member) and member["match"] == "none"
    ]
    members = [member for member in node["rules"] if member not in removals]
    positions: Q | None
    people: Q | None = None
    if node["match"] == "all":
        dated = dated or _asks_for_dates(node)
        positions = Q()
        for member in members:
            if not is_group(member):
                positions &= condition(member, "position")
            elif not is_positional(member):
                positions &= person_condition(member, "position")
            else:
                sub_positions, sub_people = _position_rows(member, dated)
                either = sub_positions if sub_positions is not None else NOTHING
                if sub_people is not None:
                    either |= _people_of(sub_people)
                positions &= either
        if not dated:
            positions &= current
    elif node["match"] == "any":
        positions = None
        for member in members:
            if not is_group(member):
                rule = condition(member, "position")
                if not (dated or REGISTRY[member["field"]].is_date_rule):
                    rule &= current
                positions = _or(positions, rule)
            elif not is_positional(member):
                people = _or(people, person_condition(member, "person"))
            else:
                sub_positions, sub_people = _position_rows(member, dated)
                positions = _or(positions, sub_positions)
                people = _or(people, sub_people)
    else:  # a `none` group on its own: every row of its kind, less what it removes
        positions = Q() if dated else current
        removals = [node]
    for removal in removals:
        positions, people = _remove(removal, positions, people)
    return positions, people


def _remove(none_group, positions: Q | None, people: Q | None):
    """Take out of (positions, personal rows) what a `none` group's members yield."""
    for member in none_group["rules"]:
        if not is_positional(member):
            # Person rules: the whole person goes, in every capacity.
            if positions is not None:
                positions &= ~person_condition(member, "position")
            if people is not None:
                people &= ~person_condition(member, "person")
            continue
        if is_group(member):
            sub_positions, sub_people = _position_rows(member, dated=True)
        else:
            sub_positions, sub_people = condition(member, "position"), None
        if positions is not None and sub_positions is not None:
            positions &= ~sub_positions
        if sub_people is not None:
            if positions is not None:
                positions &= ~_people_of(sub_people)
            if people is not None:
                people &= ~sub_people
    return positions, people


def compile_rows(tree: dict, target: str = "people") -> Rows:
    """Which rows a validated tree matches (see the module's docstring)."""
    reasons = [_reason(rule, target) for rule in _reason_rules(tree)]
    if target == "organisations":
        return Rows(organisations=organisation_condition(tree), reasons=reasons)
    if not is_positional(tree):
        return Rows(people=person_condition(tree, "person"), reasons=reasons)
    positions, people = _position_rows(tree, dated=False)
    return Rows(positions=positions, people=people, reasons=reasons)


def _reason(rule, target) -> Reason:
    label = describe_rule(rule)
    if target == "organisations":
        return Reason(label, organisations=condition(rule, "organisation"))
    personal = REGISTRY[rule["field"]].scope == PERSON
    return Reason(
        label,
        positions=condition(rule, "position"),
        people=condition(rule, "person") if personal else None,
    )


def _reason_rules(node):
    """The rules a row can be said to match: every rule outside `none` groups."""
    for member in node["rules"]:
        if is_group(member):
            if member["match"] != "none":
                yield from _reason_rules(member)
        else:
            yield member


# Descriptions -----------------------------------------------------------------


def describe_rule(rule, names: dict | None = None) -> str:
    """ "Function is one of Director, Administrator" for a rule."""
    search_field = REGISTRY[rule["field"]]
    operator = OPERATORS[rule["operator"]]
    if rule["operator"] in NO_VALUE:
        if search_field.kind == "boolean":
            return f"{search_field.label} : {operator}"
        return f"{search_field.label} {operator}"
    value = rule["value"]
    if isinstance(value, list):
        if search_field.choices:
            labels = dict(search_field.choices())
        elif search_field.model is not None:
            labels = {obj.pk: str(obj) for obj in search_field.model.objects.filter(pk__in=value)}
        else:
            labels = {}
        shown = []
        for item in value:
            label = (names or {}).get((rule["field"], item)) or labels.get(item)
            if label is None:
                label = labels.get(str(item), item)
            shown.append(str(label))
        value = ", ".join(shown)
    elif rule["operator"] == "within_last_days":
        value = _("%(days)s days") % {"days": value}
    return f"{search_field.label} {operator} {value}"


def match_label(match: str) -> str:
    return {
        "all": _("All of these conditions"),
        "any": _("At least one of these conditions"),
        "none": _("None of these conditions"),
    }[match]


def describe(tree: dict) -> dict:
    """A validated tree in words, for pages that show a search to read:
    {"label": "All of these conditions", "items": [{"rule": "..."}, {group}]}."""
    items = []
    for member in tree["rules"]:
        if is_group(member):
            items.append(describe(member))
        else:
            items.append({"rule": describe_rule(member)})
    return {"match": tree["match"], "label": match_label(tree["match"]), "items": items}
