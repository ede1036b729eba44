"""Sending a frozen campaign: each delivery at most once, whatever happens.

The rules, in the order a chunk goes through them:

1. **Claim.** A worker takes up to `CHUNK` pending deliveries with a
   conditional update (pending → sending, with its own claim token): two
   workers, a retried task or a task run twice never hold the same
   delivery. The claim is committed before the provider is called.
2. **Check again.** A person who opted out, asked not to be contacted or
   whose coordinate turned invalid *after* the campaign was frozen is left
   out now, with the reason.
3. **Send**, outside any transaction, through one open connection: in
   batches where the provider has them (`outreach.email.batch`: Brevo,
   Mailjet; each message still rendered here, its own content, headers and
   unsubscribe link), else one message at a time; each delivery gets its own
   outcome (a batch the provider refuses as a whole is sent again one message
   at a time, to learn which one it refused): sent (with
   the provider's message id), failed (the provider refused it, with its
   reason), or unknown (the provider may have received it: a timeout, a
   connection cut after the request went out). Unknown is never resent
   automatically.
4. **Retry** what the provider refused *temporarily* (rate limited,
   unavailable before receiving anything): those deliveries go back to
   pending and the task retries later, with back-off; after `MAX_ATTEMPTS`
   they fail with the reason.

A delivery left in "sending" by a worker that died (claimed more than
`STALE_AFTER` ago) becomes unknown: it may have gone out, so it is not sent
again. A per-channel rate limit (`settings.OUTREACH_RATE_LIMITS`,
messages per second, shared by all workers through the cache) is kept.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.mail import get_connection
from django.db import connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from directory.models import Person

from .models import Campaign, CampaignStatus, Channel, Delivery, DeliveryStatus, Suppression

CHUNK = 200
MAX_ATTEMPTS = 5
STALE_AFTER = timedelta(minutes=15)
RETRY_STATUSES = {408, 425, 429, 502, 503, 504}


@dataclass
class Outcome:
    """What a run of the sender says to do next."""

    done: bool = False  # nothing pending any more
    retry_in: float = 0  # a temporary refusal: run again in that many seconds
    wait_until: object = None  # quiet hours: run again then
    sent: int = 0


# --- Claiming --------------------------------------------------------------------------


def claim(campaign_id: int, size: int = CHUNK) -> list[Delivery]:
    """Take up to `size` pending deliveries for this worker."""
    ids = list(
        Delivery.objects.filter(campaign_id=campaign_id, status=DeliveryStatus.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)[:size]
    )
    if not ids:
        return []
    token = uuid.uuid4().hex
    Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.SENDING,
        claim=token,
        claimed_at=timezone.now(),
        attempts=F("attempts") + 1,
    )
    return list(Delivery.objects.filter(claim=token, status=DeliveryStatus.SENDING).order_by("pk"))


def expire_stale(campaign_id: int) -> int:
    """Deliveries a dead worker held: unknown, never resent."""
    return Delivery.objects.filter(
        campaign_id=campaign_id,
        status=DeliveryStatus.SENDING,
        claimed_at__lt=timezone.now() - STALE_AFTER,
    ).update(
        status=DeliveryStatus.UNKNOWN,
        reason=_("The sending was interrupted: the message may or may not have left."),
    )


# --- Checking again --------------------------------------------------------------------


def _still_allowed(campaign: Campaign, deliveries: list[Delivery]) -> dict[int, str]:
    """delivery id -> why it may no longer be sent."""
    refused: dict[int, str] = {}
    if campaign.channel == Channel.POST:
        return refused
    people = {d.person_id for d in deliveries if d.person_id}
    channel = campaign.channel
    consent_field = f"{channel}_consent"
    allowed = {
        pk: Person(do_not_contact=dnc, **{consent_field: consent}).may_be_contacted_by(channel)
        for pk, dnc, consent in Person.all_objects.filter(pk__in=people).values_list(
            "pk", "do_not_contact", consent_field
        )
    }
    keys = {Suppression.key(channel, d.coordinate) for d in deliveries}
    suppressed = dict(
        Suppression.objects.filter(channel=channel, coordinate__in=keys).values_list(
            "coordinate", "reason"
        )
    )
    for delivery in deliveries:
        if delivery.person_id and not allowed.get(delivery.person_id, True):
            refused[delivery.pk] = _("no longer to be contacted on this channel")
        reason = suppressed.get(Suppression.key(channel, delivery.coordinate))
        if reason:
            refused[delivery.pk] = _("this coordinate is suppressed: %(reason)s") % {
                "reason": Suppression(reason=reason).get_reason_display()
            }
    return refused


# --- Merge values ----------------------------------------------------------------------


ADDRESS = ("address_line1", "address_line2", "postcode", "city", "country")


def _address_values(parts) -> dict:
    """The address merge fields from (line1, line2, postcode, city, country)."""
    from directory.models.addresses import COUNTRY_CHOICES, format_address

    if not parts or not (parts[0] or parts[2] or parts[3]):
        return {"address": [], "postcode": "", "city": "", "country": ""}
    countries = dict(COUNTRY_CHOICES)
    return {
        "address": format_address(*parts),
        "postcode": parts[2] or "",
        "city": parts[3] or "",
        "country": str(countries.get(parts[4], "")) if parts[4] else "",
    }


def merge_values(deliveries: list[Delivery]) -> dict[int, dict]:
    """delivery id -> the values of the merge fields (`outreach.email.merge`):
    the person's civility (« Mme », « M. »), names, the function and the
    organisation of the capacity that matched, its e-mail and phone, and
    its postal address (the position's, else its organisation's; a
    personal row's own; an organisation's generic one)."""
    from directory.models import Civility, Organisation, Position

    civilities = {value: str(label) for value, label in Civility.choices}
    people = {
        pk: row
        for pk, *row in Person.all_objects.filter(
            pk__in={d.person_id for d in deliveries if d.person_id}
        ).values_list("pk", "civility", "first_name", "last_name", "phone", *ADDRESS)
    }
    positions = {
        pk: row
        for pk, *row in Position.all_objects.filter(
            pk__in={d.position_id for d in deliveries if d.position_id}
        ).values_list(
            "pk",
            "title",
            "function__name",
            "organisation__name",
            "phone",
            *ADDRESS,
            *(f"organisation__{name}" for name in ADDRESS),
        )
    }
    organisations = {
        pk: row
        for pk, *row in Organisation.all_objects.filter(
            pk__in={d.organisation_id for d in deliveries if d.kind == "organisation"}
        ).values_list("pk", "name", "phone", *ADDRESS)
    }
    values = {}
    for d in deliveries:
        person = people.get(d.person_id)
        civility, first, last, personal_phone = person[:4] if person else ("", "", "", "")
        function = organisation = phone = ""
        address: tuple = ()
        if d.kind == "position" and d.position_id in positions:
            title, function_name, organisation, phone, *both = positions[d.position_id]
            function = title or function_name or ""
            own, generic = tuple(both[:5]), tuple(both[5:])
            address = own if (own[0] or own[2] or own[3]) else generic
        elif d.kind == "organisation" and d.organisation_id in organisations:
            organisation, phone, *generic = organisations[d.organisation_id]
            address = tuple(generic)
        elif person:
            phone = personal_phone
            address = tuple(person[4:])
        values[d.pk] = {
            "civility": civilities.get(civility or "", ""),
            "first_name": first,
            "last_name": last,
            "full_name": f"{first} {last}".strip() or d.name,
            "function": function,
            "organisation": organisation or (d.name if d.kind == "organisation" else ""),
            "email": d.coordinate if "@" in d.coordinate else "",
            "phone": phone or "",
            **_address_values(address),
        }
    return values


# --- Rate limit ------------------------------------------------------------------------


def _pace(channel: str, messages: int = 1) -> None:
    """Wait, if needed, so that all workers together keep the channel's rate
    (`messages` at once: a batch, never larger than the rate)."""
    limit = (getattr(settings, "OUTREACH_RATE_LIMITS", {}) or {}).get(channel)
    if not limit:
        return
    while True:
        second = int(time.time())
        key = f"outreach:rate:{channel}:{second}"
        cache.add(key, 0, timeout=5)
        try:
            count = cache.incr(key, messages)
        except ValueError:
            count = messages
        if count <= limit or count == messages:
            return
        time.sleep(max(0.0, second + 1 - time.time()))


# --- Sending ---------------------------------------------------------------------------


@dataclass
class Result:
    status: str
    message_id: str = ""
    reason: str = ""
    retry_after: float | None = None  # a temporary refusal: nothing was sent


def unsubscribe_url(delivery: Delivery) -> str:
    from .email.unsubscribe import make_token

    token = make_token(delivery.pk, delivery.person_id, delivery.coordinate)
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse(
        "outreach_unsubscribe", args=[token]
    )


def _email_error(error: Exception) -> Result:
    """Classify an error of Django's e-mail backend (anymail or SMTP)."""
    import smtplib

    import requests
    from anymail.exceptions import AnymailAPIError, AnymailRecipientsRefused

    if isinstance(error, AnymailRecipientsRefused | smtplib.SMTPRecipientsRefused):
        return Result(DeliveryStatus.FAILED, reason=_("The provider refused the address."))
    status = getattr(error, "status_code", None)
    if isinstance(error, AnymailAPIError) and status is not None:
        if status in RETRY_STATUSES:
            return Result(DeliveryStatus.PENDING, retry_after=30.0, reason=str(error)[:300])
        if 400 <= status < 500:
            return Result(DeliveryStatus.FAILED, reason=str(error)[:500])
    cause = error.__cause__ or error.__context__
    if isinstance(cause, requests.ConnectionError) and not isinstance(
        cause, requests.ReadTimeout | requests.ConnectTimeout
    ):
        from .sms.backends.brevo import never_connected

        if never_connected(cause):
            return Result(DeliveryStatus.PENDING, retry_after=30.0, reason=str(error)[:300])
    if isinstance(error, smtplib.SMTPConnectError):
        return Result(DeliveryStatus.PENDING, retry_after=30.0, reason=str(error)[:300])
    return Result(
        DeliveryStatus.UNKNOWN,
        reason=_("The provider did not answer clearly: %(error)s") % {"error": str(error)[:300]},
    )


