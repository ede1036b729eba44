"""The CSV of a label campaign, for a word processor's mail merge.

One row per label, one column per label line (« Ligne 1 » to « Ligne 7 »,
the most a label has, abroad), empty cells below a label's last line, then
any extra columns the caller passes (a reference, the capacity…). Written
like every spreadsheet of the project by ``selections.exports.csv_chunks``:
UTF-8 with a byte order mark, ``;`` between cells, CRLF line ends, and a
cell that starts like a formula ("=", "+", "-", "@") behind an apostrophe.
"""

from collections.abc import Iterable, Iterator, Sequence

from django.utils.translation import gettext as _

from selections.exports import csv_chunks

from .address import MAX_LINES_ABROAD


def mailmerge_headings(extra_headings: Sequence[str] = ()) -> list[str]:
    """["Ligne 1", …, "Ligne 7", *extra_headings], in the user's language."""
    return [
        _("Line %(number)s") % {"number": number} for number in range(1, MAX_LINES_ABROAD + 1)
    ] + [str(heading) for heading in extra_headings]


def _row(lines: Sequence[str], extra: Sequence) -> list:
    if len(lines) > MAX_LINES_ABROAD:
        raise ValueError(f"a label has at most {MAX_LINES_ABROAD} lines, not {len(lines)}")
    return [*lines, *[""] * (MAX_LINES_ABROAD - len(lines)), *extra]


def mailmerge_chunks(
    labels: Iterable[Sequence[str]],
    extra_headings: Sequence[str] = (),
    extra_values: Iterable[Sequence] | None = None,
) -> Iterator[bytes]:
    """The CSV, as chunks of bytes (for a streaming response or a file).

    `labels` gives each label's lines; `extra_values`, when there are extra
    headings, the extra cells of each label, in the same order (one item per
    label: a ValueError if one runs out before the other).
    """
    if extra_headings and extra_values is None:
        raise ValueError("extra headings need their values")
    if extra_values is None:
        rows = (_row(lines, ()) for lines in labels)
    else:
        width = len(extra_headings)

        def rows_with_extras():
            for lines, extra in zip(labels, extra_values, strict=True):
                if len(extra) != width:
                    raise ValueError(f"{width} extra values expected, not {len(extra)}")
                yield _row(lines, extra)

        rows = rows_with_extras()
    return csv_chunks(mailmerge_headings(extra_headings), rows)


def write_mailmerge(
    labels: Iterable[Sequence[str]],
    output,
    extra_headings: Sequence[str] = (),
    extra_values: Iterable[Sequence] | None = None,
) -> int:
    """Write the CSV to `output` (a binary file-like object); return the bytes written."""
    written = 0
    for chunk in mailmerge_chunks(labels, extra_headings, extra_values):
        output.write(chunk)
        written += len(chunk)
    return written
