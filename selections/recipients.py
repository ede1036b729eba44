"""From rows to recipients: one function that turns resolved rows, a channel
and a policy into the people (or organisations) to reach and the exact
coordinate to use, with a reason for every row left out.

For each row, the coordinate is the one *of the capacity that matched*: a
position row is reached at the position's professional e-mail, mobile or
address (the organisation's address when the position has none), a
personal row at the person's own, an organisation row at its generic one.
When that coordinate is missing, the policy either skips the row or falls
back to the person's personal coordinate or to the organisation's generic
one. People who refused the channel, or asked not to be contacted at all,
are left out whatever the capacity. Duplicates are merged per person (the
first capacity wins: primary positions first) or per coordinate (two rows
with the same e-mail address get one message), as the policy says.

Rows are read from the database in chunks, as tuples, and never all held
in memory: `resolve` is a generator, and `summarise` only counts.
"""

from collections import Counter
from dataclasses import dataclass

from django.db import connections
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from directory.models import Consent, Organisation, Person, Position
from directory.models.addresses import format_address

from .criteria import Rows

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
NO_COORDINATE, REFUSED, DO_NOT_CONTACT, DUPLICATE = (
    "no_coordinate",
    "refused",
    "do_not_contact",
    "duplicate",
)
CHUNK = 5_000


@dataclass(frozen=True)
class Policy:
    fallback: str = SKIP
    merge: str = BY_PERSON

    def __post_init__(self):
        if self.fallback not in FALLBACKS or self.merge not in MERGES:
            raise ValueError("unknown policy")


@dataclass(frozen=True)
class Recipient:
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
    }
    return labels[code]


ADDRESS = ("address_line1", "address_line2", "postcode", "city", "country")
PERSON_COLUMNS = (
    "first_name",
    "last_name",
    "email",
    "mobile",
    *ADDRESS,
    "email_consent",
    "sms_consent",
    "post_consent",
    "do_not_contact",
)
ORGANISATION_COLUMNS = ("name", "email", "phone", *ADDRESS)


def _coordinate(channel, email, mobile, address) -> str:
    if channel == EMAIL:
        return email or ""
    if channel == SMS:
        return mobile or ""
    line1, _line2, postcode, city, _country = address
    if not (line1 or postcode or city):
        return ""
    return "\n".join(format_address(*address))


def _position_rows(condition):
    columns = (
        "pk",
        "person_id",
        "organisation_id",
        "email",
        "mobile",
        *ADDRESS,
        "title",
        "function__name",
        *(f"person__{name}" for name in PERSON_COLUMNS),
        *(f"organisation__{name}" for name in ORGANISATION_COLUMNS),
    )
    queryset = (
        Position.objects.filter(condition)
        .order_by("person_id", "-is_primary", "pk")
        .values_list(*columns)
    )
    yield from _streamed(queryset)


