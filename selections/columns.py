"""The columns a basket or a search can be exported with, in the order they
are offered. Each reads a `selections.resolution.Row`."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .resolution import ORGANISATION, POSITION


def _address_source(row):
    if row.kind == POSITION and not row.position.has_address:
        return row.organisation
    return row.coordinates_source


EXPORT_COLUMNS = {
    "name": (_("Name"), lambda row: row.name),
    "civility": (
        pgettext_lazy("form of address", "Title"),
        lambda row: row.person.get_civility_display() if row.person else "",
    ),
    "first_name": (_("First name"), lambda row: row.person.first_name if row.person else ""),
    "last_name": (_("Last name"), lambda row: row.person.last_name if row.person else ""),
    "capacity": (_("Capacity"), lambda row: row.capacity),
    "function": (_("Function"), lambda row: row.position.label if row.kind == POSITION else ""),
    "organisation": (
        _("Organisation"),
        lambda row: str(row.organisation) if row.kind in (POSITION, ORGANISATION) else "",
    ),
    "email": (_("E-mail"), lambda row: row.email),
    "phone": (_("Phone"), lambda row: row.phone),
    "mobile": (_("Mobile"), lambda row: row.mobile),
    "address": (_("Address"), lambda row: "\n".join(row.address_lines)),
    "postcode": (_("Postcode"), lambda row: _address_source(row).postcode),
    "city": (_("City"), lambda row: _address_source(row).city),
    "reasons": (_("Why it matched"), lambda row: " ; ".join(row.reasons)),
}
DEFAULT_EXPORT_COLUMNS = ["name", "capacity", "email", "phone", "address"]


def export_cells(rows, columns):
    """(headings, cells iterator) for the chosen column keys."""
    getters = [EXPORT_COLUMNS[key][1] for key in columns]
    headings = [str(EXPORT_COLUMNS[key][0]) for key in columns]
    return headings, ([getter(row) for getter in getters] for row in rows)
