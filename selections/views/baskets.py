"""Baskets: composing them from saved searches, their page (count, rows and
why each is there), rows added or removed by hand, sharing, export and
snapshots."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import EmptyPage
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST
from wagtail.admin import messages
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet

from directory.views.phrased import PhrasedViewSetMixin

from .. import actions, resolution
from ..columns import EXPORT_COLUMNS
from ..criteria import CriteriaError
from ..disclosure import SEARCH, Disclosure, read_frozen_reason, step_source
from ..forms import (
    AddRowsForm,
    BasketForm,
    BasketShareForm,
    RemoveRowsForm,
    SnapshotForm,
)
from ..models import Basket
from ..panels import StepsInlinePanel
from ..tables import MAX_PER_PAGE, SnapshotRowsTable
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
from .exports import SelectionExportView, spreadsheet_response
from .results import query_number, results_context, results_table

ENTRIES_SHOWN = 50


def can_use_baskets(user) -> bool:
    return user.has_perm("selections.view_basket")


def visible_basket(request, pk) -> Basket:
    if not can_use_baskets(request.user):
        raise PermissionDenied
    return get_object_or_404(Basket.objects.visible_to(request.user), pk=pk)


def owned_basket(request, pk) -> Basket:
    if not request.user.has_perm("selections.change_basket"):
        raise PermissionDenied
    return get_object_or_404(Basket.objects.owned_by(request.user), pk=pk)


def campaign_url(basket) -> str | None:
    """Where "create a campaign" leads, once the outreach app offers it."""
    try:
        return reverse("outreach_campaigns:add") + f"?basket={basket.pk}"
    except NoReverseMatch:
        return None


def describe_steps(basket, disclosure: Disclosure) -> list[dict]:
    """The basket's composition as `disclosure`'s reader may read it: a source
    they may not see is neither named nor linked."""
    steps = []
    for step in basket.steps.select_related("search", "included_basket"):
        if step.source_deleted:
            steps.append(
                {
                    "operation": step.get_operation_display(),
                    "source": _("a deleted search or basket: remove or replace this step"),
                    "url": None,
                }
            )
            continue
        kind, pk, name = step_source(step)
        url = None
        if disclosure.may_read(kind, pk):
            if kind == SEARCH:
                url = reverse("selections_searches:results", args=(pk,))
            else:
                url = reverse("selections_baskets:basket", args=(pk,))
        steps.append(
            {
                "operation": step.get_operation_display(),
                "source": disclosure.name(kind, pk, name),
                "url": url,
            }
        )
    return steps


basket_panels = ObjectList(
    [
        FieldPanel("name"),
        FieldPanel("description"),
        StepsInlinePanel(
            "steps",
            heading=gettext_lazy("Saved searches combined, in this order"),
            label=gettext_lazy("Step"),
            panels=[
                FieldPanel("operation"),
                FieldPanel("search"),
                FieldPanel("included_basket"),
            ],
        ),
    ],
    base_form_class=BasketForm,
)


class BasketCreateView(ActionFormMixin, NewObjectTitleMixin, generic.CreateView):
    page_title = gettext_lazy("New basket")
    index_label = gettext_lazy("My baskets")

    success_message = gettext_lazy("Basket “%(object)s” created.")

    def get_initial_form_instance(self):
        return Basket(owner=self.request.user)

    def save_instance(self):
        return actions.create_basket(self.request.user, self.form.save(commit=False))

    def get_success_url(self):
        return reverse("selections_baskets:basket", args=(self.object.pk,))


class BasketEditView(ActionFormMixin, OwnedObjectMixin, generic.EditView):
    success_message = gettext_lazy("Basket “%(object)s” saved.")

    def save_instance(self):
        return actions.update_basket(self.request.user, self.form.save(commit=False))

    def get_success_url(self):
        return reverse("selections_baskets:basket", args=(self.object.pk,))


class BasketDeleteView(ProtectedDeleteMixin, OwnedObjectMixin, generic.DeleteView):
    def delete_selection(self, user, selection):
        actions.delete_basket(user, selection)

    def object_url(self):
        return reverse("selections_baskets:basket", args=(self.object.pk,))


class BasketHistoryView(OwnedBaseObjectMixin, generic.HistoryView):
    pass


class BasketUsageView(OwnedBaseObjectMixin, generic.UsageView):
    pass


class MyBasketsView(OwnIndexView):
    page_title = gettext_lazy("My baskets")
    object_url_name = "selections_baskets:basket"


class SharedBasketsView(SharedIndexView):
    page_title = gettext_lazy("Baskets shared with me")
    object_url_name = "selections_baskets:basket"
    shared_url_name = "selections_baskets:shared"


def baskets_crumb(basket, user) -> dict:
    """The listing a basket belongs to for this reader: theirs, or shared with them."""
    mine = basket.can_edit(user)
    return {
        "url": reverse("selections_baskets:index" if mine else "selections_baskets:shared"),
        "label": _("My baskets") if mine else _("Baskets shared with me"),
    }


class BasketView(SelectionPage):
    """A basket resolved now: its count, its rows, and why each is there."""

    template_name = "selections/basket.html"
    header_icon = "list-ul"

    def dispatch(self, request, *args, **kwargs):
        self.basket = visible_basket(request, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return self.basket.name

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            baskets_crumb(self.basket, self.request.user),
            {"url": "", "label": self.basket.name},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        basket = self.basket
        can_edit = basket.can_edit(self.request.user)
        disclosure = Disclosure(self.request.user)
        entries = (
            basket.entries.live()
            .select_related(
                "person",
                "position__person",
                "position__organisation",
                "position__function",
                "organisation",
            )
            .order_by("-created_at")
        )
        context.update(
            basket=basket,
            can_edit=can_edit,
            steps=describe_steps(basket, disclosure),
            entries=entries[:ENTRIES_SHOWN],
            entry_count=entries.count(),
            snapshots=basket.snapshots.select_related("created_by")[:10],
            campaign_url=campaign_url(basket),
        )
        try:
            rows = resolution.basket_rows(basket, disclosure)
        except CriteriaError as error:
            context["basket_errors"] = error.messages
            return context
        context.update(
            results_context(results_table(self.request, rows, selectable=can_edit), self.request)
        )
        context["remove_form"] = RemoveRowsForm()
        return context


class BasketShareView(ShareView):
    form_class = BasketShareForm
    object_url_name = "selections_baskets:basket"
    share_url_name = "selections_baskets:share"


class ExportView(SelectionExportView):
    """Choose the format and the columns, then download the basket's rows."""

    intro = gettext_lazy(
        "Every row of “%(name)s” as it resolves now. Cells that look like spreadsheet "
        "formulae are written as text."
    )
    back_label, back_url_name = gettext_lazy("Back to the basket"), "selections_baskets:basket"
    file_stem = "panier"
    get_selection = staticmethod(visible_basket)

    def get_rows(self):
        return resolution.basket_rows(self.selection, Disclosure(self.request.user))


