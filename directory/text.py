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
