"""Administrator-managed lists: interest areas, organisation types, functions."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel

from ..forms import ColourInput
from ..models import Function, InterestCentre, OrganisationKind
from .base import DirectoryViewSet
from .choosers import (
    FunctionChooserViewSet,
    InterestCentreChooserViewSet,
    OrganisationKindChooserViewSet,
)
from .columns import ChipColumn


class InterestCentreViewSet(DirectoryViewSet):
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


class NamedListViewSet(DirectoryViewSet):
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
