"""The lines of a postal label, as the French standard NF Z10-011 wants them.

The rules, in the order they are applied:

* Lines, from top to bottom: the recipient (civility and name), the
  function line, the organisation's name, the address lines, the postcode
  and city, then, abroad, the country. An empty part gives no line (never a
  blank line); a part that repeats the line above (an organisation alone
  given as name and organisation) is written once.
* At most :data:`MAX_LINES` lines in France (the postcode and city line is
  the last one), :data:`MAX_LINES_ABROAD` abroad (the country line is the
  last one). When a British address (its postcode on a line of its own)
  would need more, the function line goes first, then the two address
  lines share one line.
* At most :data:`MAX_CHARS` characters a line, spaces included. The
  recipient lines keep their case and accents and are cut at a word when
  too long. The address lines, the postcode and city line and the country
  line are in capitals without accents or punctuation ("12, rue de
  l'Église" -> "12 RUE DE L EGLISE"); when one is too long, the standard's
  abbreviations are used one by one, only until it fits ("BOULEVARD" ->
  "BD", "SAINT" -> "ST"), then it is cut. A "CEDEX" and its number are kept
  at the end of the city line whatever is cut before them.
* France: a postcode of five digits before the city ("75008 PARIS CEDEX
  08"). Monaco belongs to the French postal network (980xx postcodes) and
  is written the same way, without a country line. Abroad: the country in
  French capitals ("BELGIQUE"), the postcode where that country's post
  wants it (before the city in most of Europe, after it in Canada, on its
  own line under the city in the United Kingdom).
* An address that cannot be made deliverable (nothing at all, no city, no
  postcode in France, a French postcode that is not five digits, a country
  outside the list, nobody to address it to) has no lines:
  :func:`incomplete_reason` says why, in the user's language, and
  :func:`label_lines` raises :class:`IncompleteAddress` with that reason.

Country codes are those of ``directory.models.addresses.COUNTRY_CHOICES``;
an empty country is France, as in the directory.
"""

import re
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


def incomplete_reason(
    name="", function="", organisation="", line1="", line2="", postcode="", city="", country=""
) -> str:
    """Why no label can be made for this address, translated; "" when it is complete."""
    return _reason(clean_parts(name, function, organisation, line1, line2, postcode, city, country))


def _recipient_lines(parts: AddressParts) -> list[str]:
    lines: list[str] = []
    for value in (parts.name, parts.function, parts.organisation):
        line = cut(value)
        if line and not (lines and fold(lines[-1]) == fold(line)):
            lines.append(line)
    return lines


def _locality_lines(parts: AddressParts) -> list[str]:
    if parts.country in POSTCODE_UNDER_CITY:
        return [city_line(parts.city), cut(parts.postcode)]
    if parts.country in POSTCODE_AFTER_CITY:
        return [f"{city_line(parts.city, room=len(parts.postcode) + 1)} {parts.postcode}"]
    return [f"{parts.postcode} {city_line(parts.city, room=len(parts.postcode) + 1)}"]


def label_lines(
    name="", function="", organisation="", line1="", line2="", postcode="", city="", country=""
) -> list[str]:
    """The lines of the label (see the module's rules); raises
    :class:`IncompleteAddress` when no label can be made."""
    parts = clean_parts(name, function, organisation, line1, line2, postcode, city, country)
    reason = _reason(parts)
    if reason:
        raise IncompleteAddress(reason)
    recipient = _recipient_lines(parts)
    street = [shorten(capitals(line)) for line in (parts.line1, parts.line2)]
    street = [line for line in street if line]
    locality = _locality_lines(parts)
    country_lines = [country_line(parts.country)] if country_line(parts.country) else []
    limit = MAX_LINES_ABROAD if country_lines else MAX_LINES

    def count():
        return len(recipient) + len(street) + len(locality) + len(country_lines)

    if count() > limit and parts.function:
        recipient = _recipient_lines(parts._replace(function=""))
    if count() > limit and len(street) > 1:
        street = [shorten(" ".join(street))]
    return recipient + street + locality + country_lines
