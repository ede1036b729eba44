from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.permissions import register_permission_policy

from . import bulk_actions, log_formatters  # noqa: F401 (bulk_actions registers its action)
from .models import Basket, SavedSearch, SelectionLogEntry
from .panels import AddToBasketPanel
from .permissions import SharedObjectPolicy
from .views import SelectionsViewSetGroup

register_permission_policy(SavedSearch, SharedObjectPolicy(SavedSearch))
register_permission_policy(Basket, SharedObjectPolicy(Basket))


@hooks.register("register_admin_viewset")
def register_selections_viewsets():
    return SelectionsViewSetGroup()


@hooks.register("directory_record_panels")
def add_to_basket_panel(request, record):
    return AddToBasketPanel.for_record(request, record)


@hooks.register("register_log_actions")
def register_selection_actions(actions):
    actions.register_model(SavedSearch, SelectionLogEntry)
    actions.register_model(Basket, SelectionLogEntry)
    log_formatters.register(actions)


class SearchHelpMenuItem(MenuItem):
    """ "How the advanced search works", in the Help menu: staff only."""

    def is_shown(self, request):
        return request.user.has_perm("selections.view_savedsearch")


@hooks.register("register_help_menu_item")
def register_search_help_menu_item():
    return SearchHelpMenuItem(
        _("How the advanced search works"),
        reverse("selections_searches:help"),
        name="selections-search-help",
        icon_name="crosshairs",
        order=100,
    )
