"""Outreach in the Wagtail admin: the audit-log actions (`log_actions`), the
« Campagnes » menu (campaigns for staff and administrators; e-mail
templates, SMS templates and label sheets for administrators) and the
campaigns panel of the directory's records."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSetGroup

from . import log_actions
from .views.campaigns import CampaignViewSet
from .views.records import RecordCampaignsPanel
from .views.templates import EmailTemplateViewSet, LabelTemplateViewSet, SmsTemplateViewSet


@hooks.register("register_log_actions")
def register_outreach_log_actions(actions):
    log_actions.register(actions)


class OutreachViewSetGroup(ViewSetGroup):
    menu_label = _("Campaigns")
    menu_icon = "mail"
    menu_order = 160
    items = (CampaignViewSet, EmailTemplateViewSet, SmsTemplateViewSet, LabelTemplateViewSet)


@hooks.register("register_admin_viewset")
def register_outreach_viewsets():
    return OutreachViewSetGroup()


@hooks.register("directory_record_panels")
def campaigns_panel(request, record):
    return RecordCampaignsPanel.for_record(request, record)
