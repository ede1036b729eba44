"""From a basket to a campaign's deliveries: who will be reached, at which
coordinate, and who is left out and why.

`recipients(campaign)` resolves the basket now (`selections.recipients`,
the one rule of capacities, fallbacks and merging), and adds the rule of
this app: a coordinate someone unsubscribed, complained of, bounced or
answered STOP from is left out (`Suppression`). The recipients page shows
it before sending; `freeze` writes it as one `Delivery` per row when
sending starts, so that the report shows who was targeted whatever
happens to the directory afterwards.

For labels, the coordinate is the label itself, its lines in the French
postal format (`outreach.postal.address`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from directory.models import Organisation, Person, Position
from selections.disclosure import Disclosure
from selections.recipients import (
    BY_COORDINATE,
    DUPLICATE,
    POST,
    Policy,
    Recipient,
    reason_label,
    resolve,
)
from selections.recipients import SUPPRESSED as SUPPRESSED_CODE
from selections.resolution import basket_rows

from .models import Campaign, Delivery, DeliveryStatus, Suppression

BATCH = 2000
SUPPRESSED = "suppressed"
INCOMPLETE = "incomplete_address"


@dataclass
class Row:
    """One row of the basket for the campaign: a Recipient, and for labels its lines."""

    recipient: Recipient
    coordinate: str
    left_out: str = ""  # a reason code
    detail: str = ""  # the reason in words, when it is this app's

    @property
    def reason(self) -> str:
        if not self.left_out:
            return ""
        if self.detail:
            return self.detail
        return reason_label(self.left_out)


@dataclass
class Summary:
    recipients: int = 0
    left_out: Counter = field(default_factory=Counter)
    examples: list = field(default_factory=list)  # the first rows left out

    @property
    def total(self) -> int:
        return self.recipients + sum(self.left_out.values())


def policy_of(campaign: Campaign) -> Policy:
    return Policy(fallback=campaign.fallback, merge=campaign.merge)


def _label_parts(recipients: list[Recipient]) -> dict[tuple, tuple]:
    """For labels: (kind, id) -> (function line, organisation name, line1,
    line2, postcode, city, country), read in one query per table."""
    parts: dict[tuple, tuple] = {}
    position_ids = [r.position_id for r in recipients if r.position_id]
    organisation_ids = [r.organisation_id for r in recipients if r.kind == "organisation"]
    address = ("address_line1", "address_line2", "postcode", "city", "country")
    for row in Position.all_objects.filter(pk__in=position_ids).values_list(
        "pk",
        "title",
        "function__name",
        "organisation__name",
        *address,
        *(f"organisation__{name}" for name in address),
        *(f"person__{name}" for name in address),
    ):
        pk, title, function, organisation = row[:4]
        own, generic, personal = row[4:9], row[9:14], row[14:19]
        parts["position", pk] = (
            title or function or "",
            organisation or "",
            own,
            generic,
            personal,
        )
    person_ids = [r.person_id for r in recipients if r.kind == "personal"]
    for pk, *personal in Person.all_objects.filter(pk__in=person_ids).values_list("pk", *address):
        parts["personal", pk] = ("", "", (), (), tuple(personal))
    for pk, name, *generic in Organisation.all_objects.filter(pk__in=organisation_ids).values_list(
        "pk", "name", *address
    ):
        parts["organisation", pk] = ("", name, (), tuple(generic), ())
    return parts


def _label(
    recipient: Recipient, parts: dict, template, organisation_only: bool = False
) -> tuple[str, str]:
    """(label text, reason it cannot be made) for a postal recipient; with
    `organisation_only` (several recipients merged at one address), the
    label names the organisation alone."""
    from .postal.address import incomplete_reason, label_lines

    if recipient.kind == "position":
        function, organisation, own, generic, personal = parts.get(
            ("position", recipient.position_id), ("", "", (), (), ())
        )
        source = {"position": own if any(own[:4]) else generic, "personal": personal}.get(
            recipient.source, generic
        )
        name = recipient.name
    elif recipient.kind == "organisation":
        function, organisation, _own, source, _personal = parts.get(
            ("organisation", recipient.organisation_id), ("", recipient.name, (), (), ())
        )
        name = ""
    else:
        function, organisation, _own, _generic, source = parts.get(
            ("personal", recipient.person_id), ("", "", (), (), ())
        )
        name = recipient.name
    if template is not None:
        if not template.show_function:
            function = ""
        if not template.show_organisation and recipient.kind != "organisation":
            organisation = ""
    if organisation_only and organisation:
        name = function = ""
    line1, line2, postcode, city, country = source if source else ("", "", "", "", "")
    reason = incomplete_reason(name, function, organisation, line1, line2, postcode, city, country)
    if reason:
        return "", reason
    lines = label_lines(name, function, organisation, line1, line2, postcode, city, country)
    return "\n".join(lines), ""


def _address_key(coordinate: str) -> str:
    return (coordinate or "").strip().casefold()  # as `selections.recipients` merges


def recipients(campaign: Campaign) -> Iterator[Row]:
    """Every row of the campaign's basket, each with its coordinate or why it is left out."""
    if campaign.basket is None:
        return
    rows = basket_rows(campaign.basket, Disclosure(None))
    channel = campaign.channel
    buffer: list[Recipient] = []

    suppressed: dict[str, str] = {}
    if channel != POST:
        suppressed = dict(
            Suppression.objects.filter(channel=channel).values_list("coordinate", "reason")
        )

    def excluded(coordinate: str) -> bool:
        return Suppression.key(channel, coordinate) in suppressed

    def suppressed_reason(coordinate: str) -> str:
        reason = suppressed.get(Suppression.key(channel, coordinate), "")
        return _("this coordinate is suppressed: %(reason)s") % {
            "reason": Suppression(reason=reason).get_reason_display()
        }

    def flush():
        chunk = list(buffer)
        buffer.clear()
        parts = {}
        if channel == POST:
            parts = _label_parts([r for r in chunk if not r.left_out])
        for recipient in chunk:
            if recipient.left_out == SUPPRESSED_CODE:
                yield Row(
                    recipient,
                    recipient.coordinate,
                    SUPPRESSED,
                    suppressed_reason(recipient.coordinate),
                )
                continue
            if recipient.left_out:
                yield Row(recipient, recipient.coordinate, recipient.left_out)
                continue
            if channel == POST:
                label, problem = _label(
                    recipient,
                    parts,
                    campaign.label_template,
                    _address_key(recipient.coordinate) in shared,
                )
                if problem:
                    yield Row(recipient, recipient.coordinate, INCOMPLETE, problem)
                else:
                    yield Row(recipient, label)
                continue
            yield Row(recipient, recipient.coordinate)

    resolved = resolve(
        rows, channel, policy_of(campaign), excluded=excluded if suppressed else None
    )
    shared: set[str] = set()
    if channel == POST and campaign.merge == BY_COORDINATE:
        # One label per address: where several rows share it, the label
        # names the organisation alone (read all rows first to know).
        resolved = list(resolved)
        at = Counter(
            _address_key(r.coordinate)
            for r in resolved
            if r.coordinate and (not r.left_out or r.left_out == DUPLICATE)
        )
        shared = {key for key, count in at.items() if count > 1}
    for recipient in resolved:
        buffer.append(recipient)
        if len(buffer) >= BATCH:
            yield from flush()
    if buffer:
        yield from flush()


