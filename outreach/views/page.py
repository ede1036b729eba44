"""A campaign's page, and what one does there.

* **Before sending** (a draft): who will be reached, counted by
  `outreach.freezing` as it resolves the basket now, with the first
  recipients and their coordinate (the capacity that matched), and the
  people left out with the reason (the first `LEFT_OUT_SHOWN`); then a test
  to oneself (an e-mail to one's own address, an SMS to the number typed),
  send now, schedule, edit, delete, duplicate.
  Without a template, nothing is offered but the way to choose one.
* **While sending** (scheduled, waiting for the allowed hours, sending): a
  progress bar; while it sends or waits (not while it is only scheduled)
  it asks `status/` every two seconds (`outreach/campaign_progress.js`)
  and reloads the page when the campaign is over; cancel.
* **Once frozen**: the report (`report.py`), and for labels the PDF and the
  mail-merge CSV (`labels.py`).

Every button posts to its own URL (`send/`, `schedule/`, `test/`,
`cancel/`, `duplicate/`), which calls one action; "send now" and "cancel
the sending" ask first, in Wagtail's dialog (`outreach/campaign_confirm.js`;
without JavaScript the form posts at once). An action's refusal is
shown: on the form that was posted (a moment in the past, a number that is
not a mobile one), or as a message on the page (a second "send" from a
double click or another tab finds the campaign no longer a draft, a
duplicate of a campaign whose basket one no longer sees).

With eager Celery (the demo), opening the page first starts the scheduled
campaigns whose time has come (`campaigns.release_due_when_eager`).
"""

from collections import Counter

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import HeaderButton

from directory.views.phrased import header_title
from selections.criteria import CriteriaError
from selections.models import Basket
from selections.views.common import add_errors

from .. import actions, freezing
from ..forms import ScheduleForm, TestForm
from ..models import CampaignStatus, Channel, DeliveryStatus
from . import report
from .campaigns import campaign_url, release_due_when_eager, user_name, visible_campaign
from .wording import finished_label, moment, status_label

LEFT_OUT_SHOWN = 200
REACHED_SHOWN = 10
RUNNING = (CampaignStatus.SCHEDULED, CampaignStatus.WAITING, CampaignStatus.SENDING)
POLLED = (CampaignStatus.WAITING, CampaignStatus.SENDING)
UNFINISHED = (DeliveryStatus.PENDING, DeliveryStatus.SENDING)


class Preview:
    """The basket resolved now for the campaign: the counts of
    `freezing.summarise`, the first rows reached and the first left out."""

    def __init__(self, campaign):
        self.recipients = 0
        self.left_out = Counter()
        self.reached_rows = []
        self.left_out_rows = []
        for row in freezing.recipients(campaign):
            if row.left_out:
                self.left_out[row.reason] += 1
                if len(self.left_out_rows) < LEFT_OUT_SHOWN:
                    self.left_out_rows.append(row)
            else:
                self.recipients += 1
                if len(self.reached_rows) < REACHED_SHOWN:
                    self.reached_rows.append(row)

    @property
    def left_out_count(self) -> int:
        return sum(self.left_out.values())

    @property
    def total(self) -> int:
        return self.recipients + self.left_out_count

    def reasons(self):
        return self.left_out.most_common()


def progress(campaign) -> dict:
    """Where the sending is: what the progress bar and its JSON show."""
    counts = report.totals(campaign)
    total = sum(count for status, _label, count in counts if status != DeliveryStatus.LEFT_OUT)
    pending = sum(count for status, _label, count in counts if status in UNFINISHED)
    done = total - pending
    percent = int(done * 100 / total) if total else 0
    text = ngettext(
        "%(done)s message of %(total)s handed to the provider",
        "%(done)s messages of %(total)s handed to the provider",
        done,
    ) % {"done": done, "total": total}
    if campaign.status == CampaignStatus.SCHEDULED and campaign.scheduled_for:
        text = _("Scheduled for %(when)s.") % {"when": moment(campaign.scheduled_for)}
    return {
        "status": campaign.status,
        "status_label": status_label(campaign),
        "waiting_reason": campaign.waiting_reason,
        "finished": campaign.status not in RUNNING,
        "total": total,
        "done": done,
        "percent": percent,
        "text": text,
        "counts": [
            {"status": status, "label": str(label), "count": count}
            for status, label, count in counts
        ],
    }


