"""Administrator-editable lists: organisation types and position functions."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..text import fold


class NamedListItem(models.Model):
    """A name that is unique whatever its case and accents."""

    duplicate_message = _("An entry with this name already exists.")

    name = models.CharField(_("name"), max_length=100)
    name_key = models.CharField(max_length=100, unique=True, editable=False)

    class Meta:
        abstract = True
        ordering = ["name_key"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name = " ".join((self.name or "").split())
        self.name_key = self.key_for(self.name)
        super().save(*args, **kwargs)

    @staticmethod
    def key_for(name: str) -> str:
        return fold(" ".join((name or "").split()))[:100]  # folding may lengthen

    def clean(self):
        super().clean()
        self.name = " ".join((self.name or "").split())
        self.name_key = self.key_for(self.name)
        if (
            self.name_key
            and type(self).objects.exclude(pk=self.pk).filter(name_key=self.name_key).exists()
        ):
            raise ValidationError({"name": self.duplicate_message}, code="duplicate_name")


class OrganisationKind(NamedListItem):
    """Venue, company, festival, local authority, association..."""

    class Meta(NamedListItem.Meta):
        verbose_name = _("organisation type")
        verbose_name_plural = _("organisation types")


class FunctionQuerySet(models.QuerySet):
    def update(self, **kwargs):
        ids = list(self.values_list("pk", flat=True)) if "name" in kwargs else []
        count = super().update(**kwargs)
        if ids:
            refresh_holders(ids)
        return count


def refresh_holders(function_ids) -> None:
    """People are found by the names of their functions."""
    from ..search import refresh_people
    from .positions import Position

    refresh_people(
        Position.all_objects.filter(function_id__in=list(function_ids)).values_list(
            "person_id", flat=True
        )
    )


class Function(NamedListItem):
    """A function held in an organisation: director, press officer, programmer..."""

    objects = FunctionQuerySet.as_manager()

    class Meta(NamedListItem.Meta):
        verbose_name = _("function")
        verbose_name_plural = _("functions")

    def save(self, *args, **kwargs):
        old_name = None
        if self.pk:
            old_name = type(self).objects.filter(pk=self.pk).values_list("name", flat=True).first()
        super().save(*args, **kwargs)
        if old_name is not None and old_name != self.name:
            refresh_holders([self.pk])