def _report_errors(request, form) -> None:
    """A form posted from another page: its errors become messages there."""
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, message)


def _next_url(request, fallback: str) -> str:
    url = request.POST.get("next", "")
    if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, request.is_secure()):
        return url
    return fallback


@require_POST
def add_rows(request):
    """Add selected rows (from search results or a record) to a basket of
    the user's, or to a new one."""
    if not request.user.has_perm("selections.change_basket"):
        raise PermissionDenied
    form = AddRowsForm(request.POST, user=request.user)
    fallback = reverse("selections_baskets:index")
    if not form.is_valid():
        _report_errors(request, form)
        return redirect(_next_url(request, fallback))
    basket, rows = form.cleaned_data["basket"], form.cleaned_data["row"]
    try:
        if basket is None:
            name = form.cleaned_data["new_basket_name"]
            basket, added = actions.add_rows_to_new_basket(request.user, name, rows)
        else:
            added = actions.add_rows(request.user, basket, rows)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(_next_url(request, fallback))
    messages.success(
        request,
        ngettext(
            "%(count)s row added to the basket “%(basket)s”.",
            "%(count)s rows added to the basket “%(basket)s”.",
            added,
        )
        % {"count": added, "basket": basket},
        buttons=[
            messages.button(reverse("selections_baskets:basket", args=(basket.pk,)), _("Open"))
        ],
    )
    return redirect(_next_url(request, reverse("selections_baskets:basket", args=(basket.pk,))))


