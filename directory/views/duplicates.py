"""« Doublons probables », in the Annuaire menu (staff and administrators).

The list of likely pairs of people or of organisations (`directory.duplicates.
likely_pairs`), each with what matched, a "Comparer et fusionner" link, a
"Pas un doublon" button, and a bulk "Fusionner" / "Pas des doublons" for the
pairs ticked. The merge screen shows both records side by side; for each
field the user picks the value to keep. Every write is a `directory.actions`
call (`merge_records`, `merge_pairs`, `mark_not_duplicate`).
"""

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from .. import actions
from ..duplicates import (
    PAIR_REASON_LABELS,
    PAIRS_PER_PAGE,
    SMALL_DIRECTORY,
    pair_reasons,
    refresh_pairs,
    stored_pairs,
)
from ..merging import KEEP, TAKE, choice_label, choices_for, default_choices, version_of
from ..models import Organisation, Person
from .phrased import header_title

KINDS = {"person": Person, "organisation": Organisation}


def may_merge(user) -> bool:
    return any(
        user.has_perm(f"directory.change_{kind}") and user.has_perm(f"directory.delete_{kind}")
        for kind in KINDS
    )


def _kind(request_kind) -> str:
    if request_kind not in KINDS:
        raise Http404
    return request_kind


class DuplicatesMixin(WagtailAdminTemplateMixin):
    header_icon = "group"
    page_title = gettext_lazy("Likely duplicates")

    def dispatch(self, request, *args, **kwargs):
        if not may_merge(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_header_title(self):
        return header_title(self.get_page_title(), self.get_page_subtitle())

    def get_breadcrumbs_items(self):
        items = [*self.breadcrumbs_items]
        if self.page_title != DuplicatesMixin.page_title:
            items.append(
                {"url": reverse("directory_duplicates:index"), "label": _("Likely duplicates")}
            )
        return [*items, {"url": "", "label": self.get_page_title()}]


def _display(record, fields) -> str:
    values = []
    for name in fields:
        field = record._meta.get_field(name)
        if name == "country" and len(fields) > 1:
            value = record.get_country_display() if record.country not in ("", "FR") else ""
        elif field.is_relation:
            value = str(getattr(record, name) or "")
        elif field.choices:
            value = getattr(record, f"get_{name}_display")()
        elif isinstance(getattr(record, name), bool):
            value = _("yes") if getattr(record, name) else _("no")
        else:
            display = getattr(record, f"{name}_display", None)
            value = display if isinstance(display, str) else getattr(record, name)
        if value not in (None, ""):
            values.append(str(value))
    return ", ".join(values) if len(fields) > 1 else (values[0] if values else "")


class DuplicatesIndexView(DuplicatesMixin, TemplateView):
    template_name = "directory/duplicates/index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        kind = self.request.GET.get("kind", "person")
        kind = kind if kind in KINDS else "person"
        try:
            page = max(1, int(self.request.GET.get("p", 1)))
        except ValueError:
            page = 1
        offset = (page - 1) * PAIRS_PER_PAGE
        pairs, total, scan = stored_pairs(kind, offset=offset)
        if scan is None:
            scan = self.first_computation(kind)
            if scan:
                pairs, total, scan = stored_pairs(kind, offset=offset)
        pages = max(1, -(-total // PAIRS_PER_PAGE))
        inspect = KINDS[kind].snippet_viewset.get_url_name("inspect")
        for pair in pairs:
            pair.first_url = reverse(inspect, args=(pair.first_id,))
            pair.second_url = reverse(inspect, args=(pair.second_id,))
            pair.merge_url = reverse(
                "directory_duplicates:merge", args=(kind, pair.first_id, pair.second_id)
            )
        context.update(
            kind=kind,
            kinds=[
                ("person", _("People"), kind == "person"),
                ("organisation", _("Organisations"), kind == "organisation"),
            ],
            pairs=pairs,
            total=total,
            scan=scan,
            page=page,
            pages=pages,
            previous_page=page - 1 if page > 1 else None,
            next_page=page + 1 if page < pages else None,
        )
        return context

    def first_computation(self, kind):
        """The pairs were never computed: at once for a small directory, else
        queued (once an hour at most); the page says so."""
        if KINDS[kind].all_objects.count() < SMALL_DIRECTORY:
            refresh_pairs([kind])
            return True
        if cache.add(SCHEDULED_KEY, True, 3600):
            from ..tasks import refresh_duplicate_pairs

            refresh_duplicate_pairs.delay()
            return True
        return False


SCHEDULED_KEY = "directory:duplicates:first-computation"


def refresh(request):
    """« Recalculer maintenant » (staff and administrators)."""
    if request.method != "POST":
        raise Http404
    if not may_merge(request.user):
        raise PermissionDenied
    kind = request.POST.get("kind", "person")
    kind = kind if kind in KINDS else "person"
    if actions.refresh_duplicate_pairs(request.user):
        messages.success(request, _("The likely pairs have been computed again."))
    else:
        messages.success(
            request,
            _(
                "The likely pairs are being computed again: the list will be up to date "
                "in a few minutes."
            ),
        )
    return redirect(reverse("directory_duplicates:index") + f"?kind={kind}")


class MergeView(DuplicatesMixin, TemplateView):
    """Both records side by side; for each field, the value to keep."""

    template_name = "directory/duplicates/merge.html"
    page_title = gettext_lazy("Merge")

    def dispatch(self, request, *args, **kwargs):
        self.kind = _kind(kwargs["kind"])
        model = KINDS[self.kind]
        if kwargs["first"] == kwargs["second"]:
            raise Http404
        records = [
            get_object_or_404(model.objects, pk=kwargs["first"]),
            get_object_or_404(model.objects, pk=kwargs["second"]),
        ]
        keep = request.POST.get("kept") or request.GET.get("keep")
        if str(records[1].pk) == str(keep):
            records.reverse()
        self.kept, self.merged = records
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return f"{self.kept} – {self.merged}"

    def rows(self, chosen):
        model = type(self.kept)
        rows = []
        for name, fields in choices_for(model).items():
            kept_value, merged_value = _display(self.kept, fields), _display(self.merged, fields)
            rows.append(
                {
                    "name": name,
                    "label": choice_label(model, name),
                    "kept": kept_value,
                    "merged": merged_value,
                    "same": kept_value == merged_value,
                    "choice": chosen.get(name, KEEP),
                }
            )
        return rows

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        chosen = kwargs.get("chosen") or default_choices(self.kept, self.merged)
        inspect = type(self.kept).snippet_viewset.get_url_name("inspect")
        context.update(
            kept=self.kept,
            merged=self.merged,
            kept_url=reverse(inspect, args=(self.kept.pk,)),
            merged_url=reverse(inspect, args=(self.merged.pk,)),
            kept_version=version_of(self.kept),
            merged_version=version_of(self.merged),
            rows=self.rows(chosen),
            KEEP=KEEP,
            TAKE=TAKE,
            is_person=isinstance(self.kept, Person),
            reasons=[str(PAIR_REASON_LABELS[r]) for r in pair_reasons(self.kept, self.merged)],
            swap_url=reverse(
                "directory_duplicates:merge", args=(self.kind, self.kept.pk, self.merged.pk)
            )
            + f"?keep={self.merged.pk}",
            positions={
                record.pk: list(record.positions.select_related("organisation", "function"))
                for record in (self.kept, self.merged)
            }
            if isinstance(self.kept, Person)
            else {},
        )
        context["kept_positions"] = context["positions"].get(self.kept.pk, [])
        context["merged_positions"] = context["positions"].get(self.merged.pk, [])
        return context

    def post(self, request, *args, **kwargs):
        # A field left without a choice takes the default (filled, most recent).
        choices = {
            name: request.POST[f"choice-{name}"]
            for name in choices_for(type(self.kept))
            if f"choice-{name}" in request.POST
        }
        seen = {
            self.kept.pk: request.POST.get("kept_version", ""),
            self.merged.pk: request.POST.get("merged_version", ""),
        }
        try:
            actions.merge_records(request.user, self.kept, self.merged, choices=choices, seen=seen)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            self.kept.refresh_from_db()
            self.merged.refresh_from_db()
            return self.render_to_response(self.get_context_data(chosen=choices))
        url = reverse(type(self.kept).snippet_viewset.get_url_name("inspect"), args=(self.kept.pk,))
        messages.success(
            request,
            _("“%(merged)s” is merged into “%(kept)s” and is in the trash.")
            % {"merged": self.merged, "kept": self.kept},
            buttons=[messages.button(url, _("Record"))],
        )
        return redirect(url)


def _pairs_posted(request):
    pairs = []
    for value in request.POST.getlist("pair"):
        try:
            first, second = (int(part) for part in value.split("-", 1))
        except ValueError:
            continue
        pairs.append((first, second))
    return pairs


def not_duplicate(request, kind):
    """Mark one pair ("pair" = "first-second") or the ticked ones as not duplicates."""
    if request.method != "POST":
        raise Http404
    if not may_merge(request.user):
        raise PermissionDenied
    model = KINDS[_kind(kind)]
    count = 0
    for first, second in _pairs_posted(request):
        records = model.objects.in_bulk([first, second])
        if len(records) != 2:
            continue
        try:
            actions.mark_not_duplicate(request.user, records[first], records[second])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            count += 1
    if count:
        messages.success(
            request,
            ngettext(
                "%(count)d pair marked as not a duplicate: it will not be shown again.",
                "%(count)d pairs marked as not duplicates: they will not be shown again.",
                count,
            )
            % {"count": count},
        )
    else:
        messages.error(request, _("Tick at least one pair."))
    return redirect(reverse("directory_duplicates:index") + f"?kind={kind}")


def bulk(request, kind):
    """The bulk buttons of the list: "Fusionner" (default choices, the older
    record kept) or "Pas des doublons"."""
    if request.method != "POST":
        raise Http404
    if not may_merge(request.user):
        raise PermissionDenied
    kind = _kind(kind)
    if request.POST.get("action") == "not_duplicate":
        return not_duplicate(request, kind)
    pairs = _pairs_posted(request)
    if not pairs:
        messages.error(request, _("Tick at least one pair."))
    else:
        count, refused = actions.merge_pairs(request.user, kind, pairs)
        if count:
            messages.success(
                request,
                ngettext(
                    "%(count)d pair merged: the older record is kept, the other is in the trash.",
                    "%(count)d pairs merged: the older records kept, the others in the trash.",
                    count,
                )
                % {"count": count},
            )
        for message in dict.fromkeys(refused):
            messages.error(request, message)
    return redirect(reverse("directory_duplicates:index") + f"?kind={kind}")


class DuplicatesMenuItem(MenuItem):
    def is_shown(self, request):
        return may_merge(request.user)


class DuplicatesViewSet(ViewSet):
    name = "directory_duplicates"
    url_prefix = "directory/duplicates"
    icon = "group"
    menu_label = gettext_lazy("Likely duplicates")
    menu_name = "duplicates"
    menu_order = 850
    menu_item_class = DuplicatesMenuItem

    def get_urlpatterns(self):
        return [
            path("", DuplicatesIndexView.as_view(), name="index"),
            path("<str:kind>/<int:first>/<int:second>/", MergeView.as_view(), name="merge"),
            path("<str:kind>/not-duplicate/", not_duplicate, name="not_duplicate"),
            path("<str:kind>/bulk/", bulk, name="bulk"),
            path("refresh/", refresh, name="refresh"),
        ]
