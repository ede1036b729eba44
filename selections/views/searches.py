"""Saved searches: the builder (create and edit), the page of a search with
its results, sharing, copying, and the two listings "Mes recherches" and
"Partagées avec moi"."""

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet

from directory.matches import Matches
from directory.models import Organisation
from directory.views.phrased import PhrasedViewSetMixin

from .. import actions, resolution
from ..criteria import CriteriaError, compile_rows, describe, parse
from ..fields import MAX_ID, builder_schema
from ..forms import AddRowsForm, SearchForm, SearchShareForm, read_criteria
from ..models import SavedSearch
from .access import OwnedBaseObjectMixin, OwnedObjectMixin, ProtectedDeleteMixin
from .common import (
    ActionFormMixin,
    NewObjectTitleMixin,
    OwnIndexView,
    SelectionPage,
    SharedIndexView,
    ShareView,
    share_view_kwargs,
)
from .exports import SelectionExportView
from .help import HelpView
from .results import results_context, results_table

AUTOCOMPLETE_RESULTS = 20


def can_use_searches(user) -> bool:
    return user.has_perm("selections.view_savedsearch")


def visible_search(request, pk) -> SavedSearch:
    """A search the user may see (theirs or shared with them), else 404;
    a client: 403, before the lookup, so they learn nothing."""
    if not can_use_searches(request.user):
        raise PermissionDenied
    return get_object_or_404(
        SavedSearch.objects.visible_to(request.user).select_related("owner"), pk=pk
    )


def organisation_labels(tree) -> dict:
    """{id: label} of the organisations a tree names, for the builder's chooser.
    The tree may be the refused input being shown again: take nothing for granted."""
    ids = set()

    def walk(node, depth):
        if depth > 10 or not isinstance(node, dict) or not isinstance(node.get("rules"), list):
            return
        for member in node["rules"][:100]:
            if not isinstance(member, dict):
                continue
            if "rules" in member:
                walk(member, depth + 1)
            elif member.get("field") == "organisation" and isinstance(member.get("value"), list):
                ids.update(v for v in member["value"] if type(v) is int and 0 < v < MAX_ID)

    walk(tree, 0)
    return {
        str(organisation.pk): organisation_label(organisation)
        for organisation in Organisation.objects.filter(pk__in=ids)
    }


def organisation_label(organisation) -> str:
    return f"{organisation.name} ({organisation.city})" if organisation.city else organisation.name


def builder_labels() -> dict:
    return {
        "all": _("All of these conditions"),
        "any": _("At least one of these conditions"),
        "none": _("None of these conditions"),
        "addRule": _("Add a condition"),
        "addGroup": _("Add a group"),
        "remove": _("Remove this condition"),
        "removeGroup": _("Remove this group"),
        "field": _("Field"),
        "operator": _("Operator"),
        "value": _("Value"),
        "chooseField": _("Choose a field…"),
        "onePerLine": _("One value per line"),
        "typeToSearch": _("Type at least two letters of a name"),
        "noMatch": _("No organisation matches."),
        "counting": _("Counting…"),
        "empty": _("No condition yet: add one to find rows."),
        "days": _("days"),
        "removeValue": _("Remove this value"),
        "countError": _("The count is not available right now."),
        "groupOf": _("Group"),
        "incomplete": _("Complete the condition to see how many rows it finds."),
        "needOperator": _("Choose an operator."),
        "needValues": _("Choose at least one value."),
        "needValue": _("Type a value."),
        "needDate": _("Give a date."),
        "needDays": _("Give a number of days between 1 and 36,500."),
        # Activity rules (selections.activity_fields).
        "needNumberBetween": _("Give a whole number between %(min)s and %(max)s."),
        "needAmount": _("Give an amount, e.g. 1000 or 1 234,50."),
        # The searchable multi-select (multiselect.js); %s is a value's label.
        "msPlaceholder": _("Type to filter, Enter to add"),
        "msRemove": _("Remove %s"),
        "msNoMatch": _("No value matches."),
        "msAdded": _("%s added"),
        "msRemoved": _("%s removed"),
        "msChosen": _("Chosen values"),
    }


