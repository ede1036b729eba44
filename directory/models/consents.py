"""The history of a person's consents: when and how each was given or refused.

One `ConsentChange` per change of a channel's answer (e-mail, SMS, post) or
of « ne pas contacter » (channel `contact`), with the source (a fixed list:
typed in the workspace, an import, the API, an unsubscribe link, a complaint
to the provider, a STOP reply, a merge, an erasure…), a detail (what the
record's source field said, the coordinate unsubscribed) and who did it.

Written by `directory.signals` when a person is saved, and by
`record_consent_change` for the other paths (outreach's opt-outs through
`crmsite.privacy.signals`). The person's record shows it.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .people import Consent

MAX_DETAIL = 200


class ConsentChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    POST = "post", _("Post")
    CONTACT = "contact", _("Every channel")


class ConsentSource(models.TextChoices):
    FORM = "form", _("typed in the workspace")
    IMPORT = "import", _("spreadsheet import")
    API = "api", _("API")
    UNSUBSCRIBE = "unsubscribe", _("unsubscribe link")
    COMPLAINT = "complaint", _("complaint to the provider")
    BOUNCE = "bounce", _("invalid address (bounce)")
    STOP = "stop", _("STOP reply")
    MERGE = "merge", _("merge of duplicates")
    ERASURE = "erasure", _("erasure (GDPR)")
    OTHER = "other", _("other")


class ConsentChange(models.Model):
    person = models.ForeignKey(
        "directory.Person",
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="consent_changes",
    )
    channel = models.CharField(_("channel"), max_length=7, choices=ConsentChannel.choices)
    value = models.CharField(
        _("answer"), max_length=10, choices=Consent.choices, blank=True, default=Consent.UNKNOWN
    )
    answered_on = models.DateField(_("answer date"), null=True, blank=True)
    changed_at = models.DateTimeField(_("recorded on"), default=timezone.now)
    source_kind = models.CharField(
        _("source"), max_length=12, choices=ConsentSource.choices, default=ConsentSource.OTHER
    )
    detail = models.CharField(_("detail"), max_length=MAX_DETAIL, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("consent change")
        verbose_name_plural = _("consent changes")
        ordering = ["-changed_at", "-pk"]
        indexes = [models.Index(fields=["person", "changed_at"], name="consent_change_person")]

    def __str__(self):
        return f"{self.get_channel_display()}: {self.get_value_display()}"

    @property
    def answer_label(self) -> str:
        """ "Refusé", "Accepté", "Non demandé"; for « ne pas contacter »: set or lifted."""
        if self.channel == ConsentChannel.CONTACT:
            return str(
                _("Do not contact") if self.value == Consent.REFUSED else _("Contact allowed again")
            )
        return str(self.get_value_display())


def record_consent_change(
    person, channel, value, source_kind, detail="", user=None, answered_on=None
):
    return ConsentChange.objects.create(
        person=person,
        channel=channel,
        value=value,
        source_kind=source_kind,
        detail=(detail or "")[:MAX_DETAIL],
        changed_by=user if user is not None and getattr(user, "pk", None) else None,
        answered_on=answered_on,
    )
