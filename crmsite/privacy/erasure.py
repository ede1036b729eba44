"""Erasure: a person's identifying data replaced or removed everywhere, the
statistics kept true, the refusals kept.

The record stays, named « Personne effacée », so that what counts it still
counts it (campaign totals, activity amounts, ticket counts, positions in
an organisation). From the record and its positions go every coordinate
(e-mails, phones, mobiles, addresses, free titles), the notes and the
comments about the person. Everything that froze a copy of those values is
rewritten: campaign deliveries and frozen basket rows (« Personne effacée »,
no coordinate), tickets' subjects and messages, tasks, activity details,
merges, consent history details and the audit log entries of every app
(their label and data), wherever they name the person by full name, e-mail
or phone. Their client account, if any, is deactivated and anonymised, so
that their messages read « Personne effacée ». Search texts are computed
again from what is left.

The record is marked « ne pas contacter » with every channel refused (the
objection survives the erasure), and a keyed digest of each erased e-mail
and phone is kept (`ErasedCoordinate`): a record later created or changed
with one of them is marked the same way (`crmsite.privacy.signals`). The
coordinates already in outreach's exclusion list (opt-outs, complaints,
bounces) stay there: that list exists to honour refusals.

The erasure is logged on the record as « Personne effacée », with counts of
what was removed and nothing erased.
"""

from __future__ import annotations

import hashlib
import json
import re

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext_lazy
from wagtail.log_actions import log
from wagtail.models import BaseLogEntry

from directory.models import Activity, Comment, Consent, Person, Position
from directory.models.people import CHANNELS
from directory.search import refresh_people
from directory.text import fold

from . import ERASED_FIRST_NAME, ERASED_LAST_NAME, ERASED_NAME, ERASED_SOURCE
from .export import log_entries_of

ERASE_ACTION = "crmsite.privacy.erase"
ERASED_VALUE = "[effacé]"
MIN_SCRUBBED = 3  # shorter values are not searched for in free text

ADDRESS_FIELDS = ("address_line1", "address_line2", "postcode", "city")
PERSON_CLEARED = {
    "civility": "",
    "email": "",
    "phone": "",
    "mobile": "",
    "address_line1": "",
    "address_line2": "",
    "postcode": "",
    "city": "",
    "country": "",
    "notes": "",
    "language": "fr",
}
POSITION_CLEARED = {
    "title": "",
    "email": "",
    "phone": "",
    "mobile": "",
    "address_line1": "",
    "address_line2": "",
    "postcode": "",
    "city": "",
    "country": "",
}


# --- Confirmation --------------------------------------------------------------------


# Apostrophes and hyphens as a keyboard or a word processor may type them.
SAME_SIGNS = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'", "‐": "-", "‑": "-"})


def _compare(text: str) -> str:
    return fold(" ".join((text or "").translate(SAME_SIGNS).split()))


def check_confirmation(person: Person, confirmation: str) -> None:
    """The administrator typed the person's name (case, accents and spaces aside)."""
    if not (confirmation or "").strip():
        raise ValidationError(
            {"confirmation": _("Type the person's name to confirm the erasure.")},
            code="confirmation_missing",
        )
    if _compare(confirmation) != _compare(person.full_name):
        raise ValidationError(
            {
                "confirmation": _(
                    "The name typed is not “%(name)s”: nothing was erased. "
                    "Type the name exactly as shown."
                )
                % {"name": person.full_name}
            },
            code="confirmation_mismatch",
        )


def check_account(account) -> None:
    """A person behind a member of the team's account (staff, administrator) is
    not erased: it would close a colleague's account and rewrite every ticket
    they answered. The link is removed first, from the user's form."""
    from crmsite.roles import ROLE_ADMINISTRATOR, ROLE_STAFF, role_of

    if account is None:
        return
    if account.is_superuser or role_of(account) in (
        ROLE_ADMINISTRATOR,
        ROLE_STAFF,
    ):
        raise ValidationError(
            _(
                "This person is linked to the user account “%(user)s” of a member of "
                "the team: nothing was erased. Remove that link from the user’s form "
                "first; only a client account is closed by an erasure."
            )
            % {"user": account.get_username()},
            code="team_account",
        )


def is_erased(person: Person) -> bool:
    from crmsite.models import Erasure

    return Erasure.objects.filter(person_id=person.pk).exists()


