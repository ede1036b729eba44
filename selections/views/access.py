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
