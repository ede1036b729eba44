"""Merge fields in e-mail templates: `{{ prenom }}`, checked when saved, escaped when rendered.

The syntax staff type and read is a field name between double braces:
`Bonjour {{ civilite }} {{ nom }},`. Spaces inside the braces are optional, and
the name ignores case and accents, and treats spaces and hyphens like
underscores: `{{Prénom}}`, `{{ PRENOM }}` and `{{ prenom }}` are one field, so
are `{{ code postal }}` and `{{ code_postal }}`. Every field has a French and
an English name (and a few aliases); nothing else is template code: there are
no filters, conditions or loops, and a single `{` or `}` is plain text.

`check(text)` lists the problems, translated and placed by line and column:
an unknown field (naming the known ones), a `{{` never closed, a `}}` never
opened, an empty `{{ }}`. `compile(text, html=...)` parses a template once
(it raises `MergeTemplateError` on a problem) into a `CompiledTemplate` whose
`render(values)` is what a campaign calls for each recipient. `values` maps
the fields' keys (`FIELDS[...].key`: "first_name", "organisation", ...) to
values; a missing or None value renders as "". In HTML every value is escaped
exactly as `django.utils.html.escape` does (`&`, `<`, `>`, `"`, `'`) and its
line breaks become `<br>`; in text it is
printed as is. A value is never read as template code: a name containing
`{{ nom }}` prints those characters. A value may be a list of lines (the
postal address): joined by line breaks.
"""

import functools
import html as _html
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from directory.text import fold

__all__ = [
    "FIELDS",
    "CompiledTemplate",
    "MergeField",
    "MergeTemplateError",
    "check",
    "compile",
    "field_for_name",
    "render",
    "sample_values",
]


@dataclass(frozen=True)
class MergeField:
    """One merge field: the key of its value, the names staff may type, a label for pickers."""

    key: str
    french: str
    english: str
    label: str
    aliases: tuple[str, ...] = field(default=())

    def name(self, language: str | None = None) -> str:
        """The name to show in the given (default: active) language."""
        language = language or get_language() or "fr"
        return self.french if language.startswith("fr") else self.english

    @property
    def names(self) -> tuple[str, ...]:
        return (self.french, self.english, *self.aliases)


FIELDS: tuple[MergeField, ...] = (
    MergeField("civility", "civilite", "civility", gettext_lazy("Civility")),
    MergeField("first_name", "prenom", "first_name", gettext_lazy("First name"), ("firstname",)),
    MergeField(
        "last_name",
        "nom",
        "last_name",
        gettext_lazy("Last name"),
        ("lastname", "nom_de_famille"),
    ),
    MergeField("full_name", "nom_complet", "full_name", gettext_lazy("Full name")),
    MergeField("function", "fonction", "function", gettext_lazy("Function"), ("job_title",)),
    MergeField(
        "organisation",
        "organisation",
        "organisation",
        gettext_lazy("Organisation"),
        ("organization", "structure"),
    ),
    MergeField("email", "email", "email", gettext_lazy("E-mail address"), ("courriel", "e_mail")),
    MergeField("phone", "telephone", "phone", gettext_lazy("Phone number")),
    MergeField("address", "adresse", "address", gettext_lazy("Postal address (all lines)")),
    MergeField(
        "postcode",
        "code_postal",
        "postcode",
        gettext_lazy("Postcode"),
        ("cp", "postal_code", "zip"),
    ),
    MergeField("city", "ville", "city", gettext_lazy("City"), ("commune",)),
    MergeField("country", "pays", "country", gettext_lazy("Country")),
)

_SEPARATORS = re.compile(r"[\s\-]+")


def _normalise(name: str) -> str:
    return _SEPARATORS.sub("_", fold(name)).strip("_")


_BY_NAME: dict[str, MergeField] = {
    _normalise(name): merge_field for merge_field in FIELDS for name in merge_field.names
}


def field_for_name(name: str) -> MergeField | None:
    """The field a typed name means (`"Prénom"` -> first name), or None when unknown."""
    return _BY_NAME.get(_normalise(name))


