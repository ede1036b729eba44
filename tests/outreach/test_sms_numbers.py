"""The numbers an SMS can go to: mobile, in E.164; the others left out with why."""

import pytest
from django.utils import translation

from outreach.sms.numbers import INVALID, MISSING, NOT_MOBILE, sms_number, sms_numbers


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("06 12 34 56 78", "+33612345678"),
        ("0612345678", "+33612345678"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("+33612345678", "+33612345678"),
        ("0033 6 12 34 56 78", "+33612345678"),
        ("07 81 23 45 67", "+33781234567"),
        ("+32 470 12 34 56", "+32470123456"),  # Belgian mobile
        ("+44 7911 123456", "+447911123456"),  # British mobile
        ("+49 151 23456789", "+4915123456789"),  # German mobile
    ],
)
def test_mobile_numbers_are_kept_in_e164(typed, e164):
    number = sms_number(typed)
    assert number.ok
    assert number.number == e164
    assert number.reason == ""


@pytest.mark.parametrize(
    "landline",
    [
        "01 42 74 22 77",  # Paris
        "+33 1 42 74 22 77",
        "04 78 12 34 56",  # Lyon
        "09 70 12 34 56",  # VoIP box
        "0 800 12 34 56",  # toll free
        "+32 2 555 12 12",  # Brussels landline
    ],
)
def test_landlines_are_left_out_as_not_mobile(landline):
    number = sms_number(landline)
    assert not number.ok
    assert number.number == ""
    assert number.reason == NOT_MOBILE


@pytest.mark.parametrize("garbage", ["06 12", "not a number", "+33 6 12 34 56 78 90 12", "x" * 200])
def test_invalid_numbers_are_left_out_as_invalid(garbage):
    assert sms_number(garbage).reason == INVALID


@pytest.mark.parametrize("empty", ["", "   ", None])
def test_no_number_is_missing(empty):
    assert sms_number(empty).reason == MISSING


def test_the_reason_is_translated():
    with translation.override("fr"):
        assert sms_number("01 42 74 22 77").reason_label == (
            "Pas un numéro de mobile\u00a0: les SMS ne partent que vers un mobile"
        )
        assert sms_number("06 12").reason_label == "Numéro de téléphone invalide"
    assert sms_number("06 12 34 56 78").reason_label == ""


def test_a_list_keeps_its_order_and_its_originals():
    numbers = sms_numbers(["06 12 34 56 78", "01 42 74 22 77", ""])
    assert [(n.original, n.number, n.reason) for n in numbers] == [
        ("06 12 34 56 78", "+33612345678", ""),
        ("01 42 74 22 77", "", NOT_MOBILE),
        ("", "", MISSING),
    ]
