"""Choosers of the directory's records.

People and organisations are searched like the listings (`directory.search`:
any part of a name, e-mail, city or phone, whatever the accents and case).
The person chooser shows, to tell homonyms apart, each person's current
organisation and function, city and e-mail (the positions of a page in one
query, `positions_summary.primary_positions`), and can create a person
without leaving the form it was opened from (an organisation's inline
positions), after the same likely-duplicate check as the person form.
Interest centres, organisation kinds and functions are searched by name, and
an administrator can create one from the chooser (a name, and a colour for
an interest centre).

Wagtail's chosen views hand the ids of their URL to the database as they
are; here an id that cannot be one (`directory.ids`) answers 404.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.snippets.views import chooser
from wagtail.snippets.views.chooser import SnippetChooserViewSet
from wagtail.snippets.widgets import AdminSnippetChooser

from .. import actions
from ..duplicate_panels import candidate_rows
from ..forms import InterestCentreCreationForm, PersonForm
from ..ids import is_record_id
from ..models import Person
from ..phrases import phrases_for
from ..positions_summary import primary_positions
from ..search import search
from ..text import fold
from .columns import PlainColumn
from .errors import add_errors


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


class NameColumnMixin:
    """The column of the records' names is headed "Name", not Wagtail's "Title";
    the title says « Choisir une personne » once, without the model's name
    again below it."""

    @property
    def title_column(self):
        column = super().title_column
        column.label = _("Name")
        return column

    @property
    def page_subtitle(self):
        phrases = phrases_for(self.model)
        return "" if phrases and phrases.choose else super().page_subtitle


class ChooseView(NameColumnMixin, chooser.ChooseView):
    filter_form_class = DirectorySearchFilterForm


class ChooseResultsView(NameColumnMixin, chooser.ChooseResultsView):
    filter_form_class = DirectorySearchFilterForm


class NoCreationView(chooser.SnippetCreateView):
    """The chooser's create URL, for a chooser that creates nothing."""

    def dispatch(self, request, *args, **kwargs):
        raise Http404


class LoggedCreateView(chooser.SnippetCreateView):
    """Creates the record through `directory.actions`, as the record's form does."""

    def save_form(self, form):
        return actions.create_record(self.request.user, form.save(commit=False))

    def post(self, request):
        self.form = self.get_creation_form()
        if self.form.is_valid():
            try:
                record = self.save_form(self.form)
            except ValidationError as error:
                add_errors(self.form, error)
            else:
                return self.get_chosen_response(record)
        return self.get_reshow_creation_form_response()


class ChosenView(chooser.SnippetChosenView):
    def get(self, request, pk):
        if not is_record_id(pk):
            raise Http404
        return super().get(request, pk)


class ChosenMultipleView(chooser.SnippetChosenMultipleView):
    def get(self, request):
        if not all(is_record_id(pk) for pk in request.GET.getlist("id")):
            raise Http404
        return super().get(request)


class PhrasedSnippetChooser(AdminSnippetChooser):
    """The chooser widget's buttons in the model's words: « Choisir une
    personne », not « Choisir personne » (`directory.phrases`)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        phrases = phrases_for(self.model)
        if phrases and phrases.choose:
            self.choose_one_text = str(phrases.choose)
            self.choose_another_text = str(phrases.choose_another)


class RecordChooserViewSet(SnippetChooserViewSet):
    """What every chooser of the directory shares: ordered on the folded name,
    refusing ids that cannot be ids, and titled in the model's words."""

    chosen_view_class = ChosenView
    chosen_multiple_view_class = ChosenMultipleView
    base_widget_class = PhrasedSnippetChooser

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        phrases = phrases_for(self.model)
        if phrases and phrases.choose:
            self.page_title = phrases.choose

    def get_object_list(self):
        return self.model.objects.order_by("name_key", "pk")


class DirectoryChooserViewSet(RecordChooserViewSet):
    """Chooser of organisations (and base of people's), searched with `directory.search`."""

    choose_view_class = ChooseView
    choose_results_view_class = ChooseResultsView
    create_view_class = NoCreationView


class NameSearchFilterForm(BaseFilterForm):
    q = forms.CharField(label=_("Search term"), required=False)

    def filter(self, objects):
        objects = super().filter(objects)
        query = fold(self.cleaned_data.get("q") or "")
        if query:
            objects = objects.filter(name_key__contains=query)
            self.is_searching = True
            self.search_query = self.cleaned_data["q"]
        return objects


