"""Cell values checked and converted, one cleaner per kind of column.

A cleaner takes a cell's text and returns the value to store, or raises
`CellError` with a sentence for the user. What Excel damages is repaired
and said (`Cleaned.repair`), never silently: a postcode that lost its
leading zero ("6000" -> "06000"), a phone number that lost its own
("612345678" -> "06 12 34 56 78"), a date written as an Excel serial number
("45123" -> 16/07/2023), the apostrophe our exports put before a value a
spreadsheet would take for a formula ("'+33…", "'-" ...).

A text that would run as a formula ("=HYPERLINK(…)", "@cmd") is refused: it
is not a value anybody typed.

Cleaners are called once per cell, 100,000 rows at a time: the common cases
(French phone numbers, five-digit postcodes, dd/mm/yyyy dates) take a fast
path before the general libraries, and the lists (types, functions,
interest areas) are looked up in dictionaries loaded once (`Lookups`).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import compress
from operator import and_, itemgetter

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import translation
from django.utils.translation import gettext as _
from stdnum.fr import siret as stdnum_siret

from ..emails import _PLAIN as _PLAIN_ADDRESS
from ..emails import normalise_email
from ..geography import department_for_postcode
from ..models.addresses import COUNTRY_CHOICES, FRANCE
from ..models.people import LANGUAGE_CHOICES, Civility, Consent
from ..phones import french_patterns, is_mobile, normalise_phone
from ..text import fold, full_matches

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
EXCEL_EPOCH = datetime.date(1899, 12, 30)
SERIAL_RANGE = (1, 2958465)  # 01/01/1900 .. 31/12/9999
FRENCH_NATIONAL = re.compile(r"^0[1-9]\d{8}$")
_PHONE_NOISE = str.maketrans("", "", " .-()/\u00a0\u202f")
DATE_PATTERNS = (
    re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$"),  # dd/mm/yyyy
)
ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]\d{2}:\d{2}(?::\d{2})?)?$")
SERIAL = re.compile(r"^\d{1,7}(?:\.0+)?$")


class CellError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Cleaned:
    value: object
    repair: str = ""  # what was repaired, shown to the user


@dataclass
class Lookups:
    """The administrators' lists, by folded name."""

    kinds: dict[str, object] = field(default_factory=dict)
    functions: dict[str, object] = field(default_factory=dict)
    centres: dict[str, object] = field(default_factory=dict)

    @classmethod
    def load(cls) -> Lookups:
        from ..models import Function, InterestCentre, OrganisationKind

        return cls(
            kinds={item.name_key: item for item in OrganisationKind.objects.all()},
            functions={item.name_key: item for item in Function.objects.all()},
            centres={item.name_key: item for item in InterestCentre.objects.all()},
        )


def _quoted(value: str) -> str:
    return f"«\u00a0{value}\u00a0»"


def strip_export_apostrophe(value: str) -> tuple[str, str]:
    """ "'=A1" (as our exports write a formula-like value) -> "=A1"."""
    if len(value) > 1 and value[0] == "'" and value[1] in "=+-@\t\r":
        return value[1:], _("apostrophe added by a spreadsheet export removed")
    return value, ""


def _names(choices) -> dict[str, str]:
    """Folded label (French and English) or code -> code."""
    names = {}
    for code, label in choices:
        names[fold(code)] = code
        for language in ("fr", "en"):
            with translation.override(language):
                names[fold(str(label))] = code
    return names


@lru_cache(maxsize=1)
def _choice_names():
    civility = _names(Civility.choices)
    civility.update(
        {
            "m.": Civility.MONSIEUR,
            "mr.": Civility.MONSIEUR,
            "monsieur": Civility.MONSIEUR,
            "mister": Civility.MONSIEUR,
            "mme.": Civility.MADAME,
            "madame": Civility.MADAME,
            "mlle": Civility.MADAME,
            "mademoiselle": Civility.MADAME,
            "mrs": Civility.MADAME,
            "mrs.": Civility.MADAME,
            "miss": Civility.MADAME,
            "ms.": Civility.MADAME,
        }
    )
    consent = _names(Consent.choices)
    consent.update(
        {
            "oui": Consent.CONSENTED,
            "yes": Consent.CONSENTED,
            "non": Consent.REFUSED,
            "no": Consent.REFUSED,
            "refus": Consent.REFUSED,
            "": Consent.UNKNOWN,
        }
    )
    return {
        "civility": civility,
        "consent": consent,
        "language": _names(LANGUAGE_CHOICES),
        "country": _names(COUNTRY_CHOICES),
    }


