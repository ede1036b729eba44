"""Wagtail's generic views, speaking each model's own phrases.

`PhrasedViewSetMixin` goes on a viewset (before Wagtail's class): every view
it builds gets `PhrasedViewMixin`, which takes the listing's "Add" button,
the creation page's title and breadcrumb, the messages after a save or a
delete, the delete confirmation and the empty listing's message from
`directory.phrases`. A model without phrases keeps Wagtail's.

It also leaves out the edit form's "Statut : Publié" side panel, which is
about drafts and publishing, for models that have neither: their history
stays one click away in the header.
"""

from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from wagtail.admin.ui.side_panels import StatusSidePanel
from wagtail.admin.views.generic import IndexView
from wagtail.models import DraftStateMixin

from ..phrases import phrases_for


def header_title(title, subtitle) -> str:
    """ "Modification : Équipe", with the space French puts before a colon
    (Wagtail glues "title: subtitle" in code)."""
    if subtitle:
        return _("%(title)s: %(subtitle)s") % {"title": title, "subtitle": subtitle}
    return title


class PhrasedViewMixin:
    @cached_property
    def phrases(self):
        return phrases_for(getattr(self, "model", None))

    def speaks(self, *names) -> bool:
        """Whether the model's phrases say this. Not when a view class of ours
        that the mixin was put before says it itself (an attribute or method
        among `names`, before Wagtail's classes), as a saved search's
        « Recherche … enregistrée. ». A class put before the mixin that calls
        `super()` asks for the phrases."""
        if not self.phrases:
            return False
        mro = type(self).__mro__
        for klass in mro[mro.index(PhrasedViewMixin) + 1 :]:
            if klass.__module__.startswith("wagtail."):
                return True
            if any(name in vars(klass) for name in names):
                return False
        return True

    def get_header_title(self):
        return header_title(self.get_page_title(), self.get_page_subtitle())

    # The listing

    @cached_property
    def add_item_label(self):
        if self.speaks("add_item_label"):
            return str(self.phrases.add)
        return super().add_item_label

    @cached_property
    def no_results_message(self):
        # A record's history or usage is a listing too, but not of the model.
        if not self.speaks("no_results_message") or not isinstance(self, IndexView):
            return super().no_results_message
        if getattr(self, "is_searching", False) or getattr(self, "is_filtering", False):
            return str(self.phrases.no_match)
        return str(self.phrases.none_yet)

    # Creation, edition, deletion

    @property
    def adding(self) -> bool:
        return getattr(self, "permission_required", None) == "add"

    def get_page_title(self):
        if self.speaks("page_title", "get_page_title") and self.adding:
            return str(self.phrases.new)
        return super().get_page_title()

    def get_page_subtitle(self):
        if self.speaks("page_title", "get_page_title", "get_page_subtitle") and self.adding:
            return ""
        return super().get_page_subtitle()

    def get_breadcrumbs_items(self):
        items = super().get_breadcrumbs_items()
        if self.speaks("page_title", "get_breadcrumbs_items") and self.adding and items:
            items = [*items[:-1], {**items[-1], "label": str(self.phrases.new)}]
        return items

    def get_success_message(self, *args):
        if not self.speaks("success_message", "get_success_message"):
            return super().get_success_message(*args)
        action = getattr(self, "permission_required", None)
        message = {
            "add": self.phrases.created,
            "change": self.phrases.updated,
            "delete": self.phrases.deleted,
        }.get(action)
        if message is None:
            return super().get_success_message(*args)
        instance = args[0] if args else getattr(self, "object", None)
        return str(message) % {"object": instance}

    def get_error_message(self):
        if not self.speaks("error_message", "get_error_message"):
            return super().get_error_message()
        action = getattr(self, "permission_required", None)
        if action == "add":
            return str(self.phrases.not_created)
        if action == "change":
            return str(self.phrases.not_saved)
        return super().get_error_message()

    @property
    def confirmation_message(self):
        if self.speaks("confirmation_message"):
            return str(self.phrases.confirm_delete)
        return super().confirmation_message

    def get_side_panels(self):
        panels = super().get_side_panels()
        model = getattr(self, "model", None)
        if model is None or issubclass(model, DraftStateMixin):
            return panels
        return type(panels)(panel for panel in panels if not isinstance(panel, StatusSidePanel))


class PhrasedViewSetMixin:
    """Builds every view of the viewset with `PhrasedViewMixin`."""

    def construct_view(self, view_class, **kwargs):
        if not issubclass(view_class, PhrasedViewMixin):
            view_class = type(view_class.__name__, (PhrasedViewMixin, view_class), {})
        return super().construct_view(view_class, **kwargs)
