"""Reading an uploaded spreadsheet into a header and rows of text.

`read_sheet(data, file_name)` reads a CSV (as French Excel and LibreOffice
write it: UTF-8 with or without BOM, or Windows-1252; ";" "," or tab), an
XLSX or an ODS (its first sheet), and returns a `Sheet`: the header cells
and the non-blank rows with the line number the spreadsheet shows. Every
cell is text (numbers without a spurious ".0", dates as dd/mm/yyyy), so the
cleaning step sees the same thing whatever the format.

Whatever cannot be imported raises `ImportFileError`, whose message is a
translated sentence for the user: wrong type, too large, empty, not a real
XLSX, two header rows...

Untrusted archives are checked before python-calamine opens them: declared
and real unzipped sizes, compression ratios, and the area the first sheet
spans (a few kilobytes of XML can ask for billions of cells, which would
exhaust the memory of the worker rather than raise).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime
import gc
import html
import io
import posixpath
import re
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from .columns import guess_target, header_key

FORMATS = {".csv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".ods": "ods"}
ENCODINGS = ("utf-8", "utf-8-sig", "cp1252")
ENCODING_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "cp1252": "Windows-1252"}
DELIMITERS = (";", ",", "\t")  # in order of preference on a tie

MAX_RATIO = 100  # uncompressed / compressed size of one member of an archive
RATIO_MIN_SIZE = 1024 * 1024  # smaller members may be as compressible as they like
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted XLSX, old XLS

# Control characters that no text file has (tab, line breaks, vertical tab
# and form feed excepted): a binary file decoded as text.
_BINARY = re.compile("[\x00-\x08\x0e-\x1f]")
_SPACES = re.compile(r"\s+")


class ImportFileError(Exception):
    """A file that cannot be imported; `str(error)` / `error.message` is a
    clear translated sentence for the user."""

    def __init__(self, message):
        self.message = str(message)
        super().__init__(self.message)


@dataclass
class Sheet:
    format: str  # "csv", "xlsx" or "ods"
    headers: list[str]  # header cells as text, stripped
    # (line number as the spreadsheet shows it, cells as text); blank rows left
    # out; cells not padded, nor cut (only empty cells beyond the header dropped)
    rows: list[tuple[int, list[str]]]
    encoding: str = ""  # csv only: "utf-8", "utf-8-sig" or "cp1252"
    delimiter: str = ""  # csv only: ";" "," or "\t"


# Limits ---------------------------------------------------------------------


def max_bytes() -> int:
    return getattr(settings, "IMPORT_MAX_BYTES", 20 * 1024 * 1024)


def max_rows() -> int:
    return getattr(settings, "IMPORT_MAX_ROWS", 200_000)


def max_unzipped_bytes() -> int:
    return getattr(settings, "IMPORT_MAX_UNZIPPED_BYTES", 200 * 1024 * 1024)


def max_columns() -> int:
    """Columns of a sheet: each is a choice on the mapping page (a form field)."""
    return getattr(settings, "IMPORT_MAX_COLUMNS", 200)


def max_cells() -> int:
    """The area (rows x columns) the first sheet of an XLSX or ODS may span:
    python-calamine holds that whole rectangle in memory."""
    return getattr(settings, "IMPORT_MAX_CELLS", 10_000_000)


def _number(value: int) -> str:
    return number_format(value, force_grouping=True)


# Messages -------------------------------------------------------------------


def _not_a_real_file(fmt: str) -> ImportFileError:
    return ImportFileError(
        _(
            "This file is not a real %(format)s file: open it in your spreadsheet, "
            "save it as %(format)s (or CSV) and try again."
        )
        % {"format": fmt.upper()}
    )


def _unreadable(fmt: str) -> ImportFileError:
    return ImportFileError(
        _(
            "This %(format)s file could not be read (damaged, or protected by a "
            "password?): save it again from your spreadsheet and try again."
        )
        % {"format": fmt.upper()}
    )


def _not_a_readable_csv() -> ImportFileError:
    return ImportFileError(
        _(
            "This file is not a readable CSV: save it from your spreadsheet as "
            "“CSV UTF-8” (or “CSV (semicolon)”) and try again."
        )
    )


def _too_large_unzipped() -> ImportFileError:
    return ImportFileError(
        _(
            "This file holds too much data once unzipped to be imported safely: "
            "split it into several files, or save it as CSV."
        )
    )


def _too_many_cells() -> ImportFileError:
    return ImportFileError(
        _(
            "The first sheet of this file spans too many cells (%(cells)s at most): "
            "delete the empty rows and columns after the data, or save it as CSV."
        )
        % {"cells": _number(max_cells())}
    )


# Reading --------------------------------------------------------------------


def read_sheet(
    data: bytes, file_name: str, *, encoding: str | None = None, delimiter: str | None = None
) -> Sheet:
    """The header and rows of an uploaded CSV, XLSX or ODS file."""
    fmt = _format_of(file_name)
    limit = max_bytes()
    if len(data) > limit:
        raise ImportFileError(
            _("The file is too large (%(size)s): %(limit)s at most.")
            % {"size": filesizeformat(len(data)), "limit": filesizeformat(limit)}
        )
    if not data.strip():
        raise ImportFileError(_("The file is empty."))
    with _collector_paused():
        if fmt == "csv":
            text, encoding = _decode(data, encoding)
            delimiter = _delimiter(text, delimiter)
            sheet = _assemble(fmt, _csv_records(text, delimiter))
            sheet.encoding, sheet.delimiter = encoding, delimiter
            return sheet
        _check_archive(data, fmt)
        first_column, records = _workbook_records(data, fmt)
        return _assemble(fmt, records, first_column)


@contextlib.contextmanager
def _collector_paused():
    """A sheet is a few hundred thousand small lists that all live on: the
    cyclic garbage collector would walk them again and again while they are
    made (half of the reading time) and find nothing to free."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _format_of(file_name: str) -> str:
    name = (file_name or "").strip().lower()
    for extension, fmt in FORMATS.items():
        if name.endswith(extension):
            return fmt
    raise ImportFileError(_("This type of file is not supported: choose a CSV, XLSX or ODS file."))


