"""Choosers of people and organisations, searched like the listings.

The person chooser can create a person without leaving the form it was
opened from (an organisation's inline positions).
"""

from django import forms
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.snippets.views import chooser
from wagtail.snippets.views.chooser import SnippetChooserViewSet

from ..search import search


class DirectorySearchFilterForm(BaseFilterForm):
    q = forms.CharField(
        label=_("Search term"),
        widget=forms.TextInput(attrs={"placeholder": _("Name, e-mail, city, phone…")}),
        required=False,
    )  # no max_length: an invalid form would show the unfiltered list; search() truncates

    def filter(self, objects):
        objects = super().filter(objects)
        query = self.cleaned_data.get("q")
        if query:
            objects = search(objects, query)
            self.is_searching = True
            self.search_query = query
        return objects


class ChooseView(chooser.ChooseView):
    filter_form_class = DirectorySearchFilterForm


class ChooseResultsView(chooser.ChooseResultsView):
    filter_form_class = DirectorySearchFilterForm


class NoCreationView(chooser.SnippetCreateView):
    """The chooser's create URL, for a chooser that creates nothing."""

    def dispatch(self, request, *args, **kwargs):
        raise Http404


class DirectoryChooserViewSet(SnippetChooserViewSet):
    """Chooser listing ordered on the folded name and searched with `directory.search`."""

    choose_view_class = ChooseView
    choose_results_view_class = ChooseResultsView
    create_view_class = NoCreationView

    def get_object_list(self):
        return self.model.objects.order_by("name_key", "pk")


class PersonChooserViewSet(DirectoryChooserViewSet):
    create_view_class = chooser.SnippetCreateView
    form_fields = ["civility", "first_name", "last_name", "email", "phone", "mobile"]
    create_action_label = _("Create a person")
    creation_tab_label = _("New person")
