"""Positions inline in the forms of organisations and people.

`PositionsInlinePanel` is Wagtail's InlinePanel with three differences:

* each position is one summary line (who or where, function, professional
  e-mail, held or ended), expanded on demand with Wagtail's own collapsible
  panel toggle; a new row, or a row with an error, opens expanded;
* the positions held come first, the ended ones under their own heading;
* its formset (`BoundedChildFormSet`) accepts only the record's own rows,
  at most MAX_POSITION_ROWS of them, and looks up the chosen people,
  organisations and functions of all its rows at once (the form's query
  count does not grow with the number of positions).
"""

import datetime
import functools
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.formsets import DELETION_FIELD_NAME, BaseFormSet
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.forms import BaseChildFormSet
from wagtail.admin.panels import InlinePanel
from wagtail.admin.widgets.chooser import BaseChooser

from .text import fold

MAX_POSITION_ROWS = 200


class PrefetchedChooserMixin:
    """A chooser widget that finds its chosen record among those looked up for
    the whole formset, instead of one query per row. A value that was not
    found there (deleted meanwhile, or not an id at all) shows as not chosen."""

    prefetched_instances: dict | None = None

    def get_instance(self, value):
        if self.prefetched_instances is None or value is None:
            return super().get_instance(value)
        if isinstance(value, models.Model):
            return value
        return self.prefetched_instances.get(str(value))


@functools.cache
def prefetched_chooser_class(widget_class):
    if issubclass(widget_class, PrefetchedChooserMixin):
        return widget_class
    return type(
        widget_class.__name__,
        (PrefetchedChooserMixin, widget_class),
        {"__module__": widget_class.__module__},
    )


class BoundedChildFormSet(BaseChildFormSet):
    """Rows of the record being edited, and only them, at most MAX_POSITION_ROWS.

    Django would otherwise build up to max_num + 1,000 forms from a tampered
    management form before refusing it, which takes minutes. A row whose id
    is not one of this record's positions (tampered, or deleted by someone
    else meanwhile) is refused: modelcluster would crash on an id that is
    not a number, and save any other as a new copy of the row.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.absolute_max = MAX_POSITION_ROWS
        self.unknown_rows = set()
        if isinstance(self.queryset, models.QuerySet):
            self.queryset = self.queryset.select_related(*self.chooser_relations())

    def chooser_relations(self) -> list[str]:
        """The foreign keys of the rows that the form edits with a chooser."""
        names = []
        for name, field in self.form.base_fields.items():
            if isinstance(field.widget, BaseChooser):
                model_field = next(
                    (f for f in self.model._meta.fields if f.name == name), None
                )  # None: a form-only field
                if model_field is not None and model_field.many_to_one:
                    names.append(name)
        return names

    def _construct_form(self, i, **kwargs):
        if self.is_bound and i < self.initial_form_count() and not self._known_row(i):
            self.unknown_rows.add(i)
            kwargs["instance"] = self.model()
            return BaseFormSet._construct_form(self, i, **kwargs)
        return super()._construct_form(i, **kwargs)

    def _known_row(self, i) -> bool:
        pk_field = self.model._meta.pk
        value = self.data.get(f"{self.add_prefix(i)}-{pk_field.name}")
        if value == "":
            return True  # a row not saved yet (modelcluster's own convention)
        try:
            return self._existing_object(pk_field.to_python(value)) is not None
        except (ValidationError, TypeError, ValueError, OverflowError):
            return False

    @cached_property
    def forms(self):
        forms = BaseFormSet.forms.func(self)
        self.prefetch_chosen(forms)
        return forms

    def prefetch_chosen(self, forms):
        """Look up, in one query per chooser (none when the rows' own related
        records were loaded with them), what every row's choosers show."""
        self.chosen = {}
        for name in self.chooser_relations():
            related_model = self.model._meta.get_field(name).related_model
            pk_field = related_model._meta.pk
            found, wanted = {}, set()
            for form in forms:
                value = form[name].value()
                if value in (None, ""):
                    continue
                key = str(value)
                instance = form.instance
                descriptor = getattr(type(instance), name)
                if (
                    str(getattr(instance, f"{name}_id")) == key
                    and descriptor.field.is_cached(instance)
                    and getattr(instance, name) is not None
                ):
                    found[key] = getattr(instance, name)
                    continue
                try:
                    pk = pk_field.to_python(value)
                except (ValidationError, TypeError, ValueError, OverflowError):
                    continue
                if not isinstance(pk, int) or -(2**63) <= pk < 2**63:
                    wanted.add(pk)  # else no database could hold it
            wanted -= {pk_field.to_python(key) for key in found}
            if wanted:
                manager = related_model._default_manager
                found.update((str(pk), obj) for pk, obj in manager.in_bulk(list(wanted)).items())
            self.chosen[name] = found
            for form in forms:
                widget = form.fields[name].widget
                widget.__class__ = prefetched_chooser_class(type(widget))
                widget.prefetched_instances = found

    def clean(self, *args, **kwargs):
        if self.unknown_rows:
            raise ValidationError(
                _(
                    "A row of this list no longer exists here (deleted or moved meanwhile): "
                    "reload the page, then make your changes again."
                ),
                code="unknown_row",
            )
        return super().clean(*args, **kwargs)


@dataclass
class PositionSummary:
    """What a collapsed position row says: its counterpart (the person on an
    organisation's form, the organisation on a person's), its function, its
    professional e-mail and whether it is held or ended."""

    counterpart: str
    counterpart_key: str
    function: str
    email: str
    is_primary: bool
    start_date: datetime.date | None
    end_date: datetime.date | None
    today: datetime.date

    @property
    def has_ended(self) -> bool:
        return self.end_date is not None and self.end_date < self.today

    @property
    def is_upcoming(self) -> bool:
        return not self.has_ended and self.start_date is not None and self.start_date > self.today