# --- Digests of erased coordinates ---------------------------------------------------


def coordinate_digest(kind: str, value: str) -> str:
    """SHA-256 of a normalised coordinate: an e-mail in lower case, a phone's digits."""
    value = (value or "").strip()
    if kind == "email":
        value = value.lower()
    else:
        value = "".join(c for c in value if c.isdigit())
        if value.startswith("33") and len(value) == 11:  # +33 6… and 06… alike
            value = "0" + value[2:]
    return hashlib.sha256(f"crm-erased:{kind}:{value}".encode()).hexdigest()


def erased_coordinate(kind: str, value: str) -> bool:
    from crmsite.models import ErasedCoordinate

    if not (value or "").strip():
        return False
    return ErasedCoordinate.objects.filter(
        kind=kind, digest=coordinate_digest(kind, value)
    ).exists()


# --- Scrubbing free text ---------------------------------------------------------------


class Scrubber:
    """Replaces the person's values in free text and in JSON data."""

    def __init__(self, names, coordinates):
        self.replacements = []
        for values, token in ((names, ERASED_NAME), (coordinates, ERASED_VALUE)):
            for value in sorted(
                {v.strip() for v in values if v and len(v.strip()) >= MIN_SCRUBBED},
                key=len,
                reverse=True,
            ):
                self.replacements.append((value, token))
        # Whole words only: erasing « Anne Roy » leaves « Annecy » and « Royaume » alone.
        self.pattern = (
            re.compile(
                r"(?<!\w)(?:"
                + "|".join(re.escape(value) for value, _token in self.replacements)
                + r")(?!\w)",
                re.IGNORECASE,
            )
            if self.replacements
            else None
        )
        self.tokens = {value.lower(): token for value, token in self.replacements}

    @property
    def values(self) -> list[str]:
        return [value for value, _token in self.replacements]

    def text(self, value):
        if not isinstance(value, str) or self.pattern is None:
            return value
        return self.pattern.sub(lambda m: self.tokens.get(m.group(0).lower(), ERASED_VALUE), value)

    def data(self, value):
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.data(item) for item in value]
        if isinstance(value, dict):
            return {self.text(key): self.data(item) for key, item in value.items()}
        return value

    def found_in(self, *fields) -> Q:
        """A Q on text annotations `fields` matching any value (as stored in
        JSON too: SQLite keeps non-ASCII characters escaped)."""
        query = Q(pk__in=[])
        for value in self.values:
            forms = {value, json.dumps(value)[1:-1]}
            for form in forms:
                for field in fields:
                    query |= Q(**{f"{field}__icontains": form})
        return query


def _phone_forms(number: str) -> list[str]:
    from directory.phones import format_phone

    forms = [number, format_phone(number)]
    digits = "".join(c for c in number or "" if c.isdigit())
    if number.startswith("+33") and len(digits) == 11:
        national = "0" + digits[2:]
        forms += [national, " ".join(national[i : i + 2] for i in range(0, 10, 2))]
        forms += [".".join(national[i : i + 2] for i in range(0, 10, 2))]
    return [form for form in forms if form]


# --- Everywhere else ------------------------------------------------------------------

# Columns never rewritten by the sweep: derived (computed again), secrets and
# digests, and outreach's exclusion list (it keeps refused coordinates on purpose).
SWEEP_SKIPPED_FIELDS = frozenset(
    {
        "search_text",
        "name_key",
        "password",
        "digest",
        "key_hash",
        "token_hash",
        "session_key",
        "session_data",
    }
)
SWEEP_SKIPPED_MODELS = frozenset(
    {"outreach.suppression", "crmsite.erasedcoordinate", "sessions.session"}
)
# A record's own name and coordinates (another record's e-mail or address equal
# to theirs is a duplicate to merge or a shared one, not free text about them).
RECORD_FIELDS = frozenset(
    {
        "first_name",
        "last_name",
        "username",
        "email",
        "phone",
        "mobile",
        "address_line1",
        "address_line2",
        "postcode",
        "city",
        "country",
        "department",
        "region",
        "siret",
        "website",
    }
)


