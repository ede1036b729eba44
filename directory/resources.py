"""Spreadsheet resources of the administrators' lists (django-import-export).

One `ModelResource` per list: interest areas (« Nom », « Couleur »),
organisation types and functions (« Nom »). The headings are the fields'
verbose names in the user's language; an import also recognises them in
the other language, without case, accents or punctuation ("NOM", "Name",
"couleur", "Color"), and the model's own name for the name column
("Fonction" for the functions).

* **Matching**: a row is matched by its folded name (`name_key`, computed
  with `NamedListItem.key_for`), so "THÉÂTRE" updates "Théâtre" (renaming
  it) instead of adding a duplicate, and two rows of one file that fold
  alike are refused ("Doublon de la ligne 2.").
* **Cells**: a name is trimmed and its inner spaces collapsed; it is
  refused when empty, longer than the field, or when it would run as a
  spreadsheet formula ("=cmd", `directory.imports.cleaning.clean_text`, as
  the directory's own import does). The apostrophe our exports put before
  a formula-like name ("'=cmd", "'-Danse") marks it as text: it is removed
  and the name kept, so that every export re-imports unchanged. A colour
  is validated like the model (`#rrggbb`, `directory.colours`) and stored
  in lower case; an empty colour cell keeps the colour an entry has (a new
  one gets the default).
* **Writes** go through `directory.actions` (`create_record`,
  `update_list_item`): access, the model's rules, and one audit entry per
  created or changed entry. Unchanged rows are skipped (and reported).
* **Export**: the rows in the listing's order, formula-like names escaped
  (`directory.exports.escape_formula`), so that an export re-imports as is.

The views (`directory.views.list_transfer`) read the file with
`directory.imports.reading.read_sheet`, build the dataset with
`dataset_for`, preview with a dry run and import in one transaction.
"""

from __future__ import annotations

import tablib
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import translation
from django.utils.encoding import force_str
from django.utils.formats import number_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from . import actions
from .colours import validate_hex_colour
from .exports import escape_formula
from .imports.cleaning import CellError, clean_text, strip_export_apostrophe
from .imports.columns import header_key
from .imports.reading import ImportFileError
from .models import Function, InterestCentre, OrganisationKind
from .models.lists import NamedListItem

KEY_COLUMN = "__name_key"  # computed from the name, never in a file
EXTRA_COLUMN = "__extra_cells"  # filled cells beyond the header, per row
MAX_ROWS = 1_000  # these lists are short; the preview carries its rows, ~5 ms each to write
LANGUAGES = ("fr", "en")


def quoted(value) -> str:
    """« Nom » in French (no-break spaces), “Name” in English."""
    return _("“%(name)s”") % {"name": value}


def unescape_name(value) -> tuple[str, bool]:
    """A name cell as it would be stored (trimmed, inner spaces collapsed),
    and whether it came as text marked by the apostrophe our exports (and
    spreadsheets) put before a formula-like value, which is removed."""
    text = force_str(value if value is not None else "").strip()
    text, repair = strip_export_apostrophe(text)
    return " ".join(text.split()), bool(repair)


def normalise_name(value) -> str:
    return unescape_name(value)[0]


class NameWidget(widgets.CharWidget):
    def __init__(self, max_length: int = 100):
        super().__init__(coerce_to_string=True, allow_blank=True)
        self.max_length = max_length

    def clean(self, value, row=None, **kwargs):
        text, marked_as_text = unescape_name(value)
        if not text:
            raise ValueError(_("The name is empty."))
        if len(text) > self.max_length:
            raise ValueError(
                _("Too long: %(length)d characters, at most %(max)d.")
                % {"length": len(text), "max": self.max_length}
            )
        if not marked_as_text:
            # "=cmd" would run as a formula; "'=cmd" is text on purpose (our
            # export of a name "=cmd", escaped again by the next export).
            try:
                clean_text(text, self.max_length)
            except CellError as error:
                raise ValueError(error.message) from None
        return text

    def render(self, value, obj=None, **kwargs):
        return escape_formula(super().render(value, obj, **kwargs))


class ColourWidget(widgets.CharWidget):
    """#rrggbb, stored in lower case; an empty cell is no value (kept)."""

    def clean(self, value, row=None, **kwargs):
        text = force_str(value if value is not None else "").strip()
        if not text:
            return None
        try:
            validate_hex_colour(text)
        except ValidationError:
            raise ValueError(
                _("%(value)s is not a colour: write it as #rrggbb, for example #1f6feb.")
                % {"value": quoted(text[:40])}
            ) from None
        return text.lower()

    def render(self, value, obj=None, **kwargs):
        return escape_formula(super().render(value, obj, **kwargs))


