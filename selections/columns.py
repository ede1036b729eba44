"""The columns a basket or a search can be exported with, in the order they
are offered. Each reads a `selections.resolution.Row`.

The headings are those the spreadsheet import recognises
(`directory.imports.columns`), so that an export re-imports as is: a
person's names, the function and title of a position, its organisation,
and the coordinates of the row's capacity under the plain « E-mail »,
« Téléphone », « Adresse »... which the import gives back to the most
specific record of the row (the position, else the person, else the
organisation). The descriptive columns (full name, capacity, the full
postal address, why it matched) have headings the import ignores: « Nom »
alone would read as a last name there, hence « Nom complet ».

The keys are kept from one version to the next: exports in the audit log
and links name their columns by key."""

from django.utils.translation import gettext_lazy as _

from directory.exports import import_heading

from .resolution import ORGANISATION, POSITION


def _address_source(row):
    if row.kind == POSITION and not row.position.has_address:
        return row.organisation
    return row.coordinates_source


def _function(row) -> str:
    if row.kind != POSITION or not row.position.function_id:
        return ""
    return row.position.function.name


EXPORT_COLUMNS = {
    "name": (_("Full name"), lambda row: row.name),
    "civility": (
        import_heading("person.civility"),
        lambda row: row.person.get_civility_display() if row.person else "",
    ),
    "first_name": (
        import_heading("person.first_name"),
        lambda row: row.person.first_name if row.person else "",
    ),
    "last_name": (
        import_heading("person.last_name"),
        lambda row: row.person.last_name if row.person else "",
    ),
    "capacity": (_("Capacity"), lambda row: row.capacity),
    "function": (import_heading("position.function"), _function),
    "position_title": (
        import_heading("position.title"),
        lambda row: row.position.title if row.kind == POSITION else "",
    ),
    "organisation": (
        import_heading("organisation.name"),
        lambda row: str(row.organisation) if row.kind in (POSITION, ORGANISATION) else "",
    ),
    "email": (import_heading("contact.email"), lambda row: row.email),
    "phone": (import_heading("contact.phone"), lambda row: row.phone),
    "mobile": (import_heading("contact.mobile"), lambda row: row.mobile),
    "address": (_("Postal address (full)"), lambda row: "\n".join(row.address_lines)),
    "address_line1": (
        import_heading("contact.address_line1"),
        lambda row: _address_source(row).address_line1,
    ),
    "address_line2": (
        import_heading("contact.address_line2"),
        lambda row: _address_source(row).address_line2,
    ),
    "postcode": (import_heading("contact.postcode"), lambda row: _address_source(row).postcode),
    "city": (import_heading("contact.city"), lambda row: _address_source(row).city),
    "reasons": (_("Why it matched"), lambda row: " ; ".join(row.reasons)),
}
DEFAULT_EXPORT_COLUMNS = [
    "name",
    "civility",
    "first_name",
    "last_name",
    "capacity",
    "function",
    "position_title",
    "organisation",
    "email",
    "phone",
    "mobile",
    "address_line1",
    "address_line2",
    "postcode",
    "city",
]
"""Checked on the export form: every one re-imports, or is ignored by the import."""


def export_cells(rows, columns):
    """(headings, cells iterator) for the chosen column keys."""
    getters = [EXPORT_COLUMNS[key][1] for key in columns]
    headings = [str(EXPORT_COLUMNS[key][0]) for key in columns]
    return headings, ([getter(row) for getter in getters] for row in rows)