def _swept_fields(model):
    from django.db.models import CharField, EmailField, JSONField, URLField

    fields = []
    for field in model._meta.concrete_fields:
        if field.name in SWEEP_SKIPPED_FIELDS or field.primary_key or field.choices:
            continue
        if isinstance(field, EmailField | URLField) or field.name in RECORD_FIELDS:
            continue
        if isinstance(field, CharField | TextField | JSONField):
            fields.append(field)
    return fields


def _sweep(strong: Scrubber, skip: set) -> dict[str, set]:
    """Every other free text of every model (comments and notes about others,
    tasks, saved searches, baskets, imports' rejected rows…) that names the
    person by full name, e-mail or phone: those values replaced. Returns the
    ids touched per model label, for the derived columns to be computed again."""
    from django.db.models import JSONField

    touched: dict[str, set] = {}
    if not strong.values:
        return touched
    for model in apps.get_models():
        if model._meta.label_lower in SWEEP_SKIPPED_MODELS or model._meta.proxy:
            continue
        fields = _swept_fields(model)
        if not fields:
            continue
        annotations, names = {}, []
        for field in fields:
            if isinstance(field, JSONField):
                annotations[f"{field.name}__swept"] = Cast(field.name, TextField())
                names.append(f"{field.name}__swept")
            else:
                names.append(field.name)
        manager = model._base_manager
        rows = manager.annotate(**annotations).filter(strong.found_in(*names))
        for row in rows.only("pk", *(f.name for f in fields)):
            if (model._meta.label_lower, row.pk) in skip:
                continue
            values = {}
            for field in fields:
                old = getattr(row, field.attname)
                new = strong.data(old) if isinstance(field, JSONField) else strong.text(old)
                if isinstance(new, str) and field.max_length:
                    new = new[: field.max_length]
                if new != old:
                    values[field.attname] = new
            if values:
                manager.filter(pk=row.pk).update(**values)
                touched.setdefault(model._meta.label_lower, set()).add(row.pk)
    return touched


def _derive_again(touched: dict[str, set]) -> None:
    """The search texts of the rows the sweep rewrote, computed again."""
    from directory.search import refresh_organisations

    for label, ids in touched.items():
        model = apps.get_model(label)
        if label == "directory.person":
            refresh_people(ids)
        elif label == "directory.organisation":
            refresh_organisations(ids, people_too=False)
        elif any(f.name == "search_text" for f in model._meta.concrete_fields):
            for row in model._base_manager.filter(pk__in=ids):
                row.save(update_fields=["search_text"])


def _row_names_them(cells, emails, phones, first, last, strong) -> bool:
    folded = {fold(" ".join(cell.split())) for cell in cells if cell}
    if {e.lower() for e in emails} & {cell.strip().lower() for cell in cells}:
        return True
    digits = {coordinate_digest("phone", p) for p in phones}
    if any(
        coordinate_digest("phone", cell) in digits
        for cell in cells
        if sum(c.isdigit() for c in cell) >= 6
    ):
        return True
    if first and last and {fold(first), fold(last)} <= folded:
        return True
    return bool(strong.pattern and strong.pattern.search(" ".join(cells)))


def _scrub_imports(emails, phones, first, last, strong) -> int:
    """A finished import whose file has a row about the person: the file is no
    longer needed, it goes; its rejected rows about them go too. (An import not
    run yet keeps its file: if it writes them again, the new record is marked
    « ne pas contacter » by `crmsite.privacy.signals`.)"""
    import csv
    import io

    from directory.imports.jobs import sheet_of
    from directory.imports.reading import ImportFileError
    from directory.models import ImportJob, ImportStatus

    count = 0
    finished = ImportJob.objects.filter(status__in=(ImportStatus.DONE, ImportStatus.FAILED))
    for job in finished.exclude(file_data=b"").iterator(chunk_size=20):
        try:
            rows = sheet_of(job).rows
        except (ImportFileError, ValueError):
            rows = []
        if any(_row_names_them(cells, emails, phones, first, last, strong) for _l, cells in rows):
            ImportJob.objects.filter(pk=job.pk).update(file_data=b"")
            count += 1
    for job in ImportJob.objects.exclude(rejected_csv="").only("pk", "rejected_csv"):
        lines = list(csv.reader(io.StringIO(job.rejected_csv), delimiter=";"))
        kept = [
            cells
            for index, cells in enumerate(lines)
            if index == 0 or not _row_names_them(cells, emails, phones, first, last, strong)
        ]
        if len(kept) != len(lines):
            buffer = io.StringIO()
            csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(kept)
            ImportJob.objects.filter(pk=job.pk).update(rejected_csv=buffer.getvalue())
    return count