class CampaignView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "outreach/admin/campaign.html"
    header_icon = "mail"
    schedule_form = None
    test_form = None

    def dispatch(self, request, *args, **kwargs):
        if request.method == "GET":
            release_due_when_eager()
        self.campaign = visible_campaign(request, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return self.campaign.name

    def get_page_subtitle(self):
        return str(self.campaign.get_channel_display())

    def get_header_title(self):
        return header_title(self.get_page_title(), self.get_page_subtitle())

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("outreach_campaigns:index"), "label": _("Campaigns")},
            {"url": "", "label": self.campaign.name},
        ]

    def get_header_buttons(self):
        return [
            HeaderButton(
                _("History"),
                reverse("outreach_campaigns:history", args=(self.campaign.pk,)),
                icon_name="history",
                classname="button-secondary",
            )
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        campaign = self.campaign
        user = self.request.user
        is_owner = campaign.owner_id == user.pk
        basket = campaign.basket
        basket_visible = (
            basket is not None and Basket.objects.visible_to(user).filter(pk=basket.pk).exists()
        )
        context.update(
            campaign=campaign,
            status_label=status_label(campaign),
            finished_label=finished_label(campaign),
            created_at=moment(campaign.created_at),
            scheduled_for=moment(campaign.scheduled_for),
            frozen_at=moment(campaign.frozen_at),
            finished_at=moment(campaign.finished_at),
            owner_name=user_name(campaign.owner),
            can_change=is_owner and user.has_perm("outreach.change_campaign"),
            can_send=is_owner and user.has_perm("outreach.send_campaign"),
            can_delete=is_owner and user.has_perm("outreach.delete_campaign"),
            # A copy is made on the same basket: only if one still sees it.
            can_duplicate=user.has_perm("outreach.add_campaign") and basket_visible,
            basket_url=reverse("selections_baskets:basket", args=(basket.pk,))
            if basket_visible
            else None,
            template=campaign.template,
            template_url=template_url(user, campaign.template),
            is_draft=campaign.status == CampaignStatus.DRAFT,
            is_running=campaign.status in RUNNING,
            polls=campaign.status in POLLED,
            is_post=campaign.channel == Channel.POST,
            is_email=campaign.channel == Channel.EMAIL,
            is_sms=campaign.channel == Channel.SMS,
        )
        if context["is_draft"]:
            try:
                context["preview"] = Preview(campaign)
            except CriteriaError as error:
                context["basket_errors"] = error.messages
            context["schedule_form"] = self.schedule_form or ScheduleForm()
            context["test_form"] = self.test_form or TestForm()
        if context["is_running"]:
            context["progress"] = progress(campaign)
        if campaign.is_frozen:
            context.update(report.report_context(self.request, campaign))
        return context


def template_url(user, template):
    """The template's edit page for an administrator, its read-only page for staff."""
    if template is None:
        return None
    name = type(template)._meta.model_name
    if user.has_perm(f"outreach.change_{name}"):
        return reverse(f"outreach_{name}s:edit", args=(template.pk,))
    if user.has_perm(f"outreach.view_{name}"):
        return reverse(f"outreach_{name}s:inspect", args=(template.pk,))
    return None


def render_page(request, campaign, **forms):
    """The campaign's page again, with a form that was posted and its errors."""
    view = CampaignView(**forms)
    view.setup(request, pk=campaign.pk)
    view.campaign = campaign
    return view.render_to_response(view.get_context_data())


def _error_messages(request, error) -> None:
    """An action's refusal, or a basket that cannot be resolved, as messages."""
    for message in error.messages:
        messages.error(request, message)


def status(request, pk):
    """The progress bar's JSON."""
    campaign = visible_campaign(request, pk)
    return JsonResponse(progress(campaign))


@require_POST
def send(request, pk):
    campaign = visible_campaign(request, pk)
    try:
        count = actions.send_campaign(request.user, campaign)
    except (ValidationError, CriteriaError) as error:
        _error_messages(request, error)
        return redirect(campaign_url(campaign))
    if campaign.channel == Channel.POST:
        message = ngettext(
            "The labels of %(count)s recipient are ready.",
            "The labels of %(count)s recipients are ready.",
            count,
        )
    else:
        message = ngettext(
            "Sending to %(count)s recipient has started.",
            "Sending to %(count)s recipients has started.",
            count,
        )
    messages.success(request, message % {"count": count})
    return redirect(campaign_url(campaign))


@require_POST
def schedule(request, pk):
    campaign = visible_campaign(request, pk)
    form = ScheduleForm(request.POST)
    if form.is_valid():
        when = form.cleaned_data["scheduled_for"]
        try:
            count = actions.send_campaign(request.user, campaign, scheduled_for=when)
        except CriteriaError as error:
            _error_messages(request, error)
            return redirect(campaign_url(campaign))
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                add_errors(form, error)
            else:
                _error_messages(request, error)
                return redirect(campaign_url(campaign))
        else:
            messages.success(
                request,
                ngettext(
                    "Scheduled for %(when)s: %(count)s recipient.",
                    "Scheduled for %(when)s: %(count)s recipients.",
                    count,
                )
                % {"when": moment(when), "count": count},
            )
            return redirect(campaign_url(campaign))
    messages.error(request, _("The campaign was not scheduled: correct the date shown."))
    return render_page(request, campaign, schedule_form=form)


@require_POST
def send_test(request, pk):
    campaign = visible_campaign(request, pk)
    form = TestForm(request.POST)
    if form.is_valid():
        try:
            where = actions.send_test(request.user, campaign, to=form.cleaned_data["to"])
        except ValidationError as error:
            add_errors(form, error)
        except CriteriaError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("Test sent to %(to)s.") % {"to": where})
            return redirect(campaign_url(campaign))
    messages.error(request, _("The test was not sent."))
    return render_page(request, campaign, test_form=form)


@require_POST
def cancel(request, pk):
    campaign = visible_campaign(request, pk)
    try:
        count = actions.cancel_campaign(request.user, campaign)
    except ValidationError as error:
        _error_messages(request, error)
    else:
        messages.success(
            request,
            ngettext(
                "Campaign cancelled: %(count)s message will not be sent.",
                "Campaign cancelled: %(count)s messages will not be sent.",
                count,
            )
            % {"count": count},
        )
    return redirect(campaign_url(campaign))


@require_POST
def duplicate(request, pk):
    campaign = visible_campaign(request, pk)
    try:
        copy = actions.duplicate_campaign(request.user, campaign)
    except (PermissionDenied, ValidationError) as error:
        # Most often the basket is no longer shared with the user, or deleted.
        reasons = error.messages if isinstance(error, ValidationError) else [str(error)]
        messages.error(
            request, " ".join([_("This campaign cannot be duplicated."), *filter(None, reasons)])
        )
        return redirect(campaign_url(campaign))
    messages.success(
        request, _("Campaign duplicated: “%(name)s”, a draft to check.") % {"name": copy.name}
    )
    return redirect(campaign_url(copy))
