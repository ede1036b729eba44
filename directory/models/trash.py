"""The trash ("Corbeille"): where deleted organisations and people wait.

Deleting an organisation or a person sets its `trashed_at`; its positions
are marked `in_trash` with it (`Position.in_trash` is true while its person
or its organisation is in the trash) and its comments go with it. The
default managers (`objects`) hide all of these, so that every listing,
search, chooser, count, saved search, basket and export, which read through
them, leaves the trash out without knowing of it; `all_objects` sees
everything, for the trash itself and for restoring. Related-object access
(`position.organisation`) uses Django's base manager and still finds a
trashed record.

The actions that move records in and out are in `directory.actions`.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LiveManager(models.Manager):
    """Hides the records in the trash (used as `objects`)."""

    trash_filter = {"trashed_at__isnull": True}

    def get_queryset(self):
        return super().get_queryset().filter(**self.trash_filter)


class LivePositionManager(LiveManager):
    trash_filter = {"in_trash": False}


class LiveCommentManager(LiveManager):
    trash_filter = {}

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .exclude(organisation__trashed_at__isnull=False)
            .exclude(person__trashed_at__isnull=False)
        )


class Trashable(models.Model):
    trashed_at = models.DateTimeField(
        _("moved to the trash"), null=True, blank=True, editable=False
    )
    trashed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moved to the trash by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        db_index=False,  # a partial index of the trash only, in each model's Meta
    )

    class Meta:
        abstract = True

    @property
    def is_trashed(self) -> bool:
        return self.trashed_at is not None