# --- Erasure ---------------------------------------------------------------------------


def _log_entry_models():
    return [
        model
        for model in apps.get_models()
        if issubclass(model, BaseLogEntry) and not model._meta.abstract
    ]


def _scrub_logs(person, position_ids, own: Scrubber, strong: Scrubber) -> int:
    """Entries about the person or their positions: label and data rewritten
    with every value (names too). Any other entry of any app's log that names
    them by full name, e-mail or phone: those values replaced."""
    from wagtail.models import ModelLogEntry

    count = 0
    own_ids = set()
    # A position's changes are logged on its organisation too, naming the position.
    about_positions = (
        ModelLogEntry.objects.filter(data__position__id__in=position_ids)
        if position_ids
        else ModelLogEntry.objects.none()
    )
    for entry in [*log_entries_of(person, position_ids), *about_positions]:
        if (type(entry), entry.pk) in own_ids:
            continue
        own_ids.add((type(entry), entry.pk))
        entry.label = ERASED_NAME if entry.object_id == str(person.pk) else own.text(entry.label)
        entry.data = own.data(entry.data)
        type(entry).objects.filter(pk=entry.pk).update(label=entry.label, data=entry.data)
        count += 1
    if not strong.values:
        return count
    for model in _log_entry_models():
        entries = (
            model.objects.annotate(data_text=Cast("data", TextField()))
            .filter(strong.found_in("label", "data_text"))
            .only("pk", "label", "data")
        )
        for entry in entries:
            if (model, entry.pk) in own_ids:
                continue
            model.objects.filter(pk=entry.pk).update(
                label=strong.text(entry.label), data=strong.data(entry.data)
            )
            count += 1
    return count


