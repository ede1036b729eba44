"""Text normalisation shared by uniqueness rules and search.

`fold("Théâtre de l'Œuvre")` == "theatre de l'oeuvre": case-folded, accents
removed, ligatures expanded, spaces collapsed. Used for accent- and
case-insensitive uniqueness (interest centre names) and, later, the search
column of the directory.
"""

import re
import sys
import unicodedata

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
    """`{value: fold(value)}` for distinct strings: the ASCII ones (most names)
    folded all together, in a few passes over them joined by NUL (neither a
    space nor a mark: `fold` leaves it where it is)."""
    values = values if isinstance(values, list | tuple | set) else list(values)
    plain = list(filter(str.isascii, values))
    text = "\0".join(plain)
    if not plain or text.count("\0") != len(plain) - 1:
        return {value: fold(value) for value in values}
    folded = dict(
        zip(plain, map(str.strip, _SPACES.sub(" ", text.lower()).split("\0")), strict=True)
    )
    if len(plain) < len(values):
        folded.update((value, fold(value)) for value in values if value not in folded)
    return folded


_LINE_PATTERNS: dict = {}


def fully_matching(pattern: re.Pattern, strings) -> set[str]:
    """Those of `strings` that `pattern` (without lookarounds) matches whole.

    One `findall` over the strings joined a line each, instead of a call of
    `fullmatch` per string, which costs ten times the match itself on
    100,000 phone numbers. Only what equals one of `strings` is kept, so a
    match across lines is no answer; a string that holds a line break is
    matched on its own."""
    strings = set(strings)
    lines = _LINE_PATTERNS.get(pattern)
    if lines is None:
        lines = _LINE_PATTERNS[pattern] = re.compile(
            f"^({pattern.pattern})$", pattern.flags | re.MULTILINE
        )
    single = [string for string in strings if "\n" not in string]
    found = lines.findall("\n".join(single))
    if lines.groups > 1:  # the pattern's own groups: the whole match is the first
        found = [groups[0] for groups in found]
    held = strings.intersection(found)
    if len(single) < len(strings):
        held.update(s for s in strings if "\n" in s and pattern.fullmatch(s))
    return held
