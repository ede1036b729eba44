"""Sheets of labels: where each label sits on the page, and whether the sheet
described fits its page.

A sheet is `rows` x `columns` labels of `label_width` x `label_height`
millimetres; the top-left label starts `left_margin` from the left edge and
`top_margin` from the top edge of the page; the next label to the right
starts `horizontal_pitch` further, the next one down `vertical_pitch`
further (pitch = label + gap). :meth:`SheetLayout.problems` lists, in the
user's language, what keeps a layout from printing: nothing to print on,
labels overlapping (a pitch smaller than the label), labels running off the
page. Labels are filled row by row, left to right, top to bottom.

The presets are the manufacturers' published geometries for A4 sheets
(210 x 297 mm) of address labels:

* Avery L7160 and J8160 (laser / inkjet of the same sheet): 21 labels,
  63.5 x 38.1 mm, 3 x 7, margins 15.15 mm top, 7.21 mm side, pitch
  66.04 x 38.1 mm.
* Avery L7163: 14 labels, 99.1 x 38.1 mm, 2 x 7, margins 15.15 mm top,
  4.65 mm side, pitch 101.6 x 38.1 mm.
* Avery L7173: 10 labels, 99.1 x 57 mm, 2 x 5, margins 6 mm top, 4.65 mm
  side, pitch 101.6 x 57 mm.
* Avery Zweckform 3422: 24 labels, 70 x 35 mm, 3 x 8, edge to edge across,
  8.5 mm top margin.
* Herma 4677 (the same sheet as Herma 4103): 21 labels, 63.5 x 38.1 mm,
  3 x 7, margins 15.5 mm top, 6.75 mm side, pitch 66.5 x 38.1 mm: the size
  of an L7160 with Herma's own gaps, so it needs its own preset.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _

TOLERANCE = 0.01
"""Millimetres a label may pass its bound by (rounding in published sizes)."""

A4_WIDTH, A4_HEIGHT = 210.0, 297.0


def _mm(value: float) -> str:
    """63.5 -> "63,5" in French, 210.0 -> "210"."""
    return number_format(Decimal(f"{value:.2f}".rstrip("0").rstrip(".")))


@dataclass(frozen=True)
class SheetLayout:
    """The geometry of a sheet of labels, every length in millimetres."""

    rows: int
    columns: int
    label_width: float
    label_height: float
    top_margin: float = 0.0
    left_margin: float = 0.0
    horizontal_pitch: float = 0.0
    vertical_pitch: float = 0.0
    page_width: float = A4_WIDTH
    page_height: float = A4_HEIGHT
    name: str = ""

    @property
    def labels_per_sheet(self) -> int:
        return max(self.rows, 0) * max(self.columns, 0)

    @property
    def right_edge(self) -> float:
        """Where the last column of labels ends, from the page's left edge."""
        return self.left_margin + (self.columns - 1) * self.horizontal_pitch + self.label_width

    @property
    def bottom_edge(self) -> float:
        """Where the last row of labels ends, from the page's top edge."""
        return self.top_margin + (self.rows - 1) * self.vertical_pitch + self.label_height

    def label_origin(self, row: int, column: int) -> tuple[float, float]:
        """The top-left corner of the label at `row`, `column` (from 1), in
        millimetres from the page's left and top edges."""
        return (
            self.left_margin + (column - 1) * self.horizontal_pitch,
            self.top_margin + (row - 1) * self.vertical_pitch,
        )

    def problems(self) -> list[str]:
        """What keeps this layout from printing, translated; empty when it fits."""
        found = []
        if self.page_width <= 0 or self.page_height <= 0:
            found.append(_("The page needs a width and a height."))
        if self.rows < 1 or self.columns < 1:
            found.append(_("A sheet needs at least one row and one column of labels."))
        if self.label_width <= 0 or self.label_height <= 0:
            found.append(_("A label needs a width and a height."))
        if self.top_margin < 0 or self.left_margin < 0:
            found.append(_("The margins cannot be negative."))
        if found:
            return found
        if self.columns > 1 and self.horizontal_pitch < self.label_width - TOLERANCE:
            found.append(
                _(
                    "The horizontal pitch (%(pitch)s mm) is smaller than the label width "
                    "(%(size)s mm): the labels would overlap."
                )
                % {"pitch": _mm(self.horizontal_pitch), "size": _mm(self.label_width)}
            )
        if self.rows > 1 and self.vertical_pitch < self.label_height - TOLERANCE:
            found.append(
                _(
                    "The vertical pitch (%(pitch)s mm) is smaller than the label height "
                    "(%(size)s mm): the labels would overlap."
                )
                % {"pitch": _mm(self.vertical_pitch), "size": _mm(self.label_height)}
            )
        if self.right_edge > self.page_width + TOLERANCE:
            found.append(
                _(
                    "The labels run off the page on the right: the last column ends at "
                    "%(edge)s mm on a page %(page)s mm wide."
                )
                % {"edge": _mm(self.right_edge), "page": _mm(self.page_width)}
            )
        if self.bottom_edge > self.page_height + TOLERANCE:
            found.append(
                _(
                    "The labels run off the bottom of the page: the last row ends at "
                    "%(edge)s mm on a page %(page)s mm high."
                )
                % {"edge": _mm(self.bottom_edge), "page": _mm(self.page_height)}
            )
        return found

    def start_problem(self, start_row: int, start_column: int) -> str:
        """Why a partly used sheet cannot start at `start_row`, `start_column`, or ""."""
        if not (1 <= start_row <= self.rows and 1 <= start_column <= self.columns):
            return _("Start at a row from 1 to %(rows)s and a column from 1 to %(columns)s.") % {
                "rows": self.rows,
                "columns": self.columns,
            }
        return ""


def _a4(name, rows, columns, width, height, top, left, h_pitch, v_pitch) -> SheetLayout:
    return SheetLayout(
        rows=rows,
        columns=columns,
        label_width=width,
        label_height=height,
        top_margin=top,
        left_margin=left,
        horizontal_pitch=h_pitch,
        vertical_pitch=v_pitch,
        name=name,
    )


PRESETS: dict[str, SheetLayout] = {
    "avery-l7160": _a4("Avery L7160", 7, 3, 63.5, 38.1, 15.15, 7.21, 66.04, 38.1),
    "avery-j8160": _a4("Avery J8160", 7, 3, 63.5, 38.1, 15.15, 7.21, 66.04, 38.1),
    "avery-l7163": _a4("Avery L7163", 7, 2, 99.1, 38.1, 15.15, 4.65, 101.6, 38.1),
    "avery-l7173": _a4("Avery L7173", 5, 2, 99.1, 57.0, 6.0, 4.65, 101.6, 57.0),
    "avery-3422": _a4("Avery Zweckform 3422", 8, 3, 70.0, 35.0, 8.5, 0.0, 70.0, 35.0),
    "herma-4677": _a4("Herma 4677", 7, 3, 63.5, 38.1, 15.5, 6.75, 66.5, 38.1),
}


def preset_choices() -> list[tuple[str, str]]:
    """(key, description) of every preset, for a form's choice, in the user's language."""
    return [
        (
            key,
            _("%(name)s: %(count)s labels of %(width)s × %(height)s mm")
            % {
                "name": layout.name,
                "count": layout.labels_per_sheet,
                "width": _mm(layout.label_width),
                "height": _mm(layout.label_height),
            },
        )
        for key, layout in PRESETS.items()
    ]