def _assemble(fmt: str, records, first_column: int = 0) -> Sheet:
    """The header (first non-blank row) and the non-blank rows after it.

    `records` yields (line number, cells as stripped text); it is read lazily
    so that a sheet over the row limit is not read to its end. `first_column`
    is the index of the column its cells start at (for the "Column C" names)."""
    for line, cells in records:
        if any(cells):
            header_line, raw_headers = line, cells
            break
    else:
        raise ImportFileError(_("The file is empty."))

    while raw_headers and not raw_headers[-1]:
        raw_headers.pop()
    headers = [
        _SPACES.sub(" ", cell)
        if cell
        else _("Column %(letter)s") % {"letter": column_letter(index + first_column)}
        for index, cell in enumerate(raw_headers)
    ]
    width = len(headers)
    if width > max_columns():
        raise ImportFileError(
            _("The file has %(columns)s columns: %(limit)s at most can be imported.")
            % {"columns": _number(width), "limit": _number(max_columns())}
        )

    limit = max_rows()
    rows: list[tuple[int, list[str]]] = []
    for line, cells in records:
        if not any(cells):
            continue
        if len(cells) > width:
            if any(cells[width:]):
                while not cells[-1]:
                    cells.pop()
            else:
                del cells[width:]
        if not rows:
            _check_second_header(raw_headers, header_line, cells, line)
        rows.append((line, cells))
        if len(rows) > limit:
            raise ImportFileError(
                _("The file has more than %(rows)s rows to import: split it into several files.")
                % {"rows": _number(limit)}
            )
    if not rows:
        raise ImportFileError(_("The file has only its header line: no line to import."))
    return Sheet(format=fmt, headers=headers, rows=rows)