class _OneByOne:
    """Sends a chunk one message at a time through the sender's open connection."""

    channel = ""

    def send_chunk(self, deliveries: list[Delivery], values: dict[int, dict]) -> dict:
        results: dict[int, Result] = {}
        for index, delivery in enumerate(deliveries):
            _pace(self.channel)
            result = self.send(delivery, values[delivery.pk])
            results[delivery.pk] = result
            if result.retry_after is not None:
                # The provider refuses for now: release the rest unsent.
                for rest in deliveries[index + 1 :]:
                    results[rest.pk] = Result(DeliveryStatus.PENDING, retry_after=0.0)
                break
        return results


class EmailSender(_OneByOne):
    """E-mail through Django's backend; in batches where the provider has them
    (`outreach.email.batch`), else one message per call."""

    channel = Channel.EMAIL

    def __init__(self, campaign: Campaign):
        from .email.batch import batch_connection, batch_size
        from .email.message import compile_email

        self.campaign = campaign
        self.template = compile_email(campaign.subject, campaign.html, campaign.text)
        self.connection = batch_connection() or get_connection()
        self.batch_size = batch_size(self.connection)

    def __enter__(self):
        self.connection.open()
        return self

    def __exit__(self, *exc):
        self.connection.close()

    def _metadata(self, delivery: Delivery) -> dict:
        return {"delivery": str(delivery.pk), "campaign": str(self.campaign.pk)}

    def send(self, delivery: Delivery, values: dict) -> Result:
        from .email.message import build_message

        rendered = self.template.render(values)
        message = build_message(
            rendered.subject,
            rendered.text,
            rendered.html,
            settings.DEFAULT_FROM_EMAIL,
            delivery.coordinate,
            unsubscribe_url(delivery),
            metadata=self._metadata(delivery),
            tags=[f"campaign-{self.campaign.pk}"],
        )
        try:
            sent = self.connection.send_messages([message])
        except Exception as error:  # the backend's own errors: classified, never raised
            return _email_error(error)
        if not sent:
            return Result(DeliveryStatus.FAILED, reason=_("The provider refused the message."))
        status = getattr(message, "anymail_status", None)
        message_id = ""
        if status is not None:
            message_id = str(status.message_id or "")
            if status.status and status.status <= {"rejected", "invalid", "failed"}:
                return Result(DeliveryStatus.FAILED, message_id, _("Rejected by the provider."))
        return Result(DeliveryStatus.SENT, message_id)

    def send_chunk(self, deliveries: list[Delivery], values: dict[int, dict]) -> dict:
        if self.batch_size <= 1:
            return super().send_chunk(deliveries, values)
        from .email.batch import batches

        limit = (getattr(settings, "OUTREACH_RATE_LIMITS", {}) or {}).get(self.channel)
        size = min(self.batch_size, limit) if limit else self.batch_size
        results: dict[int, Result] = {}
        groups = list(
            batches(
                [(d, self._version(d, values[d.pk])) for d in deliveries],
                size,
                key=lambda pair: pair[1].to.strip().lower(),
                weight=lambda pair: pair[1].size,
            )
        )
        for index, group in enumerate(groups):
            _pace(self.channel, len(group))
            results.update(self._send_batch(group, values))
            if any(results[d.pk].retry_after is not None for d, _version in group):
                for rest in groups[index + 1 :]:
                    for delivery, _version in rest:
                        results[delivery.pk] = Result(DeliveryStatus.PENDING, retry_after=0.0)
                break
        return results

    def _version(self, delivery: Delivery, values: dict):
        from .email.batch import Version
        from .email.message import personal_parts

        rendered = self.template.render(values)
        parts = personal_parts(
            rendered.subject, rendered.text, rendered.html, unsubscribe_url(delivery)
        )
        return Version(
            delivery.coordinate,
            parts.subject,
            parts.text,
            parts.html,
            parts.headers,
            self._metadata(delivery),
        )

    def _send_batch(self, group: list, values: dict[int, dict]) -> dict[int, Result]:
        """One call for the group; each delivery gets its own outcome."""
        from anymail.exceptions import AnymailAPIError
        from anymail.utils import parse_address_list

        from .email.batch import BatchMessage

        if len(group) == 1:
            delivery, _version = group[0]
            return {delivery.pk: self.send(delivery, values[delivery.pk])}
        message = BatchMessage(
            [version for _delivery, version in group],
            settings.DEFAULT_FROM_EMAIL,
            tags=[f"campaign-{self.campaign.pk}"],
        )
        try:
            self.connection.send_messages([message])
        except Exception as error:  # the backend's own errors: classified, never raised
            result = _email_error(error)
            status = getattr(error, "status_code", None)
            if (
                result.status == DeliveryStatus.FAILED
                and isinstance(error, AnymailAPIError)
                and status is not None
                and 400 <= status < 500
            ):
                # The provider refused the whole request (one bad address spoils
                # a batch) and sent nothing: each message alone, for its own outcome.
                return {d.pk: self.send(d, values[d.pk]) for d, _version in group}
            return {d.pk: result for d, _version in group}
        recipients = getattr(getattr(message, "anymail_status", None), "recipients", {}) or {}
        by_address = {address.lower(): status for address, status in recipients.items()}
        results = {}
        for delivery, version in group:
            status = by_address.get(version.to.strip().lower())
            if status is None:  # as anymail wrote it (an address with a display name...)
                [address] = parse_address_list([version.to])
                status = recipients.get(address.addr_spec)
            message_id = str(getattr(status, "message_id", "") or "")
            if status is not None and status.status in {"rejected", "invalid", "failed"}:
                results[delivery.pk] = Result(
                    DeliveryStatus.FAILED, message_id, _("Rejected by the provider.")
                )
            else:
                results[delivery.pk] = Result(DeliveryStatus.SENT, message_id)
        return results


