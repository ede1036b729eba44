"""What a record id typed in a URL may be, before it reaches the database.

Every table of the product has a 64-bit integer primary key. A value from a
URL or a query string is an id only if it is written with ASCII digits
(Python's `int()` would also take "٣", "+1", " 2" or "1_0") and fits in a
signed 64-bit integer: SQLite raises OverflowError on a larger one, and an
`in` lookup does not protect against it as `exact` does. Anything else
cannot name a record, so the views that read ids refuse it plainly (a 404,
or a form error) instead of letting the database fail.
"""

MAX_RECORD_ID = 2**63 - 1


def record_id(value) -> int | None:
    """The id written in `value`, or None when it cannot be one."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit():
        if len(value) > len(str(MAX_RECORD_ID)):
            return None
        number = int(value)
    else:
        return None
    return number if 0 < number <= MAX_RECORD_ID else None


def is_record_id(value) -> bool:
    return record_id(value) is not None
