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
    """Refuse, with a message naming them, to delete what baskets still use."""

    def using_baskets(self) -> list[str]:
        raise NotImplementedError

    def form_valid(self, form):
        from django.contrib import messages
        from django.db.models import ProtectedError
        from django.shortcuts import redirect
        from django.utils.translation import ngettext

        baskets = self.using_baskets()
        if not baskets:
            try:
                return super().form_valid(form)
            except ProtectedError:
                baskets = self.using_baskets()
        messages.error(
            self.request,
            ngettext(
                "It is used by the basket %(baskets)s: remove it from there first.",
                "It is used by the baskets %(baskets)s: remove it from there first.",
                len(baskets),
            )
            % {"baskets": ", ".join(f"“{name}”" for name in baskets)},
        )
        return redirect(self.object_url())
