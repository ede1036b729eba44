"""From recipients to labels, with a label campaign's options.

The campaign code turns each recipient it froze into a
:class:`LabelRecipient` (plain values, no database) and calls
:func:`prepare_labels`, which:

* leaves out every recipient whose address cannot make a label, with the
  reason (``address.incomplete_reason``), in the user's language: an
  incomplete address, or a text too long for a label even on more lines,
  with initials or the usual abbreviations (a label never drops a word, see
  ``address``);
* with `merge_by_address`, makes one label per address: recipients whose
  addresses read the same once in capitals without accents, punctuation or
  long forms ("12, Bd Voltaire" and "12 boulevard Voltaire") share one
  label. When they all belong to the same organisation the label is
  addressed to the organisation (its name, no person's name); otherwise it
  is the first recipient's label. Every recipient on a label is listed in
  :attr:`Label.recipients`, the first one first, so the campaign can record
  the others as merged;
* with `sort_by_postcode`, orders the labels by postcode (France and Monaco
  first, then the other countries by their French name), the order the
  post prefers for bulk mail; otherwise they keep the recipients' order.
"""

from collections.abc import Hashable, Iterable
from typing import NamedTuple

from directory.models.addresses import FRANCE
from directory.text import fold

from .address import (
    MONACO,
    abbreviated,
    capitals,
    clean_parts,
    country_line,
    incomplete_reason,
    label_lines,
)


class LabelRecipient(NamedTuple):
    """Someone (or an organisation) to put on a label, in the capacity chosen.

    `key` is whatever identifies the recipient for the caller (a delivery's
    id, a row's key). For a position: `name` is the person's name with their
    civility (``address.recipient_name``), `function` the position's label,
    `organisation` the organisation's name, and the position's address (the
    organisation's when the position has none). For an organisation alone:
    `organisation` only, and its address. For a person reached personally:
    `name` and their own address.
    """

    key: Hashable
    name: str = ""
    function: str = ""
    organisation: str = ""
    line1: str = ""
    line2: str = ""
    postcode: str = ""
    city: str = ""
    country: str = ""
    organisation_id: int | None = None

    def address(self) -> tuple[str, ...]:
        return (self.line1, self.line2, self.postcode, self.city, self.country)


class Label(NamedTuple):
    lines: list[str]
    recipients: tuple[Hashable, ...]
    """The keys of the recipients this label reaches, the first one first."""
    postcode: str
    country: str


class LeftOut(NamedTuple):
    recipient: LabelRecipient
    reason: str


class PreparedLabels(NamedTuple):
    labels: list[Label]
    left_out: list[LeftOut]


def address_key(recipient: LabelRecipient) -> tuple[str, ...]:
    """The address as it reads to the postman: capitals, no accents, no
    punctuation, the standard's abbreviations, spaces in postcodes ignored."""
    parts = clean_parts(
        line1=recipient.line1,
        line2=recipient.line2,
        postcode=recipient.postcode,
        city=recipient.city,
        country=recipient.country,
    )
    return (
        abbreviated(capitals(parts.line1)),
        abbreviated(capitals(parts.line2)),
        parts.postcode.replace(" ", ""),
        abbreviated(capitals(parts.city)),
        parts.country,
    )


def _lines(recipient: LabelRecipient, *, organisation_only: bool = False) -> list[str]:
    if organisation_only:
        return label_lines("", "", recipient.organisation, *recipient.address())
    return label_lines(
        recipient.name, recipient.function, recipient.organisation, *recipient.address()
    )


def _share_organisation(group: list[LabelRecipient]) -> bool:
    """Whether every recipient of the group belongs to one organisation."""
    if any(recipient.organisation_id is not None for recipient in group):
        first = group[0].organisation_id
        return first is not None and all(r.organisation_id == first for r in group)
    first = fold(group[0].organisation)
    return bool(first) and all(fold(r.organisation) == first for r in group)


def _label(group: list[LabelRecipient]) -> Label:
    first = group[0]
    shared = len(group) > 1 and bool(fold(first.organisation)) and _share_organisation(group)
    parts = clean_parts(postcode=first.postcode, country=first.country)
    return Label(
        _lines(first, organisation_only=shared),
        tuple(recipient.key for recipient in group),
        parts.postcode,
        parts.country,
    )


def postcode_order(label: Label) -> tuple:
    """France and Monaco first by postcode, then the other countries by name and postcode."""
    domestic = label.country in (FRANCE, MONACO)
    return (
        not domestic,
        "" if domestic else country_line(label.country),
        label.postcode,
        label.lines[-1] if label.lines else "",
    )


def prepare_labels(
    recipients: Iterable[LabelRecipient],
    *,
    merge_by_address: bool = False,
    sort_by_postcode: bool = False,
) -> PreparedLabels:
    """The labels to print and the recipients left out with their reason (see the module)."""
    left_out: list[LeftOut] = []
    groups: dict[Hashable, list[LabelRecipient]] = {}
    for index, recipient in enumerate(recipients):
        reason = incomplete_reason(
            recipient.name, recipient.function, recipient.organisation, *recipient.address()
        )
        if reason:
            left_out.append(LeftOut(recipient, reason))
            continue
        key = address_key(recipient) if merge_by_address else index
        groups.setdefault(key, []).append(recipient)
    labels = [_label(group) for group in groups.values()]
    if sort_by_postcode:
        labels.sort(key=postcode_order)
    return PreparedLabels(labels, left_out)
