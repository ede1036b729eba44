"""The lines of a postal label, as the French standard NF Z10-011 wants them.

The rules, in the order they are applied:

* Lines, from top to bottom: the recipient (civility and name), the
  function line, the organisation's name, the address lines, the postcode
  and city, then, abroad, the country. An empty part gives no line (never a
  blank line); a part that repeats the one above (an organisation alone
  given as name and organisation) is written once.
* At most :data:`MAX_LINES` lines in France (the postcode and city line is
  the last one), :data:`MAX_LINES_ABROAD` abroad (the country line is the
  last one), of at most :data:`MAX_CHARS` characters, spaces included.
* **No text is ever dropped silently.** What does not fit is written on
  more lines while the label has room, then shortened only in ways a postman
  and the recipient still read the same (initials, the standard's
  abbreviations); when even that is not enough, the label is not made and
  :func:`incomplete_reason` says which text to shorten.
* The recipient lines keep their case and accents.

  - The name (``"Mme Jean-Pierre Martin-Delacroix"``) longer than a line:
    the first names become initials, one at a time from the first, before
    the surname (``"Mme J.-P. Martin-Delacroix"``). The surname is the
    words from the first particle on ("de", "d'", "van"…), or the words in
    capitals at the end, else the last word. Still too long: no label.
  - The function and the organisation's name longer than a line are
    wrapped at a word onto a second line when the label has room.
    Otherwise the function line is left out first (it is optional), then
    the organisation's name is written with the usual abbreviations of
    its kind (:data:`ORGANISATION_ABBREVIATIONS`: "Établissement public de
    coopération culturelle" -> "EPCC", "Compagnie" -> "Cie"), only until it
    fits one line (or two, for a name too long for two lines as written);
    when that is not enough: no label.

* The address lines, the postcode and city line and the country line are in
  capitals without accents or punctuation ("12, rue de l'Église" -> "12 RUE
  DE L EGLISE"). Each address line as typed is read as its parts: the
  building or complement ("BAT", "RES", "ESC", "APPT", "ENTREE",
  "IMMEUBLE"…), the street, and the post box ("BP 45", "CS 70001", "TSA
  30001").

  - A post box goes on its own line under the street, just above the
    postcode line (line 5 of the standard): "BP 45 - 3 avenue Foch" ->
    "3 AVENUE FOCH" then "BP 45". A line typed with nothing but a post box
    goes there too. When the label has no room for it, the line stays as
    typed.
  - A line longer than :data:`MAX_CHARS` gets the standard's abbreviations
    one by one, only until it fits ("BOULEVARD" -> "BD", "SAINT" -> "ST").
    Still too long, it is split into two lines when the label has room: the
    building or complement on its own line above the street (lines 3 and 4
    of the standard), otherwise at a comma or a word (each half with only
    the abbreviations it needs). When two lines of 38 characters cannot
    hold it, or the label has no room: no label.
  - The two address lines otherwise keep the order they were typed in.
  - When the label has too many lines, what gives way, in order: the post
    box goes back on its street line, the function line is left out, the
    two address lines share one line (when they fit on one), the
    organisation's name is abbreviated. Nothing else ever gives way.

* The city: a "CEDEX" and its number are kept at the end of the city line.
  A city name longer than the line leaves once the postcode is written is
  the one text that is cut, after the abbreviations: the postcode routes
  the letter, and La Poste's own routing names (libellés d'acheminement)
  are cut to 32 characters the same way.
* France: a postcode of five digits before the city ("75008 PARIS CEDEX
  08"). Monaco belongs to the French postal network (980xx postcodes) and
  is written the same way, without a country line. Abroad: the country in
  French capitals ("BELGIQUE"), the postcode where that country's post
  wants it (before the city in most of Europe, after it in Canada, on its
  own line under the city in the United Kingdom).
* An address that cannot be made deliverable (nothing at all, no city, no
  postcode in France, a French postcode that is not five digits, a country
  outside the list, nobody to address it to, a text too long as said
  above) has no lines: :func:`incomplete_reason` says why, in the user's
  language, and :func:`label_lines` raises :class:`IncompleteAddress` with
  that reason.

Country codes are those of ``directory.models.addresses.COUNTRY_CHOICES``;
an empty country is France, as in the directory.
"""