YES = frozenset({"oui", "o", "yes", "y", "vrai", "true", "1", "x"})
NO = frozenset({"non", "n", "no", "faux", "false", "0", ""})


def clean_text(value: str, max_length: int) -> Cleaned:
    if value.startswith(("=", "@")) or (
        value.startswith(("+", "-")) and len(value) > 1 and not value[1].isspace()
    ):
        raise CellError(
            _("%(value)s looks like a spreadsheet formula, not a value.")
            % {"value": _quoted(value[:40])}
        )
    if len(value) > max_length:
        raise CellError(
            _("Too long: %(length)d characters, at most %(max)d.")
            % {"length": len(value), "max": max_length}
        )
    return Cleaned(value)


def clean_email(value: str) -> Cleaned:
    try:
        return Cleaned(normalise_email(value))
    except ValidationError as error:
        raise CellError(
            _("%(value)s is not a valid e-mail address.") % {"value": _quoted(value[:80])}
        ) from error


def _not_mobile(value: str) -> str:
    return _(
        "%(value)s is not a mobile number (in France, 06 or 07): put it in a phone column."
    ) % {"value": _quoted(value[:40])}


@lru_cache(maxsize=65536)
def _general_phone(value: str) -> str:
    return normalise_phone(value)


def clean_phone(value: str, mobile: bool = False) -> Cleaned:
    digits = value.translate(_PHONE_NOISE)
    repair = ""
    if digits.isdigit() and len(digits) == 9 and digits[0] != "0":
        # A spreadsheet read "06 12 34 56 78" as the number 612345678.
        digits = "0" + digits
        repair = _("leading 0 restored")
    elif digits.isdigit() and len(digits) == 11 and digits.startswith("33"):
        digits = "+" + digits
        repair = _("“+” restored")
    valid, mobiles = french_patterns()
    if FRENCH_NATIONAL.match(digits) and valid.fullmatch(digits[1:]):
        stored = "+33" + digits[1:]
        if mobile and not mobiles.fullmatch(digits[1:]):
            raise CellError(_not_mobile(value))
    else:
        try:
            stored = _general_phone(digits if repair else value)
        except ValidationError as error:
            raise CellError(
                _("%(value)s is not a valid phone number.") % {"value": _quoted(value[:40])}
            ) from error
        if mobile and not is_mobile(stored):
            raise CellError(_not_mobile(value))
    if repair:
        repair = f"{value} → {digits} ({repair})"
    return Cleaned(stored, repair)


def clean_postcode(value: str) -> Cleaned:
    compact = "".join(value.split()).upper()
    if compact.isdigit() and len(compact) == 4:
        return Cleaned("0" + compact, f"{value} → 0{compact} ({_('leading 0 restored')})")
    if len(compact) > 10:
        raise CellError(_("%(value)s is not a postcode.") % {"value": _quoted(value[:20])})
    return Cleaned(compact)


@lru_cache(maxsize=8192)
def is_french_postcode(postcode: str) -> bool:
    return department_for_postcode(postcode) is not None


def check_french_postcode(postcode: str) -> None:
    if postcode and not is_french_postcode(postcode):
        raise CellError(
            _("%(value)s is not a French postcode of five digits.") % {"value": _quoted(postcode)}
        )


def clean_siret(value: str) -> Cleaned:
    compact = "".join(c for c in value if not c.isspace() and c not in ".-")
    if compact.isdigit() and len(compact) == 13:
        compact = "0" + compact  # lost its leading zero as a number
    if not (compact.isdigit() and len(compact) == 14 and stdnum_siret.is_valid(compact)):
        raise CellError(
            _("%(value)s is not a valid SIRET (14 digits with a correct check digit).")
            % {"value": _quoted(value[:30])}
        )
    return Cleaned(compact)


