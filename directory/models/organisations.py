from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modelcluster.fields import ParentalManyToManyField
from modelcluster.models import ClusterableModel
from stdnum.fr import siret as stdnum_siret

from ..emails import NormalisedEmailField
from ..phones import PhoneNumberField, format_phone
from ..search import (
    organisation_search_text,
    people_of_organisations,
    refresh_organisations,
    refresh_people,
)
from ..text import fold
from .addresses import PostalAddress
from .lists import OrganisationKind
from .querysets import DerivedColumnsQuerySet
from .trash import LiveManager, Trashable


def normalise_siret(value: str) -> str:
    return "".join(c for c in (value or "") if not c.isspace() and c not in ".-")


class OrganisationQuerySet(DerivedColumnsQuerySet):
    source_fields = frozenset({"name", "email", "phone", "postcode", "city", "country"})

    def refresh(self, ids, updated_fields):
        # People are found by their organisations' names.
        refresh_organisations(ids, people_too="name" in updated_fields)

    def delete(self):
        # Positions go by cascade, which bypasses `Position.delete()`: their
        # people would stay found by these organisations' names.
        people = people_of_organisations(self.values_list("pk", flat=True))
        result = super().delete()
        refresh_people(people)
        return result


class Organisation(PostalAddress, Trashable, ClusterableModel):
    """A venue, company, festival, local authority, association..."""

    name = models.CharField(_("name"), max_length=200)
    name_key = models.CharField(max_length=200, editable=False)
    kind = models.ForeignKey(
        OrganisationKind,
        verbose_name=_("type"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
    )
    siret = models.CharField(
        _("SIRET"),
        max_length=20,  # typed with spaces; stored as 14 digits
        unique=True,
        null=True,
        blank=True,
        help_text=_("14 digits; optional."),
        error_messages={"unique": _("An organisation with this SIRET already exists.")},
    )
    email = NormalisedEmailField(_("generic e-mail"), blank=True)
    phone = PhoneNumberField(_("phone"), blank=True)
    website = models.URLField(_("website"), max_length=300, blank=True)
    interest_centres = ParentalManyToManyField(
        "directory.InterestCentre",
        verbose_name=_("interest areas"),
        blank=True,
        related_name="organisations",
    )
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(pgettext_lazy("organisation", "active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    search_text = models.TextField(editable=False, default="")

    objects = LiveManager.from_queryset(OrganisationQuerySet)()
    all_objects = models.Manager.from_queryset(OrganisationQuerySet)()  # the trash too

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name_key", "pk"]
        permissions = [("purge_organisation", _("Can delete organisations for good"))]
        indexes = [
            models.Index(
                fields=["name_key", "id"],
                name="org_live_name_key_id",
                condition=models.Q(trashed_at__isnull=True),
            ),
            # The trash, and who put each record there: a few rows of the table.
            models.Index(
                fields=["trashed_at"],
                name="org_trashed_at",
                condition=models.Q(trashed_at__isnull=False),
            ),
            models.Index(
                fields=["trashed_by"],
                name="org_trashed_by",
                condition=models.Q(trashed_by__isnull=False),
            ),
            # The listing sorted by city: city, then name, then id (`DirectoryIndexView`);
            # and any search of live records by city (no index of the city alone).
            models.Index(
                fields=["city", "name_key", "id"],
                name="org_live_city_name",
                condition=models.Q(trashed_at__isnull=True),
            ),
            models.Index(fields=["department"], name="org_department"),
            models.Index(fields=["region"], name="org_region"),
            models.Index(fields=["updated_at"], name="org_updated"),
        ]

    def __str__(self):
        return self.name

    @property
    def phone_display(self) -> str:
        return format_phone(self.phone)

    @property
    def interest_centre_names(self) -> str:
        return ", ".join(centre.name for centre in self.interest_centres.all())

    @property
    def siret_display(self) -> str:
        return stdnum_siret.format(self.siret) if self.siret else ""

    def clean(self):
        super().clean()
        self.name = " ".join((self.name or "").split())
        self.siret = normalise_siret(self.siret) or None
        errors = {}
        if self.siret and not stdnum_siret.is_valid(self.siret):
            errors["siret"] = _(
                "This SIRET is not valid: it must have 14 digits and a correct check digit."
            )
        try:
            self.clean_postal_address()
        except ValidationError as error:
            errors.update(error.message_dict)
        if errors:
            raise ValidationError(errors)

    def prepare_for_write(self) -> None:
        """Derived columns, recomputed by every write path."""
        self.name = " ".join((self.name or "").split())
        self.name_key = fold(self.name)[:200]  # folding may lengthen (ß -> ss)
        self.siret = normalise_siret(self.siret) or None
        self.derive_geography()
        self.search_text = organisation_search_text(self)

    def save(self, *args, **kwargs):
        renamed = False
        if self.pk:
            old_name = (
                type(self).all_objects.filter(pk=self.pk).values_list("name", flat=True).first()
            )
            renamed = old_name is not None and old_name != " ".join((self.name or "").split())
        self.prepare_for_write()
        super().save(*args, **kwargs)
        if renamed:
            # People are found by the names of their organisations.
            refresh_people(people_of_organisations([self.pk]))

    def delete(self, *args, **kwargs):
        people = people_of_organisations([self.pk])
        result = super().delete(*args, **kwargs)
        refresh_people(people)  # their positions went by cascade
        return result