import re
from functools import lru_cache
from typing import NamedTuple

from django.utils.translation import gettext as _

from directory.models.addresses import FRANCE
from directory.text import fold

MAX_LINES = 6
MAX_LINES_ABROAD = 7
MAX_CHARS = 38

MONACO = "MC"
# The country line, always in French whatever the user's language: the
# French post reads it.
COUNTRY_LINES = {
    "BE": "BELGIQUE",
    "CH": "SUISSE",
    "LU": "LUXEMBOURG",
    "DE": "ALLEMAGNE",
    "ES": "ESPAGNE",
    "IT": "ITALIE",
    "PT": "PORTUGAL",
    "NL": "PAYS BAS",
    "GB": "ROYAUME UNI",
    "CA": "CANADA",
}
POSTCODE_AFTER_CITY = {"CA"}
POSTCODE_UNDER_CITY = {"GB"}
KNOWN_COUNTRIES = set(COUNTRY_LINES) | {FRANCE, MONACO}
"""Where a label can go: every country of ``COUNTRY_CHOICES`` but "Other country"."""

CIVILITIES = {"m": "M.", "mme": "Mme"}
"""How a civility of ``directory.models.people.Civility`` is written on a label."""

# The abbreviations of La Poste's list for NF Z10-011, in the order they are
# tried: kinds of street first, then titles and saints, then the parts of a
# building. Each one replaces whole words only.
ABBREVIATIONS = [
    ("BOULEVARD", "BD"),
    ("AVENUE", "AV"),
    ("FAUBOURG", "FG"),
    ("ALLEE", "ALL"),
    ("ALLEES", "ALL"),
    ("CHEMIN", "CHE"),
    ("CHAUSSEE", "CHS"),
    ("IMPASSE", "IMP"),
    ("PLACE", "PL"),
    ("PROMENADE", "PROM"),
    ("QUARTIER", "QUA"),
    ("RESIDENCE", "RES"),
    ("ROUTE", "RTE"),
    ("ROND POINT", "RPT"),
    ("SQUARE", "SQ"),
    ("PASSAGE", "PAS"),
    ("LOTISSEMENT", "LOT"),
    ("HAMEAU", "HAM"),
    ("LIEU DIT", "LD"),
    ("ZONE INDUSTRIELLE", "ZI"),
    ("ZONE ARTISANALE", "ZA"),
    ("ZONE D ACTIVITES", "ZA"),
    ("ZONE D ACTIVITE", "ZA"),
    ("CENTRE COMMERCIAL", "CCAL"),
    ("SAINT", "ST"),
    ("SAINTE", "STE"),
    ("GENERAL", "GAL"),
    ("MARECHAL", "MAL"),
    ("PRESIDENT", "PDT"),
    ("DOCTEUR", "DR"),
    ("PROFESSEUR", "PR"),
    ("COMMANDANT", "CDT"),
    ("BATIMENT", "BAT"),
    ("IMMEUBLE", "IMM"),
    ("ESCALIER", "ESC"),
    ("APPARTEMENT", "APP"),
    ("ETAGE", "ETG"),
    ("BOITE POSTALE", "BP"),
]
_ABBREVIATIONS = [(re.compile(rf"\b{re.escape(long)}\b"), short) for long, short in ABBREVIATIONS]
_ABBREVIATIONS_BY_WORD = [
    (long, re.compile(rf"\b{re.escape(long)}\b"), short) for long, short in ABBREVIATIONS
]
_NOT_ALPHANUMERIC = re.compile(r"[^0-9A-Z]+")
_SPACES = re.compile(r"\s+")
_CEDEX = re.compile(r"\s(CEDEX(?:\s+\d{1,3})?)$")
# Letters that have no accent to drop but a plain Latin look-alike.
_PLAIN_LETTERS = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ı": "i", "ħ": "h", "þ": "th"})