def _model(label):
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def erase(user, person: Person, confirmation: str) -> dict[str, int]:
    """Erase `person` (see the module's docstring); return counts of what was
    rewritten or removed. The caller (`crmsite.actions.erase_person`) checked
    access; `confirmation` is the name the administrator typed."""
    from crmsite.models import DormantReview, ErasedCoordinate, Erasure, User
    from helpdesk.models import Message, Ticket
    from outreach.models import Delivery, TrackingEvent
    from planner.models import Task
    from selections.models import BasketEntry, SnapshotRow

    check_confirmation(person, confirmation)
    with transaction.atomic():
        person = Person.all_objects.select_for_update().get(pk=person.pk)
        if Erasure.objects.filter(person=person).exists():
            raise ValidationError(_("This person has already been erased."), code="erased")
        check_confirmation(person, confirmation)  # as stored, under the lock
        positions = list(Position.all_objects.filter(person=person).order_by("pk"))
        position_ids = [position.pk for position in positions]
        account = User._base_manager.filter(person=person).first()
        check_account(account)

        emails = {person.email, *(p.email for p in positions)}
        phones = {person.phone, person.mobile}
        for position in positions:
            phones |= {position.phone, position.mobile}
        if account is not None:
            emails.add(account.email)
            phones.add(account.phone)
        emails = {e for e in emails if e}
        phones = {p for p in phones if p}
        addresses = {
            getattr(r, f) for r in (person, *positions) for f in ("address_line1", "address_line2")
        }
        full_names = {
            person.full_name,
            f"{person.last_name} {person.first_name}".strip(),
        }
        if account is not None:
            full_names |= {account.get_full_name().strip(), account.username}
        full_names |= {name.replace("'", "’") for name in full_names}
        full_names |= {name.replace("’", "'") for name in full_names}
        coordinates = set(emails) | {form for phone in phones for form in _phone_forms(phone)}
        # Elsewhere, only what names them beyond doubt: a first and a last name
        # together, a user name that is not a plain word, a coordinate.
        named = {name for name in full_names if " " in name}
        if account is not None and not account.username.isalpha():
            named.add(account.username)
        strong = Scrubber(named, coordinates)
        first_name, last_name = person.first_name, person.last_name
        own = Scrubber(
            full_names | {person.first_name, person.last_name},
            coordinates | {a for a in addresses if a} | {p.title for p in positions if p.title},
        )

        for kind, values in (("email", emails), ("phone", phones)):
            for value in values:
                ErasedCoordinate.objects.get_or_create(
                    kind=kind, digest=coordinate_digest(kind, value)
                )

        counts = {"positions": len(positions)}

        # Comments about them, their dormant reviews: free text about them, removed.
        counts["comments"] = Comment.all_objects.filter(person=person).delete()[0]
        DormantReview.objects.filter(person=person).delete()

        # The record and its positions.
        today = timezone.localdate()
        for name, value in PERSON_CLEARED.items():
            setattr(person, name, value)
        person.first_name, person.last_name = ERASED_FIRST_NAME, ERASED_LAST_NAME
        for channel in CHANNELS:
            setattr(person, f"{channel}_consent", Consent.REFUSED)
            setattr(person, f"{channel}_consent_date", today)
            setattr(person, f"{channel}_consent_source", ERASED_SOURCE)
        person.do_not_contact = True
        person._consent_source = ("erasure", "")  # read by the consent history
        person._consent_user = user
        person.save()
        for position in positions:
            for name, value in POSITION_CLEARED.items():
                setattr(position, name, value)
            position.save()
        Erasure.objects.create(person=person, erased_by=user)

        # Their account: deactivated and anonymised (their messages keep their author).
        if account is not None:
            old_username = account.username
            account.username = f"personne-effacee-{account.pk}"
            account.first_name, account.last_name = ERASED_FIRST_NAME, ERASED_LAST_NAME
            account.email = ""
            account.phone = ""
            account.job_title = ""
            account.recently_viewed = []
            account.is_active = False
            account.set_unusable_password()
            account.save()
            account.sso_identities.all().delete()
            try:
                from axes.models import AccessAttempt, AccessFailureLog, AccessLog

                AccessAttempt.objects.filter(username=old_username).delete()
                AccessLog.objects.filter(username=old_username).delete()
                AccessFailureLog.objects.filter(username=old_username).delete()
            except ImportError:  # pragma: no cover - axes is installed
                pass
            counts["account"] = 1

        # Helpdesk: the tickets they concern or took part in; texts scrubbed.
        tickets = Ticket.objects.filter(person=person)
        if account is not None:
            tickets = Ticket.objects.filter(
                Q(person=person) | Q(author=account) | Q(messages__author=account)
            ).distinct()
        ticket_ids = list(tickets.values_list("pk", flat=True))
        counts["tickets"] = len(ticket_ids)
        for ticket in Ticket.objects.filter(pk__in=ticket_ids):
            subject = own.text(ticket.subject)
            if subject != ticket.subject:
                Ticket.objects.filter(pk=ticket.pk).update(subject=subject)
        text_messages = Message.objects.filter(
            Q(ticket_id__in=ticket_ids) | strong.found_in("text")
        )
        for message in text_messages.only("pk", "text", "ticket_id"):
            scrubber = own if message.ticket_id in ticket_ids else strong
            text = scrubber.text(message.text)
            if text != message.text:
                Message.objects.filter(pk=message.pk).update(text=text)

        # Planner tasks linked to them (kept, with their owner): texts scrubbed.
        for task in Task.objects.filter(person=person):
            Task.objects.filter(pk=task.pk).update(
                title=own.text(task.title)[:200],
                place=own.text(task.place)[:200],
                description=own.text(task.description),
            )

        # Activities: amounts kept, details scrubbed.
        for activity in Activity.objects.filter(person=person):
            details = own.data(activity.details)
            if details != activity.details:
                Activity.objects.filter(pk=activity.pk).update(details=details)

        # Outreach: deliveries kept for the totals, without name or coordinate.
        deliveries = Delivery.objects.filter(Q(person=person) | Q(position_id__in=position_ids))
        delivery_ids = list(deliveries.values_list("pk", flat=True))
        counts["deliveries"] = len(delivery_ids)
        for delivery in Delivery.objects.filter(pk__in=delivery_ids).only(
            "pk", "capacity", "reason"
        ):
            Delivery.objects.filter(pk=delivery.pk).update(
                name=ERASED_NAME,
                coordinate="",
                capacity=own.text(delivery.capacity),
                reason=own.text(delivery.reason),
            )
        for event in TrackingEvent.objects.filter(delivery_id__in=delivery_ids).exclude(
            description=""
        ):
            TrackingEvent.objects.filter(pk=event.pk).update(
                description=own.text(event.description)
            )

        # Selections: the person taken out of baskets by hand; rows frozen in snapshots.
        counts["basket_entries"] = BasketEntry.objects.filter(
            Q(person=person) | Q(position_id__in=position_ids)
        ).delete()[0]
        SnapshotRow.objects.filter(Q(person=person) | Q(position_id__in=position_ids)).update(
            name=ERASED_NAME, email="", phone="", mobile="", address=""
        )
        for row in SnapshotRow.objects.filter(Q(person=person) | Q(position_id__in=position_ids)):
            capacity = own.text(row.capacity)
            if capacity != row.capacity:
                SnapshotRow.objects.filter(pk=row.pk).update(capacity=capacity)

        # Merges (the values a merge kept to undo it) and the consent history.
        merge_model = _model("directory.Merge")
        if merge_model is not None:
            merge_fields = [
                f.name
                for f in merge_model._meta.concrete_fields
                if f.get_internal_type() == "JSONField"
            ]
            for merge in merge_model.objects.filter(
                Q(kept_person=person) | Q(merged_person=person)
            ):
                merge_model.objects.filter(pk=merge.pk).update(
                    **{name: own.data(getattr(merge, name)) for name in merge_fields}
                )
        change_model = _model("directory.ConsentChange")
        if change_model is not None:
            for change in change_model.objects.filter(person=person).exclude(detail=""):
                change_model.objects.filter(pk=change.pk).update(detail=own.text(change.detail))

        counts["log_entries"] = _scrub_logs(person, position_ids, own, strong)
        counts["imports"] = _scrub_imports(emails, phones, first_name, last_name, strong)
        touched = _sweep(strong, set())
        counts["elsewhere"] = sum(len(ids) for ids in touched.values())
        _derive_again(touched)
        refresh_people([person.pk])
        log(person, ERASE_ACTION, user=user, data={"erased": counts})
    return counts


