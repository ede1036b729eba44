"""A small world around two people, Élise Vasseur (the one whose rights are
exercised) and Octave Brunel (everyone else): each has positions, a comment,
an activity, a basket row, a frozen row, a campaign delivery, a ticket with
messages, a task and log entries, so that a test sees both what is about
Élise and that nothing about Octave leaks."""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone
from wagtail.log_actions import log

from directory import actions as directory_actions
from directory.models import Comment, Consent
from helpdesk import actions as helpdesk_actions
from outreach.models import Campaign, Delivery, Suppression, TrackingEvent
from planner.models import Task
from selections.models import Basket, BasketEntry, Snapshot, SnapshotRow
from tests import activity_factories, factories

ELISE_EMAIL = "elise.vasseur@perso-exemple.fr"
ELISE_WORK_EMAIL = "e.vasseur@theatre-exemple.fr"
ELISE_PHONE = "+33612345678"
OCTAVE_EMAIL = "octave.brunel@exemple.fr"
OCTAVE_PHONE = "+33698765432"


def _someone(first, last, email, phone, work_email, organisation, admin, staff, basket, campaign):
    person = factories.PersonFactory(
        first_name=first,
        last_name=last,
        email=email,
        mobile=phone,
        address_line1=f"12 rue {last}",
        postcode="57000",
        city="Metz",
        notes=f"Rencontrée au festival, {first} aime le théâtre",
        email_consent=Consent.CONSENTED,
        email_consent_date=datetime.date(2024, 3, 1),
        email_consent_source="formulaire du site",
        post_consent=Consent.REFUSED,
    )
    directory_actions.update_person(admin, person, city="Metz")
    position = factories.PositionFactory(
        person=person,
        organisation=organisation,
        email=work_email,
        title=f"Directrice artistique {last}",
    )
    directory_actions.update_position(admin, position, phone="+33387000000")
    Comment.objects.create(person=person, author=staff, body=f"Appeler {first} {last} en mars")
    activity_factories.activity(person, amount="120.50", details={"client": f"{first} {last}"})
    BasketEntry.objects.create(basket=basket, action="add", person=person, added_by=staff)
    snapshot = Snapshot.objects.create(basket=basket, label="Gel", row_count=1)
    SnapshotRow.objects.create(
        snapshot=snapshot,
        kind="position",
        person=person,
        position=position,
        name=f"{first} {last}",
        capacity="Directrice",
        email=work_email,
    )
    delivery = Delivery.objects.create(
        campaign=campaign,
        kind="position",
        person=person,
        position=position,
        name=f"{first} {last}",
        capacity=f"Directrice – {organisation.name}",
        coordinate=work_email,
        source="position",
        status="delivered",
        sent_at=timezone.now(),
    )
    TrackingEvent.objects.create(
        key=f"event-{person.pk}", provider="brevo", event="delivered", delivery=delivery
    )
    Suppression.objects.create(
        channel="email", coordinate=email, reason="unsubscribed", person=person
    )
    account = factories.client(
        username=f"{first.lower()}-compte", email=email, first_name=first, last_name=last
    )
    account.person = person
    account.save()
    ticket = helpdesk_actions.open_ticket(
        account, subject=f"Question de {first} {last}", text=f"Bonjour, ici {first} ({phone})"
    )
    helpdesk_actions.post_message(staff, ticket, f"Bonjour {first}, nous regardons.")
    task = Task.objects.create(
        owner=staff, title=f"Rappeler {first} {last}", description=f"Au {phone}", person=person
    )
    log(person, "wagtail.create", user=admin)
    return SimpleNamespace(
        person=person,
        position=position,
        account=account,
        ticket=ticket,
        task=task,
        delivery=delivery,
        email=email,
        work_email=work_email,
        phone=phone,
        first=first,
        last=last,
    )


@pytest.fixture
def world(admin_user, staff_user):
    # The staff's names are in the export (authors of comments, tasks...):
    # fixed, so that a random one is never "Brunel", whom nothing may name.
    for user, (first, last) in ((admin_user, ("Anne", "Lambert")), (staff_user, ("Marie", "Roy"))):
        user.first_name, user.last_name = first, last
        user.save(update_fields=["first_name", "last_name"])
    organisation = factories.OrganisationFactory(name="Théâtre du Lac", email="contact@lac.fr")
    basket = Basket.objects.create(owner=staff_user, name="Invités")
    campaign = Campaign.objects.create(
        name="Saison 2026", channel="email", status="sent", frozen_at=timezone.now()
    )
    elise = _someone(
        "Élise",
        "Vasseur",
        ELISE_EMAIL,
        ELISE_PHONE,
        ELISE_WORK_EMAIL,
        organisation,
        admin_user,
        staff_user,
        basket,
        campaign,
    )
    octave = _someone(
        "Octave",
        "Brunel",
        OCTAVE_EMAIL,
        OCTAVE_PHONE,
        "o.brunel@theatre-exemple.fr",
        organisation,
        admin_user,
        staff_user,
        basket,
        campaign,
    )
    # A ticket Élise took part in, opened by Octave: only her message is hers.
    helpdesk_actions.add_participant(admin_user, octave.ticket, elise.account)
    helpdesk_actions.post_message(elise.account, octave.ticket, "Moi aussi, Élise.")
    return SimpleNamespace(
        elise=elise,
        octave=octave,
        organisation=organisation,
        basket=basket,
        campaign=campaign,
        admin=admin_user,
        staff=staff_user,
    )