class IncompleteAddress(ValueError):
    """An address that no label can carry; ``reason`` says why, translated."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class AddressParts(NamedTuple):
    """An address as the directory stores it, every part cleaned: spaces
    collapsed, the country as an upper-case code ("" read as France)."""

    name: str
    function: str
    organisation: str
    line1: str
    line2: str
    postcode: str
    city: str
    country: str


def _clean(value) -> str:
    return _SPACES.sub(" ", str(value or "")).strip()


def clean_parts(
    name="", function="", organisation="", line1="", line2="", postcode="", city="", country=""
) -> AddressParts:
    country = _clean(country).upper() or FRANCE
    postcode = _clean(postcode).upper()
    if country in (FRANCE, MONACO):
        postcode = postcode.replace(" ", "")
    return AddressParts(
        _clean(name),
        _clean(function),
        _clean(organisation),
        _clean(line1),
        _clean(line2),
        postcode,
        _clean(city),
        country,
    )


def recipient_name(civility: str = "", first_name: str = "", last_name: str = "") -> str:
    """ "mme", "Marie", "Dupont" -> "Mme Marie Dupont": the first line of a
    person's label, civility as the French post writes it."""
    parts = (CIVILITIES.get(_clean(civility).lower(), ""), _clean(first_name), _clean(last_name))
    return " ".join(part for part in parts if part)


def capitals(value: str) -> str:
    """ "12, rue de l'Église" -> "12 RUE DE L EGLISE": capitals, no accents,
    no punctuation (each run of it becomes one space)."""
    folded = fold(str(value or "").translate(_PLAIN_LETTERS)).upper()
    return _NOT_ALPHANUMERIC.sub(" ", folded).strip() if folded.isascii() else _punctless(folded)


def _punctless(value: str) -> str:
    """Like the ASCII case, for letters that stay outside ASCII (Greek, Cyrillic…)."""
    return " ".join("".join(c if c.isalnum() else " " for c in value).split())


def cut(value: str, limit: int = MAX_CHARS) -> str:
    """At most `limit` characters; at the last word boundary when one is near
    the end (a third of the line at most is lost), else in the word."""
    if len(value) <= limit:
        return value
    kept = value[:limit]
    if value[limit] != " ":
        space = kept.rfind(" ")
        if space >= limit * 2 // 3:
            kept = kept[:space]
    return kept.rstrip(" ,;:-'/.")


def shorten(line: str, limit: int = MAX_CHARS) -> str:
    """A line in capitals within `limit` characters: the standard's
    abbreviations, one at a time and only while it is too long, then cut."""
    for pattern, short in _ABBREVIATIONS:
        if len(line) <= limit:
            return line
        line = pattern.sub(short, line)
    return cut(line, limit)


def abbreviated(line: str) -> str:
    """A line in capitals with every abbreviation of the standard applied: two
    ways of writing one street ("BOULEVARD", "BD") read the same."""
    for pattern, short in _ABBREVIATIONS:
        line = pattern.sub(short, line)
    return line


def city_line(city: str, limit: int = MAX_CHARS, room: int = 0) -> str:
    """The city in capitals within `limit` characters, less `room` (kept for a
    postcode on the same line); a final CEDEX and its number survive any cut."""
    city = capitals(city)
    cedex = _CEDEX.search(city)
    suffix = f" {_SPACES.sub(' ', cedex.group(1))}" if cedex else ""
    name = city[: cedex.start()] if cedex else city
    return shorten(name, max(limit - room - len(suffix), 1)) + suffix


def country_line(country: str) -> str:
    """ "BE" -> "BELGIQUE"; "" for France and Monaco (no country line)."""
    return COUNTRY_LINES.get(_clean(country).upper(), "")