def summarise(campaign: Campaign, examples: int = 200) -> Summary:
    summary = Summary()
    for row in recipients(campaign):
        if row.left_out:
            summary.left_out[row.reason] += 1
            if len(summary.examples) < examples:
                summary.examples.append(row)
        else:
            summary.recipients += 1
    return summary


def _postcode_of(row: Row) -> str:
    last = row.coordinate.splitlines()[-1:] if row.coordinate else []
    # The postcode starts the last French line; abroad, the line before the country.
    for line in reversed(row.coordinate.splitlines()):
        head = line.split(" ", 1)[0]
        if head.isdigit():
            return head
    return last[0] if last else ""


def freeze(campaign: Campaign) -> int:
    """Write one Delivery per row of the campaign's basket (in the caller's
    transaction); return how many will be sent."""
    rows = recipients(campaign)
    if campaign.channel == POST and campaign.sort_by_postcode:
        rows = iter(sorted(rows, key=lambda row: (row.left_out != "", _postcode_of(row))))
    batch: list[Delivery] = []
    count = 0
    for row in rows:
        r = row.recipient
        batch.append(
            Delivery(
                campaign=campaign,
                kind=r.kind,
                person_id=r.person_id,
                position_id=r.position_id,
                organisation_id=r.organisation_id,
                name=r.name[:250],
                capacity=r.capacity[:400],
                coordinate=row.coordinate,
                source=r.source,
                status=DeliveryStatus.LEFT_OUT if row.left_out else DeliveryStatus.PENDING,
                reason=row.reason[:500],
            )
        )
        if not row.left_out:
            count += 1
        if len(batch) >= BATCH:
            Delivery.objects.bulk_create(batch)
            batch = []
    if batch:
        Delivery.objects.bulk_create(batch)
    return count
