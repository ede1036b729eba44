"""« Ajouter à un panier »: a bulk action of the organisations' and people's
listings, that adds the ticked records to one of the user's baskets, or to
a new one, by hand (`selections.actions.add_rows`, `add_rows_to_new_basket`).

An organisation goes in at its generic coordinates; a person in the
capacity chosen on the confirmation: their personal coordinates, or their
main current position (the listing's, primary first), or personal when
they hold none. The ids, the trash and the model permission are checked as
for every bulk action of the directory (`directory.views.bulk_actions.
SelectionBulkAction`); the user must also be allowed to change baskets.
"""

from django import forms
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail import hooks
from wagtail.admin import messages

from directory.filters import RecordChoiceField
from directory.models import Organisation, Person, Position
from directory.views.bulk_actions import SelectionBulkAction

from . import actions
from .capacity import ORGANISATION, PERSONAL, POSITION
from .models import Basket

PERSONAL_CAPACITY = "personal"
POSITION_CAPACITY = "position"


class AddToBasketForm(forms.Form):
    basket = RecordChoiceField(
        queryset=Basket.objects.none(),
        required=False,
        label=_("Basket"),
        empty_label=_("New basket…"),
    )
    new_basket_name = forms.CharField(
        label=_("Name of the new basket"), max_length=150, required=False
    )
    capacity = forms.ChoiceField(
        label=_("Capacity"),
        choices=[
            (
                POSITION_CAPACITY,
                _("Their main current position (personal contact details if none)"),
            ),
            (PERSONAL_CAPACITY, _("Personal contact details")),
        ],
        initial=POSITION_CAPACITY,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, user, model, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["basket"].queryset = Basket.objects.owned_by(user).order_by("name")
        if model is not Person:
            del self.fields["capacity"]

    def clean(self):
        cleaned = super().clean()
        if (
            not self.has_error("basket")
            and not self.has_error("new_basket_name")
            and not cleaned.get("basket")
            and not (cleaned.get("new_basket_name") or "").strip()
        ):
            self.add_error("new_basket_name", _("Choose one of your baskets, or name a new one."))
        return cleaned


def row_keys(records, capacity: str = PERSONAL_CAPACITY) -> list[str]:
    """The basket rows that stand for these organisations or people."""
    keys = []
    people = [record for record in records if isinstance(record, Person)]
    main: dict[int, int] = {}
    if people and capacity == POSITION_CAPACITY:
        positions = (
            Position.objects.current()
            .filter(person_id__in=[person.pk for person in people])
            .order_by("person_id", "-is_primary", "pk")
            .values_list("person_id", "pk")
        )
        for person_id, position_id in positions:
            main.setdefault(person_id, position_id)
    for record in records:
        if isinstance(record, Organisation):
            keys.append(f"{ORGANISATION}-{record.pk}")
        elif record.pk in main:
            keys.append(f"{POSITION}-{main[record.pk]}")
        else:
            keys.append(f"{PERSONAL}-{record.pk}")
    return keys


class AddToBasketBulkAction(SelectionBulkAction):
    display_name = _("Add to a basket")
    action_type = "add_to_basket"
    aria_label = _("Add the selected records to a basket")
    template_name = "selections/bulk_actions/confirm_add_to_basket.html"
    action_priority = 10
    permission = "view"
    form_class = AddToBasketForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("selections.change_basket"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "model": self.model}

    @classmethod
    def execute_action(cls, objects, user=None, **kwargs):
        self = kwargs["self"]
        data = self.cleaned_form.cleaned_data
        keys = row_keys(objects, data.get("capacity") or PERSONAL_CAPACITY)
        basket = data["basket"]
        if basket is None:
            basket, added = actions.add_rows_to_new_basket(
                self.request.user, data["new_basket_name"], keys
            )
        else:
            added = actions.add_rows(self.request.user, basket, keys)
        self.basket, self.added = basket, added
        return added, 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        return None  # said with a button to the basket, in form_valid

    def form_valid(self, form):
        response = super().form_valid(form)
        basket = getattr(self, "basket", None)
        if basket is not None:
            messages.success(
                self.request,
                ngettext(
                    "%(count)s row added to the basket “%(basket)s”.",
                    "%(count)s rows added to the basket “%(basket)s”.",
                    self.added,
                )
                % {"count": self.added, "basket": basket},
                buttons=[
                    messages.button(
                        reverse("selections_baskets:basket", args=(basket.pk,)), _("Open")
                    )
                ],
            )
        return response


hooks.register("register_bulk_action", AddToBasketBulkAction)
