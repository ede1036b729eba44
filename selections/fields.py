"""The registry of searchable fields: the single source for the criteria
builder (labels, operators, value widgets), the validation of a criteria
tree, and its compilation into ORM conditions (`selections.criteria`).

Each field belongs to a *scope*, which decides what a rule on it is:

* ``person``: a person rule, on the person's own fields and preferences;
* ``position``: a position rule, on the position's own fields;
* ``organisation``: also a position rule when searching people (it holds on
  the organisation *of the position*), and the only scope allowed when a
  search targets organisations.

Activity rules (`selections.activity_fields`) are a person field and an
organisation field whose value is a small object (kind, months, period,
amount…) and whose operators are sentences of their own.

A field's `path` is relative to its scope's model; `condition()` turns a
validated (operator, value) into a `Q` seen from a base model (Person,
Position or Organisation), adding the right prefix.
"""

import datetime
from dataclasses import dataclass
from functools import cached_property

from django.db.models import CharField, Exists, F, Func, OuterRef, Q
from django.db.models.lookups import Contains, Exact, In, StartsWith
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from directory.geography import department_choices, region_choices
from directory.models import (
    Consent,
    Function,
    InterestCentre,
    Organisation,
    OrganisationKind,
)
from directory.models.people import LANGUAGE_CHOICES, Civility
from directory.text import fold

PERSON, POSITION, ORGANISATION = "person", "position", "organisation"
SCOPE_LABELS = {
    PERSON: _("Person"),
    POSITION: _("Position"),
    ORGANISATION: _("Organisation"),
}
# From a base model, the prefix that reaches each scope's model.
PREFIXES = {
    ("person", PERSON): "",
    ("position", PERSON): "person__",
    ("position", POSITION): "",
    ("position", ORGANISATION): "organisation__",
    ("organisation", ORGANISATION): "",
}

OPERATORS = {
    "equals": _("is"),
    "not_equals": _("is not"),
    "contains": _("contains"),
    "starts_with": _("starts with"),
    "in": _("is one of"),
    "not_in": _("is none of"),
    "all_of": _("has all of"),
    "is_empty": _("is empty"),
    "is_not_empty": _("is not empty"),
    "before": _("before"),
    "after": _("after"),
    "within_last_days": _("within the last N days"),
    "is_true": _("yes"),
    "is_false": _("no"),
    # Activity rules (`selections.activity_fields`)
    "had_activity": _("at least one within the last N months"),
    "total_above": _("total over a period greater than"),
    "total_below": _("total over a period less than"),
    "none_for_years": _("none for N years"),
}
OPERATORS_BY_KIND = {
    "text": ["contains", "equals", "starts_with", "in", "is_empty", "is_not_empty"],
    "choice": ["in", "not_in", "is_empty", "is_not_empty"],
    "model": ["in", "not_in", "is_empty", "is_not_empty"],
    "many": ["in", "all_of", "not_in", "is_empty", "is_not_empty"],
    "date": ["before", "after", "within_last_days", "is_empty", "is_not_empty"],
    "boolean": ["is_true", "is_false"],
    "activity": ["had_activity", "total_above", "total_below", "none_for_years"],
}
NO_VALUE = {"is_empty", "is_not_empty", "is_true", "is_false"}
LIST_VALUE = {"in", "not_in", "all_of"}
MAX_TEXT = 200
MAX_LIST = 200
MAX_DAYS = 36_500
MAX_ID = 2**31  # beyond, no row exists (and the database would overflow)


class RuleValueError(Exception):
    """A rule's value is not acceptable; the message is shown to the user."""