def _reason(parts: AddressParts) -> str:
    if not (parts.line1 or parts.line2 or parts.postcode or parts.city):
        return _("No postal address.")
    if parts.country not in KNOWN_COUNTRIES:
        return _("The country of the address is not known (“Other country”): a label needs it.")
    if not capitals(parts.city):
        return _("The address has no city.")
    if parts.country in (FRANCE, MONACO):
        if not parts.postcode:
            return _("The address has no postcode.")
        if not (len(parts.postcode) == 5 and parts.postcode.isascii() and parts.postcode.isdigit()):
            return _("The postcode “%(postcode)s” is not a French postcode of five digits.") % {
                "postcode": parts.postcode
            }
    elif not parts.postcode:
        return _("The address has no postcode.")
    if not (parts.name or parts.organisation):
        return _("The label has nobody to address it to (no name, no organisation).")
    return ""


def _recipient_values(parts: AddressParts) -> tuple[str, str, str]:
    """(name, function, organisation), a value that repeats its neighbour written once."""
    name, function, organisation = parts.name, parts.function, parts.organisation
    if function and fold(function) in (fold(name), fold(organisation)):
        function = ""
    if name and not function and fold(name) == fold(organisation):
        name = ""  # an organisation given as name and organisation: its own rules
    return name, function, organisation


# --- Names: initials before the surname -------------------------------------

_CIVILITY_WORDS = frozenset(
    {"M.", "Mme", "Mlle", "MM.", "Mmes", "Mr", "Mrs", "Ms", "Dr", "Me", "Pr", "Monsieur"}
    | {"Madame", "Mademoiselle", "Messieurs", "Mesdames", "Maître", "Docteur", "Professeur"}
)
"""Civilities a name may start with: never taken for a first name."""
_PARTICLES = frozenset(
    {"de", "du", "des", "d", "la", "le", "les", "van", "von", "der", "den", "di", "da", "del"}
    | {"della", "dos", "das", "ten", "ter", "zu", "y", "ben", "bin", "el", "al"}
)


def _is_particle(word: str) -> bool:
    return word.lower() in _PARTICLES or word.lower().startswith(("d'", "d’"))


def _initial(first_name: str) -> str:
    """ "Jean-Pierre" -> "J.-P.", "Éloïse" -> "É."; an initial stays as it is."""
    return "-".join(f"{part[0]}." for part in first_name.split("-") if part)


def _with_initials(name: str) -> list[str]:
    """The name with its first names made initials, one more each time, from
    the first; [] when the name does not read as first names and a surname."""
    words = name.split()
    civility = words[:1] if words and words[0] in _CIVILITY_WORDS else []
    words = words[len(civility) :]
    if len(words) < 2:
        return []
    surname = next((i for i in range(1, len(words)) if _is_particle(words[i])), None)
    if surname is None:
        capitals_from = len(words)
        while capitals_from > 1 and words[capitals_from - 1].isupper():
            capitals_from -= 1
        surname = capitals_from if capitals_from < len(words) else len(words) - 1
    first_names = words[:surname]
    if not all(word[0].isupper() for word in first_names):
        return []  # "Association régionale pour…": not a person's name
    shorter = []
    for index in range(len(first_names)):
        first_names[index] = _initial(first_names[index])
        shorter.append(" ".join([*civility, *first_names, *words[surname:]]))
    return shorter


def name_line(name: str, limit: int = MAX_CHARS) -> str:
    """The name as it is when it fits, else with initials (see the module);
    "" when even the initials leave it too long."""
    if len(name) <= limit:
        return name
    return next((short for short in _with_initials(name) if len(short) <= limit), "")


# --- Function and organisation: wrapped, or abbreviated ----------------------