PREVIEW_MESSAGES = [
    ngettext_lazy(
        "%(count)d position: kept in its organisation, without its coordinates",
        "%(count)d positions: kept in their organisations, without their coordinates",
        "count",
    ),
    ngettext_lazy("%(count)d comment: removed", "%(count)d comments: removed", "count"),
    ngettext_lazy(
        "%(count)d campaign delivery: still counted, without name or coordinate",
        "%(count)d campaign deliveries: still counted, without name or coordinate",
        "count",
    ),
    ngettext_lazy(
        "%(count)d helpdesk ticket: kept, the person’s name and coordinates replaced",
        "%(count)d helpdesk tickets: kept, the person’s name and coordinates replaced",
        "count",
    ),
    ngettext_lazy(
        "%(count)d activity: kept with its amount",
        "%(count)d activities: kept with their amounts",
        "count",
    ),
    ngettext_lazy(
        "%(count)d task: kept, the person’s name and coordinates replaced",
        "%(count)d tasks: kept, the person’s name and coordinates replaced",
        "count",
    ),
]


def preview(person: Person) -> list[str]:
    """What an erasure of `person` would rewrite or remove, said in words."""
    from crmsite.models import User
    from helpdesk.models import Ticket
    from outreach.models import Delivery
    from planner.models import Task

    position_ids = list(Position.all_objects.filter(person=person).values_list("pk", flat=True))
    account = User._base_manager.filter(person=person).first()
    tickets = Q(person=person)
    if account is not None:
        tickets |= Q(author=account) | Q(messages__author=account)
    counts = [
        len(position_ids),
        Comment.all_objects.filter(person=person).count(),
        Delivery.objects.filter(Q(person=person) | Q(position_id__in=position_ids)).count(),
        Ticket.objects.filter(tickets).distinct().count(),
        Activity.objects.filter(person=person).count(),
        Task.objects.filter(person=person).count(),
    ]
    result = [
        str(message % {"count": count})
        for count, message in zip(counts, PREVIEW_MESSAGES, strict=True)
        if count
    ]
    if account is not None:
        result.append(_("their user account: deactivated and anonymised"))
    return result
