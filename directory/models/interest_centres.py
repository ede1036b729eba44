from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..colours import text_colour_for, validate_hex_colour
from ..text import fold


class InterestCentre(models.Model):
    """An administrator-defined theme that organisations are tagged with.

    Names are unique whatever the case and accents ("Théâtre" = "THEATRE"),
    through `name_key`, which every save recomputes.
    """

    name = models.CharField(_("name"), max_length=100)
    name_key = models.CharField(max_length=100, unique=True, editable=False)
    colour = models.CharField(
        _("colour"),
        max_length=7,
        default="#1f6feb",
        validators=[validate_hex_colour],
        help_text=_("Shown as the background of the interest centre's chip."),
    )

    class Meta:
        verbose_name = _("interest centre")
        verbose_name_plural = _("interest centres")
        ordering = ["name_key"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name = " ".join((self.name or "").split())
        self.name_key = self.key_for(self.name)
        self.colour = (self.colour or "").lower()
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        self.name = " ".join((self.name or "").split())
        self.name_key = self.key_for(self.name)
        duplicates = InterestCentre.objects.exclude(pk=self.pk).filter(name_key=self.name_key)
        if self.name_key and duplicates.exists():
            raise ValidationError(
                {"name": _("An interest centre with this name already exists.")},
                code="duplicate_name",
            )

    @staticmethod
    def key_for(name: str) -> str:
        return fold(" ".join((name or "").split()))[:100]  # folding may lengthen

    @property
    def text_colour(self) -> str:
        return text_colour_for(self.colour)