def _accented(word: str) -> str:
    """A regular expression for `word` (plain letters) that also matches its
    accented forms, any apostrophe and any spaces or hyphens between words."""
    variants = {
        "a": "aàâä",
        "c": "cç",
        "e": "eéèêë",
        "i": "iîï",
        "o": "oôö",
        "u": "uùûü",
        "y": "yÿ",
    }
    pattern = []
    for char in word:
        if char == " ":
            pattern.append(r"[\s-]+")
        elif char == "'":
            pattern.append(r"['’]\s*")
        elif char.lower() in variants:
            pattern.append(f"[{variants[char.lower()]}]")
        else:
            pattern.append(re.escape(char))
    return "".join(pattern)


ORGANISATION_ABBREVIATIONS = [
    ("etablissement public de cooperation culturelle", "EPCC"),
    ("etablissement public de cooperation intercommunale", "EPCI"),
    ("etablissement public a caractere industriel et commercial", "EPIC"),
    ("etablissement public administratif", "EPA"),
    ("direction regionale des affaires culturelles", "DRAC"),
    ("fonds regional d'art contemporain", "FRAC"),
    ("centre dramatique national", "CDN"),
    ("centre choregraphique national", "CCN"),
    ("scene de musiques actuelles", "SMAC"),
    ("conservatoire a rayonnement regional", "CRR"),
    ("conservatoire a rayonnement departemental", "CRD"),
    ("conservatoire a rayonnement communal", "CRC"),
    ("maison des jeunes et de la culture", "MJC"),
    ("centre communal d'action sociale", "CCAS"),
    ("groupement d'interet public", "GIP"),
    ("societe cooperative d'interet collectif", "SCIC"),
    ("societe cooperative et participative", "SCOP"),
    ("societe par actions simplifiee", "SAS"),
    ("societe a responsabilite limitee", "SARL"),
    ("compagnie", "Cie"),
    ("association", "Assoc."),
    ("sainte", "Ste"),
    ("saint", "St"),
]
"""The abbreviations an organisation's name may take on a label, in the order
they are tried: the acronyms every reader of the cultural sector knows, then
the usual short forms. Nothing else shortens a name (see the module)."""
_ORGANISATION_ABBREVIATIONS = [
    (re.compile(rf"(?<!\w){_accented(long)}(?!\w)", re.IGNORECASE), short)
    for long, short in ORGANISATION_ABBREVIATIONS
]


def wrap(value: str, limit: int = MAX_CHARS) -> list[str]:
    """`value` on one line, or on two cut at the last space that lets both
    fit; [] when two lines cannot hold it."""
    if len(value) <= limit:
        return [value] if value else []
    words = value.split(" ")
    for index in range(len(words) - 1, 0, -1):
        first, rest = " ".join(words[:index]), " ".join(words[index:])
        if len(first) <= limit:
            return [first, rest] if len(rest) <= limit else []
    return []


def organisation_abbreviated(value: str, limit: int = MAX_CHARS) -> str:
    """The name with the abbreviations of :data:`ORGANISATION_ABBREVIATIONS`,
    one by one and only until it fits `limit` (all of them when it never does)."""
    for pattern, short in _ORGANISATION_ABBREVIATIONS:
        if len(value) <= limit:
            break
        value = pattern.sub(short, value)
    return value


# --- Address lines: building, street, post box --------------------------------

