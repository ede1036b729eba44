"""Spreadsheet exports of baskets and search results, for French spreadsheet users.

Two writers share one cell conversion (:func:`cell_value`):

* :func:`csv_chunks` streams a CSV that French Excel opens as is: UTF-8 with a
  BOM (accents survive), ``;`` between cells, CRLF line ends. It yields bytes
  every :data:`CSV_CHUNK_ROWS` rows, for a
  ``directory.streaming.StreamingExportResponse`` (which, unlike Django's
  ``StreamingHttpResponse``, also streams under daphne).
* :func:`write_xlsx` writes a one-sheet workbook with rustpy-xlsxwriter
  (Rust's rust_xlsxwriter under a thin binding), chosen by measurement over
  XlsxWriter, PyExcelerate and openpyxl (``docs/performance.md``).

:func:`xlsx_file` writes it to a temporary file, for a
``directory.streaming.FileExportResponse`` to send from disk: the rows pass
through one by one, the workbook is never held in memory.

Every text cell goes through ``directory.exports.escape_formula``, so a cell
that starts like a formula (``=``, ``+``, ``-``, ``@``, tab, CR) is written as
text behind an apostrophe, except a phone number in international form
(``+33 6 12 34 56 78``), which stays readable; the XLSX writer stores text as
inline strings, never as formulas.
"""

import csv
import datetime
import io
import itertools
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal

import rustpy_xlsxwriter
from django.utils import timezone
from django.utils.translation import gettext

from directory.exports import escape_formula

CSV_CHUNK_ROWS = 1000
"""Rows per yielded CSV chunk: a few hundred kilobytes at most."""

XLSX_SHEET_TITLE = "Export"
XLSX_MAX_CELL_CHARS = 32767
"""Excel's limit for one cell; longer text is cut (the writer would refuse it)."""

_UTF8_BOM = "\ufeff"


def cell_value(value):
    """One value as a spreadsheet cell: text (formula-escaped) or a number.

    ``None`` -> ``""``; booleans -> "oui"/"non" (the ``yes``/``no`` msgids, in
    the active language); dates -> ``YYYY-MM-DD``; datetimes -> local time
    ``YYYY-MM-DD HH:MM:SS``; int, float and Decimal stay numbers; anything
    else (lazy translations, model instances…) -> ``str()``. Text that starts
    like a formula gets an apostrophe in front.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return escape_formula(value)
    if isinstance(value, bool):  # before int: bool is an int
        return gettext("yes") if value else gettext("no")
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, datetime.datetime):  # before date: a datetime is a date
        if timezone.is_aware(value):
            value = timezone.localtime(value).replace(tzinfo=None)
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return escape_formula(str(value))


def csv_chunks(headings: list[str], rows: Iterable[Sequence]) -> Iterator[bytes]:
    """Stream a CSV for French Excel: BOM + UTF-8, ``;``, CRLF, escaped cells.

    One chunk per :data:`CSV_CHUNK_ROWS` rows, the first one starting with the
    BOM and the heading row (with no rows, that is the only chunk). Only one
    chunk is held at a time, so memory does not grow with the export::

        StreamingExportResponse(csv_chunks(headings, rows), content_type="text/csv")
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    buffer.write(_UTF8_BOM)
    writer.writerow([cell_value(heading) for heading in headings])
    pending = 0
    for row in rows:
        writer.writerow([cell_value(value) for value in row])
        pending += 1
        if pending == CSV_CHUNK_ROWS:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    if buffer.tell():  # the last rows, or the heading row alone
        yield buffer.getvalue().encode("utf-8")


def _xlsx_cell(value):
    value = cell_value(value)
    if type(value) is str and len(value) > XLSX_MAX_CELL_CHARS:
        return value[:XLSX_MAX_CELL_CHARS]
    return value


def write_xlsx(headings: list[str], rows: Iterable[Sequence], target) -> int:
    """Write a one-sheet workbook ("Export", bold heading row); return the row count.

    ``target`` is a path or a binary file object (anything with ``write``).
    Cells are converted by :func:`cell_value` and written as inline text or
    numbers, never as formulas; text over 32,767 characters is cut to Excel's
    limit. Rows are cut to the headings' length (a short row leaves blanks).
    Numbers are stored as Excel numbers (doubles), as Excel itself does.

    Memory: rows are pulled one by one from ``rows`` and written in
    rust_xlsxwriter's constant-memory mode, so peak memory does not grow with
    the row count. With a file object, the finished (compressed) workbook is
    built in memory once before being written to it, about twice the file
    size; pass a path (or use :func:`xlsx_file`) to avoid even that.

    The headings must be unique: the writer keys each row by heading.
    """
    keys = [str(_xlsx_cell(heading)) for heading in headings]
    if len(set(keys)) != len(keys):
        raise ValueError("Export headings must be unique.")
    written = 0

    def records():
        nonlocal written
        for row in rows:
            written += 1
            # Every record has every key: the writer takes the heading row
            # from the first record, so a short row gets explicit blanks.
            cells = itertools.chain(map(_xlsx_cell, row), itertools.repeat(None))
            yield dict(zip(keys, cells, strict=False))
        if not written:
            # With no record the writer would not write the heading row; a
            # record of empty cells writes the heading row and nothing else.
            yield dict.fromkeys(keys)

    rustpy_xlsxwriter.write_worksheet(
        records(), target, sheet_name=XLSX_SHEET_TITLE, bold_headers=True
    )
    return written


def xlsx_file(headings: list[str], rows: Iterable[Sequence]):
    """Write the workbook to a temporary file; return it open for reading.

    The rows are pulled one by one, as :func:`write_xlsx` does with a path,
    and the file is unlinked as soon as it is open again: it takes no memory,
    and disappears from the disk when it is closed (``FileResponse`` closes
    it once sent) or when the process ends.
    """
    handle, path = tempfile.mkstemp(suffix=".xlsx", prefix="export-")
    os.close(handle)
    try:
        write_xlsx(headings, rows, path)
        workbook = open(path, "rb")  # noqa: SIM115 (the caller closes it)
    finally:
        os.unlink(path)
    return workbook
