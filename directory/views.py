"""Admin screens of the directory."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.snippets.views.snippets import SnippetViewSet

from .forms import ColourInput
from .models import InterestCentre


class ChipColumn(Column):
    cell_template_name = "directory/includes/interest_centre_chip_cell.html"


class InterestCentreViewSet(SnippetViewSet):
    model = InterestCentre
    icon = "tag"
    menu_label = _("Interest centres")
    menu_name = "interest_centres"
    url_prefix = "directory/interest-centres"
    add_to_admin_menu = False
    panels = [FieldPanel("name"), FieldPanel("colour", widget=ColourInput)]
    list_display = ["name", ChipColumn("chip", label=_("Chip"), accessor=lambda obj: obj)]
    search_fields = ["name"]
    ordering = ["name_key"]
    copy_view_enabled = False
    inspect_view_enabled = True


class DirectoryViewSetGroup(ViewSetGroup):
    menu_label = _("Directory")
    menu_icon = "group"
    menu_order = 100
    items = (InterestCentreViewSet,)
