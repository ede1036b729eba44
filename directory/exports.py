"""Spreadsheet safety: a cell that starts like a formula is written as text."""

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value):
    """ "=HYPERLINK(...)" -> "'=HYPERLINK(...)"; anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