@dataclass(frozen=True)
class SearchField:
    key: str
    label: str
    scope: str
    kind: str
    path: str
    folded: bool = False  # text compared on a folded column (case and accents ignored)
    choices: object = None  # callable returning [(value, label)]
    model: object = None  # for "model" and "many" fields
    is_date_rule: bool = False  # lifts the "current positions only" default
    widget: str = ""

    @property
    def operators(self) -> list[str]:
        return OPERATORS_BY_KIND[self.kind]

    @cached_property
    def choice_values(self) -> set[str]:
        return {str(value) for value, _label in self.choices()}

    # Validation -----------------------------------------------------------

    def clean_value(self, operator: str, value):
        """The value, normalised; raises RuleValueError with a translated message."""
        if operator in NO_VALUE:
            return None
        if operator in LIST_VALUE:
            if isinstance(value, str | int):
                value = [value]
            if not isinstance(value, list) or not value:
                raise RuleValueError(_("choose at least one value"))
            if len(value) > MAX_LIST:
                raise RuleValueError(_("too many values (at most %(max)s)") % {"max": MAX_LIST})
            return self._clean_list(value)
        if self.kind == "date":
            return self._clean_date(operator, value)
        if not isinstance(value, str) or not value.strip():
            raise RuleValueError(_("a value is required"))
        if len(value) > MAX_TEXT:
            raise RuleValueError(
                _("the value is too long (at most %(max)s characters)") % {"max": MAX_TEXT}
            )
        return _refuse_nul(value.strip())

    def _clean_list(self, values):
        if self.kind in ("model", "many"):
            ids = []
            for value in values:
                if isinstance(value, bool) or not isinstance(value, int | str):
                    raise RuleValueError(_("“%(value)s” is not a valid choice") % {"value": value})
                try:
                    number = int(value)
                    if not 0 < number < MAX_ID:
                        raise ValueError(value)
                    ids.append(number)
                except (TypeError, ValueError, OverflowError):
                    raise RuleValueError(
                        _("“%(value)s” is not a valid choice") % {"value": value}
                    ) from None
            found = set(self.model.objects.filter(pk__in=ids).values_list("pk", flat=True))
            missing = [pk for pk in ids if pk not in found]
            if missing:
                raise RuleValueError(
                    _("%(model)s no longer exists (number %(ids)s): remove it from the rule")
                    % {
                        "model": self.model._meta.verbose_name,
                        "ids": ", ".join(str(pk) for pk in missing),
                    }
                )
            return sorted(set(ids))
        cleaned = []
        for value in values:
            if not isinstance(value, str | int) or isinstance(value, bool):
                raise RuleValueError(_("“%(value)s” is not a valid choice") % {"value": value})
            value = _refuse_nul(str(value).strip())
            if self.choices is not None and value not in self.choice_values:
                raise RuleValueError(_("“%(value)s” is not a valid choice") % {"value": value})
            if len(value) > MAX_TEXT:
                raise RuleValueError(_("a value is too long"))
            if value:
                cleaned.append(value)
        if not cleaned:
            raise RuleValueError(_("choose at least one value"))
        return sorted(set(cleaned))

    def _clean_date(self, operator, value):
        if operator == "within_last_days":
            if isinstance(value, bool):
                raise RuleValueError(_("give a number of days"))
            try:
                days = int(value)
            except (TypeError, ValueError, OverflowError):
                raise RuleValueError(_("give a number of days")) from None
            if not 1 <= days <= MAX_DAYS:
                raise RuleValueError(
                    _("the number of days must be between 1 and %(max)s") % {"max": MAX_DAYS}
                )
            return days
        if not isinstance(value, str):
            raise RuleValueError(_("give a date as YYYY-MM-DD"))
        try:
            return datetime.date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            raise RuleValueError(_("give a date as YYYY-MM-DD")) from None

    # Compilation ------------------------------------------------------------

    def condition(self, base: str, operator: str, value) -> Q:
        """The rule as a Q on `base` ("person", "position" or "organisation")."""
        prefix = PREFIXES[(base, self.scope)]
        if self.kind == "many":
            return self._many_condition(prefix, operator, value)
        if self.key == "position.current":
            return _current_condition(prefix, operator == "is_true")
        path = prefix + self.path
        if self.kind == "boolean":
            return Q(**{path: operator == "is_true"})
        if operator == "is_empty" or operator == "is_not_empty":
            empty = Q(**{f"{path}__isnull": True})
            if self.kind in ("text", "choice"):
                empty |= Q(**{path: ""})
            return empty if operator == "is_empty" else ~empty
        if self.kind == "date":
            return _date_condition(path, operator, value)
        if self.kind == "text":
            return _text_condition(path, operator, value, self.folded)
        # choice and model
        condition = Q(**{f"{path}__in": value})
        return condition if operator == "in" else ~condition | Q(**{f"{path}__isnull": True})

    def _many_condition(self, prefix, operator, value) -> Q:
        """Interest centres: through the link table, one subquery per test, so
        that "all of" and "none of" do not multiply rows."""
        through = Organisation.interest_centres.through
        organisation = OuterRef("pk") if prefix == "" else OuterRef("organisation_id")
        links = through.objects.filter(organisation_id=organisation)
        if operator in ("is_empty", "is_not_empty"):
            has_any = Exists(links)
            return ~Q(has_any) if operator == "is_empty" else Q(has_any)
        if operator == "all_of":
            condition = Q()
            for pk in value:
                condition &= Q(Exists(links.filter(interestcentre_id=pk)))
            return condition
        has = Q(Exists(links.filter(interestcentre_id__in=value)))
        return has if operator == "in" else ~has