BUILDING_WORDS = frozenset(
    {"BATIMENT", "BAT", "RESIDENCE", "RES", "ESCALIER", "ESC", "APPARTEMENT", "APPT", "APP"}
    | {"ENTREE", "IMMEUBLE", "IMM", "ETAGE", "ETG"}
)
"""The words that open the building or complement part of an address line."""
BOX_WORDS = frozenset({"BP", "CS", "TSA"})
"""The words that open a post box (boîte postale, course spéciale, tri service arrivée)."""
_STREET_WORDS = frozenset(
    {"RUE", "BD", "BOULEVARD", "AV", "AVENUE", "PL", "PLACE", "QUAI", "COURS", "CHEMIN", "CHE"}
    | {"ALLEE", "ALLEES", "ALL", "IMPASSE", "IMP", "ROUTE", "RTE", "SQUARE", "SQ", "PASSAGE"}
    | {"PAS", "PROMENADE", "PROM", "FAUBOURG", "FG", "ESPLANADE", "PARVIS", "VOIE", "SENTIER"}
    | {"CHAUSSEE", "CHS", "HAMEAU", "HAM", "LIEU", "LD", "LOTISSEMENT", "LOT", "ZI", "ZA", "ZONE"}
)
_FLOOR_WORDS = frozenset({"ETAGE", "ETG"})
_SEPARATORS = re.compile(r"\s*[,;]\s*|\s+[-–—]\s+")


def _box_length(words: list[str], index: int) -> int:
    """How many words open a post box at `index` ("BP", "BOITE POSTALE"); 0 for none."""
    if words[index] in BOX_WORDS:
        return 1
    return 2 if words[index : index + 2] == ["BOITE", "POSTALE"] else 0


def _is_number(word: str) -> bool:
    return word[:1].isdigit()


def _keyword(words: list[str], index: int) -> bool:
    return words[index] in BUILDING_WORDS or bool(_box_length(words, index))


class _Parts(NamedTuple):
    """An address line as typed, in capitals, read as its parts."""

    raw: str
    words: tuple[str, ...]  # every word, in the order typed
    main: tuple[str, ...]  # the words but the post box's, in the order typed
    building: tuple[str, ...]
    street: tuple[str, ...]
    box: tuple[str, ...]
    breaks: frozenset[int]  # indexes in `main` where a comma or a dash was


def _segment(words: list[str]) -> list[tuple[str, list[str]]]:
    """A segment of a line (between commas) as (kind, words) pieces: leading
    building and post box parts, then the street, then a post box at its end."""
    pieces: list[tuple[str, list[str]]] = []
    index, count = 0, len(words)
    while index < count:
        box = _box_length(words, index)
        if box:
            end = index + box
            if end < count and _is_number(words[end]):
                end += 1
            pieces.append(("box", words[index:end]))
            index = end
            continue
        floor = _is_number(words[index]) and words[index + 1 : index + 2] == ["ETAGE"]
        floor = floor or (_is_number(words[index]) and words[index + 1 : index + 2] == ["ETG"])
        if not (words[index] in BUILDING_WORDS or floor):
            break
        end = index + (2 if floor else 1)
        if not floor and end < count and not _keyword(words, end):
            end += 1  # its number or letter: "BAT C", "ESC 3"
        while (
            end < count
            and not _is_number(words[end])
            and not _keyword(words, end)
            and words[end] not in _STREET_WORDS
        ):
            end += 1  # a name: "RES DES LILAS"
        pieces.append(("building", words[index:end]))
        index = end
    rest = words[index:]
    for position in range(1, len(rest)):
        box = _box_length(rest, position)
        if box and position + box < len(rest) and _is_number(rest[position + box]):
            pieces += [("street", rest[:position]), ("box", rest[position:])]
            break
    else:
        if rest:
            pieces.append(("street", rest))
    return pieces


def _parts(raw: str) -> _Parts:
    pieces: list[tuple[str, list[str]]] = []
    for segment in _SEPARATORS.split(raw):
        words = capitals(segment).split()
        if words:
            pieces += [(kind, piece_words) for kind, piece_words in _segment(words) if piece_words]
    main: list[str] = []
    breaks: set[int] = set()
    for kind, words in pieces:
        if kind == "box":
            continue
        if main:
            breaks.add(len(main))  # commas, and the edges of building and street
        main += words
    parts = {"building": [], "street": [], "box": []}
    for kind, words in pieces:
        parts[kind] += words
    return _Parts(
        raw,
        tuple(word for _kind, words in pieces for word in words),
        tuple(main),
        tuple(parts["building"]),
        tuple(parts["street"]),
        tuple(parts["box"]),
        frozenset(breaks),
    )