def clean_date(value: str) -> Cleaned:
    for pattern in DATE_PATTERNS:
        match = pattern.match(value)
        if match:
            day, month, year = (int(part) for part in match.groups())
            try:
                return Cleaned(datetime.date(year, month, day))
            except ValueError:
                break
    else:
        match = ISO_DATE.match(value)
        if match:
            try:
                return Cleaned(datetime.date(*(int(part) for part in match.groups())))
            except ValueError:
                pass
        elif SERIAL.match(value):
            serial = int(float(value))
            if SERIAL_RANGE[0] <= serial <= SERIAL_RANGE[1]:
                date = EXCEL_EPOCH + datetime.timedelta(days=serial)
                return Cleaned(
                    date,
                    f"{value} → {date:%d/%m/%Y} ({_('Excel date serial number')})",
                )
    raise CellError(
        _("%(value)s is not a date: write it DD/MM/YYYY, for example 31/01/2026.")
        % {"value": _quoted(value[:30])}
    )


def clean_bool(value: str) -> Cleaned:
    folded = fold(value).rstrip(".")
    if folded in YES:
        return Cleaned(True)
    if folded in NO:
        return Cleaned(False)
    raise CellError(_("%(value)s: write “oui” or “non”.") % {"value": _quoted(value[:30])})


def clean_choice(kind: str, value: str) -> Cleaned:
    code = _choice_names()[kind].get(fold(value))
    if code is None:
        messages = {
            "civility": _("%(value)s: write “M.” or “Mme”."),
            "consent": _("%(value)s: write “oui”, “non” or leave it empty."),
            "language": _("%(value)s is not a language the directory knows."),
            "country": _("%(value)s is not a country the directory knows."),
        }
        raise CellError(messages[kind] % {"value": _quoted(value[:30])})
    return Cleaned(code)


_url_validator = URLValidator()


def clean_url(value: str) -> Cleaned:
    url, repair = value, ""
    if "://" not in url:
        url = "https://" + url
        repair = f"{value} → {url}"
    try:
        _url_validator(url)
    except ValidationError as error:
        raise CellError(
            _("%(value)s is not a web address.") % {"value": _quoted(value[:60])}
        ) from error
    if len(url) > 300:
        raise CellError(_("This web address is too long."))
    return Cleaned(url, repair)


def clean_kind(value: str, lookups: Lookups) -> Cleaned:
    kind = lookups.kinds.get(fold(value))
    if kind is None:
        raise CellError(
            _(
                "Unknown organisation type %(value)s: an administrator adds it to "
                "the types first (or correct the spelling)."
            )
            % {"value": _quoted(value[:60])}
        )
    return Cleaned(kind)


def clean_function(value: str, lookups: Lookups) -> Cleaned:
    """A known function, or None: the caller keeps the text as the position's title."""
    return Cleaned(lookups.functions.get(fold(value)))


CENTRE_SEPARATORS = re.compile(r"\s*[,;|\n]\s*")


def clean_centres(value: str, lookups: Lookups) -> Cleaned:
    centres, unknown = [], []
    for name in CENTRE_SEPARATORS.split(value):
        if not name:
            continue
        centre = lookups.centres.get(fold(name))
        if centre is None:
            unknown.append(_quoted(name[:60]))
        elif centre not in centres:
            centres.append(centre)
    if unknown:
        raise CellError(
            _(
                "Unknown interest area %(names)s: an administrator creates it first "
                "(or correct the spelling)."
            )
            % {"names": ", ".join(unknown)}
        )
    return Cleaned(centres)


# --- Many cells at once ------------------------------------------------------------

