"""Coordinates never to be used again: opt-outs, complaints, hard bounces, STOP replies.

A campaign leaves them out when it freezes its recipients and again just
before each message is handed to the provider, so that an opt-out recorded
after the freeze still holds. A suppression names the coordinate as sent
(an e-mail in lower case, a phone number in E.164) and, when known, the
person, so that their record shows it.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SuppressionReason(models.TextChoices):
    UNSUBSCRIBED = "unsubscribed", _("unsubscribed")
    COMPLAINED = "complained", _("complained of spam")
    BOUNCED = "bounced", _("invalid address (hard bounce)")
    STOP = "stop", _("replied STOP")


class Suppression(models.Model):
    channel = models.CharField(_("channel"), max_length=5)  # email, sms (post never)
    coordinate = models.CharField(_("coordinate"), max_length=254)
    reason = models.CharField(_("reason"), max_length=12, choices=SuppressionReason.choices)
    person = models.ForeignKey(
        "directory.Person",
        verbose_name=_("person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="suppressions",
    )
    delivery = models.ForeignKey(
        "outreach.Delivery", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("date"), auto_now_add=True)

    class Meta:
        verbose_name = _("suppressed coordinate")
        verbose_name_plural = _("suppressed coordinates")
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "coordinate", "reason"], name="suppression_unique"
            )
        ]
        indexes = [models.Index(fields=["channel", "coordinate"], name="suppression_lookup")]

    def __str__(self):
        return f"{self.coordinate} ({self.get_reason_display()})"

    @staticmethod
    def key(channel: str, coordinate: str) -> str:
        coordinate = (coordinate or "").strip()
        return coordinate.lower() if channel == "email" else coordinate
