"""Administrator-managed lists: interest areas, organisation types, functions."""

from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.admin.widgets.button import Button, ButtonWithDropdown, HeaderButton
from wagtail.snippets.views.snippets import IndexView

from ..forms import ColourInput
from ..models import Function, InterestCentre, OrganisationKind
from .base import DirectoryViewSet
from .choosers import (
    FunctionChooserViewSet,
    InterestCentreChooserViewSet,
    OrganisationKindChooserViewSet,
)
from .columns import ChipColumn
from .list_transfer import may_export, may_import, transfer_urlpatterns


class ListIndexView(IndexView):
    """The listing, with « Importer » for those who may add entries
    (administrators) and « Exporter » (CSV or XLSX) for those who see it."""

    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        user = self.request.user
        if may_import(user, self.model):
            buttons.append(
                HeaderButton(
                    pgettext("verb", "Import"),
                    url=self.get_transfer_url("import"),
                    icon_name="upload",
                    classname="button-secondary",
                    priority=1010,
                )
            )
        if may_export(user, self.model):
            buttons.append(
                ButtonWithDropdown(
                    label=gettext("Export"),
                    icon_name="download",
                    classname="w-header-button button button-secondary",
                    priority=1020,
                    buttons=[
                        Button(
                            gettext("Excel workbook (.xlsx)"),
                            url=self.get_transfer_url("export", "xlsx"),
                            icon_name="download",
                            priority=1,
                        ),
                        Button(
                            gettext("CSV, semicolon-separated"),
                            url=self.get_transfer_url("export", "csv"),
                            icon_name="download",
                            priority=2,
                        ),
                    ],
                )
            )
        return buttons

    def get_transfer_url(self, name, *args):
        return reverse(f"{self.model.snippet_viewset.url_namespace}:{name}", args=args)


class ListViewSetMixin:
    """Import and export URLs beside the listing's (`list_transfer`)."""

    index_view_class = ListIndexView

    def get_urlpatterns(self):
        return super().get_urlpatterns() + transfer_urlpatterns(self)


class InterestCentreViewSet(ListViewSetMixin, DirectoryViewSet):
    model = InterestCentre
    icon = "tag"
    menu_label = _("Interest areas")
    menu_order = 300  # after Organisations and Personnes
    menu_name = "interest_centres"
    url_prefix = "directory/interest-centres"
    add_to_admin_menu = False
    panels = [FieldPanel("name"), FieldPanel("colour", widget=ColourInput)]
    list_display = ["name", ChipColumn("chip", label=_("Chip"), accessor=lambda obj: obj)]
    search_fields = ["name"]
    ordering = ["name_key"]
    copy_view_enabled = False
    inspect_view_enabled = True
    chooser_viewset_class = InterestCentreChooserViewSet


class NamedListViewSet(ListViewSetMixin, DirectoryViewSet):
    add_to_admin_menu = False
    panels = [FieldPanel("name")]
    list_display = ["name"]
    search_fields = ["name"]
    ordering = ["name_key"]
    copy_view_enabled = False


class OrganisationKindViewSet(NamedListViewSet):
    model = OrganisationKind
    icon = "list-ul"
    menu_label = _("Organisation types")
    menu_order = 310  # after Organisations and Personnes
    menu_name = "organisation_kinds"
    url_prefix = "directory/kinds"
    chooser_viewset_class = OrganisationKindChooserViewSet


class FunctionViewSet(NamedListViewSet):
    model = Function
    icon = "list-ul"
    menu_label = _("Functions")
    menu_order = 320  # after Organisations and Personnes
    menu_name = "functions"
    url_prefix = "directory/functions"
    chooser_viewset_class = FunctionChooserViewSet
