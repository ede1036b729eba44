"""From rows to recipients: one function that turns resolved rows, a channel
and a policy into the people (or organisations) to reach and the exact
coordinate to use, with a reason for every row left out.

For each row, the coordinate is the one *of the capacity that matched*: a
position row is reached at the position's professional e-mail, mobile or
address (the organisation's address when the position has none), a
personal row at the person's own, an organisation row at its generic one.
When that coordinate is missing, the policy either skips the row or falls
back to the person's personal coordinate or to the organisation's generic
one. People who may not be contacted on the channel
(`Person.may_be_contacted_by`: they refused it, or asked not to be
contacted at all) are left out whatever the capacity, and so is a number
that is not a mobile one when sending an SMS. Duplicates are merged per person (the
first capacity wins: primary positions first) or per coordinate (two rows
with the same e-mail address get one message), as the policy says.

Rows are read from the database in chunks, as tuples, and never all held
in memory: `resolve` is a generator, and `summarise` only counts.
"""

from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from django.db import connections, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from directory import phones
from directory.models import Organisation, Person, Position
from directory.models.addresses import format_address

from .capacity import POSITION, Selection, capacity_label

EMAIL, SMS, POST = "email", "sms", "post"
CHANNELS = {EMAIL: gettext_lazy("e-mail"), SMS: gettext_lazy("SMS"), POST: gettext_lazy("post")}
SKIP, PERSONAL, ORGANISATION = "skip", "personal", "organisation"
FALLBACKS = {
    SKIP: gettext_lazy("skip the row"),
    PERSONAL: gettext_lazy("use the personal coordinate"),
    ORGANISATION: gettext_lazy("use the organisation's generic coordinate"),
}
BY_PERSON, BY_COORDINATE, NO_MERGE = "person", "coordinate", "none"
MERGES = {
    BY_PERSON: gettext_lazy("one per person"),
    BY_COORDINATE: gettext_lazy("one per address"),
    NO_MERGE: gettext_lazy("every row"),
}
NO_COORDINATE, REFUSED, DO_NOT_CONTACT, DUPLICATE, NOT_MOBILE = (
    "no_coordinate",
    "refused",
    "do_not_contact",
    "duplicate",
    "not_mobile",
)
SUPPRESSED = "suppressed"  # the caller's `excluded` said so (an opt-out, a bounce)
CHUNK = 5_000


@dataclass(frozen=True)
class Policy:
    fallback: str = SKIP
    merge: str = BY_PERSON

    def __post_init__(self):
        if self.fallback not in FALLBACKS or self.merge not in MERGES:
            raise ValueError("unknown policy")


class Recipient(NamedTuple):
    """One row of a basket for one channel: built once per row (hundreds of
    thousands for a big campaign), so a plain tuple."""

    kind: str  # position, personal or organisation: the capacity that matched
    person_id: int | None
    position_id: int | None
    organisation_id: int | None
    name: str
    capacity: str
    coordinate: str  # an e-mail, a phone in E.164, or address lines joined by newlines
    source: str  # whose coordinate it is: position, personal or organisation
    left_out: str = ""  # empty for a recipient, else the reason code

    @property
    def reason(self) -> str:
        return reason_label(self.left_out) if self.left_out else ""


def reason_label(code: str) -> str:
    labels = {
        NO_COORDINATE: _("no coordinate for this channel"),
        REFUSED: _("refused this channel"),
        DO_NOT_CONTACT: _("do not contact"),
        DUPLICATE: _("already reached in another capacity or at the same address"),
        NOT_MOBILE: _("not a mobile number"),
        SUPPRESSED: _("coordinate excluded from campaigns"),
    }
    return labels[code]


# A number can receive an SMS when `directory.phones` says it is a mobile
# one; remembered, as a big campaign asks about the same numbers again.
is_mobile = lru_cache(maxsize=65_536)(phones.is_mobile)


class _Contactable(dict):
    """Whether people may be contacted on a channel, by (do not contact, consent):
    `Person.may_be_contacted_by` asked once for each pair, not once per row."""

    def __init__(self, channel):
        super().__init__()
        self.channel = channel

    def __missing__(self, key):
        do_not_contact, consent = key
        person = Person(do_not_contact=do_not_contact, **{f"{self.channel}_consent": consent})
        self[key] = allowed = person.may_be_contacted_by(self.channel)
        return allowed


