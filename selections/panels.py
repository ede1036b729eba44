"""The "add to basket" panel of person and organisation records, and the
basket's steps inline."""

from django.urls import reverse
from django.utils.translation import gettext as _
from wagtail.admin.panels import InlinePanel
from wagtail.admin.ui.components import Component

from directory.models import Organisation, Person
from directory.panels import BoundedChildFormSet

from .models import Basket


class AddToBasketPanel(Component):
    template_name = "selections/panels/add_to_basket.html"

    def __init__(self, request, choices, baskets, containing):
        self.request = request
        self.choices = choices
        self.baskets = baskets
        self.containing = containing

    @classmethod
    def for_record(cls, request, record):
        if not request.user.has_perm("selections.change_basket"):
            return None
        if isinstance(record, Person):
            choices = [(f"personal-{record.pk}", _("Personal contact details"))]
            for position in record.positions.current().select_related("organisation", "function"):
                choices.append(
                    (f"position-{position.pk}", f"{position.label} – {position.organisation}")
                )
            containing = Basket.objects.owned_by(request.user).filter(
                entries__action="add", entries__person=record
            ) | Basket.objects.owned_by(request.user).filter(
                entries__action="add", entries__position__person=record
            )
        elif isinstance(record, Organisation):
            choices = [
                (f"organisation-{record.pk}", _("The organisation, at its general contact details"))
            ]
            containing = Basket.objects.owned_by(request.user).filter(
                entries__action="add", entries__organisation=record
            )
        else:
            return None
        baskets = Basket.objects.owned_by(request.user).order_by("name")
        return cls(request, choices, baskets, containing.distinct().order_by("name"))

    def get_context_data(self, parent_context=None):
        return {
            "choices": self.choices,
            "baskets": self.baskets,
            "containing": self.containing,
            "action_url": reverse("selections_baskets:add_rows"),
            "next": self.request.get_full_path(),
            "csrf_token": (parent_context or {}).get("csrf_token"),
            "request": self.request,
        }


class StepsInlinePanel(InlinePanel):
    """A basket's steps inline, refused as the directory refuses positions'
    rows: a row whose id is not a step of this basket (another basket's,
    tampered, or deleted meanwhile) is neither saved as a new step nor a
    crash; the form says to reload and changes nothing. Its button reads
    « Ajouter une étape » (Wagtail's says « Ajouter un(e) Étape »)."""

    class BoundPanel(InlinePanel.BoundPanel):
        template_name = "selections/panels/steps_inline_panel.html"

    def get_form_options(self):
        options = super().get_form_options()
        for formset in options.get("formsets", {}).values():
            formset["formset"] = BoundedChildFormSet
        return options