@require_POST
def remove_rows(request, pk):
    basket = owned_basket(request, pk)
    form = RemoveRowsForm(request.POST)
    if form.is_valid():
        removed = actions.remove_rows(request.user, basket, form.cleaned_data["row"])
        messages.success(
            request,
            ngettext(
                "%(count)s row removed from the basket.",
                "%(count)s rows removed from the basket.",
                removed,
            )
            % {"count": removed},
        )
    else:
        _report_errors(request, form)
    return redirect("selections_baskets:basket", basket.pk)


@require_POST
def cancel_entry(request, pk, entry_pk):
    """Undo one addition or removal by hand."""
    basket = owned_basket(request, pk)
    entry = get_object_or_404(basket.entries, pk=entry_pk)
    actions.cancel_entry(request.user, basket, entry)
    messages.success(request, _("Done: “%(entry)s” was cancelled.") % {"entry": entry})
    return redirect("selections_baskets:basket", basket.pk)


@require_POST
def freeze(request, pk):
    basket = owned_basket(request, pk)
    if not request.user.has_perm("selections.add_snapshot"):
        raise PermissionDenied
    form = SnapshotForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, _("Snapshot not kept: %(error)s") % {"error": message})
        return redirect("selections_baskets:basket", basket.pk)
    try:
        snapshot = actions.freeze_basket(request.user, basket, form.cleaned_data["label"])
    except CriteriaError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            ngettext(
                "Snapshot “%(label)s” kept with %(count)s row.",
                "Snapshot “%(label)s” kept with %(count)s rows.",
                snapshot.row_count,
            )
            % {"label": snapshot.label, "count": snapshot.row_count},
        )
    return redirect("selections_baskets:basket", basket.pk)


SNAPSHOT_PER_PAGE = 50
SNAPSHOT_FIELDS = ["name", "capacity", "email", "phone", "mobile", "address", "reasons"]


def visible_snapshot(request, pk, snapshot_pk):
    """(basket, snapshot): a snapshot of a basket the user may see, else 404
    (a client: 403, before any lookup)."""
    basket = visible_basket(request, pk)
    return basket, get_object_or_404(basket.snapshots.select_related("created_by"), pk=snapshot_pk)


