from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modelcluster.models import ClusterableModel

from ..emails import NormalisedEmailField
from ..phones import MobileNumberField, PhoneNumberField, format_phone
from ..search import person_search_text, refresh_people
from ..text import fold
from .addresses import PostalAddress
from .querysets import DerivedColumnsQuerySet
from .trash import LiveManager, Trashable


class Civility(models.TextChoices):
    MADAME = "mme", _("Ms")
    MONSIEUR = "m", _("Mr")


class Consent(models.TextChoices):
    UNKNOWN = "", _("Not asked")
    CONSENTED = "consented", _("Consented")
    REFUSED = "refused", _("Refused")


LANGUAGE_CHOICES = [
    ("fr", _("French")),
    ("en", _("English")),
    ("de", _("German")),
    ("es", _("Spanish")),
    ("it", _("Italian")),
    ("nl", _("Dutch")),
    ("pt", _("Portuguese")),
    ("ar", _("Arabic")),
    ("oc", _("Occitan")),
    ("br", _("Breton")),
]

CHANNELS = ("email", "sms", "post")


class PersonQuerySet(DerivedColumnsQuerySet):
    source_fields = frozenset(
        {"first_name", "last_name", "email", "phone", "mobile", "postcode", "city", "country"}
    )

    def refresh(self, ids, updated_fields):
        refresh_people(ids)


class Person(PostalAddress, Trashable, ClusterableModel):
    """Someone in the directory, with personal coordinates and preferences.

    Their capacities in organisations are their `positions`; a person with
    none is independent.
    """

    civility = models.CharField(
        pgettext_lazy("form of address", "title"),
        max_length=3,
        choices=Civility.choices,
        blank=True,
    )
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100)
    email = NormalisedEmailField(_("personal e-mail"), blank=True)
    phone = PhoneNumberField(_("phone"), blank=True)
    mobile = MobileNumberField(_("mobile"), blank=True)
    language = models.CharField(
        _("preferred language"), max_length=5, choices=LANGUAGE_CHOICES, default="fr"
    )
    email_consent = models.CharField(
        _("e-mail"), max_length=10, choices=Consent.choices, default=Consent.UNKNOWN, blank=True
    )
    email_consent_date = models.DateField(_("e-mail answer date"), null=True, blank=True)
    email_consent_source = models.CharField(_("e-mail answer source"), max_length=200, blank=True)
    sms_consent = models.CharField(
        _("SMS"), max_length=10, choices=Consent.choices, default=Consent.UNKNOWN, blank=True
    )
    sms_consent_date = models.DateField(_("SMS answer date"), null=True, blank=True)
    sms_consent_source = models.CharField(_("SMS answer source"), max_length=200, blank=True)
    post_consent = models.CharField(
        _("post"), max_length=10, choices=Consent.choices, default=Consent.UNKNOWN, blank=True
    )
    post_consent_date = models.DateField(_("post answer date"), null=True, blank=True)
    post_consent_source = models.CharField(_("post answer source"), max_length=200, blank=True)
    do_not_contact = models.BooleanField(
        _("do not contact"),
        default=False,
        help_text=_("Never include this person in a campaign, whatever the channel."),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    name_key = models.CharField(max_length=201, editable=False)
    search_text = models.TextField(editable=False, default="")

    objects = LiveManager.from_queryset(PersonQuerySet)()
    all_objects = models.Manager.from_queryset(PersonQuerySet)()  # the trash too

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name_key", "pk"]
        permissions = [("purge_person", _("Can delete people for good"))]
        indexes = [
            models.Index(
                fields=["name_key", "id"],
                name="person_live_name_key_id",
                condition=models.Q(trashed_at__isnull=True),
            ),
            # The trash, and who put each record there: a few rows of the table.
            models.Index(
                fields=["trashed_at"],
                name="person_trashed_at",
                condition=models.Q(trashed_at__isnull=False),
            ),
            models.Index(
                fields=["trashed_by"],
                name="person_trashed_by",
                condition=models.Q(trashed_by__isnull=False),
            ),
            # The listing sorted by city: city, then name, then id (`DirectoryIndexView`);
            # and any search of live records by city (no index of the city alone).
            models.Index(
                fields=["city", "name_key", "id"],
                name="person_live_city_name",
                condition=models.Q(trashed_at__isnull=True),
            ),
            models.Index(fields=["updated_at"], name="person_updated"),
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)

    @property
    def phone_display(self) -> str:
        return format_phone(self.phone)

    @property
    def mobile_display(self) -> str:
        return format_phone(self.mobile)

    def consent_for(self, channel: str) -> str:
        return getattr(self, f"{channel}_consent")

    def may_be_contacted_by(self, channel: str) -> bool:
        """The one rule for every list of recipients (`selections.recipients`):
        never someone who asked not to be contacted, nor on a refused channel."""
        return not self.do_not_contact and self.consent_for(channel) != Consent.REFUSED

    def clean(self):
        super().clean()
        self.first_name = " ".join((self.first_name or "").split())
        self.last_name = " ".join((self.last_name or "").split())
        self.clean_postal_address()

    def prepare_for_write(self, positions=None) -> None:
        self.first_name = " ".join((self.first_name or "").split())
        self.last_name = " ".join((self.last_name or "").split())
        self.name_key = fold(f"{self.last_name} {self.first_name}")[:201]
        self.derive_geography()
        if positions is None:
            from .positions import Position

            positions = (
                list(
                    Position.objects.filter(person_id=self.pk)  # not those in the trash
                    .select_related("organisation", "function")
                    .order_by("pk")
                )
                if self.pk
                else []
            )
        self.search_text = person_search_text(self, positions)

    def save(self, *args, **kwargs):
        self.prepare_for_write()
        super().save(*args, **kwargs)
