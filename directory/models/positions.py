import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey

from ..emails import NormalisedEmailField
from ..phones import MobileNumberField, PhoneNumberField, format_phone
from ..search import refresh_people
from .addresses import PostalAddress
from .lists import Function
from .trash import LivePositionManager


class PositionQuerySet(models.QuerySet):
    def current(self, today: datetime.date | None = None):
        """Positions that have started (no start date, or today or earlier) and
        have not ended (no end date, or today or later): DESIGN.md's rule."""
        today = today or timezone.localdate()
        return self.filter(
            models.Q(start_date__isnull=True) | models.Q(start_date__lte=today),
            models.Q(end_date__isnull=True) | models.Q(end_date__gte=today),
        )

    def ended(self, today: datetime.date | None = None):
        today = today or timezone.localdate()
        return self.filter(end_date__lt=today)

    def update(self, **kwargs):
        ids = list(self.values_list("person_id", flat=True).distinct())
        count = super().update(**kwargs)
        refresh_people(ids)
        return count

    def bulk_create(self, objs, *args, refresh: bool = True, **kwargs):
        """`refresh=False`: the caller keeps its people's search texts itself."""
        created = super().bulk_create(objs, *args, **kwargs)
        if refresh:
            refresh_people(position.person_id for position in objs)
        return created

    def delete(self):
        ids = list(self.values_list("person_id", flat=True).distinct())
        result = super().delete()
        refresh_people(ids)
        return result


class Position(PostalAddress):
    """A person's capacity in an organisation ("director of Théâtre X").

    It has its own professional coordinates; its postal address defaults to
    the organisation's when left empty. A position is current when it has no
    end date or one that has not passed.
    """

    person = ParentalKey(
        "directory.Person",
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="positions",
        db_index=False,  # the index of Meta that starts with it serves
    )
    organisation = ParentalKey(
        "directory.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="positions",
        db_index=False,  # the index of Meta that starts with it serves
    )
    function = models.ForeignKey(
        Function,
        verbose_name=_("function"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="positions",
    )
    title = models.CharField(
        _("title"),
        max_length=200,
        blank=True,
        help_text=_("Free wording, for example “Directrice artistique et générale”."),
    )
    email = NormalisedEmailField(_("professional e-mail"), blank=True)
    phone = PhoneNumberField(_("professional phone"), blank=True)
    mobile = MobileNumberField(_("professional mobile"), blank=True)
    is_primary = models.BooleanField(
        _("primary position"),
        default=False,
        help_text=_("The position shown first for this person."),
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(
        _("end date"), null=True, blank=True, help_text=_("Empty while the position is held.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # True while its person or its organisation is in the trash (`models.trash`).
    in_trash = models.BooleanField(default=False, db_default=False, editable=False)

    objects = LivePositionManager.from_queryset(PositionQuerySet)()
    all_objects = models.Manager.from_queryset(PositionQuerySet)()  # the trash too

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["-is_primary", "end_date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(is_primary=True),
                name="one_primary_position_per_person",
                violation_error_message=_("A person has only one primary position."),
            )
        ]
        # Each key's lookups use the index that starts with it (the function's
        # is the foreign key's own): an import files every new position in
        # each index, so none is there twice.
        indexes = [
            models.Index(fields=["organisation", "end_date"], name="position_org_end"),
            models.Index(fields=["person", "end_date"], name="position_person_end"),
        ]

    def __str__(self):
        return f"{self.person} – {self.label} – {self.organisation}"

    @property
    def label(self) -> str:
        """ "Directeur·rice (directrice artistique)" or whichever is set."""
        return position_label(self.function.name if self.function_id else "", self.title)

    def is_current(self, today: datetime.date | None = None) -> bool:
        """Started and not ended, as `PositionQuerySet.current` says."""
        today = today or timezone.localdate()
        started = self.start_date is None or self.start_date <= today
        return started and not self.has_ended(today)

    def has_ended(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.end_date is not None and self.end_date < today

    @property
    def phone_display(self) -> str:
        return format_phone(self.phone)

    @property
    def mobile_display(self) -> str:
        return format_phone(self.mobile)

    @property
    def uses_organisation_address(self) -> bool:
        return not self.has_address

    def effective_address_lines(self) -> list[str]:
        if self.has_address:
            return self.address_lines()
        return self.organisation.address_lines()

    def clean(self):
        super().clean()
        self.clean_postal_address()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError(
                {"end_date": _("The end date cannot be before the start date.")},
                code="end_before_start",
            )

    def save(self, *args, **kwargs):
        self.derive_geography()
        if self.is_primary:
            # One primary position per person (a partial unique constraint):
            # the one saved as primary takes over.
            type(self).all_objects.filter(person_id=self.person_id, is_primary=True).exclude(
                pk=self.pk
            ).update(is_primary=False)
        super().save(*args, **kwargs)
        refresh_people([self.person_id])

    def delete(self, *args, **kwargs):
        person_id = self.person_id
        result = super().delete(*args, **kwargs)
        refresh_people([person_id])
        return result


def position_label(function: str, title: str) -> str:
    """A position's function and its free title, said once: "Directeur·rice
    (directrice artistique)", or whichever is set."""
    function = function or ""
    if function and title and title != function:
        return f"{function} ({title})"
    return title or function or str(_("position"))