class SnapshotView(SelectionPage):
    """A snapshot on screen, page by page, before it is downloaded: its rows
    as they were frozen, the reasons named only as the reader may read them."""

    template_name = "selections/snapshot.html"
    header_icon = "list-ul"

    def dispatch(self, request, *args, **kwargs):
        self.basket, self.snapshot = visible_snapshot(request, kwargs["pk"], kwargs["snapshot_pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Snapshot “%(label)s”") % {"label": self.snapshot.label}

    def get_page_subtitle(self):
        return self.basket.name

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            baskets_crumb(self.basket, self.request.user),
            {
                "url": reverse("selections_baskets:basket", args=(self.basket.pk,)),
                "label": self.basket.name,
            },
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        table = SnapshotRowsTable(
            self.snapshot.rows.only("pk", *SNAPSHOT_FIELDS).order_by("pk"),
            disclosure=Disclosure(self.request.user),
            page_field="p",
            empty_text="",
        )
        per_page = query_number(self.request.GET.get("per_page"), SNAPSHOT_PER_PAGE, MAX_PER_PAGE)
        number = query_number(self.request.GET.get("p"), 1, 2**62)
        try:
            table.paginate(page=number, per_page=per_page)
        except EmptyPage:
            table.paginate(page=table.paginator.num_pages, per_page=per_page)
        context.update(
            basket=self.basket,
            snapshot=self.snapshot,
            table=table,
            row_count=table.paginator.count,
            elided_page_range=table.paginator.get_elided_page_range(table.page.number),
            csv_url=reverse(
                "selections_baskets:snapshot_csv", args=(self.basket.pk, self.snapshot.pk)
            ),
            xlsx_url=reverse(
                "selections_baskets:snapshot_xlsx", args=(self.basket.pk, self.snapshot.pk)
            ),
        )
        return context


def snapshot_download(request, pk, snapshot_pk, file_format):
    """A snapshot's rows as they were frozen, as CSV or XLSX."""
    basket, snapshot = visible_snapshot(request, pk, snapshot_pk)
    # The basket export's headings, which the spreadsheet import reads.
    headings = [str(EXPORT_COLUMNS[key][0]) for key in SNAPSHOT_FIELDS]
    disclosure = Disclosure(request.user)
    rows = (
        [
            *values[:-1],
            " ; ".join(read_frozen_reason(reason, disclosure) for reason in values[-1] or []),
        ]
        for values in snapshot.rows.order_by("pk")
        .values_list(*SNAPSHOT_FIELDS)
        .iterator(chunk_size=2000)
    )
    actions.record_export(
        request.user,
        basket,
        rows=snapshot.row_count,
        columns=SNAPSHOT_FIELDS,
        file_format=file_format,
        snapshot=snapshot,
    )
    stem = slugify(snapshot.label) or "instantane"
    return spreadsheet_response(headings, rows, file_format, stem)


class BasketViewSet(PhrasedViewSetMixin, ModelViewSet):
    model = Basket
    icon = "list-ul"
    name = "selections_baskets"
    url_prefix = "selections/baskets"
    menu_label = gettext_lazy("My baskets")
    menu_name = "my_baskets"
    edit_handler = basket_panels
    index_view_class = MyBasketsView
    add_view_class = BasketCreateView
    edit_view_class = BasketEditView
    delete_view_class = BasketDeleteView
    history_view_class = BasketHistoryView
    usage_view_class = BasketUsageView
    copy_view_enabled = False

    def get_urlpatterns(self):
        index_kwargs = self.get_index_view_kwargs()
        return [
            *super().get_urlpatterns(),
            path("shared/", self.construct_view(SharedBasketsView, **index_kwargs), name="shared"),
            path(
                "shared/results/",
                self.construct_view(SharedBasketsView, **index_kwargs, results_only=True),
                name="shared_results",
            ),
            path("<int:pk>/", BasketView.as_view(), name="basket"),
            path(
                "share/<int:pk>/",
                self.construct_view(BasketShareView, **share_view_kwargs(self, BasketShareView)),
                name="share",
            ),
            path("export/<int:pk>/", ExportView.as_view(), name="export"),
            path("add-rows/", add_rows, name="add_rows"),
            path("remove-rows/<int:pk>/", remove_rows, name="remove_rows"),
            path("cancel/<int:pk>/<int:entry_pk>/", cancel_entry, name="cancel_entry"),
            path("freeze/<int:pk>/", freeze, name="freeze"),
            path("snapshot/<int:pk>/<int:snapshot_pk>/", SnapshotView.as_view(), name="snapshot"),
            path(
                "snapshot/<int:pk>/<int:snapshot_pk>/csv/",
                snapshot_download,
                {"file_format": "csv"},
                name="snapshot_csv",
            ),
            path(
                "snapshot/<int:pk>/<int:snapshot_pk>/xlsx/",
                snapshot_download,
                {"file_format": "xlsx"},
                name="snapshot_xlsx",
            ),
        ]
