"""What every screen set of the directory shares.

* The history's "user" filter refuses ids that cannot be ids
  (`directory.filters`), where Wagtail's would fail in the database.
* The edit form does not open a Wagtail editing session: the product does
  not show who else is editing, so the form neither records sessions nor
  pings the server every few seconds.
* Choosers refuse ids that cannot be ids (`choosers.RecordChooserViewSet`).
"""

from wagtail.snippets.views import snippets

from ..filters import DirectoryHistoryFilterSet
from .choosers import RecordChooserViewSet


class HistoryView(snippets.HistoryView):
    filterset_class = DirectoryHistoryFilterSet


class EditView(snippets.EditView):
    def get_editing_sessions(self):
        return None


class DirectoryViewSet(snippets.SnippetViewSet):
    history_view_class = HistoryView
    edit_view_class = EditView
    chooser_viewset_class = RecordChooserViewSet
