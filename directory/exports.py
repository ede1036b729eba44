"""Spreadsheets as French users open them.

* Safety: a cell that starts like a formula is written as text
  (`escape_formula`), except a phone number in international form
  ("+33 6 12 34 56 78"), which stays readable: digits and separators only
  cannot run anything.
* CSV: separated by ";" (the list separator of a French spreadsheet), UTF-8
  with a byte order mark (so that Excel reads the accents), yes/no as
  « Oui »/« Non » (« Yes »/« No » in English), dates as JJ/MM/AAAA.
* XLSX: yes/no as words too, real dates shown JJ/MM/AAAA, the header row
  frozen and filtered, columns wide enough to read (`prepare_sheet`,
  `finish_sheet`).
* A field with choices is exported as its label ("Consenti"), not its code.
"""

import datetime
import re

from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from wagtail.coreutils import multigetattr

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# "+33 6 12 34 56 78", "+33612345678", "+1 (212) 555-0100", "+49.30.1234567": a
# "+", then only digits, spaces (plain, no-break, narrow no-break), dots,
# dashes and parentheses, with at least PHONE_MIN_DIGITS digits.
INTERNATIONAL_PHONE = re.compile(r"\+[0-9 .()\-\u00a0\u202f]+")
PHONE_MIN_DIGITS = 6
CSV_DELIMITER = ";"
CSV_BOM = "\ufeff".encode()
CSV_DATE_FORMAT = "%d/%m/%Y"
CSV_DATETIME_FORMAT = "%d/%m/%Y %H:%M"
XLSX_DATE_FORMAT = "DD/MM/YYYY"
XLSX_DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
MIN_WIDTH, MAX_WIDTH = 8, 50
# Widths (in characters) of the columns whose values are longer than their heading.
FIELD_WIDTHS = {
    "name": 36,
    "first_name": 16,
    "last_name": 20,
    "email": 30,
    "website": 30,
    "phone_display": 16,
    "mobile_display": 16,
    "export_organisation": 30,
    "export_function": 20,
    "export_position_title": 24,
    "export_professional_email": 30,
    "export_professional_phone": 18,
    "export_professional_mobile": 18,
    "address_line1": 32,
    "address_line2": 24,
    "city": 20,
    "department_name": 20,
    "region_name": 24,
    "interest_centre_names": 36,
    "kind": 20,
    "siret": 18,
}


def is_international_phone(value: str) -> bool:
    """ "+33 6 12 34 56 78" and "+33612345678" are; "+SUM(A1)", "+1-2" are not."""
    return (
        INTERNATIONAL_PHONE.fullmatch(value) is not None
        and sum(character.isdigit() for character in value) >= PHONE_MIN_DIGITS
    )


def escape_formula(value):
    """ "=HYPERLINK(...)" -> "'=HYPERLINK(...)"; a phone number in
    international form ("+33 6 12 34 56 78") and anything else unchanged."""
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_PREFIXES)
        and not is_international_phone(value)
    ):
        return "'" + value
    return value


def import_heading(key: str):
    """The heading an export writes for a column the spreadsheet import
    fills (`directory.imports.columns`), lazily: in the export's language.
    So that an export re-imports as is."""
    from .imports.columns import TARGETS

    return TARGETS[key].label


def yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


def display_value(item, field: str):
    """The value of `field` on `item` (dotted paths allowed), a choice as its label."""
    if "." not in field:
        try:
            model_field = type(item)._meta.get_field(field)
        except (FieldDoesNotExist, AttributeError):
            model_field = None
        if model_field is not None and model_field.choices and not model_field.is_relation:
            return getattr(item, f"get_{field}_display")()
    return multigetattr(item, field)


def _local(value: datetime.datetime) -> datetime.datetime:
    if timezone.is_aware(value):
        return timezone.make_naive(value)
    return value


def csv_value(value):
    """A value as the CSV writes it: text, with French yes/no and dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, datetime.datetime):
        return _local(value).strftime(CSV_DATETIME_FORMAT)
    if isinstance(value, datetime.date):
        return value.strftime(CSV_DATE_FORMAT)
    if isinstance(value, list | tuple):
        return ", ".join(force_str(part) for part in value)
    return force_str(value)


def xlsx_value(value):
    """A value as a workbook cell holds it: numbers and dates as such
    (shown JJ/MM/AAAA), yes/no as words, the rest as text."""
    if value is None:
        return None
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, datetime.datetime):
        return _local(value)
    if isinstance(value, datetime.date | int | float):
        return value
    if isinstance(value, list | tuple):
        return ", ".join(force_str(part) for part in value)
    return force_str(value)


def column_widths(fields, headings) -> list[int]:
    """A width per column: the field's usual width, at least its heading's."""
    return [
        max(MIN_WIDTH, min(MAX_WIDTH, max(FIELD_WIDTHS.get(field, 12), len(str(heading)) + 2)))
        for field, heading in zip(fields, headings, strict=True)
    ]


def prepare_sheet(worksheet, widths) -> None:
    """Before the first row (a write-only sheet writes these first): the
    header row frozen, the columns' widths."""
    from openpyxl.utils import get_column_letter

    worksheet.freeze_panes = "A2"
    for index, width in enumerate(widths, start=1):
        worksheet.column_dimensions[get_column_letter(index)].width = width


def finish_sheet(worksheet, columns: int, rows: int) -> None:
    """After the last row: filters on the header row, over every row."""
    from openpyxl.utils import get_column_letter

    if columns:
        worksheet.auto_filter.ref = f"A1:{get_column_letter(columns)}{rows + 1}"
