"""Sheets of address labels as a PDF, drawn with reportlab's canvas.

* Labels are drawn straight on reportlab's low-level canvas (no platypus
  flowables): a label is a few text lines at known places, and the canvas
  draws thousands of them a second.
* Labels are read one by one from any iterable and a page is finished as
  soon as it is full, so the caller can feed a generator: only the current
  page's labels are held, and reportlab keeps each finished page as its
  compressed content stream (a few kilobytes) until the file is written.
* One font size per layout (:func:`text_box`): the largest, up to
  :data:`MAX_FONT_SIZE`, at which seven lines fit the label's height and a
  line of 38 average characters its width. A line still too wide is drawn
  smaller, down to :data:`MIN_FONT_SIZE`, then cut: no line ever runs past
  the label. The lines are centred vertically, flush left.
* The font is DejaVu Sans when the system has it (every European letter),
  else Helvetica (Latin-1 only).
* A partly used sheet: the first label goes at `start_row`, `start_column`
  (from 1) of the first page; the next pages start at the top left.
"""

import logging
import math
import os
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from django.utils.translation import gettext as _
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from .address import MAX_CHARS, MAX_LINES_ABROAD
from .layouts import SheetLayout

logger = logging.getLogger(__name__)

MM = 72 / 25.4
"""Points in a millimetre."""

MAX_FONT_SIZE = 10.0
MIN_FONT_SIZE = 5.5
LINE_SPACING = 1.2
"""Leading as a multiple of the font size."""
PADDING_X_MM = 3.0
PADDING_Y_MM = 2.0
"""Inner margins of a label (rounded corners, printer drift), at most a tenth of its size."""

FALLBACK_FONT = "Helvetica"
DEJAVU = "DejaVuSans"
DEJAVU_PATHS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/local/share/fonts/DejaVuSans.ttf",
    "/Library/Fonts/DejaVuSans.ttf",
)
# The width of an average character: letters of both cases, digits and spaces.
_AVERAGE_SAMPLE = "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789 "


@lru_cache(maxsize=1)
def label_font() -> str:
    """The name of the font labels are drawn in, registered with reportlab."""
    for path in DEJAVU_PATHS:
        if os.path.exists(path):
            try:
                pdfmetrics.registerFont(TTFont(DEJAVU, path))
            except Exception:  # an unreadable or broken file: the built-in font will do
                logger.warning("Cannot read the font %s; labels use %s", path, FALLBACK_FONT)
                continue
            return DEJAVU
    return FALLBACK_FONT


@dataclass(frozen=True)
class TextBox:
    """Where the text of a label goes and how large, in points."""

    font: str
    size: float
    leading: float
    padding_x: float
    padding_y: float
    width: float
    height: float

    @property
    def max_lines(self) -> int:
        return max(int((self.height + 1e-6) // self.leading), 1)


def text_box(layout: SheetLayout, font: str | None = None) -> TextBox:
    """The text area of one label of `layout` and the font size for all of them."""
    font = font or label_font()
    padding_x = min(PADDING_X_MM, layout.label_width / 10) * MM
    padding_y = min(PADDING_Y_MM, layout.label_height / 10) * MM
    width = layout.label_width * MM - 2 * padding_x
    height = layout.label_height * MM - 2 * padding_y
    average = pdfmetrics.stringWidth(_AVERAGE_SAMPLE, font, 1) / len(_AVERAGE_SAMPLE)
    size = min(
        MAX_FONT_SIZE,
        height / (MAX_LINES_ABROAD * LINE_SPACING),
        width / (MAX_CHARS * average),
    )
    size = max(math.floor(size * 4) / 4, MIN_FONT_SIZE)  # quarter points, never above the fit
    return TextBox(font, size, size * LINE_SPACING, padding_x, padding_y, width, height)


def fit_line(line: str, box: TextBox) -> tuple[str, float]:
    """(text, size) to draw `line` within the box's width: as is at the box's
    size; else smaller, down to MIN_FONT_SIZE; else cut to what fits at that size."""
    width = pdfmetrics.stringWidth(line, box.font, box.size)
    if width <= box.width:
        return line, box.size
    size = box.size * box.width / width
    if size >= MIN_FONT_SIZE:
        size = int(size * 100) / 100  # rounded down: the width stays within the box
        return line, size
    size = MIN_FONT_SIZE
    low, high = 0, len(line)  # the longest prefix that fits
    while low < high:
        middle = (low + high + 1) // 2
        if pdfmetrics.stringWidth(line[:middle], box.font, size) <= box.width:
            low = middle
        else:
            high = middle - 1
    return line[:low].rstrip(), size


def _check(layout: SheetLayout, start_row: int, start_column: int) -> None:
    problems = layout.problems()
    if problems:
        raise ValueError(" ".join(problems))
    problem = layout.start_problem(start_row, start_column)
    if problem:
        raise ValueError(problem)


def render_labels(
    labels: Iterable[list[str]],
    layout: SheetLayout,
    start_row: int = 1,
    start_column: int = 1,
    output=None,
    *,
    outlines: bool = False,
    title: str = "",
) -> int:
    """Draw one label per item of `labels` (its lines, top to bottom) on sheets
    of `layout`, and write the PDF to `output` (a binary file-like object).

    Returns the number of labels drawn. Raises ValueError (translated) when
    the layout does not fit its page or the start is off the sheet.
    `outlines` draws each label's border, to check the alignment on plain paper.
    """
    if output is None:
        raise TypeError("render_labels() needs an output to write the PDF to")
    _check(layout, start_row, start_column)
    box = text_box(layout)
    page_height = layout.page_height * MM
    canvas = Canvas(
        output,
        pagesize=(layout.page_width * MM, page_height),
        pageCompression=1,
        initialFontName=box.font,
        initialFontSize=box.size,
    )
    canvas.setTitle(title or _("Address labels"))
    canvas.setCreator("CRM")
    per_sheet = layout.labels_per_sheet
    # The bottom-left corner of each label's text area, in PDF points (origin bottom left).
    origins = []
    for row in range(1, layout.rows + 1):
        for column in range(1, layout.columns + 1):
            left, top = layout.label_origin(row, column)
            origins.append((left * MM, page_height - top * MM))
    label_width, label_height = layout.label_width * MM, layout.label_height * MM
    slot = (start_row - 1) * layout.columns + (start_column - 1)
    drawn = 0
    for lines in labels:
        if slot == per_sheet:
            canvas.showPage()
            slot = 0
        left, top = origins[slot]
        if outlines:
            canvas.rect(left, top - label_height, label_width, label_height, stroke=1, fill=0)
        _draw_label(canvas, box, lines, left, top)
        slot += 1
        drawn += 1
    canvas.showPage()  # the last page (a blank one when there was no label)
    canvas.save()
    return drawn


def _draw_label(canvas: Canvas, box: TextBox, lines: list[str], left: float, top: float) -> None:
    lines = [line for line in lines if line][: box.max_lines]
    if not lines:
        return
    block = len(lines) * box.leading
    # Centred vertically; the first baseline sits a font size below the block's top.
    first_baseline = top - box.padding_y - (box.height - block) / 2 - box.size
    text = canvas.beginText(left + box.padding_x, first_baseline)
    current = box.size
    text.setFont(box.font, current, box.leading)
    for line in lines:
        line, size = fit_line(line, box)
        if size != current:
            text.setFont(box.font, size, box.leading)
            current = size
        text.textLine(line)
    canvas.drawText(text)
