"""Label sheet layouts: the presets fit A4, a layout that cannot print says why."""

import dataclasses

import pytest
from django.utils import translation

from outreach.postal.layouts import PRESETS, SheetLayout, preset_choices

L7160 = PRESETS["avery-l7160"]


@pytest.mark.parametrize("key", sorted(PRESETS))
def test_every_preset_fits_its_a4_page(key):
    layout = PRESETS[key]
    assert (layout.page_width, layout.page_height) == (210, 297)
    assert layout.problems() == []
    assert layout.left_margin >= 0 and layout.right_edge <= 210
    assert layout.top_margin >= 0 and layout.bottom_edge <= 297


def test_presets_hold_the_sheets_labels():
    counts = {key: layout.labels_per_sheet for key, layout in PRESETS.items()}
    assert counts == {
        "avery-l7160": 21,
        "avery-j8160": 21,
        "avery-l7163": 14,
        "avery-l7173": 10,
        "avery-3422": 24,
        "herma-4677": 21,
    }
    assert (L7160.label_width, L7160.label_height) == (63.5, 38.1)
    assert (PRESETS["avery-3422"].label_width, PRESETS["avery-3422"].label_height) == (70, 35)
    assert PRESETS["avery-j8160"].label_origin(7, 3) == L7160.label_origin(7, 3)


def test_label_positions_follow_margins_and_pitch():
    assert L7160.label_origin(1, 1) == (7.21, 15.15)
    left, top = L7160.label_origin(2, 3)
    assert left == pytest.approx(7.21 + 2 * 66.04)
    assert top == pytest.approx(15.15 + 38.1)


def test_labels_running_off_the_right_of_the_page():
    layout = dataclasses.replace(L7160, columns=4)
    with translation.override("en"):
        (problem,) = layout.problems()
    assert "right" in problem and "268.83" in problem and "210" in problem


def test_labels_running_off_the_bottom_of_the_page():
    layout = dataclasses.replace(L7160, top_margin=40)
    with translation.override("en"):
        (problem,) = layout.problems()
    assert "bottom" in problem


def test_a_pitch_smaller_than_the_label_overlaps():
    layout = dataclasses.replace(L7160, horizontal_pitch=60, vertical_pitch=30)
    with translation.override("en"):
        problems = layout.problems()
    assert len(problems) == 2
    assert "horizontal pitch (60 mm)" in problems[0] and "overlap" in problems[0]
    assert "vertical pitch (30 mm)" in problems[1]


@pytest.mark.parametrize(
    "changes",
    [{"rows": 0}, {"columns": 0}, {"label_width": 0}, {"page_height": 0}, {"left_margin": -1}],
)
def test_a_sheet_with_nothing_to_print_on(changes):
    assert dataclasses.replace(L7160, **changes).problems()


def test_one_column_needs_no_horizontal_pitch():
    layout = SheetLayout(rows=1, columns=1, label_width=100, label_height=50)
    assert layout.problems() == []


def test_problems_speak_french():
    layout = dataclasses.replace(L7160, columns=4)
    with translation.override("fr"):
        (problem,) = layout.problems()
    assert "268,83" in problem and "dépassent" in problem


def test_start_position_must_be_on_the_sheet():
    assert L7160.start_problem(7, 3) == ""
    assert L7160.start_problem(8, 1)
    assert L7160.start_problem(1, 4)
    assert L7160.start_problem(0, 1)


def test_preset_choices_describe_each_sheet():
    with translation.override("en"):
        choices = dict(preset_choices())
    assert choices["avery-l7160"] == "Avery L7160: 21 labels of 63.5 × 38.1 mm"
    assert set(choices) == set(PRESETS)
