"""Dormant contacts: people with no sign of life for a period.

A person is dormant when, for the last `months` months (the setting
`PRIVACY_DORMANT_MONTHS`, 36 by default: the CNIL's guideline for
prospects), there has been none of: the record created or changed, a
position of theirs created or changed, a change in the audit log, a comment
about them, an activity, a campaign delivery (to them or one of their
positions), a ticket concerning them or written in from their account, a
task about them, and no administrator kept them after a review
(`DormantReview`): a person kept leaves the list until the period has
passed again since. Erased people and the trash are left out.

One SQL query with `NOT EXISTS` subqueries (`dormant_people`), paginated by
the screen; `count_dormant` for the monthly notice (`crmsite.tasks`).
"""

from __future__ import annotations

import datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Exists, OuterRef, Q
from django.db.models.functions import Cast
from django.utils import timezone
from wagtail.models import ModelLogEntry

from directory.models import Activity, Comment, Person, Position

DEFAULT_MONTHS = 36
MAX_MONTHS = 1200


def period_months() -> int:
    return int(getattr(settings, "PRIVACY_DORMANT_MONTHS", DEFAULT_MONTHS) or DEFAULT_MONTHS)


def cutoff_for(months: int, now: datetime.datetime | None = None) -> datetime.datetime:
    return (now or timezone.now()) - relativedelta(months=months)


def dormant_people(months: int | None = None, now=None):
    """Live, not erased people with no sign of life since `months` months."""
    from crmsite.models import DormantReview, Erasure
    from helpdesk.models import Message, Ticket
    from outreach.models import Delivery
    from planner.models import Task

    months = months or period_months()
    since = cutoff_for(months, now)
    person = OuterRef("pk")
    person_type = ContentType.objects.get_for_model(Person)
    signs = [
        Exists(Position.all_objects.filter(person=person, updated_at__gte=since)),
        Exists(
            ModelLogEntry.objects.filter(
                content_type=person_type,
                object_id=Cast(person, CharField()),
                timestamp__gte=since,
            ).exclude(action="crmsite.privacy.export")  # an export is no sign of the person
        ),
        Exists(Comment.all_objects.filter(person=person, created_at__gte=since)),
        Exists(
            Activity.objects.filter(person=person).filter(
                Q(date__gte=since.date()) | Q(created_at__gte=since)
            )
        ),
        Exists(
            Delivery.objects.filter(Q(person=person) | Q(position__person=person)).filter(
                Q(sent_at__gte=since) | Q(campaign__frozen_at__gte=since)
            )
        ),
        Exists(
            Ticket.objects.filter(person=person).filter(
                Q(created_at__gte=since) | Q(last_message_at__gte=since)
            )
        ),
        Exists(Message.objects.filter(author__person=person, created_at__gte=since)),
        Exists(Task.objects.filter(person=person, updated_at__gte=since)),
        Exists(DormantReview.objects.filter(person=person, kept_at__gte=since)),
        Exists(Erasure.objects.filter(person=person)),
    ]
    queryset = Person.objects.filter(created_at__lt=since, updated_at__lt=since)
    for sign in signs:
        queryset = queryset.filter(~sign)
    return queryset.order_by("name_key", "pk")


def count_dormant(months: int | None = None, now=None) -> int:
    return dormant_people(months, now).count()