class SmsSender(_OneByOne):
    channel = Channel.SMS

    def __init__(self, campaign: Campaign):
        from .email import merge
        from .sms.backends import get_backend

        self.campaign = campaign
        self.template = merge.compile(campaign.text, html=False)
        self.backend = get_backend()

    def __enter__(self):
        self.backend.open()
        return self

    def __exit__(self, *exc):
        self.backend.close()

    def send(self, delivery: Delivery, values: dict) -> Result:
        from .sms.backends import RetryableSmsError, SmsMessage

        message = SmsMessage(
            to=delivery.coordinate,
            body=self.template.render(values),
            reference=f"delivery-{delivery.pk}",
        )
        try:
            [result] = self.backend.send_messages([message])
        except RetryableSmsError as error:
            return Result(DeliveryStatus.PENDING, retry_after=error.retry_after or 30.0)
        status = {"sent": DeliveryStatus.SENT, "failed": DeliveryStatus.FAILED}.get(
            result.status, DeliveryStatus.UNKNOWN
        )
        return Result(status, result.provider_id, result.error[:500])


SENDERS = {Channel.EMAIL: EmailSender, Channel.SMS: SmsSender}


def _record_sent(deliveries: list[Delivery], now) -> None:
    """Mark sent, each with its provider message id. On PostgreSQL one UPDATE
    joined to the ids and message ids given as two arrays (Django's
    `bulk_update` builds a CASE of 2 × 200 branches per chunk: a third of a
    second, the price of the whole chunk's sending)."""
    if not deliveries:
        return
    if connection.vendor != "postgresql":
        Delivery.objects.bulk_update(
            deliveries, ["status", "provider_message_id", "sent_at", "claim"], batch_size=CHUNK
        )
        return
    table = Delivery._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS d SET status = %s, provider_message_id = v.message_id, "  # noqa: S608
            "sent_at = %s, claim = '' "
            "FROM unnest(%s::bigint[], %s::text[]) AS v(id, message_id) "
            "WHERE d.id = v.id AND d.status = %s",
            [
                DeliveryStatus.SENT,
                now,
                [d.pk for d in deliveries],
                [d.provider_message_id for d in deliveries],
                DeliveryStatus.SENDING,
            ],
        )


