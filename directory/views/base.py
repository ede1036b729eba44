"""What every screen set of the directory shares.

* Create, edit and delete go through `directory.actions` (access,
  validation, audit log); an action's `ValidationError` shows on the form.
  Deleting an organisation or a person moves it to the trash, and the
  confirmation says what goes with it.
* The history's "user" filter refuses ids that cannot be ids
  (`directory.filters`), where Wagtail's would fail in the database.
* The edit form does not open a Wagtail editing session: the product does
  not show who else is editing, so the form neither records sessions nor
  pings the server every few seconds.
* Each model speaks its own phrases (`directory.phrases`), not Wagtail's
  "Ajouter un(e) …".
* Choosers refuse ids that cannot be ids (`choosers.RecordChooserViewSet`).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.snippets.views import snippets

from .. import actions
from ..duplicate_panels import LikelyDuplicatesViewMixin
from ..filters import DirectoryHistoryFilterSet
from ..models import Organisation, Person
from .choosers import RecordChooserViewSet
from .errors import add_errors
from .phrased import PhrasedViewMixin, PhrasedViewSetMixin


class ActionFormMixin:
    """Save through the action; its refusals show on the form."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            add_errors(form, error)
            self.produced_error_code = "validation_error"
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)


class CreateView(LikelyDuplicatesViewMixin, ActionFormMixin, snippets.CreateView):
    def save_instance(self):
        return actions.create_record(self.request.user, self.form.save(commit=False))


class HistoryView(snippets.HistoryView):
    filterset_class = DirectoryHistoryFilterSet


class EditView(PhrasedViewMixin, ActionFormMixin, snippets.EditView):
    def get_editing_sessions(self):
        return None

    def save_instance(self):
        return actions.update_record(self.request.user, self.form.save(commit=False))


class DeleteView(PhrasedViewMixin, snippets.DeleteView):
    """Moves an organisation or a person to the trash (a list entry is deleted)."""

    @property
    def goes_to_trash(self) -> bool:
        return isinstance(self.object, Organisation | Person)

    def get_usage_url(self):
        # Wagtail's "referenced N times" counts links that a trashed record
        # keeps; what goes with it is said in the confirmation message.
        return None if self.goes_to_trash else super().get_usage_url()

    @property
    def confirmation_message(self):
        if not self.goes_to_trash:
            return super().confirmation_message
        message = _("Move “%(object)s” to the trash? Staff can restore it from there.") % {
            "object": self.object
        }
        moved = actions.describe_trash_summary(actions.trash_summary(self.object))
        if moved:
            message += " " + _("With it: %(moved)s.") % {"moved": moved}
        return message

    def get_success_message(self):
        if not self.goes_to_trash:
            return super().get_success_message()
        if isinstance(self.object, Organisation):
            return _("Organisation “%(object)s” moved to the trash.") % {"object": self.object}
        return _("Person “%(object)s” moved to the trash.") % {"object": self.object}

    def delete_action(self):
        actions.delete_record(self.request.user, self.object)

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            messages.error(self.request, " ".join(error.messages))
            return redirect(self.request.get_full_path())


class DirectoryViewSet(PhrasedViewSetMixin, snippets.SnippetViewSet):
    @property
    def breadcrumbs_items(self):
        """Home, then the listing: not Wagtail's "Fragments" (snippets) index."""
        return [{"url": reverse_lazy("wagtailadmin_home"), "label": gettext_lazy("Home")}]

    add_view_class = CreateView
    edit_view_class = EditView
    delete_view_class = DeleteView
    history_view_class = HistoryView
    chooser_viewset_class = RecordChooserViewSet
