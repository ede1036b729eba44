"""Text normalisation shared by uniqueness rules and search.

`fold("Théâtre de l'Œuvre")` == "theatre de l'oeuvre": case-folded, accents
removed, ligatures expanded, spaces collapsed. Used for accent- and
case-insensitive uniqueness (interest centre names) and, later, the search
column of the directory.
"""

import re
import sys
import unicodedata
from itertools import filterfalse
from operator import itemgetter

_SPACES = re.compile(r"\s+")
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})


_combining: dict | None = None


def _combining_marks() -> dict:
    """A `str.translate` table that drops every combining character (built on first use)."""
    global _combining
    if _combining is None:
        _combining = dict.fromkeys(
            code for code in range(sys.maxunicode + 1) if unicodedata.combining(chr(code))
        )
    return _combining


def fold(value: str) -> str:
    value = value or ""
    if value.isascii():  # nothing to decompose: the same result, faster
        return _SPACES.sub(" ", value.casefold()).strip()
    decomposed = unicodedata.normalize("NFKD", value.translate(_LIGATURES))
    stripped = decomposed.translate(_combining_marks())
    return _SPACES.sub(" ", stripped.casefold()).strip()


def fold_many(values) -> dict[str, str]:
    """`{value: fold(value)}` for distinct strings, in a few passes over them
    all joined by NUL (neither a space nor a mark: `fold` leaves it where it
    is, and no character decomposes or reorders across it): the ASCII ones
    (most names) together, the others together."""
    values = values if isinstance(values, list | tuple | set) else list(values)
    folded: dict[str, str] = {}
    for group, fold_text in (
        (list(filter(str.isascii, values)), lambda text: _SPACES.sub(" ", text.lower())),
        (list(filterfalse(str.isascii, values)), fold),
    ):
        text = "\0".join(group)
        if text.count("\0") != max(len(group) - 1, 0):  # a value holds a NUL itself
            folded.update((value, fold(value)) for value in group)
        elif group:
            pieces = map(str.strip, fold_text(text).split("\0"))
            folded.update(zip(group, pieces, strict=True))
    return folded


_LINE_PATTERNS: dict = {}


def full_matches(pattern: re.Pattern, strings: list[str]) -> list[bool]:
    """`[bool(pattern.fullmatch(string)) for string in strings]`, in one
    `findall` over the strings joined a line each: a call of `fullmatch` per
    string costs ten times the match itself on 100,000 phone numbers. Each
    line gives one answer, the pattern's match or nothing; where that does
    not hold (a string with a line break, a pattern that matches one),
    string by string."""
    if not strings:
        return []
    lines = _LINE_PATTERNS.get(pattern)
    if lines is None:
        lines = _LINE_PATTERNS[pattern] = re.compile(
            f"^(?:({pattern.pattern})|.*)$", pattern.flags | re.MULTILINE
        )
    text = "\n".join(strings)
    found = lines.findall(text) if text.count("\n") == len(strings) - 1 else []
    if len(found) != len(strings):
        return [bool(pattern.fullmatch(string)) for string in strings]
    if lines.groups > 1:  # the pattern's own groups: the whole match is the first
        found = map(itemgetter(0), found)
    held = list(map(bool, found))
    if "" in strings and pattern.fullmatch(""):
        held = [flag or not string for flag, string in zip(held, strings, strict=True)]
    return held