def _record(results: dict[int, Result], attempts: dict[int, int]) -> tuple[int, float]:
    """Write each delivery's outcome; return (how many sent, retry in seconds or 0)."""
    now = timezone.now()
    sent, retry_in = 0, 0.0
    by_outcome: dict[tuple, list[int]] = {}
    with_ids: list[Delivery] = []
    for pk, result in results.items():
        status, reason = result.status, result.reason
        if status == DeliveryStatus.PENDING:
            if attempts.get(pk, 0) >= MAX_ATTEMPTS:
                status = DeliveryStatus.FAILED
                reason = _("The provider kept refusing it for now; given up after %(n)d tries.") % {
                    "n": MAX_ATTEMPTS
                }
            else:
                retry_in = max(retry_in, result.retry_after or 30.0)
        if status == DeliveryStatus.SENT and not result.message_id:
            by_outcome.setdefault((status, reason, ""), []).append(pk)
        elif status == DeliveryStatus.SENT:
            with_ids.append(
                Delivery(
                    pk=pk,
                    status=status,
                    provider_message_id=result.message_id[:200],
                    sent_at=now,
                )
            )
        else:
            by_outcome.setdefault((status, reason, result.message_id), []).append(pk)
        if status == DeliveryStatus.SENT:
            sent += 1
    _record_sent(with_ids, now)
    for (status, reason, message_id), ids in by_outcome.items():
        fields = {"status": status, "reason": reason[:500], "claim": ""}
        if status == DeliveryStatus.SENT:
            fields["sent_at"] = now
        if message_id:
            fields["provider_message_id"] = message_id
        Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.SENDING).update(**fields)
    return sent, retry_in