def _check_second_header(headers: list[str], header_line: int, cells: list[str], line: int):
    """A title above the header, or the header written twice, would make every
    row wrong: better to say so than to import the header as a contact."""
    filled = [cell for cell in headers if cell]
    if len(filled) == 1:
        known = [cell for cell in cells if cell and guess_target(cell) is not None]
        if len([cell for cell in cells if cell]) >= 2 and len(known) >= 2:
            raise ImportFileError(
                _(
                    "The first line looks like a title and the second like the header: "
                    "delete the title line and try again."
                )
            )
        return
    same = 0
    for header, cell in zip(headers, cells, strict=False):
        if cell and guess_target(cell) is not None and header_key(cell) == header_key(header):
            same += 1
    if same >= 2:
        raise ImportFileError(
            _("The file has two header lines (lines %(first)s and %(second)s): delete the second.")
            % {"first": header_line, "second": line}
        )


def column_letter(index: int) -> str:
    """0 -> "A", 25 -> "Z", 26 -> "AA": the column names of a spreadsheet."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


# CSV ------------------------------------------------------------------------


def _decode(data: bytes, encoding: str | None) -> tuple[str, str]:
    if b"\x00" in data:
        # UTF-16 ("Unicode text" in Excel) or a binary file.
        raise _not_a_readable_csv()
    if encoding is None:
        if data.startswith(codecs.BOM_UTF8):
            candidates = ("utf-8-sig", "cp1252")
        else:
            candidates = ("utf-8", "cp1252")
        for candidate in candidates:
            try:
                text = data.decode(candidate)
            except UnicodeDecodeError:
                continue
            encoding = candidate
            break
        else:
            raise _not_a_readable_csv()
    else:
        encoding = _known_encoding(encoding)
        if encoding == "utf-8" and data.startswith(codecs.BOM_UTF8):
            encoding = "utf-8-sig"
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            raise ImportFileError(
                _("This file cannot be read as %(encoding)s: choose another encoding.")
                % {"encoding": ENCODING_NAMES[encoding]}
            ) from None
    if _BINARY.search(text):
        raise _not_a_readable_csv()
    return text, encoding


def _known_encoding(encoding: str) -> str:
    try:
        name = codecs.lookup(encoding).name
    except (LookupError, TypeError, ValueError):
        name = ""
    if name not in ENCODINGS:
        raise ImportFileError(_("Unknown encoding: choose UTF-8 or Windows-1252."))
    return name


def _delimiter(text: str, delimiter: str | None) -> str:
    if delimiter is not None:
        if delimiter not in DELIMITERS:
            raise ImportFileError(_("Unknown separator: choose a semicolon, a comma or a tab."))
        return delimiter
    line = _first_filled_line(text)
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for character in line:
        if character == '"':
            quoted = not quoted
        elif not quoted and character in counts:
            counts[character] += 1
    # max() keeps the first of equal counts: ";" wins ties, as French Excel writes.
    return max(DELIMITERS, key=lambda candidate: counts[candidate])


def _first_filled_line(text: str) -> str:
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        if end == -1:
            end = len(text)
        line = text[start:end]
        if line.strip():
            return line
        start = end + 1
    return ""


def _csv_records(text: str, delimiter: str):
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"')
    line = 0
    try:
        for line, row in enumerate(reader, 1):  # noqa: B007 (read after an error)
            yield line, list(map(str.strip, row))
    except csv.Error:
        raise ImportFileError(
            _('The CSV file cannot be read near line %(line)s: check its quotes (") and try again.')
            % {"line": line + 1}
        ) from None


# XLSX and ODS ---------------------------------------------------------------


def _check_archive(data: bytes, fmt: str) -> None:
    """Raise unless `data` is a genuine XLSX or ODS that unzips to a
    reasonable size and whose first sheet spans a reasonable area."""
    if fmt == "xlsx" and data.startswith(OLE_MAGIC):
        raise ImportFileError(
            _(
                "This file is protected by a password, or is an old Excel file (XLS): "
                "save it as XLSX without a password and try again."
            )
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except Exception:  # BadZipFile, and whatever a truncated directory raises
        raise _not_a_real_file(fmt) from None
    names = {info.filename for info in infos}
    if len(names) != len(infos):  # two members with the same name: crafted
        raise _not_a_real_file(fmt)

    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > RATIO_MIN_SIZE and info.file_size > MAX_RATIO * max(
            info.compress_size, 1
        ):
            raise _too_large_unzipped()
    if total > max_unzipped_bytes():
        raise _too_large_unzipped()

    try:
        if fmt == "xlsx":
            if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
                raise _not_a_real_file(fmt)
            first_sheet = _first_xlsx_sheet(archive, names)
            # When the workbook does not say plainly which member its first
            # sheet is, every worksheet-like member is measured.
            sheets = (
                {first_sheet}
                if first_sheet
                else {
                    name
                    for name in names
                    if name.startswith("xl/") and name.endswith(".xml") and name not in _NOT_SHEETS
                }
            )
        else:
            if "mimetype" not in names or archive.read("mimetype").strip() != ODS_MIMETYPE:
                raise _not_a_real_file(fmt)
            if "content.xml" not in names:
                raise _not_a_real_file(fmt)
            sheets = {"content.xml"}
        # Every member is read once: Python stops at the declared size and
        # checks the CRC, so an archive that lies about its sizes goes no further.
        area = 0
        for info in infos:
            if info.filename in sheets:
                xml = archive.read(info)
                if fmt == "xlsx":
                    rows, columns = _xlsx_area(xml)
                    area = max(area, rows * columns)
                else:
                    area = max(area, _ods_area(xml))
                del xml
            else:
                with archive.open(info) as member:
                    while member.read(1024 * 1024):
                        pass
    except ImportFileError:
        raise
    except Exception:  # BadZipFile, NotImplementedError, RuntimeError, zlib.error...
        raise _unreadable(fmt) from None
    if area > max_cells():
        raise _too_many_cells()


_NOT_SHEETS = {"xl/workbook.xml", "xl/sharedStrings.xml", "xl/styles.xml"}
_XLSX_FIRST_SHEET = re.compile(rb"<(?:[\w.-]+:)?sheet(?=[\s/>])[^>]*>")
_XLSX_RELATIONSHIP = re.compile(rb"<(?:[\w.-]+:)?Relationship(?=[\s/>])[^>]*>")


def _attribute(tag: bytes, name: bytes) -> str | None:
    match = re.search(rb"\s" + name + rb"""\s*=\s*(["'])(.*?)\1""", tag, re.DOTALL)
    return html.unescape(match.group(2).decode("utf-8", "replace")) if match else None


def _first_xlsx_sheet(archive: zipfile.ZipFile, names: set[str]) -> str:
    """The member holding the first sheet of the workbook (the one calamine
    reads at index 0), or "" when that cannot be told. Read with regular
    expressions: these small files are not trusted to an XML parser."""
    try:
        workbook = archive.read("xl/workbook.xml")
        relationships = archive.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return ""
    sheet = _XLSX_FIRST_SHEET.search(workbook)
    first_id = _attribute(sheet.group(0), rb"[\w.-]+:id") if sheet else None
    if not first_id:
        return ""
    for match in _XLSX_RELATIONSHIP.finditer(relationships):
        if _attribute(match.group(0), rb"Id") == first_id:
            target = _attribute(match.group(0), rb"Target") or ""
            path = target.lstrip("/") if target.startswith("/") else "xl/" + target
            path = posixpath.normpath(path)
            return path if path in names else ""
    return ""


# How every spreadsheet program writes a worksheet's cells and rows.
_XLSX_PLAIN_COLUMN = re.compile(rb'<c r="([A-Z]+)[0-9]+"')
_XLSX_PLAIN_CELL_ROW = re.compile(rb'<c r="[A-Z]+([0-9]+)"')
_XLSX_PLAIN_ROW = re.compile(rb'<row r="([0-9]+)"')
# Any other way: any "r" attribute of any element, any cell or row tag.
_XLSX_ANY_CELL_REF = re.compile(rb"""\sr\s*=\s*["']([A-Za-z]+)([0-9]+)["']""")
_XLSX_ANY_ROW_NUMBER = re.compile(rb"""\sr\s*=\s*["']([0-9]+)["']""")
_XLSX_ANY_CELL_TAG = re.compile(rb"<(?:[\w.-]+:)?c[\s/>]")
_XLSX_ANY_ROW_TAG = re.compile(rb"<(?:[\w.-]+:)?row[\s/>]")


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - ord("A") + 1
    return number


def _xlsx_area(xml: bytes) -> tuple[int, int]:
    """(rows, columns) of the rectangle a worksheet's cells span, from A1; an
    upper bound, since cells and rows without a reference are counted as if
    each went one further."""
    start, end = xml.find(b"<sheetData"), xml.rfind(b"</sheetData>")
    if 0 <= start < end:
        area = _plain_xlsx_area(xml, start, end)
        if area is not None:
            return area
    references = set(_XLSX_ANY_CELL_REF.findall(xml))
    rows = _XLSX_ANY_ROW_NUMBER.findall(xml)
    extra_columns = max(len(_XLSX_ANY_CELL_TAG.findall(xml)) - len(references), 0)
    extra_rows = max(len(_XLSX_ANY_ROW_TAG.findall(xml)) - len(rows), 0)
    numbers = {digits for _letters, digits in references}
    numbers.update(rows)
    columns = {letters for letters, _digits in references}
    last_column = max(map(_column_number, columns), default=0)
    return _last(numbers) + extra_rows, last_column + extra_columns


def _plain_xlsx_area(xml: bytes, start: int, end: int) -> tuple[int, int] | None:
    """The area of sheet data written the plain way (every cell and row tag
    opening with `<c r="B12"` or `<row r="12"`, and nothing else there with
    an "r" attribute), found quickly: the last row and column are guessed
    from the first and last cells, then a search makes sure that no cell
    goes further. None for sheet data written any other way."""
    cells = xml.count(b'<c r="', start, end)
    rows = xml.count(b'<row r="', start, end)
    if (
        xml.count(b"<c", start, end) != cells
        or xml.count(b"<row", start, end) != rows
        or xml.count(b" r=", start, end) != cells + rows
        or xml.find(b":c", start, end) != -1
        or xml.find(b":row", start, end) != -1
    ):
        return None
    head, tail = min(end, start + 65536), max(start, end - 65536)
    numbers = _XLSX_PLAIN_ROW.findall(xml, tail, end) + _XLSX_PLAIN_CELL_ROW.findall(xml, tail, end)
    letters = _XLSX_PLAIN_COLUMN.findall(xml, start, head) + _XLSX_PLAIN_COLUMN.findall(
        xml, tail, end
    )
    last_row = max(map(int, numbers), default=0)
    last_column = max(letters, key=lambda each: (len(each), each), default=b"")
    further_row = _greater(str(last_row).encode() if last_row else b"", b"0-9")
    further_column = _greater(last_column, b"A-Z")
    # A cell or a row written another way, or further than guessed: a pass
    # over the sheet data for each.
    cell_elsewhere = (
        rb'<c r="(?:(?![A-Z]{1,3}[0-9]{1,7}")|[A-Z]+'
        + further_row
        + rb'"|'
        + further_column
        + rb"[0-9])"
    )
    row_elsewhere = rb'<row r="(?:(?![0-9]{1,7}")|' + further_row + rb'")'
    if any(
        re.compile(pattern).search(xml, start, end) for pattern in (cell_elsewhere, row_elsewhere)
    ):
        return None
    return last_row, _column_number(last_column)


def _greater(value: bytes, alphabet: bytes) -> bytes:
    """A pattern matching the strings of `alphabet` ("0-9" or "A-Z") that come
    after `value` in spreadsheet order: longer ones, then greater ones of the
    same length (leading zeros count as longer)."""
    length = len(value)
    last = alphabet[-1]
    choices = [b"[%s]{%d,}" % (alphabet, length + 1)]
    for index, character in enumerate(value):
        if character < last:
            choices.append(
                re.escape(value[:index])
                + b"[%c-%c]" % (character + 1, last)
                + b"[%s]{%d}" % (alphabet, length - index - 1)
            )
    return b"(?:" + b"|".join(choices) + b")"


def _last(numbers) -> int:
    return max(map(int, numbers), default=0)


_ODS_ROW = b"<table:table-row"
_ODS_ROWS_REPEATED = re.compile(rb"""number-rows-repeated\s*=\s*["']([0-9]+)["']""")
_ODS_COLUMNS_REPEATED = re.compile(rb"""number-columns-repeated\s*=\s*["']([0-9]+)["']""")
_TAG_NAME_ENDS = frozenset(b" \t\r\n/>")


def _ods_area(xml: bytes) -> int:
    """The largest number of cells a table of an ODS content.xml spans, up to
    its last non-empty cell, repeated rows and cells expanded. Trailing empty
    rows and cells (LibreOffice writes a million of them) do not count.
    calamine knows the elements by these very names ("table:table-row")."""
    area = 0
    for start, end in _elements(xml, b"<table:table", b"</table:table>", 0, len(xml)):
        rows, columns = _ods_table_area(xml, start, end)
        area = max(area, rows * columns)
    return area


def _elements(xml: bytes, opening: bytes, closing: bytes | None, start: int, end: int):
    """(start, end) of each element opening with `opening` (a whole tag name)
    between start and end; without `closing`, each ends where the next begins."""
    positions = []
    position = xml.find(opening, start, end)
    while position != -1:
        if position + len(opening) < end and xml[position + len(opening)] in _TAG_NAME_ENDS:
            positions.append(position)
        position = xml.find(opening, position + len(opening), end)
    if closing is not None:
        for position in positions:
            close = xml.find(closing, position, end)
            yield position, (close if close != -1 else end)
        return
    positions.append(end)
    yield from zip(positions, positions[1:], strict=False)


def _ods_table_area(xml: bytes, start: int, end: int) -> tuple[int, int]:
    height = last_filled_row = width = 0
    for position, following in _elements(xml, _ODS_ROW, None, start, end):
        tag_end = xml.find(b">", position, following)
        if tag_end == -1:
            tag_end = following
        repeated = _ODS_ROWS_REPEATED.search(xml, position, tag_end)
        height += int(repeated.group(1)) if repeated else 1
        # The row's cells up to its last non-empty one (the end of its tag).
        body = xml[tag_end:following]
        last_value = max(body.rfind(b"value-type"), body.rfind(b"<text:"))
        if last_value == -1:
            continue
        closing = body.find(b">", last_value)
        filled = body[: closing + 1] if closing != -1 else body
        span = filled.count(b"<table:table-cell") + filled.count(b"<table:covered-table-cell")
        for count in _ODS_COLUMNS_REPEATED.findall(filled):
            span += int(count) - 1
        width = max(width, span)
        last_filled_row = height
    return last_filled_row, width


def _workbook_records(data: bytes, fmt: str):
    """(index of the first column, (line, cells) of each row) of the first
    sheet. calamine's rows start at line 1 but at the sheet's first non-empty
    column: leading empty columns are left out."""
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = workbook.get_sheet_by_index(0)
        start = sheet.start
        iterator = iter(sheet.iter_rows())
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # calamine's errors, and a panic of its Rust code
        raise _unreadable(fmt) from None
    return (start[1] if start else 0), _calamine_rows(iterator, fmt)


def _calamine_rows(iterator, fmt: str):
    line = 0
    while True:
        try:
            row = next(iterator)
        except StopIteration:
            return
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException:
            raise _unreadable(fmt) from None
        line += 1
        try:
            cells = list(map(str.strip, row))  # a row of text, the usual one
        except TypeError:  # numbers, dates, booleans: each as its text
            cells = [value.strip() if type(value) is str else cell_text(value) for value in row]
        yield line, cells


def cell_text(value) -> str:
    """A spreadsheet cell as the text the cleaning step reads."""
    kind = type(value)
    if kind is str:
        return value.strip()
    if kind is float:
        if value.is_integer():
            return str(int(value))
        return format(value, ".15g")  # 0.1 + 0.2 shows as 0.3, as in the spreadsheet
    if kind is bool:
        return "1" if value else "0"
    if kind is int:
        return str(value)
    if kind is datetime.datetime:
        if value.time() == datetime.time(0, 0):
            return value.strftime("%d/%m/%Y")
        return value.strftime("%d/%m/%Y %H:%M")
    if kind is datetime.date:
        return value.strftime("%d/%m/%Y")
    if kind is datetime.time:
        return value.strftime("%H:%M")
    if kind is datetime.timedelta:
        minutes = int(value.total_seconds() // 60)
        return f"{minutes // 60}:{minutes % 60:02d}"
    if value is None:
        return ""
    return str(value).strip()