class ListChooseView(NameColumnMixin, chooser.ChooseView):
    filter_form_class = NameSearchFilterForm


class ListChooseResultsView(NameColumnMixin, chooser.ChooseResultsView):
    filter_form_class = NameSearchFilterForm


class ListChooserViewSet(RecordChooserViewSet):
    """Chooser of an administrator-managed list (organisation kinds, functions),
    whose "New" tab creates an entry by its name."""

    choose_view_class = ListChooseView
    choose_results_view_class = ListChooseResultsView
    create_view_class = LoggedCreateView
    form_fields = ["name"]


class OrganisationKindChooserViewSet(ListChooserViewSet):
    creation_tab_label = _("New organisation type")


class FunctionChooserViewSet(ListChooserViewSet):
    creation_tab_label = _("New function")


class InterestCentreChooserViewSet(ListChooserViewSet):
    creation_form_class = InterestCentreCreationForm
    creation_tab_label = _("New interest area")


class PersonCreationForm(PersonForm):
    """A new person from the chooser: the same validation and likely-duplicate
    check as the person form, on the fields the chooser asks for."""

    class Meta:
        model = Person
        fields = ["civility", "first_name", "last_name", "email", "phone", "mobile"]

    def submitted_values(self):
        """What was sent, to send again with "Create anyway"."""
        return [
            (self.add_prefix(name), value)
            for name in self.fields
            if name != "create_anyway"
            for value in self.data.getlist(self.add_prefix(name))
        ]


class PersonCreateView(LoggedCreateView):
    creation_form_template_name = "directory/chooser/person_creation_form.html"

    def get_creation_form_context_data(self, form):
        context = super().get_creation_form_context_data(form)
        if form.likely_duplicates:
            context["duplicates_title"] = form.duplicate_notice_title
            context["duplicates"] = candidate_rows(form.likely_duplicates, self.request.user)
        if form.needs_confirmation:
            context["create_anyway_action"] = context["create_action_url"]
            context["create_anyway_data"] = form.submitted_values()
        return context


class PersonChosenView(ChosenView):
    """Also answers the "Choose" buttons of the likely duplicates, which the
    chooser modal posts like its creation form."""

    def post(self, request, pk):
        return self.get(request, pk)


def _current_position(person):
    return getattr(person, "main_position", None)


def _organisation(person):
    position = _current_position(person)
    return position.organisation.name if position else ""


def _function(person):
    position = _current_position(person)
    return position.label if position else ""


def _city(person):
    """Their own city, or else where they work."""
    if person.city:
        return person.city
    position = _current_position(person)
    return (position.city or position.organisation.city) if position else ""


class EmailsColumn(PlainColumn):
    """The professional e-mail of the current position and the personal one."""

    def get_value(self, instance):
        position = _current_position(instance)
        emails = [position.email] if position and position.email else []
        if instance.email and instance.email not in emails:
            emails.append(instance.email)
        return emails or ""

    def cell_content(self, value):
        if isinstance(value, list):
            return format_html_join(", ", "{}", ((email,) for email in value))
        return value


class PersonColumnsMixin:
    """Enough to tell homonyms apart; the current positions of the page are
    read in one query."""

    @property
    def columns(self):
        return [
            self.title_column,
            PlainColumn("organisation", label=_("Organisation"), accessor=_organisation),
            PlainColumn("function", label=_("Function"), accessor=_function),
            PlainColumn("city", label=_("City"), accessor=_city),
            EmailsColumn("email", label=_("E-mail")),
        ]

    def get_results_page(self, request):
        page = super().get_results_page(request)
        people = list(page.object_list)
        positions = primary_positions([person.pk for person in people])
        for person in people:
            person.main_position = positions.get(person.pk)
        page.object_list = people
        return page


class PersonChooseView(PersonColumnsMixin, ChooseView):
    creation_form_template_name = PersonCreateView.creation_form_template_name


class PersonChooseResultsView(PersonColumnsMixin, ChooseResultsView):
    creation_form_template_name = PersonCreateView.creation_form_template_name


class PersonChooserViewSet(DirectoryChooserViewSet):
    choose_view_class = PersonChooseView
    choose_results_view_class = PersonChooseResultsView
    create_view_class = PersonCreateView
    chosen_view_class = PersonChosenView
    creation_form_class = PersonCreationForm
    create_action_label = _("Create a person")
    creation_tab_label = _("New person")
