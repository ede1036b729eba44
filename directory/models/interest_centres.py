from django.db import models
from django.utils.translation import gettext_lazy as _

from ..colours import text_colour_for, validate_hex_colour
from .lists import NamedListItem


class InterestCentre(NamedListItem):
    """An administrator-defined theme that organisations are tagged with.

    Names are unique whatever the case and accents ("Théâtre" = "THEATRE"),
    through `name_key`, which every save recomputes.
    """

    duplicate_message = _("An interest area with this name already exists.")

    colour = models.CharField(
        _("colour"),
        max_length=7,
        default="#1f6feb",
        validators=[validate_hex_colour],
        help_text=_("Shown as the background of the interest area's chip."),
    )

    class Meta(NamedListItem.Meta):
        verbose_name = _("interest area")
        verbose_name_plural = _("interest areas")

    def save(self, *args, **kwargs):
        self.colour = (self.colour or "").lower()
        super().save(*args, **kwargs)

    @property
    def text_colour(self) -> str:
        return text_colour_for(self.colour)
