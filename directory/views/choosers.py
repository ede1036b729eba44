"""Choosers of people and organisations, searched like the listings.

The person chooser can create a person without leaving the form it was
opened from (an organisation's inline positions).
"""

from django import forms
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.log_actions import log
from wagtail.snippets.views import chooser
from wagtail.snippets.views.chooser import SnippetChooserViewSet

from ..forms import PersonForm
from ..models import Person
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


class PersonCreationForm(PersonForm):
    """A new person from the chooser: the same validation and likely-duplicate
    check as the person form, on the fields the chooser asks for."""

    class Meta:
        model = Person
        fields = ["civility", "first_name", "last_name", "email", "phone", "mobile"]


class PersonCreateView(chooser.SnippetCreateView):
    """Creates the person and writes it to the audit log, as the person form does."""

    creation_form_template_name = "directory/chooser/person_creation_form.html"

    def save_form(self, form):
        with transaction.atomic():
            person = form.save()
            log(instance=person, action="wagtail.create", user=self.request.user)
        return person


class PersonChosenView(chooser.SnippetChosenView):
    """Also answers the "Choose" buttons of the likely duplicates, which the
    chooser modal posts like its creation form."""

    def post(self, request, pk):
        return self.get(request, pk)


class PersonChooseView(ChooseView):
    creation_form_template_name = PersonCreateView.creation_form_template_name


class PersonChooseResultsView(ChooseResultsView):
    creation_form_template_name = PersonCreateView.creation_form_template_name


class PersonChooserViewSet(DirectoryChooserViewSet):
    choose_view_class = PersonChooseView
    choose_results_view_class = PersonChooseResultsView
    create_view_class = PersonCreateView
    chosen_view_class = PersonChosenView
    creation_form_class = PersonCreationForm
    create_action_label = _("Create a person")
    creation_tab_label = _("New person")
