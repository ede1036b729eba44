"""Rows for the tests of the public endpoints: campaigns and their deliveries.

Tests may write rows directly; the endpoints under test go through
`outreach.actions`.
"""

from outreach.models import Campaign, CampaignStatus, Channel, Delivery, DeliveryStatus
from selections.models import Basket, BasketEntry
from tests.factories import PersonFactory, PositionFactory


def director(email="direction@theatre-metz.fr", **person):
    """A position (a director of a theatre) with its professional e-mail."""
    return PositionFactory(
        person=PersonFactory(email="elodie@perso.example", **person),
        email=email,
        organisation__name="Théâtre de Metz",
    )


def basket_of(owner, *positions, name="Directeurs"):
    basket = Basket.objects.create(owner=owner, name=name)
    for position in positions:
        BasketEntry.objects.create(basket=basket, action="add", position=position)
    return basket


def campaign(owner, channel=Channel.EMAIL, basket=None, name="Saison 2026"):
    return Campaign.objects.create(
        name=name, channel=channel, owner=owner, basket=basket, status=CampaignStatus.SENDING
    )


def delivery(owner, position, *, status=DeliveryStatus.SENT, message_id="", of=None):
    """A delivery of an e-mail campaign to `position` at its professional e-mail."""
    return Delivery.objects.create(
        campaign=of or campaign(owner),
        kind="position",
        person=position.person,
        position=position,
        organisation=position.organisation,
        name=str(position.person),
        capacity="Directeur·rice, Théâtre de Metz",
        coordinate=position.email,
        source="position",
        status=status,
        provider_message_id=message_id,
    )
