"""Reaching a search or a basket: by its owner, or by those it is shared with.

Generic Wagtail views look objects up in a queryset; these mixins narrow
that queryset, so another user's private object answers 404 whatever the
URL (edit, delete, history, usage, export...). Changing is for the owner.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect


class OwnedObjectMixin:
    """For views that change an object (Django's SingleObjectMixin)."""

    def get_queryset(self):
        return self.model.objects.owned_by(self.request.user)


class OwnedBaseObjectMixin:
    """For Wagtail's BaseObjectMixin views (history, usage)."""

    def get_base_object_queryset(self):
        return self.model.objects.owned_by(self.request.user)


class VisibleBaseObjectMixin:
    def get_base_object_queryset(self):
        return self.model.objects.visible_to(self.request.user)


class ProtectedDeleteMixin:
    """Deleting a search or a basket through `selections.actions`.

    The owner's own baskets that use it block it, named in the message: the
    owner removes the step first. Steps in colleagues' baskets (it was shared
    with them) go with it: the owner could neither see nor change those
    baskets, and their names are not shown.
    """

    def delete_selection(self, user, selection):
        raise NotImplementedError

    def delete_action(self):
        self.delete_selection(self.request.user, self.object)

    def form_valid(self, form):
        self.usage = None  # Wagtail's usage check would still count the steps
        try:
            return super().form_valid(form)
        except ValidationError as error:
            messages.error(self.request, " ".join(error.messages))
            return redirect(self.object_url())