def fit(words, limit: int = MAX_CHARS) -> str:
    """The words (a line in capitals) within `limit` characters with the
    standard's abbreviations, one by one and only until it fits; "" when
    even all of them leave it too long. Never cut."""
    line = words if isinstance(words, str) else " ".join(words)
    for long, pattern, short in _ABBREVIATIONS_BY_WORD:
        if len(line) <= limit:
            return line
        if long in line:  # much faster than the expression that says it is a word
            line = pattern.sub(short, line)
    return line if len(line) <= limit else ""


def _split(words: tuple[str, ...], breaks: frozenset[int]) -> list[str]:
    """Two lines for words too long for one: at a comma or a part's edge
    first, then where neither half needs an abbreviation, the first line as
    full as can be; [] when no cut lets both halves fit."""
    best, best_key = [], None
    for index in range(1, len(words)):
        first, rest = fit(words[:index]), fit(words[index:])
        if not (first and rest):
            continue
        plain = len(" ".join(words[:index])) <= MAX_CHARS >= len(" ".join(words[index:]))
        key = (index in breaks, plain, index)
        if best_key is None or key > best_key:
            best, best_key = [first, rest], key
    return best


# A rendering of an address line: its lines, each (text, is a post box line).
_Rendering = tuple[tuple[str, bool], ...]


def _renderings(parts: _Parts) -> list[_Rendering]:
    """The ways to write one address line, the preferred first (see the module)."""
    mains: list[list[str]] = []
    if parts.main:
        one = fit(parts.main)
        if one:
            mains.append([one])
        else:
            building, street = fit(parts.building), fit(parts.street)
            if parts.building and parts.street and building and street:
                mains.append([building, street])  # better than any other cut in two
            else:
                split = _split(parts.main, parts.breaks)
                if split:
                    mains.append(split)
    if not parts.box:
        return [tuple((line, False) for line in main) for main in mains]
    box = fit(parts.box)
    separate: list[_Rendering] = []
    if box:
        separate = [(*((line, False) for line in main), (box, True)) for main in mains]
        if not parts.main:
            separate.append(((box, True),))
    together: list[_Rendering] = []
    whole = fit(parts.words)
    if whole and parts.main:
        together.append(((whole, False),))
    for main in mains:
        last = fit(f"{main[-1]} {' '.join(parts.box)}") if len(main) == 2 else ""
        if last:
            together.append(((main[0], False), (last, False)))
    return separate + together


# --- The label ----------------------------------------------------------------


class _Layout(NamedTuple):
    """A label's lines, or what is too long for any ("name", "organisation" or
    "address", with the text to shorten)."""

    lines: tuple[str, ...] = ()
    problem: tuple[str, str] | None = None


def _locality_lines(parts: AddressParts) -> list[str]:
    if parts.country in POSTCODE_UNDER_CITY:
        return [city_line(parts.city), cut(parts.postcode)]
    if parts.country in POSTCODE_AFTER_CITY:
        return [f"{city_line(parts.city, room=len(parts.postcode) + 1)} {parts.postcode}"]
    return [f"{parts.postcode} {city_line(parts.city, room=len(parts.postcode) + 1)}"]


def _address_choices(typed: list[_Parts], options: list[list[_Rendering]]):
    """Every way to write the address lines, from the typed lines and their
    renderings: (lines, joined, rank), where `joined` says the two typed lines
    share one line and `rank` sums how far each typed line is from its
    preferred writing."""
    if len(typed) == 1:
        for rank, rendering in enumerate(options[0]):
            yield rendering, False, rank
    elif len(typed) == 2:
        for rank1, first in enumerate(options[0]):
            for rank2, second in enumerate(options[1]):
                yield first + second, False, rank1 + rank2
        joined = fit(typed[0].words + typed[1].words)
        if joined:
            yield ((joined, False),), True, 0
    else:
        yield (), False, 0


