"""The criteria language: a tree of groups and rules, validated against the
field registry (`selections.fields`) and compiled into ORM conditions that
say which *rows* match, each row being a person in one capacity.

A tree is JSON::

    {"match": "all", "rules": [
        {"field": "position.function", "operator": "in", "value": [3]},
        {"field": "organisation.region", "operator": "in", "value": ["44"]},
        {"match": "none", "rules": [
            {"field": "person.do_not_contact", "operator": "is_true"}]}]}

`match` is ``all``, ``any`` or ``none``. Each rule is a term of the
algebra of `selections.capacity` (the user's version is the help page,
`selections/templates/selections/help.html`):

* a person rule yields the personal rows of the people it matches; a
  position rule (the position, or its organisation) the *current* positions
  it matches (started, not ended); in an organisation search every rule
  yields organisation rows;
* ``all`` intersects its members (the rules written directly in it are one
  term, holding on the same row); ``any`` unites them; a ``none`` member
  removes from its group the rows that meet what its own members yield, and
  a group of ``none`` members only starts from every row of the kinds they
  name;
* a rule on the position's dates or on "current" lifts the current-only
  default for itself and for its ``all`` group (and what is inside it), never
  for the other branches of an ``any`` it sits in.
"""

import json

from django.db.models import Q
from django.utils.translation import gettext as _

from .capacity import ORGANISATION as ORGANISATION_ROW
from .capacity import PERSONAL as PERSONAL_ROW
from .capacity import POSITION as POSITION_ROW
from .capacity import (
    Reason,
    Selection,
    everything,
    exclude,
    intersect_all,
    union,
)
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
MAX_GROUPS = 40  # empty groups count too: thousands of them would still be parsed
MAX_JSON_CHARS = 100_000


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
            counter["groups"] = counter.get("groups", 0) + 1
            if counter["groups"] > MAX_GROUPS:
                if counter["groups"] == MAX_GROUPS + 1:
                    errors.append(_("Too many groups (at most %(max)s).") % {"max": MAX_GROUPS})
                continue
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
    if not operator:
        errors.append(
            _("Rule %(where)s (%(field)s): choose how to compare.")
            % {"where": where, "field": search_field.label}
        )
        return None
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


def is_group(node) -> bool:
    return "match" in node


def is_positional(node) -> bool:
    """A rule on a position or its organisation, or a group holding one."""
    if is_group(node):
        return any(is_positional(member) for member in node["rules"])
    return REGISTRY[node["field"]].scope != PERSON


def _asks_for_dates(node) -> bool:
    """Does this `all` group ask for positions whatever their dates: a rule on
    the dates or on "current" among its members, or in an `all` group inside
    it (the same group, written in two)? Not in an `any` or a `none` inside it."""
    for member in node["rules"]:
        if is_group(member):
            if member["match"] == "all" and _asks_for_dates(member):
                return True
        elif REGISTRY[member["field"]].is_date_rule:
            return True
    return False


def condition(rule, base: str) -> Q:
    return REGISTRY[rule["field"]].condition(base, rule["operator"], rule["value"])


class _Compiler:
    """A validated tree as a `Selection`, with the algebra of `selections.capacity`."""

    def __init__(self, target: str):
        self.target = target

    def rules_term(self, rules, dated: bool) -> Selection:
        """Rules of one `all` group, all holding on the same row."""
        reasons = [Reason(describe_rule(rule)) for rule in rules]
        if self.target == "organisations":
            return Selection(organisations=_all_of(rules, "organisation"), reasons=reasons)
        if not any(is_positional(rule) for rule in rules):
            return Selection(
                people=_all_of(rules, "person"),
                people_on_positions=_all_of(rules, "position"),
                reasons=reasons,
            )
        positions = _all_of(rules, "position")
        if not dated and not any(REGISTRY[rule["field"]].is_date_rule for rule in rules):
            positions &= _current_condition("", True)
        return Selection(positions=positions, reasons=reasons)

    def kinds(self, node) -> set[str]:
        """The kinds of rows a node's rules yield."""
        if is_group(node):
            return set().union(*(self.kinds(member) for member in node["rules"]))
        if self.target == "organisations":
            return {ORGANISATION_ROW}
        return {POSITION_ROW} if is_positional(node) else {PERSONAL_ROW}

    def group(self, node, dated: bool) -> Selection:
        members = [m for m in node["rules"] if not (is_group(m) and m["match"] == "none")]
        removals = [m for m in node["rules"] if m not in members]
        if node["match"] == "none":
            members, removals = [], [node]
        if node["match"] == "all":
            dated = dated or _asks_for_dates(node)
        if not members:
            # Only `none` members: every row of the kinds they name, less theirs.
            result = everything(
                set().union(*(self.kinds(removal) for removal in removals)),
                positions=None if dated else _current_condition("", True),
                reasons=[
                    Reason(_("not “%(rule)s”") % {"rule": text}) for text in _removed(removals)
                ],
            )
        elif node["match"] == "all":
            rules = [m for m in members if not is_group(m)]
            parts = [self.rules_term(rules, dated)] if rules else []
            parts += [self.group(m, dated) for m in members if is_group(m)]
            result = intersect_all(parts)
        else:
            result = union(*(self.member(m, dated) for m in members))
        for removal in removals:
            result = exclude(result, self.group({**removal, "match": "any"}, dated))
        return result

    def member(self, node, dated: bool) -> Selection:
        if is_group(node):
            return self.group(node, dated)
        return self.rules_term([node], dated)


def _all_of(rules, base: str) -> Q:
    result = condition(rules[0], base)
    for rule in rules[1:]:
        result &= condition(rule, base)
    return result


def _removed(removals):
    """The rules a `none` group takes away, in words."""
    for removal in removals:
        for member in removal["rules"]:
            if is_group(member):
                yield " ; ".join(_rule_texts(member))
            else:
                yield describe_rule(member)


def _rule_texts(node):
    for member in node["rules"]:
        if is_group(member):
            yield from _rule_texts(member)
        else:
            yield describe_rule(member)


def compile_rows(tree: dict, target: str = "people") -> Selection:
    """Which rows a validated tree matches (see the module's docstring)."""
    return _Compiler(target).group(tree, dated=False)


# Descriptions -----------------------------------------------------------------


def describe_rule(rule, names: dict | None = None) -> str:
    """ "Function is one of Director, Administrator" for a rule."""
    search_field = REGISTRY[rule["field"]]
    if hasattr(search_field, "describe"):  # a rule whose value is a sentence's parts
        return search_field.describe(rule["operator"], rule["value"], names)
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