class ListItemResource(resources.ModelResource):
    """What the three lists share: a name, matched by its folded form."""

    name = fields.Field(attribute="name", column_name="name", widget=NameWidget())
    name_key = fields.Field(
        attribute="name_key", column_name=KEY_COLUMN, widget=widgets.CharWidget()
    )

    # Headings recognised for a field, besides its verbose name in each language.
    synonyms = {"name": ("libelle", "intitule"), "colour": ("color",)}

    class Meta:
        import_id_fields = ("name_key",)
        skip_unchanged = True
        report_skipped = True
        use_transactions = True
        clean_model_instances = False  # the actions run the model's rules
        skip_html_diff = True
        store_instance = True  # the preview shows what an update changes

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self.lines: list[int] = []  # the spreadsheet's line number of each row
        self.width = 0  # the file's columns
        self.selection: dict = {}  # what `build_dataset` built, to import it later
        self.ignored_columns: list[str] = []
        self._first_line: dict[str, int] = {}
        model_meta = self._meta.model._meta
        for field_name, field in self.fields.items():
            if field_name != "name_key":
                label = model_meta.get_field(field.attribute).verbose_name
                field.column_name = capfirst(str(label))

    # Columns -------------------------------------------------------------

    def columns(self) -> list[fields.Field]:
        """The fields a file has columns for, in the export's order."""
        return [field for name, field in self.fields.items() if name != "name_key"]

    def get_export_fields(self, selected_fields=None):
        return [
            field
            for field in super().get_export_fields(selected_fields)
            if field.column_name != KEY_COLUMN
        ]

    def get_queryset(self):
        return self._meta.model.objects.order_by("name_key", "pk")

    def _headings_for(self, field) -> set[str]:
        model_meta = self._meta.model._meta
        names = {header_key(field.attribute), *self.synonyms.get(field.attribute, ())}
        labels = [model_meta.get_field(field.attribute).verbose_name]
        if field.attribute == "name":
            labels += [model_meta.verbose_name, model_meta.verbose_name_plural]
        for language in LANGUAGES:
            with translation.override(language):
                names.update(header_key(str(label)) for label in labels)
        return names

    def field_for_heading(self, heading: str):
        key = header_key(heading)
        for field in self.columns():
            if key in self._headings_for(field):
                return field
        return None

    def dataset_for(self, headers: list[str], rows: list[tuple[int, list[str]]]) -> tablib.Dataset:
        """The rows of a file (as `read_sheet` gives them) as a dataset with
        this resource's columns; the others are left out (`ignored_columns`).
        Raises `ImportFileError` when the name column is missing or a column
        is there twice, or when there are too many rows."""
        chosen: dict[int, fields.Field] = {}
        ignored = []
        for index, heading in enumerate(headers):
            field = self.field_for_heading(heading)
            if field is None:
                ignored.append(heading)
            elif field in chosen.values():
                raise ImportFileError(
                    _("Two columns of the file are %(column)s: keep only one.")
                    % {"column": quoted(field.column_name)}
                )
            else:
                chosen[index] = field
        if self.fields["name"] not in chosen.values():
            raise ImportFileError(
                _("The file has no %(column)s column (its columns: %(columns)s).")
                % {
                    "column": quoted(self.fields["name"].column_name),
                    "columns": ", ".join(quoted(heading) for heading in headers),
                }
            )
        if len(rows) > MAX_ROWS:
            raise ImportFileError(
                _(
                    "This file has %(count)s rows, more than the %(max)s a list imports "
                    "at once: split it into several files."
                )
                % {
                    "count": number_format(len(rows), force_grouping=True),
                    "max": number_format(MAX_ROWS, force_grouping=True),
                }
            )
        width = len(headers)
        picked = []
        for line, cells in rows:
            values = [cells[index] if index < len(cells) else "" for index in chosen]
            extra = sum(1 for cell in cells[width:] if str(cell).strip())
            picked.append((line, values, extra))
        attributes = [field.attribute for field in chosen.values()]
        return self.build_dataset(attributes, picked, width=width, ignored=ignored)

    def build_dataset(self, attributes, rows, *, width: int, ignored=()) -> tablib.Dataset:
        """A dataset of `rows`, each (line, values of the fields named in
        `attributes`, count of filled cells beyond the file's `width`);
        `selection` keeps them, to import what a preview showed."""
        columns = [self.fields[attribute] for attribute in attributes]
        dataset = tablib.Dataset(headers=[field.column_name for field in columns] + [EXTRA_COLUMN])
        for _line, values, extra in rows:
            dataset.append([*values, extra])
        self.lines = [line for line, _values, _extra in rows]
        self.width = width
        self.ignored_columns = list(ignored)
        self.selection = {
            "fields": list(attributes),
            "width": width,
            "ignored": list(ignored),
            "rows": [[line, extra, *values] for line, values, extra in rows],
        }
        return dataset

    def dataset_from_selection(self, selection: dict) -> tablib.Dataset:
        """The dataset a preview's `selection` describes (`ValueError` if it
        does not describe one: only this resource's columns, the name among
        them, as many values as columns)."""
        attributes = [str(attribute) for attribute in selection["fields"]]
        known = {field.attribute for field in self.columns()}
        if "name" not in attributes or not set(attributes) <= known:
            raise ValueError(attributes)
        if len(set(attributes)) != len(attributes) or len(selection["rows"]) > MAX_ROWS:
            raise ValueError(attributes)
        rows = []
        for line, extra, *values in selection["rows"]:
            if len(values) != len(attributes):
                raise ValueError(values)
            rows.append((int(line), [str(value) for value in values], int(extra)))
        ignored = [str(heading) for heading in selection["ignored"]]
        return self.build_dataset(attributes, rows, width=int(selection["width"]), ignored=ignored)

    def line_for(self, row_number: int | None) -> int:
        """The spreadsheet's line of the dataset's row `row_number` (from 1)."""
        if row_number is None:
            return 0
        if 0 < row_number <= len(self.lines):
            return self.lines[row_number - 1]
        return row_number + 1  # under a header line

    # Import ----------------------------------------------------------------

    def before_import(self, dataset, **kwargs):
        self._first_line = {}
        if KEY_COLUMN in (dataset.headers or ()):
            return
        name_column = self.fields["name"].column_name
        position = dataset.headers.index(name_column) if name_column in dataset.headers else None
        keys = [
            NamedListItem.key_for(normalise_name(row[position])) if position is not None else ""
            for row in dataset
        ]
        if len(dataset):
            dataset.append_col(keys, header=KEY_COLUMN)
        else:
            dataset.headers = [*dataset.headers, KEY_COLUMN]

    def import_instance(self, instance, row, **kwargs):
        errors: dict = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        line = self.line_for(kwargs.get("row_number"))
        extra = int(row.get(EXTRA_COLUMN) or 0)
        if extra:
            errors.setdefault(NON_FIELD_ERRORS, []).append(
                ValidationError(
                    _(
                        "This row has %(cells)d filled cells beyond the header's "
                        "%(columns)d columns."
                    )
                    % {"cells": extra, "columns": self.width}
                )
            )
        key = row.get(KEY_COLUMN) or ""
        if key and "name" not in errors:
            first = self._first_line.setdefault(key, line)
            if first != line:
                errors.setdefault("name", []).append(
                    ValidationError(_("Duplicate of line %(line)d.") % {"line": first})
                )
        if errors:
            raise ValidationError(errors)

    def do_instance_save(self, instance, is_create):
        if is_create:
            actions.create_record(self.user, instance)
        else:
            actions.update_list_item(self.user, instance)


class InterestCentreResource(ListItemResource):
    colour = fields.Field(
        attribute="colour", column_name="colour", widget=ColourWidget(), saves_null_values=False
    )

    class Meta(ListItemResource.Meta):
        model = InterestCentre
        fields = ("name", "colour", "name_key")
        export_order = ("name", "colour")


class OrganisationKindResource(ListItemResource):
    class Meta(ListItemResource.Meta):
        model = OrganisationKind
        fields = ("name", "name_key")
        export_order = ("name",)


class FunctionResource(ListItemResource):
    class Meta(ListItemResource.Meta):
        model = Function
        fields = ("name", "name_key")
        export_order = ("name",)


RESOURCES = {
    InterestCentre: InterestCentreResource,
    OrganisationKind: OrganisationKindResource,
    Function: FunctionResource,
}


def resource_for(model, user=None) -> ListItemResource:
    return RESOURCES[model](user=user)