def _layout(parts: AddressParts) -> _Layout:
    """The label's lines for a complete address, or the text too long for it."""
    name, function, organisation = _recipient_values(parts)
    name_lines = []
    if name:
        short = name_line(name)
        if not short:
            return _Layout(problem=("name", name))
        name_lines = [short]
    functions = [(wrap(function), False)] if wrap(function) else []
    functions.append(([], True))  # left out
    organisations = [([], False)]
    if organisation:
        wrapped = wrap(organisation)
        organisations = [(wrapped, False)] if wrapped else []
        if len(organisation) > MAX_CHARS:
            shorter = organisation_abbreviated(organisation)
            if shorter != organisation and wrap(shorter):
                organisations.append((wrap(shorter), True))
        if not organisations:
            return _Layout(problem=("organisation", organisation))
    typed = [_parts(line) for line in (parts.line1, parts.line2) if capitals(line)]
    options = [_renderings(line) for line in typed]
    for line, renderings in zip(typed, options, strict=True):
        if not renderings:
            return _Layout(problem=("address", line.raw))
    locality = _locality_lines(parts)
    country = [country_line(parts.country)] if country_line(parts.country) else []
    room = (MAX_LINES_ABROAD if country else MAX_LINES) - len(name_lines) - len(locality)
    room -= len(country)
    best, best_key = None, None
    for address, joined, rank in _address_choices(typed, options):
        for function_lines, left_out in functions:
            for organisation_lines, abbreviated_ in organisations:
                if len(function_lines) + len(organisation_lines) + len(address) > room:
                    continue
                key = (abbreviated_, joined, left_out, rank)
                if best_key is None or key < best_key:
                    best_key = key
                    street = [text for text, box in address if not box]
                    boxes = [text for text, box in address if box]
                    best = [*function_lines, *organisation_lines, *street, *boxes]
    if best is None:
        too_long = [line for line in typed if not fit(line.main or line.words)]
        if too_long:
            return _Layout(problem=("address", max(too_long, key=lambda p: len(p.raw)).raw))
        if organisation and len(organisation) > MAX_CHARS:
            return _Layout(problem=("organisation", organisation))
        longest = max(typed, key=lambda p: len(p.raw), default=None)
        return _Layout(problem=("address", longest.raw if longest else organisation or name))
    return _Layout((*name_lines, *best, *locality, *country))


@lru_cache(maxsize=4096)
def _cached_layout(parts: AddressParts) -> _Layout:
    return _layout(parts)


def _problem(layout: _Layout) -> str:
    if layout.problem is None:
        return ""
    kind, text = layout.problem
    if kind == "name":
        return _("The name “%(name)s” is too long for a label, even with initials: shorten it.") % {
            "name": text
        }
    if kind == "organisation":
        return _(
            "The organisation’s name “%(name)s” is too long for a label, even with the usual "
            "abbreviations: shorten it."
        ) % {"name": text}
    return _("The address is too long for a label: shorten the line “%(line)s”.") % {"line": text}


def incomplete_reason(
    name="", function="", organisation="", line1="", line2="", postcode="", city="", country=""
) -> str:
    """Why no label can be made for this address, translated; "" when it is complete."""
    parts = clean_parts(name, function, organisation, line1, line2, postcode, city, country)
    return _reason(parts) or _problem(_cached_layout(parts))


def label_lines(
    name="", function="", organisation="", line1="", line2="", postcode="", city="", country=""
) -> list[str]:
    """The lines of the label (see the module's rules); raises
    :class:`IncompleteAddress` when no label can be made."""
    parts = clean_parts(name, function, organisation, line1, line2, postcode, city, country)
    reason = _reason(parts)
    if reason:
        raise IncompleteAddress(reason)
    layout = _cached_layout(parts)
    if layout.problem:
        raise IncompleteAddress(_problem(layout))
    return list(layout.lines)
