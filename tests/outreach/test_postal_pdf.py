"""The label PDF: a real PDF, the right number of pages, labels where the sheet has them."""

import base64
import dataclasses
import io
import re
import zlib

import pytest
from django.utils import translation
from reportlab.pdfbase import pdfmetrics

from outreach.postal.bench import bench_labels
from outreach.postal.layouts import PRESETS
from outreach.postal.pdf import MIN_FONT_SIZE, MM, fit_line, render_labels, text_box

L7160 = PRESETS["avery-l7160"]
TEXT = re.compile(rb"BT 1 0 0 1 ([\d.]+) ([\d.]+) Tm (.*?) ET", re.S)


def page_count(pdf: bytes) -> int:
    return int(re.search(rb"/Count (\d+) /Kids", pdf).group(1))


def page_streams(pdf: bytes) -> list[bytes]:
    """The decoded content streams that draw labels, in page order."""
    streams = []
    for match in re.finditer(
        rb"/Filter \[ /ASCII85Decode /FlateDecode \][^>]*>>\s*stream\r?\n(.*?)endstream", pdf, re.S
    ):
        data = match.group(1).strip()
        data = data[:-2] if data.endswith(b"~>") else data
        content = zlib.decompress(base64.a85decode(data))
        if b" Tm " in content:
            streams.append(content)
    return streams


def labels_drawn(stream: bytes) -> list[tuple[float, float, list[bytes]]]:
    """(x, y of the first baseline, the ASCII text of each line) of each label."""
    return [
        (float(x), float(y), re.findall(rb"\((.*?)\) Tj", body))
        for x, y, body in TEXT.findall(stream)
    ]


def numbered(n):
    return ([f"LABEL {index}", "12 RUE HAUTE", "75001 PARIS"] for index in range(1, n + 1))


def render(labels, layout=L7160, **options) -> bytes:
    output = io.BytesIO()
    render_labels(labels, layout, output=output, **options)
    return output.getvalue()


def test_fifty_labels_on_l7160_make_three_pages():
    pdf = render(numbered(50))
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert page_count(pdf) == 3
    pages = [labels_drawn(stream) for stream in page_streams(pdf)]
    assert [len(page) for page in pages] == [21, 21, 8]
    assert pages[2][-1][2][0] == b"LABEL 50"


def test_labels_fill_rows_left_to_right_inside_their_label():
    pdf = render(numbered(4))
    first_page = labels_drawn(page_streams(pdf)[0])
    for index, (x, y, lines) in enumerate(first_page):
        row, column = divmod(index, 3)
        left, top = L7160.label_origin(row + 1, column + 1)
        assert left * MM < x < (left + L7160.label_width) * MM
        assert (297 - top - L7160.label_height) * MM < y < (297 - top) * MM
        assert lines[0] == f"LABEL {index + 1}".encode()


def test_starting_on_a_partly_used_sheet_shifts_every_label():
    pdf = render(numbered(50), start_row=7, start_column=3)
    pages = [labels_drawn(stream) for stream in page_streams(pdf)]
    assert [len(page) for page in pages] == [1, 21, 21, 7]
    x, y, lines = pages[0][0]
    left, top = L7160.label_origin(7, 3)
    assert left * MM < x < (left + L7160.label_width) * MM
    assert (297 - top - L7160.label_height) * MM < y < (297 - top) * MM
    assert lines[0] == b"LABEL 1"
    # The next sheet starts at its top left.
    x, y, lines = pages[1][0]
    left, top = L7160.label_origin(1, 1)
    assert left * MM < x < (left + L7160.label_width) * MM and lines[0] == b"LABEL 2"


def test_a_start_off_the_sheet_or_a_layout_off_the_page_is_refused():
    with pytest.raises(ValueError):
        render(numbered(1), start_row=8)
    with translation.override("fr"), pytest.raises(ValueError, match="dépassent de la page"):
        render(numbered(1), layout=dataclasses.replace(L7160, columns=4))


def test_no_label_still_makes_a_valid_pdf():
    pdf = render([])
    assert pdf.startswith(b"%PDF-") and page_count(pdf) == 1


@pytest.mark.parametrize("key", sorted(PRESETS))
def test_seven_lines_of_38_characters_fit_every_preset(key):
    box = text_box(PRESETS[key])
    assert box.max_lines >= 7
    assert 6 <= box.size <= 10
    line = "12 BD DU MARECHAL DE LATTRE DE TASSIG"  # 37 capitals and spaces
    text, size = fit_line(line + "N", box)
    assert pdfmetrics.stringWidth(text, box.font, size) <= box.width
    assert text == line + "N"  # shrunk a little if need be, never cut


def test_a_line_too_wide_shrinks_then_is_cut_never_past_the_label():
    box = text_box(L7160)
    wide = "W" * 60
    text, size = fit_line(wide, box)
    assert size == MIN_FONT_SIZE
    assert text and wide.startswith(text) and len(text) < 60
    assert pdfmetrics.stringWidth(text, box.font, size) <= box.width
    pdf = render([[wide, "75001 PARIS"]])
    ((x, _y, lines),) = labels_drawn(page_streams(pdf)[0])
    assert (
        lines[0] == text.encode() and f"/F1+0 {MIN_FONT_SIZE:g} Tf".encode() in page_streams(pdf)[0]
    )


def test_ten_thousand_labels_make_477_pages():
    pdf = render(numbered(10_000))
    assert page_count(pdf) == 477  # 476 full sheets of 21 and 4 labels


def test_bench_labels_reports_its_measures():
    measures = bench_labels(200)
    assert measures["labels"] == 200
    assert measures["seconds"] > 0 and measures["labels_per_second"] > 0
    assert measures["peak_memory_mb"] > 0
    assert measures["pdf_bytes"] > 1000