_TEXT_SUSPECT = frozenset("=@+-'")
# What `normalise_email` returns as it is: a plain address (its `_PLAIN`)
# within the lengths it checks.
_PLAIN_EMAIL = re.compile(r"(?=[^@]{1,64}@)(?=.{1,254}\Z)" + _PLAIN_ADDRESS.pattern.lstrip("^"))
# A French national number as people type it ("01 44 95 98 00", "01.44.95.98.00").
_FRENCH_TYPED = re.compile(r"0[1-9](?:[ .\-]?\d\d){4}")
_NATIONAL_ZERO = re.compile(r"^0", re.MULTILINE)


def all_plain(kind: str, values: set[str], max_length: int) -> bool:
    """Whether `plain_values` would take every one of `values` (a column's
    distinct cells) as it is, each its own value: then the column needs no
    cleaning at all. Text and e-mail columns (names, addresses, mailboxes,
    nearly all distinct), checked in a few passes of C over them all."""
    if not values or "" in values:
        return False
    if kind == "text":
        firsts = set(map(itemgetter(0), values))
        lasts = set(map(itemgetter(-1), values))
        return (
            max(map(len, values)) <= max_length
            and firsts.isdisjoint(_TEXT_SUSPECT)
            and not any(map(str.isspace, firsts))
            and not any(map(str.isspace, lasts))
        )
    if kind == "email":
        return all(map(_PLAIN_EMAIL.match, values))
    return False


def plain_values(kind: str, values, max_length: int) -> dict[str, object]:
    """Those of `values` (distinct cells of a column) that the column's
    cleaner would take without a repair, each with its value, found without a
    call per cell where the kind allows (text, e-mail, French phone numbers):
    most cells of a sheet are such. The others are the cleaner's to judge."""
    if kind == "text":
        return {
            value: value
            for value in values
            if value
            and len(value) <= max_length
            and value[0] not in _TEXT_SUSPECT
            and not value[0].isspace()
            and not value[-1].isspace()
        }
    if kind == "email":
        return {value: value for value in filter(_PLAIN_EMAIL.match, values)}
    if kind in ("phone", "mobile"):
        valid, mobiles = french_patterns()
        values = list(values)
        typed = list(compress(values, full_matches(_FRENCH_TYPED, values)))
        if not typed:
            return {}
        # The national numbers ("0" and nine digits) and their E.164 forms,
        # the separators taken out of them all at once (`_FRENCH_TYPED` allows
        # no line break).
        text = "\n".join(typed).replace(" ", "").replace(".", "").replace("-", "")
        nationals = text.split("\n")
        held = full_matches(_with_zero(valid), nationals)
        if kind == "mobile":
            held = list(map(and_, held, full_matches(_with_zero(mobiles), nationals)))
        e164 = _NATIONAL_ZERO.sub("+33", text).split("\n")
        return dict(zip(compress(typed, held), compress(e164, held), strict=True))
    return {}


@lru_cache(maxsize=4)
def _with_zero(pattern: re.Pattern) -> re.Pattern:
    """A pattern of national significant numbers as French people write them: with a 0 before."""
    return re.compile(f"0(?:{pattern.pattern})", pattern.flags)


def cleaner_for(kind: str, max_length: int, lookups: Lookups):
    """A function `text -> Cleaned` for one column."""
    if kind == "text":
        return lambda value: clean_text(value, max_length)
    if kind in ("civility", "consent", "language", "country"):
        return lambda value: clean_choice(kind, value)
    if kind == "mobile":
        return lambda value: clean_phone(value, mobile=True)
    if kind in ("kind", "function", "centres"):
        function = {"kind": clean_kind, "function": clean_function, "centres": clean_centres}[kind]
        return lambda value: function(value, lookups)
    return {
        "email": clean_email,
        "phone": clean_phone,
        "postcode": clean_postcode,
        "siret": clean_siret,
        "date": clean_date,
        "bool": clean_bool,
        "url": clean_url,
    }[kind]


__all__ = [
    "FRANCE",
    "CellError",
    "Cleaned",
    "Lookups",
    "check_french_postcode",
    "cleaner_for",
    "is_french_postcode",
    "all_plain",
    "plain_values",
    "strip_export_apostrophe",
]
