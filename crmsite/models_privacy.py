"""People's rights over their data (RGPD): what the workspace keeps about
their exercise (`crmsite.privacy`).

* `Erasure`: a person of the directory was erased (`crmsite.privacy.erasure`):
  the record stays, named « Personne effacée », so that counts and statistics
  stay true; this row says so, when and by whom, and nothing else.
* `ErasedCoordinate`: a keyed digest of each e-mail address and phone number
  an erasure removed. No coordinate can be read back from it; a record
  created or changed later with the same coordinate (a form, the API) is
  marked « ne pas contacter » with every channel refused, so that an erased
  person is never contacted again (`crmsite.privacy.signals`).
* `DormantReview`: an administrator reviewed a dormant contact and kept it,
  with a reason: it leaves the dormant list until the period passes again
  (`crmsite.privacy.dormant`).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

MAX_REASON = 500


class Erasure(models.Model):
    person = models.OneToOneField(
        "directory.Person",
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="erasure",
    )
    erased_at = models.DateTimeField(_("erased on"), auto_now_add=True)
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("erased by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("erasure")
        verbose_name_plural = _("erasures")
        permissions = [
            (
                "manage_personal_data",
                _("Can export and erase people's personal data and review dormant contacts"),
            )
        ]

    def __str__(self):
        return str(_("Erasure of %(date)s")) % {"date": f"{self.erased_at:%d/%m/%Y}"}


class ErasedCoordinate(models.Model):
    EMAIL, PHONE = "email", "phone"
    KINDS = [(EMAIL, _("e-mail")), (PHONE, _("phone"))]

    kind = models.CharField(max_length=5, choices=KINDS)
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "digest"], name="erased_coordinate_unique")
        ]

    def __str__(self):
        return f"{self.kind}:{self.digest[:12]}…"


class DormantReview(models.Model):
    person = models.ForeignKey(
        "directory.Person",
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="dormant_reviews",
    )
    reason = models.CharField(_("reason"), max_length=MAX_REASON)
    kept_at = models.DateTimeField(_("kept on"), auto_now_add=True)
    kept_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("kept by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("dormant contact kept")
        verbose_name_plural = _("dormant contacts kept")
        ordering = ["-kept_at", "-pk"]
        indexes = [models.Index(fields=["person", "kept_at"], name="dormant_review_person")]

    def __str__(self):
        return self.reason