def bound_value(form, name):
    """The row's value for `name`, as typed (bound form) or as saved, made Python."""
    if name not in form.fields:
        return None
    value = form[name].value()
    try:
        return form.fields[name].to_python(value)
    except ValidationError:
        return None


def position_summary(form, counterpart_field, chosen, today) -> PositionSummary:
    def chosen_record(name):
        value = form[name].value() if name in form.fields else None
        if value in (None, ""):
            return None
        return chosen.get(name, {}).get(str(value))

    function = str(chosen_record("function") or "")
    counterpart = chosen_record(counterpart_field)
    counterpart_text = str(counterpart or "")
    title = (bound_value(form, "title") or "").strip()
    if function and title and title != function:
        label = f"{function} ({title})"
    else:
        label = title or function
    return PositionSummary(
        counterpart=counterpart_text,
        counterpart_key=getattr(counterpart, "name_key", None) or fold(counterpart_text),
        function=label,
        email=bound_value(form, "email") or "",
        is_primary=bool(bound_value(form, "is_primary")),
        start_date=bound_value(form, "start_date"),
        end_date=bound_value(form, "end_date"),
        today=today,
    )


@dataclass
class SentValue:
    """A field of a collapsed row, sent as it is while the row stays closed."""

    name: str
    value: str
    id: str = ""
    title: str = ""  # a chooser's chosen record, to show once expanded
    edit_url: str = ""


def sent_values(form) -> list[SentValue]:
    """The values of a closed row as its widgets would send them back unchanged."""
    values = []
    for name, field in form.fields.items():
        bound = form[name]
        widget = field.widget
        value = bound.value()
        if isinstance(widget, forms.CheckboxInput):
            text = "on" if widget.check_test(value) else ""
        else:
            text = widget.format_value(value)
            if isinstance(text, list | tuple):
                text = text[0] if text else ""
            text = "" if text is None else str(text)
        sent = SentValue(name=bound.html_name, value=text)
        if name == DELETION_FIELD_NAME:
            sent.id = bound.auto_id
        if isinstance(widget, BaseChooser) and text:
            data = widget.get_value_data(value) or {}
            sent.title = data.get(widget.display_title_key, "")
            sent.edit_url = data.get("edit_url") or ""
        values.append(sent)
    return values


@dataclass
class PositionRow:
    """A row of the list: open (its fields rendered) or closed (its summary and
    its values; `positions.js` renders its fields from the blank row's template
    when it is opened)."""

    child: object  # the row's bound panel (Wagtail's MultiFieldPanel)
    summary: PositionSummary | None
    expanded: bool
    index: str = ""

    @property
    def form(self):
        return self.child.form

    @cached_property
    def sent_values(self):
        return [] if self.expanded else sent_values(self.form)


class PositionsInlinePanel(InlinePanel):
    """Positions inline, one line each, held ones first; at most MAX_POSITION_ROWS."""

    def __init__(
        self,
        *args,
        counterpart_field="person",
        add_label=None,
        new_label=None,
        ended_heading=None,
        **kwargs,
    ):
        kwargs.setdefault("max_num", MAX_POSITION_ROWS)
        super().__init__(*args, **kwargs)
        self.counterpart_field = counterpart_field
        self.add_label = add_label
        self.new_label = new_label
        self.ended_heading = ended_heading

    def clone_kwargs(self):
        kwargs = super().clone_kwargs()
        kwargs.update(
            counterpart_field=self.counterpart_field,
            add_label=self.add_label,
            new_label=self.new_label,
            ended_heading=self.ended_heading,
        )
        return kwargs

    def get_form_options(self):
        options = super().get_form_options()
        for formset in options.get("formsets", {}).values():
            formset["formset"] = BoundedChildFormSet
        return options

    class BoundPanel(InlinePanel.BoundPanel):
        template_name = "directory/panels/positions_inline_panel.html"

        class Media:
            css = {"all": ["directory/positions.css"]}
            js = ["directory/positions.js"]

        def rows(self):
            """The rows held (or to come) first, then the ended ones."""
            today = timezone.localdate()
            chosen = getattr(self.formset, "chosen", {})
            current, ended = [], []
            for child in self.children:
                form = child.form
                if form.instance.pk is None and not form.has_changed():
                    summary = None  # a new row, still blank
                else:
                    summary = position_summary(form, self.panel.counterpart_field, chosen, today)
                deleted = form.is_bound and bool(bound_value(form, DELETION_FIELD_NAME))
                has_errors = form.is_bound and bool(form.errors) and not deleted
                expanded = form.instance.pk is None or has_errors
                row = PositionRow(
                    child=child,
                    summary=summary,
                    expanded=expanded,
                    index=form.prefix.rsplit("-", 1)[-1],
                )
                (ended if summary is not None and summary.has_ended else current).append(row)
            current.sort(
                key=lambda row: (
                    row.form.instance.pk is None,
                    row.summary is None,
                    row.summary.counterpart_key if row.summary else "",
                )
            )
            ended.sort(key=lambda row: row.summary.end_date, reverse=True)
            return current, ended

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            current, ended = self.rows()
            context.update(
                {
                    "current_rows": current,
                    "ended_rows": ended,
                    "empty_row": PositionRow(child=self.empty_child, summary=None, expanded=True),
                    "add_label": self.panel.add_label or _("Add"),
                    "new_label": self.panel.new_label or self.label,
                    "ended_heading": self.panel.ended_heading or _("Ended positions"),
                }
            )
            return context
