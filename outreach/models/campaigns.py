"""A campaign sends one template through one channel to a basket's rows.

Until it is sent, a campaign follows its basket. When sending starts, the
basket's resolution is frozen into one `Delivery` per row: the capacity
that matched, the exact coordinate used and whose it is, or why the row is
left out. The report reads the deliveries, so it shows exactly who was
targeted even after the directory changes.

A delivery's status only moves forward (`outreach.email.webhooks.advance`);
a worker claims a pending delivery with a conditional update (pending →
sending) before calling the provider, so that no delivery is sent twice
(`outreach.sending`).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from selections.recipients import BY_PERSON, FALLBACKS, MERGES, SKIP


class Channel(models.TextChoices):
    POST = "post", _("Postal labels")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("campaign", "Draft")
    SCHEDULED = "scheduled", pgettext_lazy("campaign", "Scheduled")
    WAITING = "waiting", pgettext_lazy("campaign", "Waiting for the allowed hours")
    SENDING = "sending", pgettext_lazy("campaign", "Sending")
    SENT = "sent", pgettext_lazy("campaign", "Sent")
    CANCELLED = "cancelled", pgettext_lazy("campaign", "Cancelled")


class Campaign(models.Model):
    name = models.CharField(_("name"), max_length=200)
    channel = models.CharField(_("channel"), max_length=5, choices=Channel.choices)
    basket = models.ForeignKey(
        "selections.Basket",
        verbose_name=_("basket"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="campaigns",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    email_template = models.ForeignKey(
        "outreach.EmailTemplate",
        verbose_name=_("e-mail template"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    sms_template = models.ForeignKey(
        "outreach.SmsTemplate",
        verbose_name=_("SMS template"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    label_template = models.ForeignKey(
        "outreach.LabelTemplate",
        verbose_name=_("label sheet"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    fallback = models.CharField(
        _("when the capacity has no coordinate"),
        max_length=12,
        choices=list(FALLBACKS.items()),
        default=SKIP,
    )
    merge = models.CharField(
        _("duplicates"), max_length=10, choices=list(MERGES.items()), default=BY_PERSON
    )
    # Labels
    start_row = models.PositiveSmallIntegerField(_("start at row"), default=1)
    start_column = models.PositiveSmallIntegerField(_("start at column"), default=1)
    sort_by_postcode = models.BooleanField(_("sort by postcode"), default=True)

    status = models.CharField(
        _("status"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    scheduled_for = models.DateTimeField(_("scheduled for"), null=True, blank=True)
    waiting_reason = models.CharField(max_length=200, blank=True)
    # What was sent, frozen with the recipients (a template may change later).
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    html = models.TextField(blank=True)
    text = models.TextField(blank=True)
    frozen_at = models.DateTimeField(_("recipients frozen"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-created_at", "-pk"]
        permissions = [("send_campaign", _("Can send campaigns"))]

    def __str__(self):
        return self.name

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None

    @property
    def template(self):
        return {
            Channel.EMAIL: self.email_template,
            Channel.SMS: self.sms_template,
            Channel.POST: self.label_template,
        }.get(self.channel)


class DeliveryStatus(models.TextChoices):
    LEFT_OUT = "left_out", pgettext_lazy("delivery", "Left out")
    PENDING = "pending", pgettext_lazy("delivery", "Pending")
    SENDING = "sending", pgettext_lazy("delivery", "Sending")
    UNKNOWN = "unknown", pgettext_lazy("delivery", "Unknown (provider did not answer)")
    FAILED = "failed", pgettext_lazy("delivery", "Failed")
    SENT = "sent", pgettext_lazy("delivery", "Sent")
    DELIVERED = "delivered", pgettext_lazy("delivery", "Delivered")
    OPENED = "opened", pgettext_lazy("delivery", "Opened")
    CLICKED = "clicked", pgettext_lazy("delivery", "Clicked")
    BOUNCED = "bounced", pgettext_lazy("delivery", "Bounced")
    UNSUBSCRIBED = "unsubscribed", pgettext_lazy("delivery", "Unsubscribed")
    COMPLAINED = "complained", pgettext_lazy("delivery", "Complained")
    CANCELLED = "cancelled", pgettext_lazy("delivery", "Cancelled")


class Delivery(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="deliveries")
    kind = models.CharField(_("capacity"), max_length=12)  # position, personal, organisation
    person = models.ForeignKey(
        "directory.Person", on_delete=models.SET_NULL, null=True, related_name="deliveries"
    )
    position = models.ForeignKey(
        "directory.Position", on_delete=models.SET_NULL, null=True, related_name="deliveries"
    )
    organisation = models.ForeignKey(
        "directory.Organisation", on_delete=models.SET_NULL, null=True, related_name="deliveries"
    )
    name = models.CharField(_("name"), max_length=250)
    capacity = models.CharField(_("capacity"), max_length=400)
    coordinate = models.TextField(_("coordinate"), blank=True)
    source = models.CharField(_("whose coordinate"), max_length=12, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    provider_message_id = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    claim = models.CharField(max_length=32, blank=True)  # the worker that took it
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["pk"]
        indexes = [
            # A worker claims the first pending deliveries in id order: with the
            # id in the index, PostgreSQL reads 200 entries, not every pending row.
            models.Index(fields=["campaign", "status", "id"], name="delivery_campaign_status"),
            models.Index(fields=["provider_message_id"], name="delivery_message_id"),
        ]

    def __str__(self):
        return f"{self.name} <{self.coordinate}>" if self.coordinate else self.name