def _refuse_nul(text: str) -> str:
    """A NUL character ("\\u0000" in the builder's JSON) can be stored neither
    in PostgreSQL's text nor in its JSON: refuse it with the rest of the rule."""
    if "\x00" in text:
        raise RuleValueError(_("a value holds a NUL character, which cannot be stored"))
    return text


def _current_condition(prefix: str, current: bool) -> Q:
    """A current position has started (no start date, or today or earlier) and
    has not ended (no end date, or today or later)."""
    today = timezone.localdate()
    started = Q(**{f"{prefix}start_date__isnull": True}) | Q(**{f"{prefix}start_date__lte": today})
    not_ended = Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": today})
    condition = started & not_ended
    return condition if current else ~condition


def _date_condition(path, operator, value) -> Q:
    if operator == "within_last_days":
        since = timezone.localdate() - datetime.timedelta(days=value)
        return Q(**{f"{path}__gte": since})
    day = datetime.date.fromisoformat(value)
    if path.endswith("_at"):  # a timestamp: compare its date
        path = f"{path}__date"
    return Q(**{f"{path}__lt" if operator == "before" else f"{path}__gt": day})


class Folded(Func):
    """A text column as `directory.text.fold` gives it (case and accents
    ignored): on PostgreSQL lower() and translate() of the letters `fold`
    changes, on SQLite `fold` itself, registered as a function."""

    function = "LOWER"
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = self.as_sql(compiler, connection, **extra)
        for letters, replacement in _PG_LIGATURES:
            sql, params = f"replace({sql}, %s, %s)", [*params, letters, replacement]
        return f"translate({sql}, %s, %s)", [*params, *_PG_TRANSLATION]

    def as_sqlite(self, compiler, connection, **extra):
        connection.ensure_connection()
        connection.connection.create_function("crm_fold", 1, _sqlite_fold, deterministic=True)
        return self.as_sql(compiler, connection, function="crm_fold", **extra)


def _sqlite_fold(value):
    return None if value is None else fold(value)


def _pg_translation():
    """(from, to) for translate(): each Latin letter `fold` turns into one ASCII
    letter, in both cases; and the ligatures, for replace()."""
    source, target, ligatures = [], [], []
    for code in range(0xC0, 0x180):
        letter = chr(code)
        folded = fold(letter)
        if folded == letter or not folded.isascii() or not folded.isalpha():
            continue
        if len(folded) == 1:
            source.append(letter)
            target.append(folded)
        else:
            ligatures.append((letter, folded))
    return ("".join(source), "".join(target)), tuple(ligatures)


_PG_TRANSLATION, _PG_LIGATURES = _pg_translation()


def _text_condition(path, operator, value, folded) -> Q:
    """Case and accents ignored on every text field: on a folded column as it
    is, on any other through `Folded`."""
    column = F(path) if folded else Folded(path)
    if operator == "in":
        return Q(In(column, sorted({fold(item) for item in value})))
    lookup = {"contains": Contains, "equals": Exact, "starts_with": StartsWith}[operator]
    return Q(lookup(column, fold(value)))


def _consent_choices():
    return [(Consent.CONSENTED, Consent.CONSENTED.label), (Consent.REFUSED, Consent.REFUSED.label)]


def _model_choices(model):
    return lambda: [(obj.pk, str(obj)) for obj in model.objects.all()]


