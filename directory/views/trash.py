"""The trash ("Corbeille"), in the Annuaire menu.

Lists the organisations and people moved there, newest first, with what
went with each; staff restore them ("Restaurer"); administrators delete one
for good or empty the trash. Every write is a `directory.actions` call.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from .. import actions
from ..merging import merged_into
from ..models import Organisation, Person
from .phrased import header_title

KINDS = {"organisation": Organisation, "person": Person}
PER_PAGE = 50


def may_restore(user) -> bool:
    return user.has_perm("directory.delete_organisation") or user.has_perm(
        "directory.delete_person"
    )


def may_purge(user) -> bool:
    return user.has_perm("directory.purge_organisation") and user.has_perm("directory.purge_person")


def trashed(kind: str):
    model = KINDS[kind]
    other = "person" if model is Organisation else "organisation"
    return (
        model.all_objects.filter(trashed_at__isnull=False)
        .select_related("trashed_by")
        .annotate(
            position_count=Count(
                "positions",
                filter=Q(**{f"positions__{other}__trashed_at__isnull": True}),
                distinct=True,
            ),
        )
        .order_by("-trashed_at", "-pk")
    )


class TrashMixin(WagtailAdminTemplateMixin):
    header_icon = "bin"
    page_title = gettext_lazy("Trash")

    def dispatch(self, request, *args, **kwargs):
        if not may_restore(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_header_title(self):
        return header_title(self.get_page_title(), self.get_page_subtitle())

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]


class TrashIndexView(TrashMixin, TemplateView):
    template_name = "directory/trash/index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        kind = self.request.GET.get("kind")
        kinds = [kind] if kind in KINDS else list(KINDS)
        rows = []
        for name in kinds:
            for record in trashed(name)[:1000]:
                record.kind_label = KINDS[name]._meta.verbose_name
                record.kind_name = name
                rows.append(record)
        rows.sort(key=lambda record: record.trashed_at, reverse=True)
        page = Paginator(rows, PER_PAGE).get_page(self.request.GET.get("p"))
        kept = merged_into(page.object_list)  # a merged record: the one it was merged into
        for record in page.object_list:
            record.merged_into = kept.get((record.kind_name, record.pk))
            if record.merged_into is not None:
                record.merged_into_url = reverse(
                    record.merged_into.snippet_viewset.get_url_name("inspect"),
                    args=(record.merged_into.pk,),
                )
        context.update(
            page=page,
            rows=page.object_list,
            may_purge=may_purge(self.request.user),
            count=sum(trashed(name).count() for name in KINDS),
        )
        return context


def _record(kind, pk):
    model = KINDS.get(kind)
    if model is None:
        raise Http404
    return get_object_or_404(model.all_objects, pk=pk, trashed_at__isnull=False)


def restore(request, kind, pk):
    if request.method != "POST":
        raise Http404
    record = _record(kind, pk)
    actions.restore_records(request.user, [record])
    messages.success(
        request,
        _("“%(object)s” is back in the directory.") % {"object": record},
        buttons=[
            messages.button(
                reverse(record.snippet_viewset.get_url_name("inspect"), args=(record.pk,)),
                _("Record"),
            )
        ],
    )
    return redirect("directory_trash:index")


class PurgeView(TrashMixin, TemplateView):
    """Delete one record for good, or the whole trash (administrators)."""

    template_name = "directory/trash/confirm_purge.html"
    page_title = gettext_lazy("Delete for good")

    def dispatch(self, request, *args, **kwargs):
        if not may_purge(request.user):
            raise PermissionDenied
        self.record = _record(kwargs["kind"], kwargs["pk"]) if "kind" in kwargs else None
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return str(self.record) if self.record else _("The whole trash")

    def post(self, request, *args, **kwargs):
        try:
            if self.record is not None:
                actions.purge_records(request.user, [self.record])
                messages.success(
                    request, _("“%(object)s” is deleted for good.") % {"object": self.record}
                )
            else:
                count = actions.empty_trash(request.user)
                messages.success(
                    request, _("The trash is empty: %(count)d records deleted.") % {"count": count}
                )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("directory_trash:index")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.record is not None:
            context["moved"] = actions.describe_trash_summary(actions.trash_summary(self.record))
        else:
            context["count"] = sum(trashed(name).count() for name in KINDS)
        return context


class TrashMenuItem(MenuItem):
    def is_shown(self, request):
        return may_restore(request.user)


class TrashViewSet(ViewSet):
    name = "directory_trash"
    url_prefix = "directory/trash"
    icon = "bin"
    menu_label = gettext_lazy("Trash")
    menu_name = "trash"
    menu_order = 900
    menu_item_class = TrashMenuItem

    def get_urlpatterns(self):
        return [
            path("", TrashIndexView.as_view(), name="index"),
            path("restore/<str:kind>/<int:pk>/", restore, name="restore"),
            path("delete/<str:kind>/<int:pk>/", PurgeView.as_view(), name="purge"),
            path("empty/", PurgeView.as_view(), name="empty"),
        ]
