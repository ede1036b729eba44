"""The audit-log actions of outreach, with their French labels (registered in wagtail_hooks)."""

from django.utils.translation import gettext_lazy as _

from .actions import CANCEL_ACTION, DOWNLOAD_ACTION, OPT_OUT_ACTION, SEND_ACTION, TEST_ACTION

LABELS = {
    SEND_ACTION: (_("Send campaign"), _("Campaign sent")),
    CANCEL_ACTION: (_("Cancel campaign"), _("Campaign cancelled")),
    TEST_ACTION: (_("Send a test"), _("Test message sent")),
    OPT_OUT_ACTION: (_("Opt-out"), _("Opted out")),
    DOWNLOAD_ACTION: (_("Download"), _("Campaign file downloaded")),
}


def register(actions) -> None:
    from .models import Campaign, CampaignLogEntry

    actions.register_model(Campaign, CampaignLogEntry)
    for action, (label, message) in LABELS.items():
        actions.register_action(action, label, message)