def _refusal(contactable, do_not_contact, consent) -> str:
    """Why a person may not be contacted, or ""."""
    if contactable[(do_not_contact, consent)]:
        return ""
    return DO_NOT_CONTACT if do_not_contact else REFUSED


ADDRESS = ("address_line1", "address_line2", "postcode", "city", "country")
# Only the columns a channel needs are read: a big basket reads far less.
COORDINATES = {EMAIL: ("email",), SMS: ("mobile",), POST: ADDRESS}
GENERIC_COORDINATES = {EMAIL: ("email",), SMS: (), POST: ADDRESS}


def _reader(channel):
    """The coordinate, as sent, from the channel's columns."""
    if channel != POST:
        return lambda values: (values[0] or "") if values else ""

    def address(values) -> str:
        line1, _line2, postcode, city, _country = values
        if not (line1 or postcode or city):
            return ""
        return "\n".join(format_address(*values))

    return address


def _streamed(queryset):
    """Rows in chunks from a server-side cursor. PostgreSQL plans a cursor for
    its first tenth of rows (`cursor_tuple_fraction`), choosing nested loops
    that take seconds over every row; all of them are wanted here. The
    setting holds for this cursor's transaction only (`SET LOCAL`)."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        yield from queryset.iterator(chunk_size=CHUNK)
        return
    with transaction.atomic(using=queryset.db):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL cursor_tuple_fraction = 1.0")
        yield from queryset.iterator(chunk_size=CHUNK)


DEFAULT_POLICY = Policy()


def resolve(rows: Selection, channel: str, policy: Policy = DEFAULT_POLICY, excluded=None):
    """Every row once, as a Recipient; `left_out` says why a row is not one.

    `excluded(coordinate) -> bool`, when given, names coordinates that may
    not be used (a campaign's opt-outs and bounces): such a coordinate is
    passed over like a missing one, *before* duplicates merge, so that a
    person whose first capacity is excluded is reached in the next one."""
    if channel not in CHANNELS:
        raise ValueError("unknown channel")
    read = _reader(channel)
    contactable = _Contactable(channel)

    def usable(coordinate) -> bool:
        return (
            bool(coordinate)
            and (channel != SMS or is_mobile(coordinate))
            and not (excluded is not None and excluded(coordinate))
        )

    def choose(*candidates) -> tuple[str, str, str]:
        """(coordinate, source, reason) from the candidates, in order: the
        first usable one; else the first given, with why it cannot be used."""
        first = None
        for coordinate, source in candidates:
            if usable(coordinate):
                return coordinate, source, ""
            if coordinate and first is None:
                first = (coordinate, source)
        if first:
            if excluded is not None and excluded(first[0]):
                return first[0], first[1], SUPPRESSED
            return first[0], first[1], NOT_MOBILE
        return "", candidates[0][1], NO_COORDINATE

    own_columns, generic_columns = COORDINATES[channel], GENERIC_COORDINATES[channel]
    person_columns = ("first_name", "last_name", "do_not_contact", f"{channel}_consent")
    seen_people: set[int] = set()
    seen_organisations: set[int] = set()
    seen_coordinates: set[str] = set()
    by_person, by_coordinate = policy.merge == BY_PERSON, policy.merge == BY_COORDINATE

    def merged(person_id, organisation_id, coordinate) -> bool:
        if by_person:
            if person_id is not None:
                if person_id in seen_people:
                    return True
                seen_people.add(person_id)
            else:
                if organisation_id in seen_organisations:
                    return True
                seen_organisations.add(organisation_id)
        elif by_coordinate:
            key = coordinate.strip().casefold()
            if key in seen_coordinates:
                return True
            seen_coordinates.add(key)
        return False

    if rows.positions is not None:
        size = len(own_columns)
        queryset = (
            Position.objects.filter(rows.positions)
            .order_by("person_id", "-is_primary", "pk")
            .values_list(
                "pk",
                "person_id",
                "organisation_id",
                "title",
                "function__name",
                "organisation__name",
                *(f"person__{name}" for name in person_columns),
                *own_columns,
                *(f"person__{name}" for name in own_columns),
                *(f"organisation__{name}" for name in generic_columns),
            )
        )
        for row in _streamed(queryset):
            pk, person_id, organisation_id, title, function, organisation = row[:6]
            first_name, last_name, do_not_contact, consent = row[6:10]
            own, personal, generic = (
                row[10 : 10 + size],
                row[10 + size : 10 + 2 * size],
                row[10 + 2 * size :],
            )
            if channel == POST and not (own[0] or own[2] or own[3]):
                own = generic  # a position's address defaults to its organisation's
            candidates = [(read(own), "position")]
            if policy.fallback == PERSONAL:
                candidates.append((read(personal), "personal"))
            elif policy.fallback == ORGANISATION:
                candidates.append((read(generic), "organisation"))
            coordinate, source, unusable = choose(*candidates)
            left_out = _refusal(contactable, do_not_contact, consent) or unusable
            if not left_out and merged(person_id, organisation_id, coordinate):
                left_out = DUPLICATE
            yield Recipient(
                "position",
                person_id,
                pk,
                organisation_id,
                f"{first_name} {last_name}".strip(),
                capacity_label(POSITION, function or "", title, organisation),
                coordinate,
                source,
                left_out,
            )

    if rows.people is not None:
        queryset = (
            Person.objects.filter(rows.people)
            .order_by("pk")
            .values_list("pk", *person_columns, *own_columns)
        )
        personal_label = capacity_label(PERSONAL)
        for person_id, first_name, last_name, do_not_contact, consent, *own in _streamed(queryset):
            coordinate, _source, unusable = choose((read(own), "personal"))
            left_out = _refusal(contactable, do_not_contact, consent) or unusable
            if not left_out and merged(person_id, None, coordinate):
                left_out = DUPLICATE
            yield Recipient(
                "personal",
                person_id,
                None,
                None,
                f"{first_name} {last_name}".strip(),
                personal_label,
                coordinate,
                "personal",
                left_out,
            )

    if rows.organisations is not None:
        queryset = (
            Organisation.objects.filter(rows.organisations)
            .order_by("pk")
            .values_list("pk", "name", *generic_columns)
        )
        generic_label = capacity_label(ORGANISATION)
        for pk, name, *generic in _streamed(queryset):
            coordinate = read(generic)
            left_out = "" if coordinate else NO_COORDINATE
            if coordinate and excluded is not None and excluded(coordinate):
                left_out = SUPPRESSED
            if not left_out and merged(None, pk, coordinate):
                left_out = DUPLICATE
            yield Recipient(
                "organisation",
                None,
                None,
                pk,
                name,
                generic_label,
                coordinate,
                "organisation",
                left_out,
            )


@dataclass
class Summary:
    recipients: int
    left_out: Counter

    def describe(self, channel: str) -> str:
        """ "412 recipients, 37 without e-mail, 5 refused" """
        parts = [
            ngettext("%(count)s recipient", "%(count)s recipients", self.recipients)
            % {"count": self.recipients}
        ]
        labels = {
            NO_COORDINATE: _("%(count)s without %(channel)s"),
            REFUSED: _("%(count)s refused"),
            DO_NOT_CONTACT: _("%(count)s do not contact"),
            DUPLICATE: _("%(count)s merged as duplicates"),
            NOT_MOBILE: _("%(count)s not on a mobile number"),
            SUPPRESSED: _("%(count)s excluded (opt-outs, invalid addresses)"),
        }
        for code, label in labels.items():
            if self.left_out.get(code):
                parts.append(label % {"count": self.left_out[code], "channel": CHANNELS[channel]})
        return ", ".join(parts)


def summarise(rows: Selection, channel: str, policy: Policy = DEFAULT_POLICY) -> Summary:
    recipients, left_out = 0, Counter()
    for recipient in resolve(rows, channel, policy):
        if recipient.left_out:
            left_out[recipient.left_out] += 1
        else:
            recipients += 1
    return Summary(recipients, left_out)