def run(
    campaign_id: int,
    *,
    budget: float | None = None,
    progress: Callable[[int], None] | None = None,
) -> Outcome:
    """Send the campaign's pending deliveries, chunk by chunk, for at most
    `budget` seconds (None: until done); say what to do next."""
    started = time.monotonic()
    campaign = Campaign.objects.get(pk=campaign_id)
    outcome = Outcome()
    if campaign.status not in (CampaignStatus.SENDING, CampaignStatus.WAITING):
        outcome.done = True
        return outcome
    expire_stale(campaign_id)
    if campaign.channel == Channel.SMS:
        from .sms.quiet_hours import is_quiet, next_allowed

        reason = is_quiet(timezone.now())
        if reason:
            Campaign.objects.filter(pk=campaign_id, status=CampaignStatus.SENDING).update(
                status=CampaignStatus.WAITING, waiting_reason=reason[:200]
            )
            outcome.wait_until = next_allowed(timezone.now())
            return outcome
        Campaign.objects.filter(pk=campaign_id, status=CampaignStatus.WAITING).update(
            status=CampaignStatus.SENDING, waiting_reason=""
        )
    # Chunks of CHUNK at most, and at least twenty of them, so that a small
    # campaign's progress moves by steps a person can follow.
    pending = Delivery.objects.filter(campaign_id=campaign_id, status=DeliveryStatus.PENDING)
    size = max(1, min(CHUNK, pending.count() // 20))
    with SENDERS[campaign.channel](campaign) as sender:
        while True:
            if budget is not None and time.monotonic() - started > budget:
                return outcome
            if Campaign.objects.filter(pk=campaign_id, status=CampaignStatus.CANCELLED).exists():
                outcome.done = True
                return outcome
            deliveries = claim(campaign_id, size)
            if not deliveries:
                break
            refused = _still_allowed(campaign, deliveries)
            for pk, reason in refused.items():
                Delivery.objects.filter(pk=pk, status=DeliveryStatus.SENDING).update(
                    status=DeliveryStatus.LEFT_OUT, reason=reason[:500], claim=""
                )
            deliveries = [d for d in deliveries if d.pk not in refused]
            values = merge_values(deliveries)
            results = sender.send_chunk(deliveries, values)
            sent, retry_in = _record(results, {d.pk: d.attempts for d in deliveries})
            outcome.sent += sent
            if progress:
                progress(outcome.sent)
            if retry_in:
                outcome.retry_in = retry_in
                return outcome
    finish(campaign_id)
    outcome.done = True
    return outcome


def finish(campaign_id: int) -> None:
    """The campaign is sent once nothing is pending or being sent."""
    busy = Delivery.objects.filter(
        campaign_id=campaign_id,
        status__in=(DeliveryStatus.PENDING, DeliveryStatus.SENDING),
    ).exists()
    if not busy:
        with transaction.atomic():
            Campaign.objects.filter(
                pk=campaign_id, status__in=(CampaignStatus.SENDING, CampaignStatus.WAITING)
            ).update(status=CampaignStatus.SENT, finished_at=timezone.now(), waiting_reason="")


__all__ = ["Outcome", "claim", "expire_stale", "finish", "run"]
