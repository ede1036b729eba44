"""What the search screens and the basket screens have in common: the two
listings ("mine" and "shared with me"), the sharing form, the page frame and
the title of a new object. Each side names its URLs; nothing else differs."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import CharField, Exists, OuterRef, Subquery
from django.db.models.functions import Cast, Coalesce, Greatest
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.ui.tables import Column, TitleColumn, UpdatedAtColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from directory.views.phrased import header_title

from .. import actions
from ..models import EXPORT_ACTION, FREEZE_ACTION, SelectionLogEntry
from .access import OwnedObjectMixin

# Log entries that read a selection without changing it.
READING_ACTIONS = (EXPORT_ACTION, FREEZE_ACTION)


class SelectionPage(WagtailAdminTemplateMixin, TemplateView):
    """A page of the selections screens: staff only (searches and baskets
    share the same role permissions)."""

    header_icon = "crosshairs"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("selections.view_savedsearch"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_header_title(self):
        return header_title(self.get_page_title(), self.get_page_subtitle())


def add_errors(form, error: ValidationError) -> None:
    """An action's refusal on the form: on its field when the form has it."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


class ActionFormMixin:
    """For Wagtail's create and edit views whose `save_instance` calls an
    action (`selections.actions`): its refusal shows on the form, and nothing
    is saved."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            add_errors(form, error)
            return self.form_invalid(form)


class NewObjectTitleMixin:
    """ "Nouvelle recherche" rather than Wagtail's "Nouvel(le) : recherche enregistrée"."""

    index_label = ""

    def get_page_subtitle(self):
        return None

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(self.index_url_name), "label": self.index_label},
            {"url": "", "label": self.get_page_title()},
        ]


def _with_sharing(queryset):
    """`has_users` and `has_groups` for the "Shared" column, in the listing's
    own query rather than two queries per row."""
    model = queryset.model
    users = model.shared_with_users.through.objects.filter(
        **{f"{model._meta.model_name}_id": OuterRef("pk")}
    )
    groups = model.shared_with_groups.through.objects.filter(
        **{f"{model._meta.model_name}_id": OuterRef("pk")}
    )
    return queryset.annotate(has_users=Exists(users), has_groups=Exists(groups))


def with_updated_at(queryset):
    """`_updated_at`, what the "Updated" column shows: the last change of the
    search or basket, its own fields (`updated_at`) or what its log records
    (rows added or removed by hand, a step gone with its source...), but not
    an export or a snapshot, which read it.

    Wagtail's index view annotates it from `ModelLogEntry` only; searches and
    baskets log to their own `SelectionLogEntry`, so the column stayed empty."""
    model = queryset.model
    latest_change = (
        SelectionLogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model),
            object_id=Cast(OuterRef("pk"), CharField()),
        )
        .exclude(action__in=READING_ACTIONS)
        .order_by("-timestamp", "-pk")
        .values("timestamp")[:1]
    )
    return queryset.annotate(
        _updated_at=Greatest("updated_at", Coalesce(Subquery(latest_change), "updated_at"))
    )


class OwnIndexView(generic.IndexView):
    """The user's own searches or baskets."""

    def _annotate_queryset_updated_at(self, queryset):
        return with_updated_at(queryset)

    object_url_name = ""  # the page of one object
    extra_columns = ()

    def get_base_queryset(self):
        return _with_sharing(self.model.objects.owned_by(self.request.user)).order_by("name")

    def title_column(self):
        return TitleColumn("name", label=_("Name"), url_name=self.object_url_name, sort_key="name")

    @cached_property
    def columns(self):
        return [
            self.title_column(),
            *self.extra_columns,
            Column(
                "shared",
                label=_("Shared"),
                accessor=lambda obj: (
                    _("yes")
                    if obj.shared_with_all_staff or obj.has_users or obj.has_groups
                    else _("no")
                ),
            ),
            UpdatedAtColumn(),
        ]


class SharedIndexView(OwnIndexView):
    """What others share with the user, read only."""

    shared_url_name = ""  # this listing, and its results at `shared_url_name + "_results"`

    def get_base_queryset(self):
        return (
            self.model.objects.shared_with(self.request.user)
            .select_related("owner")
            .order_by("name")
        )

    @cached_property
    def columns(self):
        return [
            self.title_column(),
            *self.extra_columns,
            Column(
                "owner",
                label=_("Owner"),
                accessor=lambda obj: obj.owner.get_full_name() or obj.owner.get_username(),
            ),
            UpdatedAtColumn(),
        ]

    @cached_property
    def add_url(self):
        return None

    def get_index_url(self):
        return reverse(self.shared_url_name)

    def get_index_results_url(self):
        return reverse(f"{self.shared_url_name}_results")


class ShareView(ActionFormMixin, OwnedObjectMixin, generic.EditView):
    """The owner shares, read only, with staff members, groups or all staff."""

    template_name = "selections/share.html"
    page_title = gettext_lazy("Share")
    success_message = gettext_lazy("Sharing of “%(object)s” saved.")
    object_url_name = ""
    share_url_name = ""

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "owner": self.request.user}

    def get_success_url(self):
        return reverse(self.object_url_name, args=(self.object.pk,))

    def save_instance(self):
        actions.set_sharing(
            self.request.user,
            self.object,
            users=self.form.cleaned_data["shared_with_users"],
            groups=self.form.cleaned_data["shared_with_groups"],
            all_staff=self.form.cleaned_data["shared_with_all_staff"],
        )
        return self.object

    def get_edit_url(self):
        return reverse(self.share_url_name, args=(self.object.pk,))


def share_view_kwargs(viewset, view_class) -> dict:
    return viewset.get_edit_view_kwargs(
        form_class=view_class.form_class, template_name=view_class.template_name, panel=None
    )