class BuilderMixin:
    """What the builder page needs around the form: the registry as JSON,
    the count URL, and the results of the criteria when asked for."""

    template_name = "selections/builder.html"
    form_class = SearchForm

    def get_initial(self):
        initial = super().get_initial()
        if "criteria" in self.request.GET:
            tree, errors = read_criteria(
                self.request.GET.get("criteria", ""), self.request.GET.get("target", "people")
            )
            self.preview_errors = errors
            if tree is not None:
                initial.update(criteria=tree, target=self.request.GET.get("target"))
                self.preview_tree = tree
        elif "target" in self.request.GET:
            initial["target"] = self.request.GET["target"]
        return initial

    preview_tree = None
    preview_errors = ()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context["form"]
        criteria = form["criteria"].value()
        if isinstance(criteria, str):
            try:
                criteria = json.loads(criteria) if criteria else None
            except (ValueError, RecursionError):
                criteria = None
        if not isinstance(criteria, dict):
            criteria = {"match": "all", "rules": []}
        target = form["target"].value() or "people"
        context.update(
            builder={
                "schema": {
                    target: builder_schema(target) for target in ("people", "organisations")
                },
                "criteria": criteria,
                "target": target,
                "organisations": organisation_labels(criteria),
                "count_url": reverse("selections_searches:count"),
                "organisations_url": reverse("selections_searches:organisations"),
                "labels": builder_labels(),
            },
            preview_errors=self.preview_errors,
            help_url=reverse("selections_searches:help"),
        )
        if self.preview_tree is not None:
            rows = compile_rows(self.preview_tree, self.request.GET.get("target", "people"))
            context.update(
                results_context(results_table(self.request, rows, selectable=True), self.request)
            )
            context["add_rows_form"] = AddRowsForm(user=self.request.user)
            context["show_results"] = True
        return context


class SearchCreateView(ActionFormMixin, NewObjectTitleMixin, BuilderMixin, generic.CreateView):
    page_title = gettext_lazy("New search")
    index_label = gettext_lazy("My searches")
    success_message = gettext_lazy("Search “%(object)s” saved.")

    def get_initial_form_instance(self):
        return SavedSearch(owner=self.request.user)

    def save_instance(self):
        return actions.create_search(self.request.user, self.form.save(commit=False))

    def get_success_url(self):
        return reverse("selections_searches:results", args=(self.object.pk,))


class SearchEditView(ActionFormMixin, BuilderMixin, OwnedObjectMixin, generic.EditView):
    success_message = gettext_lazy("Search “%(object)s” saved.")

    def save_instance(self):
        return actions.update_search(self.request.user, self.form.save(commit=False))

    def get_success_url(self):
        return reverse("selections_searches:results", args=(self.object.pk,))


class SearchDeleteView(ProtectedDeleteMixin, OwnedObjectMixin, generic.DeleteView):
    def delete_selection(self, user, selection):
        actions.delete_search(user, selection)

    def object_url(self):
        return reverse("selections_searches:results", args=(self.object.pk,))


class SearchHistoryView(OwnedBaseObjectMixin, generic.HistoryView):
    pass


class SearchUsageView(OwnedBaseObjectMixin, generic.UsageView):
    pass


TARGET_COLUMN = Column("target", label=gettext_lazy("Search for"), accessor="get_target_display")


class MySearchesView(OwnIndexView):
    page_title = gettext_lazy("My searches")
    object_url_name = "selections_searches:results"
    extra_columns = (TARGET_COLUMN,)


class SharedSearchesView(SharedIndexView):
    page_title = gettext_lazy("Searches shared with me")
    object_url_name = "selections_searches:results"
    shared_url_name = "selections_searches:shared"
    extra_columns = (TARGET_COLUMN,)