class MergeTemplateError(ValueError):
    """A template that cannot be rendered; `problems` are the translated messages of `check`."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


_BRACES = re.compile(r"\{\{|\}\}")
_SHOWN_NAME_LENGTH = 40


def _parse(text: str) -> tuple[list[tuple[str, str]], list[str]]:
    """Split `text` into (literal, key) pairs, the last key empty; and the problems found."""
    pieces: list[tuple[str, str]] = []
    problems: list[str] = []
    literal_start = 0
    search_from = 0
    while match := _BRACES.search(text, search_from):
        start, after = match.span()
        if match.group() == "}}":
            problems.append(
                _("Line %(line)s, column %(column)s: “}}” without an opening “{{”.")
                % _position(text, start)
            )
            search_from = after
            continue
        close = text.find("}}", after)
        reopen = text.find("{{", after)
        if close == -1 or -1 < reopen < close:
            problems.append(
                _("Line %(line)s, column %(column)s: “{{” is never closed by “}}”.")
                % _position(text, start)
            )
            search_from = after
            continue
        name = text[after:close].strip()
        merge_field = field_for_name(name) if name else None
        if not name:
            problems.append(
                _(
                    "Line %(line)s, column %(column)s: empty merge field “{{ }}”: "
                    "write a field name between the braces."
                )
                % _position(text, start)
            )
        elif merge_field is None:
            shown = name if len(name) <= _SHOWN_NAME_LENGTH else name[:_SHOWN_NAME_LENGTH] + "…"
            problems.append(
                _(
                    "Line %(line)s, column %(column)s: unknown merge field “%(name)s”. "
                    "Known fields: %(known)s."
                )
                % {**_position(text, start), "name": shown, "known": _known_names()}
            )
        else:
            pieces.append((text[literal_start:start], merge_field.key))
            literal_start = close + 2
        search_from = close + 2
    pieces.append((text[literal_start:], ""))
    return pieces, problems


def _position(text: str, offset: int) -> dict[str, int]:
    line_start = text.rfind("\n", 0, offset) + 1
    return {"line": text.count("\n", 0, offset) + 1, "column": offset - line_start + 1}


def _known_names() -> str:
    return ", ".join(merge_field.name() for merge_field in FIELDS)


def check(template_text: str) -> list[str]:
    """The translated problems of a template, in the order they appear; [] when it is sound."""
    return _parse(template_text or "")[1]


def _text_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple):
        return "\n".join(str(line) for line in value if line not in (None, ""))
    return str(value)


def _escape(value) -> str:
    # django.utils.html.escape is SafeString(html.escape(str(value))): the same characters,
    # without the lazy-string check and the SafeString wrapper (four times faster).
    return _html.escape(value if type(value) is str else str(value))


def _html_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "<br>".join(_escape(line) for line in value if line not in (None, ""))
    escaped = _escape(value)
    if "\n" in escaped:
        return escaped.replace("\r\n", "\n").replace("\n", "<br>\n")
    return escaped


class CompiledTemplate:
    """A template parsed once; `render(values)` only looks values up and joins strings."""

    __slots__ = ("_head", "_pairs", "_value", "html", "keys")

    def __init__(self, pieces: list[tuple[str, str]], html: bool):
        self.html = html
        self._value = _html_value if html else _text_value
        # pieces are (literal, key-after-it); the renderer wants head + (key, literal) pairs.
        self._head = pieces[0][0]
        self._pairs = tuple(
            (pieces[index][1], pieces[index + 1][0]) for index in range(len(pieces) - 1)
        )
        #: the keys of the fields the template uses, in order of first use
        self.keys = tuple(dict.fromkeys(key for key, _literal in self._pairs))

    def render(self, values: Mapping) -> str:
        get = values.get
        value = self._value
        parts = [self._head]
        for key, literal in self._pairs:
            parts.append(value(get(key)))
            parts.append(literal)
        return "".join(parts)


@functools.lru_cache(maxsize=256)
def compile(template_text: str, html: bool = False) -> CompiledTemplate:
    """Parse a template once (cached); raise MergeTemplateError when `check` finds problems."""
    pieces, problems = _parse(template_text or "")
    if problems:
        raise MergeTemplateError(problems)
    return CompiledTemplate(pieces, html)


def render(template_text: str, values: Mapping, html: bool) -> str:
    """Render a template once (a campaign should `compile` it and render the result)."""
    return compile(template_text, html).render(values)


def sample_values() -> dict[str, object]:
    """Plausible values for previews and test sends (no real person; French, as recipients are)."""
    return {
        "civility": "Mme",
        "first_name": "Camille",
        "last_name": "Martin",
        "full_name": "Camille Martin",
        "function": "Directrice",
        "organisation": "Théâtre du Moulin",
        "email": "direction@theatre-du-moulin.example",
        "phone": "+33 3 87 00 00 00",
        "address": ["Théâtre du Moulin", "12 rue des Arts", "57000 METZ"],
        "postcode": "57000",
        "city": "METZ",
        "country": "FRANCE",
    }
