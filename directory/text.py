"""Text normalisation shared by uniqueness rules and search.

`fold("Théâtre de l'Œuvre")` == "theatre de l'oeuvre": case-folded, accents
removed, ligatures expanded, spaces collapsed. Used for accent- and
case-insensitive uniqueness (interest centre names) and, later, the search
column of the directory.
"""

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})


def fold(value: str) -> str:
    value = (value or "").translate(_LIGATURES)
    decomposed = unicodedata.normalize("NFKD", value)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", stripped.casefold()).strip()
