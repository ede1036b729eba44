"""Campaigns and what they need: templates, deliveries, suppressions and provider events."""

from .campaigns import Campaign, CampaignStatus, Channel, Delivery, DeliveryStatus
from .events import TrackingEvent
from .log import CampaignLogEntry
from .suppressions import Suppression, SuppressionReason
from .templates import EmailTemplate, LabelTemplate, SmsTemplate

__all__ = [
    "Campaign",
    "CampaignLogEntry",
    "CampaignStatus",
    "Channel",
    "Delivery",
    "DeliveryStatus",
    "EmailTemplate",
    "LabelTemplate",
    "SmsTemplate",
    "Suppression",
    "SuppressionReason",
    "TrackingEvent",
]
