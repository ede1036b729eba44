"""The campaigns' screens (`outreach_campaigns:*`): the listing, the creation
form (from a basket, `new/?basket=<id>`), the edit and delete forms and the
history; the campaign's own page and its actions are in `page.py`, its
report in `report.py`, its labels in `labels.py`.

Who reaches what, as `outreach.actions` says it:

* a campaign is seen by its author and by those who may see its basket
  (`actions.visible_campaigns`): anyone else gets a 404 on every URL of it;
* only its author changes, sends, cancels or deletes it (403 for the
  others), and only while it is a draft (the form says why not);
* clients have no campaign permission: 403 everywhere.

Every write is an action; its refusal shows on the form, and nothing is
saved. A postal campaign reads as prepared, not sent (`wording`).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy, pgettext
from wagtail.admin import messages
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn, TitleColumn, UserColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic import history
from wagtail.admin.viewsets.model import ModelViewSet

from directory.ids import record_id
from directory.phrases import Phrases, register_phrases
from directory.views.phrased import PhrasedViewSetMixin
from selections.models import Basket
from selections.views.common import add_errors

from .. import actions
from ..forms import CampaignForm
from ..models import Campaign, CampaignStatus, DeliveryStatus
from .wording import counts_label, status_label

NOT_COUNTED = (DeliveryStatus.LEFT_OUT, DeliveryStatus.CANCELLED)
DONE = (
    DeliveryStatus.SENT,
    DeliveryStatus.DELIVERED,
    DeliveryStatus.OPENED,
    DeliveryStatus.CLICKED,
    DeliveryStatus.BOUNCED,
    DeliveryStatus.UNSUBSCRIBED,
    DeliveryStatus.COMPLAINED,
)

register_phrases(
    Campaign,
    Phrases(
        add=gettext_lazy("New campaign"),
        new=gettext_lazy("New campaign"),
        created=gettext_lazy("Campaign “%(object)s” created."),
        updated=gettext_lazy("Campaign “%(object)s” saved."),
        deleted=gettext_lazy("Campaign “%(object)s” deleted."),
        not_created=gettext_lazy("The campaign could not be created: correct the fields shown."),
        not_saved=gettext_lazy("The campaign could not be saved: correct the fields shown."),
        confirm_delete=gettext_lazy("Delete this campaign?"),
        none_yet=gettext_lazy(
            "There are no campaigns yet. Open a basket and choose “Create a campaign”."
        ),
        no_match=gettext_lazy("No campaign matches these filters."),
        referenced=ngettext_lazy(
            "This campaign is referenced %(count)s time.",
            "This campaign is referenced %(count)s times.",
            "count",
        ),
    ),
)


def may_use_campaigns(user) -> bool:
    return user.has_perm("outreach.view_campaign")


def visible_campaign(request, pk) -> Campaign:
    """The campaign `pk` if the user may see it, else 404 (a client: 403)."""
    if not may_use_campaigns(request.user):
        raise PermissionDenied
    number = record_id(pk)
    if number is None:
        raise Http404
    return get_object_or_404(
        actions.visible_campaigns(request.user).select_related(
            "basket", "owner", "email_template", "sms_template", "label_template"
        ),
        pk=number,
    )


def release_due_when_eager() -> None:
    """Start the scheduled campaigns whose time has come, when Celery runs
    eagerly (the embedded defaults of `make demo`). Then no worker and no
    beat run `outreach.release_due_campaigns` every minute, so a scheduled
    campaign would never start: the screens that show campaigns release the
    due ones first. `actions.release_due` takes each campaign once (a
    conditional update), so calling it on every page is safe."""
    from celery import current_app

    if current_app.conf.task_always_eager:
        actions.release_due()


def campaign_url(campaign) -> str:
    return reverse("outreach_campaigns:campaign", args=(campaign.pk,))


def user_name(user) -> str:
    if user is None:
        return _("Deleted user")
    return user.get_full_name() or user.get_username()


# --- Listing ---------------------------------------------------------------------------


class CountsColumn(Column):
    """ "12 sent of 40": the deliveries done and those to send, once frozen
    ("40 labels prepared" for labels)."""

    def get_value(self, instance):
        if instance.frozen_at is None:
            return _("not sent yet")
        return counts_label(instance, instance.done_count, instance.recipient_count)


class BasketColumn(Column):
    def get_value(self, instance):
        return instance.basket.name if instance.basket else _("deleted basket")


class CampaignIndexView(generic.IndexView):
    list_filter = ["channel", "status"]
    default_ordering = "-created_at"

    def get(self, request, *args, **kwargs):
        release_due_when_eager()
        return super().get(request, *args, **kwargs)

    def get_base_queryset(self):
        return (
            actions.visible_campaigns(self.request.user)
            .select_related("basket", "owner")
            .annotate(
                recipient_count=Count("deliveries", filter=~Q(deliveries__status__in=NOT_COUNTED)),
                done_count=Count("deliveries", filter=Q(deliveries__status__in=DONE)),
            )
        )

    def get_valid_orderings(self):
        return ["name", "-name", "created_at", "-created_at"]

    @cached_property
    def columns(self):
        return [
            TitleColumn(
                "name", label=_("Name"), url_name="outreach_campaigns:campaign", sort_key="name"
            ),
            Column("channel", label=_("Channel"), accessor="get_channel_display"),
            BasketColumn("basket", label=_("Basket")),
            StatusTagColumn(
                "status",
                label=_("Status"),
                accessor=status_label,
                primary=lambda campaign: campaign.status == CampaignStatus.SENT,
            ),
            CountsColumn("counts", label=_("Recipients")),
            UserColumn(
                "owner",
                label=pgettext("campaign", "Created by"),
                blank_display_name=_("Deleted user"),
            ),
            DateColumn("created_at", label=pgettext("campaign", "Created"), sort_key="created_at"),
        ]


# --- Creation and edition --------------------------------------------------------------


class CampaignFormMixin:
    """A plain form (`CampaignForm`) saved by an action: its refusal on the form."""

    def get_form_class(self):
        return CampaignForm

    def get_form(self, form_class=None):
        return CampaignForm(**self.get_form_kwargs())

    def form_valid(self, form):
        self.form = form
        try:
            self.object = self.save_instance()
        except ValidationError as error:
            add_errors(form, error)
            self.produced_error_code = "validation_error"
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)
        return self.save_action()

    def get_success_url(self):
        return campaign_url(self.object)

    def get_success_buttons(self):
        return []

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["label_fields"] = ("start_row", "start_column", "sort_by_postcode")
        return context


class CampaignCreateView(CampaignFormMixin, generic.CreateView):
    template_name = "outreach/admin/campaign_form.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.basket = None
        value = request.GET.get("basket")
        if value is not None and may_use_campaigns(request.user):
            number = record_id(value)
            if number is None:
                raise Http404
            self.basket = get_object_or_404(Basket.objects.visible_to(request.user), pk=number)

    def get_add_url(self):
        url = reverse(self.add_url_name)
        return f"{url}?basket={self.basket.pk}" if self.basket else url

    def get_form_kwargs(self):
        kwargs = {"user": self.request.user, "basket": self.basket}
        if self.request.method == "POST":
            kwargs["data"] = self.request.POST
        elif self.basket is not None:
            kwargs["initial"] = {"name": self.basket.name}
        return kwargs

    def save_instance(self):
        data = self.form.cleaned_data
        return actions.create_campaign(
            self.request.user, basket=data["basket"], **self.form.campaign_fields()
        )


class OwnCampaignMixin:
    """Edit and delete: a campaign the user sees (else 404), theirs (else 403)."""

    def get_object(self, queryset=None):
        campaign = visible_campaign(self.request, self.kwargs.get("pk"))
        actions.access_campaign(self.request.user, campaign, "change")
        return campaign


class CampaignEditView(CampaignFormMixin, OwnCampaignMixin, generic.EditView):
    template_name = "outreach/admin/campaign_form.html"

    def get_editing_sessions(self):
        return None

    def get_form_kwargs(self):
        kwargs = {"user": self.request.user, "with_basket": False}
        if self.request.method == "POST":
            kwargs["data"] = self.request.POST
        else:
            kwargs["initial"] = CampaignForm.initial_for(self.object)
        return kwargs

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.object.status != CampaignStatus.DRAFT:
            messages.error(
                request, _("A campaign that was sent or scheduled can no longer be changed.")
            )
            return redirect(campaign_url(self.object))
        return super().get(request, *args, **kwargs)

    def save_instance(self):
        return actions.update_campaign(
            self.request.user, self.object, **self.form.campaign_fields()
        )

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("outreach_campaigns:index"), "label": _("Campaigns")},
            {"url": campaign_url(self.object), "label": self.object.name},
            {"url": "", "label": _("Edit")},
        ]


class CampaignDeleteView(OwnCampaignMixin, generic.DeleteView):
    def delete_action(self):
        actions.delete_campaign(self.request.user, self.object)

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            messages.error(self.request, " ".join(error.messages))
            return redirect(campaign_url(self.object))


class CampaignHistoryView(history.HistoryView):
    def get_base_object_queryset(self):
        return actions.visible_campaigns(self.request.user)


class CampaignViewSet(PhrasedViewSetMixin, ModelViewSet):
    model = Campaign
    name = "outreach_campaigns"
    url_prefix = "outreach/campaigns"
    icon = "mail"
    menu_label = gettext_lazy("Campaigns")
    menu_name = "campaigns"
    menu_order = 100
    index_view_class = CampaignIndexView
    add_view_class = CampaignCreateView
    edit_view_class = CampaignEditView
    delete_view_class = CampaignDeleteView
    history_view_class = CampaignHistoryView
    copy_view_enabled = False
    add_to_reference_index = False

    def get_form_class(self, for_update=False):
        return CampaignForm

    def get_common_view_kwargs(self, **kwargs):
        # No "usage" screen: nothing refers to a campaign.
        return {**super().get_common_view_kwargs(**kwargs), "usage_url_name": None}

    def get_urlpatterns(self):
        from django.urls import path

        from . import labels, page, report

        patterns = [p for p in super().get_urlpatterns() if p.name != "usage"]
        return [
            *patterns,
            path("<int:pk>/", page.CampaignView.as_view(), name="campaign"),
            path("<int:pk>/status/", page.status, name="status"),
            path("<int:pk>/send/", page.send, name="send"),
            path("<int:pk>/schedule/", page.schedule, name="schedule"),
            path("<int:pk>/test/", page.send_test, name="test"),
            path("<int:pk>/cancel/", page.cancel, name="cancel"),
            path("<int:pk>/duplicate/", page.duplicate, name="duplicate"),
            path("<int:pk>/report.csv", report.report_csv, name="report_csv"),
            path("<int:pk>/labels.pdf", labels.labels_pdf, name="labels_pdf"),
            path("<int:pk>/mailmerge.csv", labels.mailmerge_csv, name="mailmerge_csv"),
        ]
