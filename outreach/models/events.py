"""Provider events (delivered, opened, bounced…), each stored once.

Providers send an event again when they are unsure it arrived: the key is
the provider's event id when it gives one, else a digest of the message
id, the event and its timestamp (`outreach.email.webhooks.event_key`), and
is unique.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TrackingEvent(models.Model):
    key = models.CharField(max_length=128, unique=True)
    provider = models.CharField(_("provider"), max_length=40)
    event = models.CharField(_("event"), max_length=20)
    message_id = models.CharField(max_length=200, blank=True)
    delivery = models.ForeignKey(
        "outreach.Delivery",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="events",
    )
    occurred_at = models.DateTimeField(_("date"), null=True, blank=True)
    description = models.CharField(_("description"), max_length=500, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("provider event")
        verbose_name_plural = _("provider events")

    def __str__(self):
        return f"{self.event} {self.message_id}"
