"""Administrator-editable lists: organisation kinds and position functions."""

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
        verbose_name = _("organisation kind")
        verbose_name_plural = _("organisation kinds")


class Function(NamedListItem):
    """A function held in an organisation: director, press officer, programmer..."""

    class Meta(NamedListItem.Meta):
        verbose_name = _("function")
        verbose_name_plural = _("functions")