def _streamed(queryset):
    """Rows in chunks from a server-side cursor. PostgreSQL plans a cursor for
    its first tenth of rows (`cursor_tuple_fraction`), choosing nested loops
    that take seconds over every row; all of them are wanted here."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        yield from queryset.iterator(chunk_size=CHUNK)
        return
    with connection.cursor() as cursor:
        cursor.execute("SET cursor_tuple_fraction = 1.0")
    try:
        yield from queryset.iterator(chunk_size=CHUNK)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET cursor_tuple_fraction")


DEFAULT_POLICY = Policy()


def resolve(rows: Rows, channel: str, policy: Policy = DEFAULT_POLICY):
    """Every row once, as a Recipient; `left_out` says why a row is not one."""
    if channel not in CHANNELS:
        raise ValueError("unknown channel")
    seen_people: set[int] = set()
    seen_organisations: set[int] = set()
    seen_coordinates: set[str] = set()
    consent_index = PERSON_COLUMNS.index(f"{channel}_consent")

    def merged(person_id, organisation_id, coordinate) -> bool:
        if policy.merge == BY_PERSON:
            if person_id is not None:
                if person_id in seen_people:
                    return True
                seen_people.add(person_id)
            else:
                if organisation_id in seen_organisations:
                    return True
                seen_organisations.add(organisation_id)
        elif policy.merge == BY_COORDINATE:
            key = coordinate.strip().casefold()
            if key in seen_coordinates:
                return True
            seen_coordinates.add(key)
        return False

    def person_block(person) -> str:
        if person[PERSON_COLUMNS.index("do_not_contact")]:
            return DO_NOT_CONTACT
        if person[consent_index] == Consent.REFUSED:
            return REFUSED
        return ""

    def personal_coordinate(person) -> str:
        return _coordinate(channel, person[2], person[3], person[4:9])

    if rows.positions is not None:
        size = len(PERSON_COLUMNS)
        for row in _position_rows(rows.positions):
            pk, person_id, organisation_id, email, mobile = row[:5]
            address = row[5:10]
            title, function = row[10:12]
            person = row[12 : 12 + size]
            organisation = row[12 + size :]
            name = " ".join(part for part in person[:2] if part)
            capacity = f"{title or function or _('position')} – {organisation[0]}"
            if channel == POST and not (address[0] or address[2] or address[3]):
                address = organisation[3:8]  # a position's address defaults to its organisation's
            coordinate, source = _coordinate(channel, email, mobile, address), "position"
            if not coordinate and policy.fallback == PERSONAL:
                coordinate, source = personal_coordinate(person), "personal"
            elif not coordinate and policy.fallback == ORGANISATION:
                generic = organisation[1] if channel == EMAIL else ""
                if channel == POST:
                    generic = _coordinate(POST, "", "", organisation[3:8])
                coordinate, source = generic, "organisation"
            left_out = person_block(person) or ("" if coordinate else NO_COORDINATE)
            if not left_out and merged(person_id, organisation_id, coordinate):
                left_out = DUPLICATE
            yield Recipient(
                "position",
                person_id,
                pk,
                organisation_id,
                name,
                capacity,
                coordinate,
                source,
                left_out,
            )

    if rows.people is not None:
        queryset = (
            Person.objects.filter(rows.people).order_by("pk").values_list("pk", *PERSON_COLUMNS)
        )
        for row in _streamed(queryset):
            person_id, person = row[0], row[1:]
            name = " ".join(part for part in person[:2] if part)
            coordinate = personal_coordinate(person)
            left_out = person_block(person) or ("" if coordinate else NO_COORDINATE)
            if not left_out and merged(person_id, None, coordinate):
                left_out = DUPLICATE
            yield Recipient(
                "personal",
                person_id,
                None,
                None,
                name,
                _("personal"),
                coordinate,
                "personal",
                left_out,
            )

    if rows.organisations is not None:
        queryset = (
            Organisation.objects.filter(rows.organisations)
            .order_by("pk")
            .values_list("pk", *ORGANISATION_COLUMNS)
        )
        for pk, name, email, _phone, *address in _streamed(queryset):
            coordinate = _coordinate(channel, email, "", address) if channel != SMS else ""
            left_out = "" if coordinate else NO_COORDINATE
            if not left_out and merged(None, pk, coordinate):
                left_out = DUPLICATE
            yield Recipient(
                "organisation",
                None,
                None,
                pk,
                name,
                _("organisation (generic coordinates)"),
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
        }
        for code, label in labels.items():
            if self.left_out.get(code):
                parts.append(label % {"count": self.left_out[code], "channel": CHANNELS[channel]})
        return ", ".join(parts)


def summarise(rows: Rows, channel: str, policy: Policy = DEFAULT_POLICY) -> Summary:
    recipients, left_out = 0, Counter()
    for recipient in resolve(rows, channel, policy):
        if recipient.left_out:
            left_out[recipient.left_out] += 1
        else:
            recipients += 1
    return Summary(recipients, left_out)