FIELDS = [
    # Person rules
    SearchField("person.name", _("Name"), PERSON, "text", "name_key", folded=True),
    SearchField("person.email", _("Personal e-mail"), PERSON, "text", "email"),
    SearchField("person.city", _("City (personal address)"), PERSON, "text", "city"),
    SearchField("person.postcode", _("Postcode (personal address)"), PERSON, "text", "postcode"),
    SearchField(
        "person.department",
        _("Department (personal address)"),
        PERSON,
        "choice",
        "department",
        choices=department_choices,
    ),
    SearchField(
        "person.region",
        _("Region (personal address)"),
        PERSON,
        "choice",
        "region",
        choices=region_choices,
    ),
    SearchField(
        "person.language",
        _("Preferred language"),
        PERSON,
        "choice",
        "language",
        choices=lambda: list(LANGUAGE_CHOICES),
    ),
    SearchField(
        "person.civility",
        pgettext_lazy("form of address", "Title"),
        PERSON,
        "choice",
        "civility",
        choices=lambda: list(Civility.choices),
    ),
    SearchField(
        "person.email_consent",
        _("E-mail consent"),
        PERSON,
        "choice",
        "email_consent",
        choices=_consent_choices,
    ),
    SearchField(
        "person.sms_consent",
        _("SMS consent"),
        PERSON,
        "choice",
        "sms_consent",
        choices=_consent_choices,
    ),
    SearchField(
        "person.post_consent",
        _("Post consent"),
        PERSON,
        "choice",
        "post_consent",
        choices=_consent_choices,
    ),
    SearchField("person.do_not_contact", _("Do not contact"), PERSON, "boolean", "do_not_contact"),
    SearchField("person.created_at", _("Person created"), PERSON, "date", "created_at"),
    SearchField("person.updated_at", _("Person last modified"), PERSON, "date", "updated_at"),
    # Position rules: the position itself
    SearchField(
        "position.function",
        _("Function"),
        POSITION,
        "model",
        "function",
        model=Function,
        choices=_model_choices(Function),
    ),
    SearchField("position.title", _("Title of the position"), POSITION, "text", "title"),
    SearchField("position.email", _("Professional e-mail"), POSITION, "text", "email"),
    SearchField(
        "position.current",
        _("Current position"),
        POSITION,
        "boolean",
        "end_date",
        is_date_rule=True,
    ),
    SearchField(
        "position.start_date",
        _("Position start date"),
        POSITION,
        "date",
        "start_date",
        is_date_rule=True,
    ),
    SearchField(
        "position.end_date", _("Position end date"), POSITION, "date", "end_date", is_date_rule=True
    ),
    SearchField("position.is_primary", _("Primary position"), POSITION, "boolean", "is_primary"),
    # Position rules: the organisation of the position (organisation rules in
    # an organisation search)
    SearchField(
        "organisation",
        _("Organisation"),
        ORGANISATION,
        "model",
        "pk",
        model=Organisation,
        widget="organisation_chooser",
    ),
    SearchField(
        "organisation.name", _("Organisation name"), ORGANISATION, "text", "name_key", folded=True
    ),
    SearchField(
        "organisation.kind",
        _("Kind of organisation"),
        ORGANISATION,
        "model",
        "kind",
        model=OrganisationKind,
        choices=_model_choices(OrganisationKind),
    ),
    SearchField(
        "organisation.interest_centres",
        _("Interest areas"),
        ORGANISATION,
        "many",
        "interest_centres",
        model=InterestCentre,
        choices=_model_choices(InterestCentre),
    ),
    SearchField("organisation.city", _("Organisation city"), ORGANISATION, "text", "city"),
    SearchField(
        "organisation.postcode", _("Organisation postcode"), ORGANISATION, "text", "postcode"
    ),
    SearchField(
        "organisation.department",
        _("Organisation department"),
        ORGANISATION,
        "choice",
        "department",
        choices=department_choices,
    ),
    SearchField(
        "organisation.region",
        _("Organisation region"),
        ORGANISATION,
        "choice",
        "region",
        choices=region_choices,
    ),
    SearchField(
        "organisation.is_active", _("Active organisation"), ORGANISATION, "boolean", "is_active"
    ),
]
# Activity rules build on SearchField: their module imports this one.
from .activity_fields import ACTIVITY_FIELDS  # noqa: E402

FIELDS += ACTIVITY_FIELDS
REGISTRY = {item.key: item for item in FIELDS}


def fields_for(target: str) -> list[SearchField]:
    """The fields a search on people or on organisations may use."""
    if target == "organisations":
        return [item for item in FIELDS if item.scope == ORGANISATION]
    return list(FIELDS)


def builder_schema(target: str) -> list[dict]:
    """What the builder needs to draw rules: labels, operators, value widgets."""
    schema = []
    for item in fields_for(target):
        entry = {
            "key": item.key,
            "label": str(item.label),
            "group": str(getattr(item, "group_label", None) or SCOPE_LABELS[item.scope]),
            "kind": item.kind,
            "widget": item.widget or item.kind,
            "operators": [{"key": op, "label": str(OPERATORS[op])} for op in item.operators],
        }
        if item.choices is not None and not item.widget:
            entry["choices"] = [[str(value), str(label)] for value, label in item.choices()]
        if hasattr(item, "schema_parts"):
            entry["parts"] = item.schema_parts()
        schema.append(entry)
    return schema
