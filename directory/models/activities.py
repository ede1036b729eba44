"""What organisations and people did elsewhere: orders, rentals, subscriptions,
registrations…, recorded by the agency's other applications through the API.

An activity concerns one organisation or one person, has a kind (a list
administrators edit), the date it happened, an optional amount and currency,
and free details. It is recorded once per source and external reference:
the same application sending the same order twice records it once
(`directory.actions.record_activity`).
"""

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .lists import NamedListItem


class ActivityKind(NamedListItem):
    """Order, rental, subscription, registration…"""

    duplicate_message = _("An activity kind with this name already exists.")
    code = models.SlugField(
        _("code"),
        max_length=50,
        unique=True,
        help_text=_("What other applications send to name this kind (e.g. “order”)."),
    )

    class Meta(NamedListItem.Meta):
        verbose_name = _("activity kind")
        verbose_name_plural = _("activity kinds")


class ActivityQuerySet(models.QuerySet):
    def live(self):
        """Activities of records that are not in the trash."""
        return self.filter(
            Q(organisation__isnull=True) | Q(organisation__trashed_at__isnull=True),
            Q(person__isnull=True) | Q(person__trashed_at__isnull=True),
        )


class Activity(models.Model):
    kind = models.ForeignKey(
        ActivityKind, verbose_name=_("kind"), on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="activities",
    )
    person = models.ForeignKey(
        "directory.Person",
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="activities",
    )
    # Who recorded it: a stable key of the application ("api-client:12") and
    # its name when it did; with the reference, what makes it unique.
    source = models.CharField(_("source"), max_length=100)
    source_name = models.CharField(_("recorded by"), max_length=200, blank=True)
    external_reference = models.CharField(_("reference"), max_length=200)
    date = models.DateField(_("date"))
    amount = models.DecimalField(
        _("amount"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(-(10**11))],
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("recorded on"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated on"), auto_now=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-date", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_reference"], name="activity_once_per_source"
            ),
            models.CheckConstraint(
                condition=(
                    Q(organisation__isnull=False, person__isnull=True)
                    | Q(organisation__isnull=True, person__isnull=False)
                ),
                name="activity_of_one_record",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "date"], name="activity_org_date"),
            models.Index(fields=["person", "date"], name="activity_person_date"),
            models.Index(fields=["date", "kind"], name="activity_date_kind"),
        ]

    def __str__(self):
        return f"{self.kind} {self.external_reference} ({self.date:%d/%m/%Y})"

    @property
    def target(self):
        return self.organisation or self.person
