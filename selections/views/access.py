"""Reaching a search or a basket: by its owner, or by those it is shared with.

Generic Wagtail views look objects up in a queryset; these mixins narrow
that queryset, so another user's private object answers 404 whatever the
URL (edit, delete, history, usage, export...). Changing is for the owner.
"""


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
    """Deleting a search or a basket that baskets use.

    The owner's own baskets block it, named in the message: the owner
    removes the step first. Steps in colleagues' baskets (it was shared with
    them) go with it: the owner could neither see nor change those baskets,
    and their names are not shown.
    """

    def using_steps(self):
        raise NotImplementedError

    def form_valid(self, form):
        from django.contrib import messages
        from django.db import transaction
        from django.shortcuts import redirect
        from django.utils.translation import ngettext

        steps = list(self.using_steps())
        own = sorted(
            {str(step.basket) for step in steps if step.basket.owner_id == self.request.user.pk}
        )
        if own:
            messages.error(
                self.request,
                ngettext(
                    "It is used by your basket %(baskets)s: remove it from there first.",
                    "It is used by your baskets %(baskets)s: remove it from there first.",
                    len(own),
                )
                % {"baskets": ", ".join(f"“{name}”" for name in own)},
            )
            return redirect(self.object_url())
        with transaction.atomic():
            for step in steps:
                step.delete()
            self.usage = None  # Wagtail's usage check would still count the steps
            return super().form_valid(form)
