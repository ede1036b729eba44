"""The audit log of campaigns: Wagtail's, read only by those who may see the campaign.

A campaign's name and its history (sent, cancelled, tests) are read in the
site history by its author and by those who may see its basket
(`outreach.actions.visible_campaigns`), administrators included: a
campaign on another's private basket is not theirs to read.
"""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _
from wagtail.models import BaseLogEntry
from wagtail.models.audit_log import LogEntryQuerySet, ModelLogEntryManager


class CampaignLogQuerySet(LogEntryQuerySet):
    def viewable_by_user(self, user):
        if not user.is_authenticated:
            return self.none()
        from ..actions import visible_campaigns

        keys = visible_campaigns(user).annotate(key=Cast("pk", models.CharField()))
        return self.filter(Q(user=user) | Q(object_id__in=keys.values("key")))


class CampaignLogManager(ModelLogEntryManager):
    def get_queryset(self):
        return CampaignLogQuerySet(self.model, using=self._db)

    def viewable_by_user(self, user):
        return self.get_queryset().viewable_by_user(user)


class CampaignLogEntry(BaseLogEntry):
    object_id = models.CharField(max_length=255, db_index=True)

    objects = CampaignLogManager()

    class Meta(BaseLogEntry.Meta):
        ordering = ["-timestamp", "-id"]
        verbose_name = _("campaign log entry")
        verbose_name_plural = _("campaign log entries")
