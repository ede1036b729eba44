"""The columns an import understands, and how a sheet's headers find them.

Each `Target` is one thing a column can fill: a person's first name, an
organisation's SIRET, a position's function... Its `label` is the heading
our exports write (so an export re-imports as is), and its `synonyms` the
other names people give that column, in French and English. Headers are
compared folded: case, accents, punctuation and spaces ignored
(`header_key`: "E-mail pro" == "email pro" == "EMAIL_PRO").

Three kinds of targets fill the records of a row:

* `person.*`, `organisation.*` and `position.*` fill that record;
* `contact.*` (a plain "E-mail", "Téléphone", "Adresse"...) fill the most
  specific record of the row, in the capacity idea of DESIGN.md: the
  position when the row names a person and an organisation, the person when
  it names only a person, the organisation when it names only an
  organisation. Except the postal address of a row with an organisation,
  which is the organisation's (a position's address defaults to it).

Some headings of our exports are derived or descriptive (department,
region, capacity, "why it matched"): they are recognised and ignored, so
that the mapping step does not ask about them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..search import without_punctuation
from ..text import fold

IGNORED = ""


@dataclass(frozen=True)
class Target:
    key: str
    label: object  # a lazy translation: the heading our exports write
    kind: str  # how its cells are cleaned (`directory.imports.cleaning`)
    synonyms: tuple[str, ...] = ()

    @property
    def entity(self) -> str:
        return self.key.split(".", 1)[0]

    @property
    def field(self) -> str:
        return self.key.split(".", 1)[1]


T = Target
TARGETS: dict[str, Target] = {
    target.key: target
    for target in (
        # The person
        T(
            "person.civility",
            pgettext_lazy("form of address", "Title"),
            "civility",
            ("civilite", "titre", "title", "salutation", "mr mrs", "m mme"),
        ),
        T(
            "person.first_name",
            _("First name"),
            "text",
            ("prenom", "prenoms", "first name", "firstname", "given name", "forename"),
        ),
        T(
            "person.last_name",
            _("Last name"),
            "text",
            (
                "nom",
                "nom de famille",
                "last name",
                "lastname",
                "surname",
                "family name",
                "nom usuel",
            ),
        ),
        T(
            "person.email",
            _("Personal e-mail"),
            "email",
            (
                "email perso",
                "mail perso",
                "courriel personnel",
                "personal email",
                "email personnel",
            ),
        ),
        T(
            "person.phone",
            _("Personal phone"),
            "phone",
            ("telephone perso", "tel perso", "personal phone", "telephone personnel"),
        ),
        T(
            "person.mobile",
            _("Personal mobile"),
            "mobile",
            ("mobile perso", "portable perso", "personal mobile", "portable personnel"),
        ),
        T(
            "person.address_line1",
            _("Personal address"),
            "text",
            ("adresse perso", "personal address", "adresse personnelle"),
        ),
        T(
            "person.address_line2",
            _("Personal address (continued)"),
            "text",
            ("complement adresse personnelle", "personal address 2", "adresse perso 2"),
        ),
        T(
            "person.postcode",
            _("Personal postcode"),
            "postcode",
            ("code postal perso", "cp perso", "personal postcode", "personal zip"),
        ),
        T(
            "person.city",
            _("Personal city"),
            "text",
            ("ville perso", "commune personnelle", "personal city", "ville personnelle"),
        ),
        T("person.country", _("Personal country"), "country", ("pays perso", "personal country")),
        T(
            "person.language",
            _("Preferred language"),
            "language",
            ("langue", "langue preferee", "language", "preferred language"),
        ),
        T("person.email_consent", _("E-mail consent"), "consent", ("consentement email",)),
        T("person.sms_consent", _("SMS consent"), "consent", ("consentement sms",)),
        T(
            "person.post_consent",
            _("Post consent"),
            "consent",
            ("consentement courrier", "consentement postal", "courrier consent"),
        ),
        T(
            "person.do_not_contact",
            _("Do not contact"),
            "bool",
            ("ne pas contacter", "ne plus contacter", "do not contact", "opt out", "desinscrit"),
        ),
        T("person.notes", _("Notes about the person"), "text", ("notes personne", "person notes")),
        # The organisation
        T(
            "organisation.name",
            _("Organisation"),
            "text",
            (
                "organisation",
                "organization",
                "structure",
                "nom de la structure",
                "nom structure",
                "raison sociale",
                "etablissement",
                "societe",
                "company",
                "organisation name",
                "organization name",
                "employeur",
                "lieu",
            ),
        ),
        T(
            "organisation.kind",
            _("Organisation type"),
            "kind",
            ("type", "type de structure", "type structure", "categorie", "organisation type"),
        ),
        T("organisation.siret", _("SIRET"), "siret", ("siret", "n siret", "numero siret")),
        T(
            "organisation.email",
            _("Organisation e-mail"),
            "email",
            ("email structure", "email generique", "mail structure", "organisation email"),
        ),
        T(
            "organisation.phone",
            _("Organisation phone"),
            "phone",
            ("telephone structure", "tel structure", "standard", "organisation phone"),
        ),
        T(
            "organisation.website",
            _("Website"),
            "url",
            ("site", "site web", "site internet", "web", "url", "website"),
        ),
        T(
            "organisation.address_line1",
            _("Organisation address"),
            "text",
            ("adresse structure", "organisation address"),
        ),
        T(
            "organisation.address_line2",
            _("Organisation address (continued)"),
            "text",
            ("complement adresse structure", "organisation address 2"),
        ),
        T(
            "organisation.postcode",
            _("Organisation postcode"),
            "postcode",
            ("code postal structure", "cp structure", "organisation postcode"),
        ),
        T(
            "organisation.city",
            _("Organisation city"),
            "text",
            ("ville structure", "commune structure", "organisation city"),
        ),
        T("organisation.country", _("Organisation country"), "country", ("pays structure",)),
        T(
            "organisation.interest_centres",
            _("Interest areas"),
            "centres",
            (
                "centres d interet",
                "centre d interet",
                "centres interet",
                "interets",
                "thematiques",
                "interest centres",
                "interest areas",
                "tags",
            ),
        ),
        T(
            "organisation.is_active",
            pgettext_lazy("organisation", "Active"),
            "bool",
            ("active", "actif", "en activite"),
        ),
        T(
            "organisation.notes",
            _("Notes about the organisation"),
            "text",
            ("notes structure", "organisation notes"),
        ),
        # The position (the person in the organisation)
        T(
            "position.function",
            _("Function"),
            "function",
            ("fonction", "poste", "role", "job", "job title", "function", "qualite"),
        ),
        T(
            "position.title",
            _("Position title"),
            "text",
            ("intitule", "intitule du poste", "libelle du poste", "position title"),
        ),
        T(
            "position.email",
            _("Professional e-mail"),
            "email",
            ("email pro", "mail pro", "courriel professionnel", "professional email", "work email"),
        ),
        T(
            "position.phone",
            _("Professional phone"),
            "phone",
            ("telephone pro", "tel pro", "ligne directe", "professional phone", "work phone"),
        ),
        T(
            "position.mobile",
            _("Professional mobile"),
            "mobile",
            ("mobile pro", "portable pro", "professional mobile", "work mobile"),
        ),
        T(
            "position.start_date",
            _("Start date"),
            "date",
            ("debut", "date de debut", "depuis", "start"),
        ),
        T("position.end_date", _("End date"), "date", ("fin", "date de fin", "jusqu au", "end")),
        # The row's capacity: its position, else its person, else its organisation
        T(
            "contact.email",
            _("E-mail"),
            "email",
            (
                "email",
                "e mail",
                "mail",
                "courriel",
                "adresse email",
                "adresse mail",
                "email address",
            ),
        ),
        T(
            "contact.phone",
            _("Phone"),
            "phone",
            ("telephone", "tel", "tel fixe", "telephone fixe", "phone", "phone number", "landline"),
        ),
        T(
            "contact.mobile",
            _("Mobile"),
            "mobile",
            (
                "mobile",
                "portable",
                "tel portable",
                "telephone portable",
                "cell",
                "cellphone",
                "gsm",
            ),
        ),
        T(
            "contact.address_line1",
            _("Address"),
            "text",
            (
                "adresse",
                "adresse 1",
                "adresse postale",
                "rue",
                "voie",
                "address",
                "address 1",
                "street",
            ),
        ),
        T(
            "contact.address_line2",
            _("Address (continued)"),
            "text",
            ("complement d adresse", "complement", "adresse 2", "address 2", "address line 2"),
        ),
        T(
            "contact.postcode",
            _("Postcode"),
            "postcode",
            ("code postal", "cp", "postcode", "postal code", "zip", "zip code"),
        ),
        T("contact.city", _("City"), "text", ("ville", "commune", "localite", "city", "town")),
        T("contact.country", _("Country"), "country", ("pays", "country")),
    )
}

# Headings of our exports that are derived or only descriptive.
IGNORED_HEADINGS = (
    _("Department"),
    _("Region"),
    _("Full name"),
    _("Capacity"),
    _("Why it matched"),
    _("Current people"),
    _("Position and organisation"),
    _("Postal address (full)"),
    # The two columns the rejected-rows report adds, so that it re-imports.
    _("Line"),
    _("Reasons"),
)
IGNORED_SYNONYMS = ("departement", "region", "nom complet", "full name", "id", "identifiant")

REQUIRED_ANY = ("person.last_name", "organisation.name")
"""A sheet must have a column for at least one of these: rows name a person
(by last name) or an organisation."""

LANGUAGES = ("fr", "en")


def header_key(text) -> str:
    """ "E-mail pro." -> "email pro"; "Centres d'intérêt" -> "centres d interet"."""
    folded = fold(str(text or ""))
    # Apostrophes and underscores separate words; other punctuation is dropped.
    for separator in ("'", "’", "_", "/", "\n"):
        folded = folded.replace(separator, " ")
    return " ".join(without_punctuation(folded).split())


def _in_each_language(label) -> list[str]:
    names = []
    for language in LANGUAGES:
        with translation.override(language):
            names.append(header_key(str(label)))
    return names


def _build_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for synonym in IGNORED_SYNONYMS:
        index[header_key(synonym)] = IGNORED
    for heading in IGNORED_HEADINGS:
        for name in _in_each_language(heading):
            index[name] = IGNORED
    # Synonyms, then the labels themselves, which win over any synonym.
    for target in TARGETS.values():
        for synonym in target.synonyms:
            index.setdefault(header_key(synonym), target.key)
    for target in TARGETS.values():
        for name in _in_each_language(target.label):
            index[name] = target.key
    return index


_INDEX: dict[str, str] | None = None


def header_index() -> dict[str, str]:
    global _INDEX
    if _INDEX is None:
        _INDEX = _build_index()
    return _INDEX


def guess_target(header) -> str | None:
    """The target a header names, `IGNORED` for a known descriptive heading,
    None when it is unknown."""
    return header_index().get(header_key(header))


def auto_mapping(headers: list[str], remembered: list[str] | None = None) -> list[str]:
    """One target key per column ("" to ignore it): a remembered mapping
    when there is one for the same headers, else a guess from each header.
    A target is used by one column at most (the first that names it)."""
    if remembered is not None and len(remembered) == len(headers):
        return [key if key in TARGETS else IGNORED for key in remembered]
    mapping, used = [], set()
    for header in headers:
        key = guess_target(header) or IGNORED
        if key in used:
            key = IGNORED
        if key:
            used.add(key)
        mapping.append(key)
    return mapping


def headers_signature(headers: list[str]) -> str:
    """Files whose headers read the same (folded) share a remembered mapping."""
    normalised = json.dumps([header_key(header) for header in headers])
    return hashlib.sha256(normalised.encode()).hexdigest()


def target_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Grouped choices for the mapping form's selects."""
    groups = [
        ("person", _("Person")),
        ("position", _("Position")),
        ("organisation", _("Organisation")),
        ("contact", _("Coordinates of the row's capacity")),
    ]
    return [
        (str(label), [(t.key, str(t.label)) for t in TARGETS.values() if t.entity == entity])
        for entity, label in groups
    ]


def mapping_errors(mapping: list[str]) -> list[str]:
    """What is wrong with a mapping, in sentences for the user."""
    errors = []
    keys = [key for key in mapping if key]
    unknown = [key for key in keys if key not in TARGETS]
    if unknown:
        errors.append(str(_("Unknown column target.")))
    seen, twice = set(), []
    for key in keys:
        if key in seen and key not in twice:
            twice.append(key)
        seen.add(key)
    for key in twice:
        if key in TARGETS:
            errors.append(
                str(
                    _("Two columns are set to “%(target)s”: keep one.")
                    % {"target": TARGETS[key].label}
                )
            )
    if not any(key in keys for key in REQUIRED_ANY):
        errors.append(
            str(
                _(
                    "No column gives a last name or an organisation: set at least one "
                    "column to “%(last_name)s” or “%(organisation)s”."
                )
                % {
                    "last_name": TARGETS["person.last_name"].label,
                    "organisation": TARGETS["organisation.name"].label,
                }
            )
        )
    return errors


def export_heading(key: str) -> str:
    """The heading an export writes for a target, in the active language."""
    return str(TARGETS[key].label)