class SearchResultsView(SelectionPage):
    """The page of a saved search: its criteria in words, and its rows."""

    template_name = "selections/search.html"

    def dispatch(self, request, *args, **kwargs):
        self.search = visible_search(request, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return self.search.name

    def get_breadcrumbs_items(self):
        index = "index" if self.search.can_edit(self.request.user) else "shared"
        return [
            *self.breadcrumbs_items,
            {
                "url": reverse(f"selections_searches:{index}"),
                "label": _("My searches") if index == "index" else _("Searches shared with me"),
            },
            {"url": "", "label": self.search.name},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        search = self.search
        context.update(search=search, can_edit=search.can_edit(self.request.user))
        try:
            tree = parse(search.criteria, search.target)
        except CriteriaError as error:
            context["criteria_errors"] = error.messages
            return context
        context["criteria"] = describe(tree)
        rows = compile_rows(tree, search.target)
        context.update(
            results_context(results_table(self.request, rows, selectable=True), self.request)
        )
        context["add_rows_form"] = AddRowsForm(user=self.request.user)
        return context


class SearchExportView(SelectionExportView):
    """Choose the format and the columns, then download the search's rows."""

    intro = gettext_lazy(
        "Every row the search “%(name)s” finds now. Cells that look like spreadsheet "
        "formulae are written as text."
    )
    back_label, back_url_name = gettext_lazy("Back to the search"), "selections_searches:results"
    file_stem = "recherche"
    get_selection = staticmethod(visible_search)

    def get_rows(self):
        return self.selection.rows()


class SearchShareView(ShareView):
    form_class = SearchShareForm
    object_url_name = "selections_searches:results"
    share_url_name = "selections_searches:share"


@require_POST
def copy_search(request, pk):
    """A copy of a search one can see, owned by the user, then opened to edit."""
    if not request.user.has_perm("selections.add_savedsearch"):
        raise PermissionDenied
    original = get_object_or_404(SavedSearch.objects.visible_to(request.user), pk=pk)
    copy = actions.copy_search(request.user, original)
    messages.success(
        request, _("Copy of “%(name)s” created: it is yours to edit.") % {"name": original.name}
    )
    return redirect("selections_searches:edit", copy.pk)


@require_POST
def count(request):
    """The live count of the builder: {"count": n} or {"errors": [...]}."""
    if not can_use_searches(request.user):
        raise PermissionDenied
    target = request.POST.get("target", "people")
    tree, errors = read_criteria(request.POST.get("criteria", ""), target)
    if errors:
        return JsonResponse({"errors": [str(message) for message in errors]}, status=400)
    total = resolution.count(compile_rows(tree, target))
    return JsonResponse(
        {
            "count": total,
            "label": ngettext("%(count)s row", "%(count)s rows", total)
            % {"count": f"{total:,}".replace(",", "\u202f")},
        }
    )


def organisations(request):
    """Organisations whose name matches `q`, for the builder's chooser."""
    if not (
        can_use_searches(request.user) and request.user.has_perm("directory.view_organisation")
    ):
        raise PermissionDenied
    query = " ".join(request.GET.get("q", "").replace("\x00", " ").split())[:100]
    if len(query) < 2:
        return JsonResponse({"results": []})
    matches = Matches(Organisation.objects.order_by("name_key", "pk"), query, 1000)
    return JsonResponse(
        {
            "results": [
                {"id": organisation.pk, "label": organisation_label(organisation)}
                for organisation in matches.rows(0, AUTOCOMPLETE_RESULTS)
            ]
        }
    )


class SavedSearchViewSet(PhrasedViewSetMixin, ModelViewSet):
    model = SavedSearch
    icon = "crosshairs"
    name = "selections_searches"
    url_prefix = "selections/searches"
    menu_label = gettext_lazy("My searches")
    menu_name = "my_searches"
    create_template_name = edit_template_name = "selections/builder.html"
    index_view_class = MySearchesView
    add_view_class = SearchCreateView
    edit_view_class = SearchEditView
    delete_view_class = SearchDeleteView
    history_view_class = SearchHistoryView
    usage_view_class = SearchUsageView
    copy_view_enabled = False

    def get_form_class(self, for_update=False):
        return SearchForm

    @property
    def shared_view(self):
        return self.construct_view(SharedSearchesView, **self.get_index_view_kwargs())

    @property
    def shared_results_view(self):
        return self.construct_view(
            SharedSearchesView, **self.get_index_view_kwargs(), results_only=True
        )

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("shared/", self.shared_view, name="shared"),
            path("shared/results/", self.shared_results_view, name="shared_results"),
            path("<int:pk>/", SearchResultsView.as_view(), name="results"),
            path(
                "share/<int:pk>/",
                self.construct_view(SearchShareView, **share_view_kwargs(self, SearchShareView)),
                name="share",
            ),
            path("export/<int:pk>/", SearchExportView.as_view(), name="export"),
            path("copy/<int:pk>/", copy_search, name="copy"),
            path("count/", count, name="count"),
            path("organisations/", organisations, name="organisations"),
            path("help/", HelpView.as_view(), name="help"),
        ]
