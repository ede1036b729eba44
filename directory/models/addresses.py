"""Postal addresses, with the department and region derived from a French postcode."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..geography import DEPARTMENTS, REGIONS, department_for_postcode, region_for_department

FRANCE = "FR"
COUNTRY_CHOICES = [
    ("FR", _("France")),
    ("BE", _("Belgium")),
    ("CH", _("Switzerland")),
    ("LU", _("Luxembourg")),
    ("MC", _("Monaco")),
    ("DE", _("Germany")),
    ("ES", _("Spain")),
    ("IT", _("Italy")),
    ("PT", _("Portugal")),
    ("NL", _("Netherlands")),
    ("GB", _("United Kingdom")),
    ("CA", _("Canada")),
    ("ZZ", _("Other country")),
]


class PostalAddress(models.Model):
    address_line1 = models.CharField(_("address"), max_length=200, blank=True)
    address_line2 = models.CharField(_("address (continued)"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(
        _("country"), max_length=2, choices=COUNTRY_CHOICES, default=FRANCE, blank=True
    )
    department = models.CharField(_("department"), max_length=3, blank=True, editable=False)
    region = models.CharField(_("region"), max_length=2, blank=True, editable=False)

    class Meta:
        abstract = True

    @property
    def has_address(self) -> bool:
        return bool(self.address_line1 or self.postcode or self.city)

    @property
    def department_name(self) -> str:
        return DEPARTMENTS.get(self.department, ("",))[0]

    @property
    def region_name(self) -> str:
        return REGIONS.get(self.region, "")

    def address_lines(self) -> list[str]:
        return format_address(
            self.address_line1, self.address_line2, self.postcode, self.city, self.country
        )

    def clean_postal_address(self) -> None:
        """Validate the postcode of a French address and derive the geography."""
        self.postcode = "".join((self.postcode or "").split()).upper()
        self.city = " ".join((self.city or "").split())
        is_french = (self.country or FRANCE) == FRANCE
        if self.postcode and is_french and department_for_postcode(self.postcode) is None:
            raise ValidationError(
                {
                    "postcode": _(
                        "Enter a French postcode of five digits, for example 75001 "
                        "(or choose another country)."
                    )
                },
                code="invalid_postcode",
            )
        self.derive_geography()

    def derive_geography(self) -> None:
        department = None
        if (self.country or FRANCE) == FRANCE:
            department = department_for_postcode(self.postcode or "")
        self.department = department or ""
        self.region = region_for_department(department) or "" if department else ""


def format_address(line1, line2, postcode, city, country) -> list[str]:
    """The lines of a postal address as a label prints them (city in capitals,
    the country only when it is not France)."""
    lines = [line1, line2, " ".join(part for part in (postcode, (city or "").upper()) if part)]
    if country and country != FRANCE:
        lines.append(str(dict(COUNTRY_CHOICES).get(country, "")))
    return [line for line in lines if line]
