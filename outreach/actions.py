"""Every write on campaigns, templates and opt-outs, one function each.

Each function checks access, validates (a `ValidationError` or
`PermissionDenied` changes nothing), writes in a transaction, records the
audit log entry and schedules the sending task on commit. Views, webhooks,
the unsubscribe page and tests call these; they never write outreach
records themselves.

Who may do what:

* staff and administrators create campaigns from a basket they may see,
  and send them; a campaign is seen by its owner and by those who may see
  its basket, and changed, sent, cancelled or deleted by its owner only;
* templates (e-mail, SMS, label sheets) are edited by administrators only;
* clients reach nothing here.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from selections.models import Basket

from . import freezing
from .models import (
    Campaign,
    CampaignStatus,
    Channel,
    Delivery,
    DeliveryStatus,
    EmailTemplate,
    LabelTemplate,
    SmsTemplate,
    Suppression,
    SuppressionReason,
)

SEND_ACTION = "outreach.send"
CANCEL_ACTION = "outreach.cancel"
TEST_ACTION = "outreach.test"
OPT_OUT_ACTION = "outreach.opt_out"
DOWNLOAD_ACTION = "outreach.download"
DOWNLOADS = ("labels_pdf", "mailmerge_csv", "report_csv")
MAX_NAME = 200
MAX_START = 20
SENDABLE = (CampaignStatus.DRAFT,)


# --- Access ----------------------------------------------------------------------------


def _signed_in(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def access_campaigns(user, action: str = "view") -> None:
    if not (_signed_in(user) and user.has_perm(f"outreach.{action}_campaign")):
        raise PermissionDenied(_("You are not allowed to work with campaigns."))


def visible_campaigns(user):
    """The campaigns `user` may read: their own, and those of a basket they may see."""
    if not (_signed_in(user) and user.has_perm("outreach.view_campaign")):
        return Campaign.objects.none()
    baskets = Basket.objects.visible_to(user).values("pk")
    return Campaign.objects.filter(Q(owner=user) | Q(basket__in=baskets))


def access_campaign(user, campaign: Campaign, action: str = "view") -> None:
    """Raise PermissionDenied unless `user` may `action` ("view", "change") this campaign."""
    access_campaigns(user, "view")
    if action == "view":
        if not visible_campaigns(user).filter(pk=campaign.pk).exists():
            raise PermissionDenied(_("This campaign is neither yours nor on a basket you see."))
        return
    access_campaigns(user, "change")
    if campaign.owner_id != user.pk:
        raise PermissionDenied(_("Only its author may change, send or cancel a campaign."))


def may_use_basket(user, campaign: Campaign) -> bool:
    """Whether `user` may still read the campaign's basket now (its owner may
    have stopped sharing it): resolving it, previewing it or sending to it
    needs that, whoever wrote the campaign."""
    return (
        campaign.basket_id is not None
        and Basket.objects.visible_to(user).filter(pk=campaign.basket_id).exists()
    )


def _access_basket(user, campaign: Campaign) -> None:
    if campaign.basket_id is not None and not may_use_basket(user, campaign):
        raise PermissionDenied(
            _("The basket of this campaign is no longer shared with you: it cannot be used.")
        )


def access_templates(user) -> None:
    if not (_signed_in(user) and user.has_perm("outreach.change_emailtemplate")):
        raise PermissionDenied(_("Only administrators edit templates."))


# --- Campaigns -------------------------------------------------------------------------

CAMPAIGN_FIELDS = (
    "name",
    "channel",
    "email_template",
    "sms_template",
    "label_template",
    "fallback",
    "merge",
    "start_row",
    "start_column",
    "sort_by_postcode",
)


def _validate(campaign: Campaign) -> None:
    errors = {}
    campaign.name = " ".join((campaign.name or "").split())
    if not campaign.name:
        errors["name"] = _("Give the campaign a name.")
    elif len(campaign.name) > MAX_NAME:
        errors["name"] = _("A name has at most %(max)d characters.") % {"max": MAX_NAME}
    if campaign.channel not in Channel.values:
        errors["channel"] = _("Choose post, e-mail or SMS.")
    for name in ("start_row", "start_column"):
        value = getattr(campaign, name)
        if not isinstance(value, int) or not 1 <= value <= MAX_START:
            errors[name] = _("Enter a number between 1 and %(max)d.") % {"max": MAX_START}
    if campaign.channel == Channel.POST and campaign.label_template_id:
        layout = label_layout(campaign.label_template)
        if not errors.get("start_row") and campaign.start_row > layout.rows:
            errors["start_row"] = _("This sheet has %(n)d rows.") % {"n": layout.rows}
        if not errors.get("start_column") and campaign.start_column > layout.columns:
            errors["start_column"] = _("This sheet has %(n)d columns.") % {"n": layout.columns}
    if errors:
        raise ValidationError(errors)
    try:
        campaign.full_clean(exclude=["basket", "owner", *CAMPAIGN_FIELDS[2:5]])
    except ValidationError as error:
        raise ValidationError(error.message_dict) from None


def create_campaign(user, *, basket: Basket, **fields) -> Campaign:
    access_campaigns(user, "add")
    if basket is None or not Basket.objects.visible_to(user).filter(pk=basket.pk).exists():
        raise PermissionDenied(_("This basket is neither yours nor shared with you."))
    campaign = Campaign(basket=basket, owner=user)
    for name, value in fields.items():
        if name not in CAMPAIGN_FIELDS:
            raise ValueError(name)
        setattr(campaign, name, value)
    _validate(campaign)
    with transaction.atomic():
        campaign.save()
        log(campaign, "wagtail.create", user=user)
    return campaign


def update_campaign(user, campaign: Campaign, **fields) -> Campaign:
    access_campaign(user, campaign, "change")
    _access_basket(user, campaign)
    if campaign.status != CampaignStatus.DRAFT:
        raise ValidationError(_("A campaign that was sent or scheduled can no longer be changed."))
    for name, value in fields.items():
        if name not in CAMPAIGN_FIELDS:
            raise ValueError(name)
        setattr(campaign, name, value)
    _validate(campaign)
    with transaction.atomic():
        campaign.save()
        log(campaign, "wagtail.edit", user=user)
    return campaign


def delete_campaign(user, campaign: Campaign) -> None:
    access_campaign(user, campaign, "change")
    if not user.has_perm("outreach.delete_campaign"):
        raise PermissionDenied(_("You are not allowed to delete campaigns."))
    if campaign.status not in (CampaignStatus.DRAFT, CampaignStatus.CANCELLED) or (
        campaign.deliveries.exclude(
            status__in=(DeliveryStatus.LEFT_OUT, DeliveryStatus.CANCELLED, DeliveryStatus.PENDING)
        ).exists()
    ):
        raise ValidationError(
            _("A campaign that reached people is kept: its report says who was reached.")
        )
    with transaction.atomic():
        log(campaign, "wagtail.delete", user=user)
        campaign.delete()


def duplicate_campaign(user, campaign: Campaign) -> Campaign:
    access_campaign(user, campaign, "view")
    access_campaigns(user, "add")
    if campaign.basket is None:
        raise ValidationError(_("The basket of this campaign was deleted."))
    fields = {name: getattr(campaign, name) for name in CAMPAIGN_FIELDS}
    fields["name"] = (_("Copy of %(name)s") % {"name": campaign.name})[:MAX_NAME]
    return create_campaign(user, basket=campaign.basket, **fields)


def label_layout(template: LabelTemplate):
    from .postal.layouts import SheetLayout

    return SheetLayout(
        rows=template.rows,
        columns=template.columns,
        label_width=float(template.label_width),
        label_height=float(template.label_height),
        top_margin=float(template.top_margin),
        left_margin=float(template.left_margin),
        horizontal_pitch=float(template.horizontal_pitch),
        vertical_pitch=float(template.vertical_pitch),
        page_width=float(template.page_width),
        page_height=float(template.page_height),
        name=template.name,
    )


def _ready(campaign: Campaign) -> None:
    """Raise ValidationError unless the campaign has what sending needs."""
    if campaign.basket is None:
        raise ValidationError(_("The basket of this campaign was deleted."))
    template = campaign.template
    if template is None:
        raise ValidationError(
            {
                Channel.EMAIL: _("Choose an e-mail template."),
                Channel.SMS: _("Choose an SMS template."),
                Channel.POST: _("Choose a label sheet."),
            }[campaign.channel]
        )
    if campaign.channel == Channel.EMAIL:
        problems = email_problems(template.subject, template.html, template.text)
    elif campaign.channel == Channel.SMS:
        problems = sms_problems(template.body)
    else:
        problems = label_layout(template).problems()
    if problems:
        raise ValidationError(
            _("The template “%(name)s” has a problem: %(problem)s")
            % {"name": template, "problem": problems[0]}
        )


def _freeze_content(campaign: Campaign) -> None:
    template = campaign.template
    if campaign.channel == Channel.EMAIL:
        campaign.subject, campaign.html, campaign.text = (
            template.subject,
            template.html,
            template.text,
        )
    elif campaign.channel == Channel.SMS:
        campaign.text = template.body


def send_campaign(user, campaign: Campaign, *, scheduled_for=None) -> int:
    """Send now: freeze the recipients and queue the sending; return how many
    will be reached. Or schedule it: the recipients are frozen when sending
    starts (`release_due`), so that it reaches the basket as it is then; the
    count returned is today's. A second call (double click, another tab) is
    refused: the campaign is no longer a draft."""
    access_campaign(user, campaign, "change")
    if not user.has_perm("outreach.send_campaign"):
        raise PermissionDenied(_("You are not allowed to send campaigns."))
    _access_basket(user, campaign)
    _ready(campaign)
    now = timezone.now()
    if scheduled_for is not None and scheduled_for <= now:
        raise ValidationError({"scheduled_for": _("Choose a moment in the future.")})
    nobody = _("No one in this basket can be reached this way: nothing was sent.")
    if scheduled_for is not None:
        count = freezing.summarise(campaign, examples=0).recipients
        if not count:
            raise ValidationError(nobody)
        with transaction.atomic():
            taken = Campaign.objects.filter(pk=campaign.pk, status=CampaignStatus.DRAFT).update(
                status=CampaignStatus.SCHEDULED, scheduled_for=scheduled_for
            )
            if not taken:
                raise ValidationError(_("This campaign was already sent or scheduled."))
            log(
                campaign,
                SEND_ACTION,
                user=user,
                data={"recipients": count, "scheduled_for": scheduled_for.isoformat()},
            )
        campaign.refresh_from_db()
        return count
    with transaction.atomic():
        # The draft → sending step is taken once: a second request finds no draft.
        taken = Campaign.objects.filter(pk=campaign.pk, status=CampaignStatus.DRAFT).update(
            status=CampaignStatus.SENDING
        )
        if not taken:
            raise ValidationError(_("This campaign was already sent or scheduled."))
        count = _start(campaign, now)
        if not count:
            raise ValidationError(nobody)
        log(campaign, SEND_ACTION, user=user, data={"recipients": count, "scheduled_for": None})
    campaign.refresh_from_db()
    return count


def _start(campaign: Campaign, now) -> int:
    """Freeze what is sent and to whom, in the caller's transaction, and queue
    the sending on commit (labels are ready at once); return how many will
    be reached."""
    campaign.refresh_from_db()
    _freeze_content(campaign)
    campaign.frozen_at = campaign.started_at = now
    campaign.save(update_fields=["subject", "html", "text", "frozen_at", "started_at"])
    count = freezing.freeze(campaign)
    if campaign.channel == Channel.POST or not count:
        Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.SENT, finished_at=now)
        Delivery.objects.filter(campaign=campaign, status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.SENT, sent_at=now
        )
    else:
        transaction.on_commit(lambda: _enqueue(campaign.pk))
    return count


def _enqueue(campaign_id: int) -> None:
    from .tasks import send_campaign as task

    task.delay(campaign_id)


def release_due(now=None) -> int:
    """Start the scheduled campaigns whose time has come (their recipients
    frozen now); return how many."""
    now = now or timezone.now()
    released = 0
    for campaign in Campaign.objects.filter(
        status=CampaignStatus.SCHEDULED, scheduled_for__lte=now
    ):
        with transaction.atomic():
            taken = Campaign.objects.filter(pk=campaign.pk, status=CampaignStatus.SCHEDULED).update(
                status=CampaignStatus.SENDING
            )
            if taken:
                released += 1
                _start(campaign, now)
    from .sms.quiet_hours import is_quiet

    if not is_quiet(now):
        # SMS campaigns that waited for the allowed hours (their task also
        # set itself for then: two runs share the work, never a delivery).
        for pk in Campaign.objects.filter(status=CampaignStatus.WAITING).values_list(
            "pk", flat=True
        ):
            transaction.on_commit(lambda pk=pk: _enqueue(pk))
    return released


def cancel_campaign(user, campaign: Campaign) -> int:
    """Stop a scheduled or sending campaign; return how many deliveries will not be sent."""
    access_campaign(user, campaign, "change")
    with transaction.atomic():
        taken = Campaign.objects.filter(
            pk=campaign.pk,
            status__in=(CampaignStatus.SCHEDULED, CampaignStatus.SENDING, CampaignStatus.WAITING),
        ).update(status=CampaignStatus.CANCELLED, finished_at=timezone.now())
        if not taken:
            raise ValidationError(_("Only a scheduled or sending campaign can be cancelled."))
        cancelled = Delivery.objects.filter(
            campaign=campaign, status=DeliveryStatus.PENDING
        ).update(status=DeliveryStatus.CANCELLED, reason=_("The campaign was cancelled."))
        log(campaign, CANCEL_ACTION, user=user, data={"cancelled": cancelled})
    campaign.refresh_from_db()
    return cancelled


def send_test(user, campaign: Campaign, *, to: str = "") -> str:
    """Send the campaign's message once to the user (their e-mail address, or
    the mobile number given); return where it went."""
    access_campaign(user, campaign, "change")
    _access_basket(user, campaign)
    _ready(campaign)
    _limit_tests(user)
    from .trial import send_test_message

    where = send_test_message(user, campaign, to)
    log(campaign, TEST_ACTION, user=user, data={"to": where})
    return where


def record_download(user, campaign: Campaign, what: str, rows: int | None = None) -> None:
    """Log that `user` took the campaign's labels, mail-merge file or report
    out of the workspace (personal data leaving it)."""
    access_campaign(user, campaign, "view")
    if what not in DOWNLOADS:
        raise ValueError(what)
    log(campaign, DOWNLOAD_ACTION, user=user, data={"file": what, "rows": rows})


TESTS_PER_HOUR = 10


def tests_key(user) -> str:
    return f"outreach:tests:{user.pk}:{int(timezone.now().timestamp() // 3600)}"


def _limit_tests(user) -> None:
    """At most TESTS_PER_HOUR test messages per person and hour."""
    from django.core.cache import cache

    key = tests_key(user)
    cache.add(key, 0, timeout=3700)
    try:
        count = cache.incr(key)
    except ValueError:
        count = 1
    if count > TESTS_PER_HOUR:
        raise ValidationError(
            _("You have sent %(n)d tests this hour: wait a little before the next one.")
            % {"n": TESTS_PER_HOUR}
        )


# --- Templates -------------------------------------------------------------------------


def email_problems(subject: str, html: str, text: str) -> list[str]:
    from .email import merge

    problems = []
    for label, value in ((_("Subject"), subject), (_("HTML"), html), (_("Text"), text)):
        problems += [f"{label}\u00a0: {problem}" for problem in merge.check(value or "")]
    return problems


def sms_problems(body: str) -> list[str]:
    from .email import merge

    return merge.check(body or "")


def save_template(user, template, **fields):
    """Create or change an e-mail, SMS or label template (administrators only)."""
    access_templates(user)
    creating = template.pk is None
    for name, value in fields.items():
        setattr(template, name, value)
    errors = {}
    if isinstance(template, EmailTemplate):
        from .email import merge
        from .email.sanitise import sanitise_html

        for name in ("subject", "html", "text"):
            found = merge.check(getattr(template, name) or "")
            if found:
                errors[name] = found
        template.subject = " ".join((template.subject or "").split())
        if not errors.get("html"):
            template.html = sanitise_html(template.html or "")
            if not template.html.strip():
                errors["html"] = _("Write the message.")
    elif isinstance(template, SmsTemplate):
        found = sms_problems(template.body)
        if found:
            errors["body"] = found
        if not (template.body or "").strip():
            errors["body"] = _("Write the message.")
    elif isinstance(template, LabelTemplate):
        try:
            problems = label_layout(template).problems()
        except (TypeError, ValueError):
            problems = [_("Enter every dimension of the sheet.")]
        if problems:
            errors["__all__"] = problems
    if errors:
        raise ValidationError(errors)
    try:
        template.full_clean()
    except ValidationError as error:
        raise ValidationError(error.message_dict) from None
    with transaction.atomic():
        template.save()
        log(template, "wagtail.create" if creating else "wagtail.edit", user=user)
    return template


def delete_template(user, template) -> None:
    access_templates(user)
    with transaction.atomic():
        log(template, "wagtail.delete", user=user)
        template.delete()


# --- Opt-outs, bounces, complaints (no user: the recipient or the provider) -------------


def suppress(channel: str, coordinate: str, reason: str, *, person_id=None, delivery=None):
    """Record that a coordinate must not be used again; idempotent."""
    if reason not in SuppressionReason.values:
        raise ValueError(reason)
    key = Suppression.key(channel, coordinate)
    if not key:
        return None
    with transaction.atomic():
        suppression, created = Suppression.objects.get_or_create(
            channel=channel,
            coordinate=key,
            reason=reason,
            defaults={"person_id": person_id, "delivery": delivery},
        )
        if created and person_id:
            from directory.models import Person

            person = Person.all_objects.filter(pk=person_id).first()
            if person is not None:
                log(
                    person,
                    OPT_OUT_ACTION,
                    data={"channel": channel, "coordinate": key, "reason": reason},
                )
    return suppression


def unsubscribe(token: str) -> Delivery:
    """The recipient's one-click opt-out (RFC 8058): the token names the
    delivery and must match its person and coordinate. Raises BadToken."""
    from .email.unsubscribe import BadToken, read_token, token_matches

    delivery_id = read_token(token)
    delivery = Delivery.objects.filter(pk=delivery_id).select_related("campaign").first()
    if delivery is None or not token_matches(token, delivery.person_id, delivery.coordinate):
        raise BadToken(_("This unsubscribe link is not valid."))
    suppress(
        delivery.campaign.channel,
        delivery.coordinate,
        SuppressionReason.UNSUBSCRIBED,
        person_id=delivery.person_id,
        delivery=delivery,
    )
    _advance(delivery, DeliveryStatus.UNSUBSCRIBED)
    return delivery


def _advance(delivery: Delivery, status: str) -> bool:
    """Move the delivery's status forward (`webhooks.advance`); a delivery
    that was left out or cancelled keeps that status whatever is reported."""
    from .email.webhooks import STATUS_ORDER, advance

    if delivery.status not in STATUS_ORDER:
        return False
    new = advance(delivery.status, status)
    if new == delivery.status:
        return False
    updated = Delivery.objects.filter(pk=delivery.pk, status=delivery.status).update(status=new)
    delivery.status = new
    return bool(updated)


def record_event(provider: str, event) -> bool:
    """Apply one anymail tracking event to its delivery, once; return
    whether it was new. A hard bounce suppresses the coordinate, a
    complaint or an unsubscription records an opt-out."""
    from django.db import IntegrityError

    from .email.webhooks import event_key, is_hard_bounce, status_for_event
    from .models import TrackingEvent

    message_id = str(getattr(event, "message_id", "") or "")[:200]
    metadata = getattr(event, "metadata", None) or {}
    delivery = None
    if message_id:
        delivery = Delivery.objects.filter(provider_message_id=message_id).first()
    if delivery is None and str(metadata.get("delivery", "")).isdigit():
        delivery = Delivery.objects.filter(
            pk=int(metadata["delivery"]), campaign_id=_int(metadata.get("campaign"))
        ).first()
    key = event_key(
        provider,
        message_id,
        event.event_type,
        getattr(event, "timestamp", None),
        getattr(event, "event_id", None),
    )
    try:
        with transaction.atomic():
            TrackingEvent.objects.create(
                key=key,
                provider=provider[:40],
                event=str(event.event_type)[:20],
                message_id=message_id,
                delivery=delivery,
                occurred_at=getattr(event, "timestamp", None),
                description=str(getattr(event, "description", "") or "")[:500],
            )
    except IntegrityError:
        return False  # the provider sent it again
    if delivery is None:
        return True
    status = status_for_event(event.event_type)
    if event.event_type == "bounced" and not is_hard_bounce(event):
        status = None  # a soft bounce: the provider tries again
    if status:
        _advance(delivery, status)
    channel = Channel.EMAIL
    if event.event_type == "bounced" and status:
        suppress(
            channel,
            delivery.coordinate,
            SuppressionReason.BOUNCED,
            person_id=delivery.person_id,
            delivery=delivery,
        )
    elif event.event_type == "complained":
        suppress(
            channel,
            delivery.coordinate,
            SuppressionReason.COMPLAINED,
            person_id=delivery.person_id,
            delivery=delivery,
        )
    elif event.event_type == "unsubscribed":
        suppress(
            channel,
            delivery.coordinate,
            SuppressionReason.UNSUBSCRIBED,
            person_id=delivery.person_id,
            delivery=delivery,
        )
    return True


def _int(value):
    return int(value) if str(value or "").isdigit() else None


def record_sms_stop(number: str) -> int:
    """A STOP reply from `number` (E.164): suppress it for SMS, for every
    person whose mobile it is; return how many people."""
    from directory.models import Person, Position

    people = set(Person.all_objects.filter(mobile=number).values_list("pk", flat=True))
    people |= set(Position.all_objects.filter(mobile=number).values_list("person_id", flat=True))
    if not people:
        suppress(Channel.SMS, number, SuppressionReason.STOP)
    for person_id in sorted(people):
        suppress(Channel.SMS, number, SuppressionReason.STOP, person_id=person_id)
    return len(people)
